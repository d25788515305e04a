"""One OpenAPI document for the whole public API: the gateway's own routes and every
service's, under its path prefix, with the client-credentials flow for "Authorize"."""

from __future__ import annotations

import copy
import time
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute

from ltci_gateway.adapters.upstream import Upstreams

router = APIRouter()
SKIPPED_PATHS = {"/healthz", "/readyz", "/metrics"}
SHARED_SCHEMAS = {"Problem", "HTTPValidationError", "ValidationError"}
CACHE_SECONDS = 30.0
OAUTH2 = {
    "type": "oauth2",
    "description": "Client credentials (RFC 6749 §4.4): an admin registers the client.",
    "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {}}},
}


def without_default_docs(app: FastAPI) -> None:
    """Drop FastAPI's own /openapi.json and /docs: the aggregated ones replace them."""
    app.router.routes[:] = [
        r
        for r in app.router.routes
        if isinstance(r, APIRoute)
        or getattr(r, "path", None)
        not in {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
    ]


@router.get("/openapi.json", include_in_schema=False)
async def openapi(request: Request) -> JSONResponse:
    state = request.app.state
    cached: tuple[float, dict[str, Any]] | None = getattr(state, "openapi_cache", None)
    if cached is None or time.monotonic() - cached[0] > CACHE_SECONDS:
        cached = (time.monotonic(), await aggregate(request.app, state.upstreams))
        state.openapi_cache = cached
    return JSONResponse(cached[1])


@router.get("/docs", include_in_schema=False)
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="LTCI platform API")


async def aggregate(app: FastAPI, upstreams: Upstreams) -> dict[str, Any]:
    spec = copy.deepcopy(app.openapi())
    spec["info"] = {
        "title": "LTCI platform API",
        "version": spec.get("info", {}).get("version", "0.1.0"),
        "description": "The whole public API behind the gateway. Get a token at `POST "
        "/oauth/token` (client credentials) and send it as `Authorization: Bearer <token>`.",
    }
    components = spec.setdefault("components", {})
    components.setdefault("securitySchemes", {})["oauth2"] = OAUTH2
    spec["security"] = [{"oauth2": []}]
    unavailable = []
    for name, client in upstreams.clients.items():
        try:
            response = await client.get("/openapi.json", timeout=5.0)
            response.raise_for_status()
            merge(spec, name, response.json())
        except (httpx.HTTPError, ValueError):
            unavailable.append(name)
    if unavailable:
        spec["x-unavailable-services"] = unavailable
    return spec


def merge(spec: dict[str, Any], service: str, other: dict[str, Any]) -> None:
    """Add ``other``'s paths under ``/{service}``; its schemas keep their names when they are
    the same as ours, else get ``{service}.`` in front; tags and operation ids are prefixed."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    renames: dict[str, str] = {}
    for key, schema in other.get("components", {}).get("schemas", {}).items():
        same = key in SHARED_SCHEMAS or schemas.get(key) == schema
        renames[key] = key if same else f"{service}.{key}"
    theirs = _rewrite_refs(other, renames)
    for key, schema in theirs.get("components", {}).get("schemas", {}).items():
        schemas.setdefault(renames.get(key, key), schema)
    for key, scheme in theirs.get("components", {}).get("securitySchemes", {}).items():
        spec["components"].setdefault("securitySchemes", {}).setdefault(key, scheme)
    paths = spec.setdefault("paths", {})
    for path, item in theirs.get("paths", {}).items():
        if path in SKIPPED_PATHS:
            continue
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["tags"] = [f"{service}: {t}" for t in operation.get("tags", ["api"])]
                if "operationId" in operation:
                    operation["operationId"] = f"{service}__{operation['operationId']}"
        paths[f"/{service}{path}"] = item


def _rewrite_refs(value: Any, renames: dict[str, str]) -> Any:
    prefix = "#/components/schemas/"
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "$ref" and isinstance(v, str) and v.startswith(prefix):
                out[k] = prefix + renames.get(v[len(prefix) :], v[len(prefix) :])
            else:
                out[k] = _rewrite_refs(v, renames)
        return out
    if isinstance(value, list):
        return [_rewrite_refs(v, renames) for v in value]
    return value
