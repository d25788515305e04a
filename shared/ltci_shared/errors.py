"""Domain errors and their one renderer: RFC 9457 problem+json, never a bare 500.

Hierarchy (raise these below the API; routes never raise HTTP exceptions)::

    DomainError                 400 bad_request
    ├── InvalidInput            422 invalid_input
    ├── NotFound                404 not_found
    ├── Conflict                409 conflict
    │   └── IdempotencyKeyReused  422 idempotency_key_reused
    ├── Forbidden               403 forbidden
    ├── Unauthorized            401 unauthorized
    └── Unavailable             503 unavailable
"""

from __future__ import annotations

import logging
import re
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from ltci_shared.ids import mask_resident_id
from ltci_shared.logging import request_id_var

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
# 17 digits and a check character (full-width too): a resident ID, however a client sent it.
_RESIDENT_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXxＸｘ](?![0-9A-Za-z])")


class DomainError(Exception):
    """An expected failure with a stable machine-readable ``name``."""

    status: ClassVar[int] = 400
    name: ClassVar[str] = "bad_request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInput(DomainError):
    status, name, title = 422, "invalid_input", "Invalid input"


class NotFound(DomainError):
    status, name, title = 404, "not_found", "Not found"


class Conflict(DomainError):
    status, name, title = 409, "conflict", "Conflict"


class IdempotencyKeyReused(Conflict):
    status, name, title = 422, "idempotency_key_reused", "Idempotency key reused with another body"


class Forbidden(DomainError):
    status, name, title = 403, "forbidden", "Forbidden"


class Unauthorized(DomainError):
    status, name, title = 401, "unauthorized", "Unauthorized"


class Unavailable(DomainError):
    status, name, title = 503, "unavailable", "Service unavailable"


def problem(
    request: Request, status: int, name: str, title: str, detail: str | None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{name}",
        "title": title,
        "status": status,
        "instance": request.url.path,
    }
    if detail:
        body["detail"] = detail
    if rid := request_id_var.get():
        body["request_id"] = rid
    body.update(extra)
    # A resident ID a client put in the path, a value or a key is never echoed in full.
    return JSONResponse(_scrub(body), status_code=status, media_type=PROBLEM_JSON)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _RESIDENT_ID_LIKE.sub(lambda m: mask_resident_id(m[0]), value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def install_error_handlers(app: FastAPI) -> None:
    """Render every error as problem+json; validation errors never echo the input values."""

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem(request, exc.status, exc.name, exc.title, exc.detail, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return problem(
            request,
            422,
            "invalid_input",
            "Invalid input",
            "the request did not pass validation",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        name = {
            404: "not_found",
            405: "method_not_allowed",
            413: "payload_too_large",
            415: "unsupported_media_type",
            429: "rate_limited",
        }.get(exc.status_code, "http_error")
        response = problem(request, exc.status_code, name, str(exc.detail), None)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # A unique key taken by a concurrent request: a conflict to retry, not a server fault.
        log.warning("integrity conflict on %s %s", request.method, request.url.path)
        return problem(
            request,
            409,
            "conflict",
            "Conflict",
            "the request conflicts with a concurrent change; retry it",
        )

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        # A lost or refused database connection is an outage to retry, not a bug.
        if isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated:
            return _unavailable(request, "the database is unavailable")
        if str(getattr(exc.orig, "sqlstate", None) or "").startswith("22"):
            # A data exception (SQLSTATE class 22): a value the database cannot take, such as
            # a NUL character or a number out of range. The client's input, not a fault.
            log.warning("data exception on %s %s", request.method, request.url.path)
            detail = (
                "a value in the request cannot be stored (a NUL character, a number out of range)"
            )
            return problem(request, 422, InvalidInput.name, InvalidInput.title, detail)
        return await _unexpected(request, exc)

    @app.exception_handler(PoolTimeout)
    async def _pool(request: Request, exc: PoolTimeout) -> JSONResponse:
        # Every pooled connection busy for longer than the pool's timeout: overload, not a bug.
        return _unavailable(request, "the service is saturated (no database connection free)")

    @app.exception_handler(ConnectionError)
    async def _connection(request: Request, exc: ConnectionError) -> JSONResponse:
        return _unavailable(request, "a backing service is unavailable")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(
            request,
            500,
            "internal_error",
            "Internal error",
            "an unexpected error occurred; it has been logged",
        )


def _unavailable(request: Request, what: str) -> JSONResponse:
    log.warning("%s on %s %s", what, request.method, request.url.path)
    response = problem(
        request,
        503,
        Unavailable.name,
        Unavailable.title,
        f"{what}; retry (with the same Idempotency-Key for a write: it is applied at most once)",
    )
    response.headers["Retry-After"] = "1"
    return response


def problem_responses(*errors: type[DomainError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries declaring the problems a route can return."""
    out: dict[int | str, dict[str, Any]] = {}
    err: type[DomainError]
    for err in (*errors, InvalidInput):
        out[err.status] = {
            "description": f"{err.title} (`{err.name}`)",
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return out
