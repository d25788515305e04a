"""Routes the public API to the services: ``/{service}/{path}`` → the service's ``/{path}``."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from starlette.background import BackgroundTask

from ltci_gateway.adapters.upstream import Upstreams
from ltci_shared.errors import NotFound, Unavailable
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
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


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
        "<h1>长期护理保险平台 · LTCI platform</h1><ul>" + links + "</ul>"
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
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
    headers[REQUEST_ID_HEADER] = request_id_var.get() or ""
    headers["X-Forwarded-Prefix"] = f"/{service}"
    upstream = client.build_request(
        request.method,
        "/" + path,
        params=request.query_params,
        headers=headers,
        content=request.stream(),
    )
    try:
        response = await client.send(upstream, stream=True)
    except httpx.HTTPError as exc:
        raise Unavailable(
            f"the {service} service is unavailable ({type(exc).__name__})", service=service
        ) from exc
    out_headers = {
        k: v
        for k, v in response.headers.items()
        if k.lower() not in HOP_BY_HOP | {"date", "server"}
    }
    return StreamingResponse(
        response.aiter_raw(),
        status_code=response.status_code,
        headers=out_headers,
        background=BackgroundTask(response.aclose),
    )
