"""Routes the public API to the services: ``/{service}/{path}`` → the service's ``/{path}``.

Every request but health and docs carries a verified token and is counted against the
client's rate; personal data passing through is recorded in the audit trail before the answer
leaves the gateway (no audit, no answer: a 503).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, quote_from_bytes

import httpx
import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from ltci_gateway.adapters.upstream import Upstreams
from ltci_gateway.domain import audit as found
from ltci_gateway.entrypoints.security import admit, bearer_token, check_page_size, settings_of
from ltci_gateway.service_layer import audit
from ltci_shared.auth import ANONYMOUS, Principal
from ltci_shared.errors import InvalidInput, NotFound, Unavailable
from ltci_shared.logging import request_id_var
from ltci_shared.web import REQUEST_ID_HEADER

router = APIRouter()
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}
SET_BY_GATEWAY = {"x-actor", "x-forwarded-prefix", REQUEST_ID_HEADER.lower()}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
PUBLIC = {"healthz", "readyz", "openapi.json", "docs", "docs/oauth2-redirect"}
SCANNED = ("application/json", "application/problem+json", "text/csv")
PATH_SAFE = "/:@!$&'()*+,;=%"  # RFC 3986 pchar and the separator; escapes are kept as sent


class UnroutablePath(InvalidInput):
    name, title = "unroutable_path", "The path cannot be sent on to the service"


def _upstreams(request: Request) -> Upstreams:
    return request.app.state.upstreams


@router.get("/", include_in_schema=False)
async def index(request: Request) -> HTMLResponse:
    links = "".join(
        f'<li><b>{name}</b>: <a href="/{name}/docs">API docs</a> · '
        f'<a href="/{name}/healthz">health</a></li>'
        for name in _upstreams(request).clients
    )
    return HTMLResponse(
        "<!doctype html><meta charset=utf-8><title>LTCI platform</title>"
        "<h1>长期护理保险平台 · LTCI platform</h1>"
        '<p><a href="/docs">The whole public API</a> · <a href="/dashboard/">Dashboard</a></p>'
        "<ul>" + links + "</ul>"
    )


@router.get("/services", tags=["gateway"])
async def services(request: Request) -> dict[str, Any]:
    """Each service behind the gateway and whether it answers its health check."""
    out: dict[str, Any] = {}
    for name, client in _upstreams(request).clients.items():
        try:
            r = await client.get("/healthz", timeout=2.0)
            out[name] = {"status": "ok" if r.status_code == 200 else f"http {r.status_code}"}
        except httpx.HTTPError as exc:
            out[name] = {"status": f"down: {type(exc).__name__}"}
    return out


@router.api_route("/{service}/{path:path}", methods=METHODS, include_in_schema=False)
async def proxy(service: str, path: str, request: Request) -> Any:
    client = _upstreams(request).clients.get(service)
    if client is None:
        raise NotFound(f"no service named {service!r}")
    if path in PUBLIC:
        return _stream(
            await _send(client, service, path, request, _headers(request, service, None))
        )
    principal = await admit(request, bearer_token(request))
    check_page_size(request)
    upload = request.url.path.startswith(settings_of(request).upload_paths)
    body = None if upload else await request.body()
    headers = _headers(request, service, principal)
    with _upstreams(request).slot(service):
        response = await _send(client, service, path, request, headers, body)
    return await _audited(request, service, principal, response, body)


def _headers(request: Request, service: str, principal: Principal | None) -> dict[str, str]:
    headers = {
        k: v
        for k, v in request.headers.items()
        if k.lower() not in HOP_BY_HOP and k.lower() not in SET_BY_GATEWAY
    }
    headers[REQUEST_ID_HEADER] = request_id_var.get() or ""
    headers["X-Forwarded-Prefix"] = f"/{service}"
    if principal is not None and principal is not ANONYMOUS:
        headers["X-Actor"] = principal.client_id
    elif "x-actor" in request.headers:
        headers["X-Actor"] = request.headers["x-actor"]
    return headers


async def _send(
    client: httpx.AsyncClient,
    service: str,
    path: str,
    request: Request,
    headers: dict[str, str],
    body: bytes | None = None,
) -> httpx.Response:
    try:
        upstream = client.build_request(
            request.method,
            _upstream_path(request, service, path),
            params=request.query_params,
            headers=headers,
            content=request.stream() if body is None else body,
        )
    except httpx.InvalidURL as exc:
        raise UnroutablePath(f"the path cannot be sent on to the {service} service") from exc
    try:
        return await client.send(upstream, stream=True)
    except httpx.HTTPError as exc:
        raise Unavailable(
            f"the {service} service is unavailable ({type(exc).__name__})", service=service
        ) from exc


def _upstream_path(request: Request, service: str, path: str) -> str:
    """The service's path as the client encoded it: an escaped ``/`` stays inside its segment
    and escaped control characters stay escaped (the service decodes it as the gateway did)."""
    raw = request.scope.get("raw_path")
    prefix = f"/{service}/".encode()
    if isinstance(raw, bytes) and raw.startswith(prefix):
        return "/" + quote_from_bytes(raw.split(b"?", 1)[0][len(prefix) :], safe=PATH_SAFE)
    return "/" + quote(path, safe=PATH_SAFE.replace("%", ""))


def _out_headers(response: httpx.Response) -> dict[str, str]:
    return {
        k: v
        for k, v in response.headers.items()
        if k.lower() not in HOP_BY_HOP | {"date", "server"}
    }


def _stream(response: httpx.Response) -> StreamingResponse:
    return StreamingResponse(
        response.aiter_raw(),
        status_code=response.status_code,
        headers=_out_headers(response),
        background=BackgroundTask(response.aclose),
    )


def _scannable(request: Request, response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    size = response.headers.get("content-length")
    bound = settings_of(request).audit_scan_bytes
    encoded = response.headers.get("content-encoding", "identity") != "identity"
    return (
        kind in SCANNED
        and not encoded
        and size is not None
        and size.isdigit()
        and int(size) <= bound
    )


def _persons_in(content: bytes, content_type: str) -> list[str]:
    try:
        if "csv" in content_type:
            return found.in_csv(content.decode("utf-8"))
        return found.in_json(orjson.loads(content)) if content else []
    except (orjson.JSONDecodeError, UnicodeDecodeError):
        return []


async def _audited(
    request: Request,
    service: str,
    principal: Principal,
    response: httpx.Response,
    body: bytes | None,
) -> Response:
    """Record the access, then answer (buffered when scanned for person ids, else streamed)."""
    persons = found.in_path(request.url.path, dict(request.query_params))
    if body and request.headers.get("content-type", "").startswith("application/json"):
        persons = found.merge(persons, _persons_in(body, "json"))
    content: bytes | None = None
    try:
        if _scannable(request, response):
            content = await response.aread()
            kind = response.headers.get("content-type", "")
            persons = found.merge(persons, _persons_in(content, kind))
        await _record(request, service, principal, response.status_code, persons)
    except BaseException:
        await response.aclose()
        raise
    if content is None:
        return _stream(response)
    await response.aclose()
    return Response(content, status_code=response.status_code, headers=_out_headers(response))


async def _record(
    request: Request, service: str, principal: Principal, status: int, persons: list[str]
) -> None:
    access = audit.Access(
        principal=principal,
        method=request.method,
        service=service,
        path=request.url.path,
        status=status,
        purpose=request.headers.get("x-purpose"),
        request_id=request_id_var.get(),
        person_ids=persons,
    )
    try:
        async with request.app.state.runtime.uow() as uow:
            await audit.record(uow, access)
            await uow.commit()
    except Exception as exc:
        raise Unavailable("the audit trail cannot be written; nothing was returned") from exc
