"""OAuth2 client credentials (RFC 6749 §4.4), token revocation (RFC 7009) and the JWKS."""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import parse_qs, unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict

from ltci_gateway.entrypoints.security import RateLimited, settings_of, throttle
from ltci_gateway.service_layer import tokens
from ltci_gateway.service_layer.directory import ClientDirectory
from ltci_gateway.service_layer.keyring import KeyRing
from ltci_shared.errors import problem_responses

router = APIRouter(tags=["oauth"])
CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
MAX_FORM_BYTES = 8192


class TokenResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCIsImtpZCI6Ims...",
                    "token_type": "Bearer",
                    "expires_in": 600,
                    "scope": "tpa",
                }
            ]
        }
    )

    access_token: str
    token_type: str
    expires_in: int
    scope: str


class Jwks(BaseModel):
    keys: list[dict[str, str]]


def _form_doc(fields: dict[str, str], required: list[str]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            k: {"type": "string", "description": v} for k, v in fields.items()
                        },
                        "required": required,
                    }
                }
            },
        },
        "security": [],
    }


CLIENT_FIELDS = {
    "client_id": "or HTTP Basic authentication",
    "client_secret": "or HTTP Basic authentication",
}


async def _form(request: Request) -> dict[str, str]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise tokens.InvalidGrant(
            "send the request form-encoded (application/x-www-form-urlencoded)",
            error="invalid_request",
        )
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise tokens.InvalidGrant("the form is too large", error="invalid_request")
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError) as exc:
        raise tokens.InvalidGrant("the form is malformed", error="invalid_request") from exc
    if any(len(v) > 1 for v in parsed.values()):
        raise tokens.InvalidGrant("a parameter is repeated", error="invalid_request")
    return {k: v[0] for k, v in parsed.items()}


def _credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """client_secret_basic (RFC 6749 §2.3.1) or client_secret_post."""
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        try:
            raw = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except ValueError as exc:  # binascii.Error, non-ASCII (a header is latin-1), not UTF-8
            raise tokens.InvalidClient(
                "malformed Basic credentials", error="invalid_client"
            ) from exc
        client_id, _, secret = raw.partition(":")
        client_id, secret = unquote_plus(client_id), unquote_plus(secret)
    else:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    if not CLIENT_ID.match(client_id) or not secret or len(secret) > 200:
        raise tokens.InvalidClient(
            "client_id and client_secret are required", error="invalid_client"
        )
    return client_id, secret


async def _authenticated_attempt(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """The credentials, once the client is known and within its token-request rate."""
    client_id, secret = _credentials(request, form)
    directory: ClientDirectory = request.app.state.directory
    if not await directory.known(client_id):
        raise tokens.InvalidClient(
            "unknown client, wrong secret, or disabled", error="invalid_client"
        )
    s = settings_of(request)
    await throttle(request, f"token:{client_id}", s.token_rate_per_second, s.token_rate_burst)
    return client_id, secret


@router.post(
    "/oauth/token",
    response_model=TokenResponse,
    openapi_extra=_form_doc(
        {
            "grant_type": "client_credentials",
            **CLIENT_FIELDS,
            "scope": "ignored (the role decides)",
        },
        ["grant_type"],
    ),
    responses=problem_responses(tokens.InvalidGrant, tokens.InvalidClient, RateLimited),
)
async def token(request: Request) -> Any:
    """Exchange client credentials for a short-lived access token (an EdDSA-signed JWT carrying
    the client's role, regions and provider id). Send it as `Authorization: Bearer <token>`."""
    form = await _form(request)
    if form.get("grant_type") != "client_credentials":
        raise tokens.InvalidGrant(
            "only grant_type=client_credentials is supported", error="unsupported_grant_type"
        )
    client_id, secret = await _authenticated_attempt(request, form)
    rt = request.app.state.runtime
    async with rt.uow() as uow:
        issued = await tokens.issue(uow, client_id, secret, _keys(request), settings_of(request))
    return JSONResponse(issued, headers=NO_STORE)


@router.post(
    "/oauth/revoke",
    status_code=200,
    openapi_extra=_form_doc({"token": "the access token", **CLIENT_FIELDS}, ["token"]),
    responses=problem_responses(tokens.InvalidGrant, tokens.InvalidClient, RateLimited),
)
async def revoke(request: Request) -> Response:
    """Revoke one of the client's own access tokens (RFC 7009); every replica refuses it
    within seconds. Unknown or expired tokens are accepted silently."""
    form = await _form(request)
    client_id, secret = await _authenticated_attempt(request, form)
    token_value = form.get("token", "")
    if not token_value:
        raise tokens.InvalidGrant("token is required", error="invalid_request")
    rt = request.app.state.runtime
    async with rt.uow() as uow:
        await tokens.revoke(uow, token_value, client_id, secret, request.app.state.verifier)
        await uow.commit()
    request.app.state.directory.invalidate()
    return Response(status_code=200, headers=NO_STORE)


@router.get("/.well-known/jwks.json", response_model=Jwks)
async def jwks(request: Request) -> Any:
    """The public keys that verify access tokens: the signing key, the next one (published
    before it signs) and retired ones until their last tokens have expired."""
    return JSONResponse(
        await _keys(request).jwks(), headers={"Cache-Control": "public, max-age=60"}
    )


def _keys(request: Request) -> KeyRing:
    keys: KeyRing = request.app.state.keys
    return keys
