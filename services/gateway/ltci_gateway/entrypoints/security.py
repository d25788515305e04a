"""The gateway's door: bearer tokens checked, clients admitted, rates and bodies bounded."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Protocol

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ltci_gateway.adapters.upstream import UpstreamBusy
from ltci_gateway.service_layer.directory import ClientDirectory
from ltci_gateway.settings import Settings
from ltci_shared.auth import ANONYMOUS, InvalidToken, Principal, RoleNotAllowed, TokenVerifier
from ltci_shared.errors import DomainError, InvalidInput, problem


class RateLimited(DomainError):
    status, name, title = 429, "rate_limited", "Too many requests"


class BodyTooLarge(DomainError):
    status, name, title = 413, "payload_too_large", "Request body too large"


class Buckets(Protocol):
    async def take(self, bucket: str, rate: float, burst: int, now: float) -> int | None: ...


_bearer = HTTPBearer(auto_error=False, description="an access token from POST /oauth/token")


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def authenticate(request: Request, token: str | None) -> Principal:
    """The verified caller (signature, issuer, audience, expiry, client active, not revoked)."""
    if settings_of(request).auth_mode == "off":
        return ANONYMOUS
    if not token:
        raise InvalidToken("a bearer token is required (Authorization: Bearer ...)")
    verifier: TokenVerifier = request.app.state.verifier
    directory: ClientDirectory = request.app.state.directory
    return await directory.admit(await verifier.verify(token))


async def throttle(request: Request, bucket: str, rate: float, burst: int) -> None:
    buckets: Buckets = request.app.state.buckets
    wait = await buckets.take(bucket, rate, burst, time.time())
    if wait is not None:
        raise RateLimited(f"rate limit of {rate:g}/s (burst {burst}) exceeded", retry_after=wait)


async def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Dependency: authenticate, then take one token from the client's bucket."""
    return await admit(request, credentials.credentials if credentials else None)


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def admit(request: Request, token: str | None) -> Principal:
    """Authenticate, then take one token from the client's bucket."""
    principal = await authenticate(request, token)
    if principal is not ANONYMOUS:
        directory: ClientDirectory = request.app.state.directory
        rate, burst = await directory.limits(principal.client_id)
        await throttle(request, f"client:{principal.client_id}", rate, burst)
    request.state.principal = principal
    return principal


async def admin(principal: Annotated[Principal, Depends(caller)]) -> Principal:
    if not principal.is_admin:
        raise RoleNotAllowed("only an admin client may do this")
    return principal


CallerDep = Annotated[Principal, Depends(caller)]
AdminDep = Annotated[Principal, Depends(admin)]


def check_page_size(request: Request) -> None:
    limit = request.query_params.get("limit")
    bound = settings_of(request).max_page_size
    # isdecimal() admits other scripts' digits (int() reads them), isdigit() also "²" (it does not)
    if limit is not None and (not limit.isdecimal() or not 1 <= int(limit) <= bound):
        raise InvalidInput(f"limit is a page size from 1 to {bound}")


def install_problem_headers(app: FastAPI) -> None:
    """Retry-After on 429 (RFC 9110) and WWW-Authenticate on 401 (RFC 6750)."""

    async def rate_limited(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RateLimited | UpstreamBusy)
        extra = dict(exc.extra)
        response = problem(request, exc.status, exc.name, exc.title, exc.detail, **extra)
        response.headers["Retry-After"] = str(extra.get("retry_after", 1))
        return response

    async def invalid_token(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, InvalidToken)
        response = problem(request, exc.status, exc.name, exc.title, exc.detail, **exc.extra)
        response.headers["WWW-Authenticate"] = f'Bearer error="{_rfc6750(exc)}"'
        return response

    app.add_exception_handler(RateLimited, rate_limited)
    app.add_exception_handler(UpstreamBusy, rate_limited)
    app.add_exception_handler(InvalidToken, invalid_token)


def _rfc6750(exc: InvalidToken) -> str:
    return "invalid_token" if "required" not in exc.detail else "invalid_request"


class BodyLimit:
    """Bounds request bodies (413 problem): small for the API, larger for streamed uploads."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        s = self.settings
        bound = s.max_upload_bytes if path.startswith(s.upload_paths) else s.max_body_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > bound):
            await _too_large(scope, receive, send, bound)
            return
        await self.app(scope, _counting(receive, bound), send)


def _counting(receive: Receive, bound: int) -> Callable[[], Awaitable[Message]]:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > bound:
                # FastAPI's HTTPException passes through FastAPI's body reading unchanged
                # and is rendered as a 413 problem by the shared handler.
                raise HTTPException(413, f"the request body exceeds {bound} bytes")
        return message

    return counted


async def _too_large(scope: Scope, receive: Receive, send: Send, bound: int) -> None:
    request = Request(scope, receive)
    error = BodyTooLarge(f"the request body exceeds {bound} bytes")
    response = problem(request, error.status, error.name, error.title, error.detail)
    await response(scope, receive, send)
