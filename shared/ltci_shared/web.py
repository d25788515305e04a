"""The FastAPI app factory every service uses: request ids, problem+json, health, metrics."""

from __future__ import annotations

import importlib.util
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from pydantic import BaseModel
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ltci_shared.db import ping
from ltci_shared.errors import install_error_handlers
from ltci_shared.logging import request_id_var
from ltci_shared.messaging.consumer import Handler
from ltci_shared.messaging.inprocess import InProcessBus
from ltci_shared.migrations import upgrade_async
from ltci_shared.runtime import ServiceRuntime
from ltci_shared.settings import ServiceSettings

REQUEST_ID_HEADER = "X-Request-ID"


def fail_fast_without_sniffio() -> None:
    """httpcore (under httpx) runs ``import sniffio`` for every request it sends; without that
    optional package each failed import searches the whole ``sys.path`` again (about 70 us,
    several times a request). ``None`` in ``sys.modules`` makes the import fail at once, with
    the same outcome: httpcore assumes asyncio, which is what runs here."""
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


fail_fast_without_sniffio()  # every service process (the gateway proxies with httpx)


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None


class Health(BaseModel):
    status: str
    service: str
    checks: dict[str, str] = {}


ReadinessCheck = Callable[[FastAPI], Awaitable[None]]


class FastJSONResponse(JSONResponse):
    """A JSON response rendered by orjson (several times faster than the standard library on
    a large document; the same compact UTF-8 JSON)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class RequestContext:
    """Pure ASGI middleware (no per-request task or body buffering): the request id (taken
    from ``X-Request-ID`` or made, put in the log context and echoed on the response), the
    ``X-Forwarded-Prefix`` as root path (so /docs works behind the gateway), and metrics."""

    def __init__(self, app: ASGIApp, *, requests: Counter, latency: Histogram) -> None:
        self.app, self.requests, self.latency = app, requests, latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        rid = (headers.get(b"x-request-id", b"").decode("latin-1") or uuid.uuid4().hex)[:100]
        prefix = headers.get(b"x-forwarded-prefix", b"").decode("latin-1")
        if prefix.startswith("/"):
            scope["root_path"] = prefix.rstrip("/")
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *(h for h in message.get("headers", ()) if h[0].lower() != b"x-request-id"),
                    (b"x-request-id", rid.encode("latin-1")),
                ]
            await send(message)

        token = request_id_var.set(rid)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)
            path = getattr(scope.get("route"), "path", "<unmatched>")
            method = scope.get("method", "")
            self.requests.labels(method, path, str(status)).inc()
            self.latency.labels(method, path).observe(time.perf_counter() - started)


def create_app(
    *,
    service: str,
    title: str,
    description: str,
    version: str = "0.1.0",
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]] | None = None,
    readiness: dict[str, ReadinessCheck] | None = None,
) -> FastAPI:
    """A service app with /healthz (alive), /readyz (dependencies answer) and /metrics."""
    app = FastAPI(title=title, description=description, version=version, lifespan=lifespan)
    install_error_handlers(app)
    registry = CollectorRegistry()
    requests = Counter(
        "http_requests", "HTTP requests", ["method", "route", "status"], registry=registry
    )
    latency = Histogram(
        "http_request_seconds", "HTTP request latency", ["method", "route"], registry=registry
    )
    checks = readiness or {}

    app.add_middleware(RequestContext, requests=requests, latency=latency)

    @app.get("/healthz", tags=["operations"], response_model=Health)
    async def healthz() -> Health:
        """Liveness: the process answers."""
        return Health(status="ok", service=service)

    @app.get(
        "/readyz", tags=["operations"], response_model=Health, responses={503: {"model": Health}}
    )
    async def readyz() -> Any:
        """Readiness: every dependency (database, bus) answers."""
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await check(app)
                results[name] = "ok"
            except Exception as exc:  # a failing dependency is reported, not raised
                results[name] = f"failed: {type(exc).__name__}"
        ok = all(v == "ok" for v in results.values())
        body = Health(status="ok" if ok else "unavailable", service=service, checks=results)
        return JSONResponse(body.model_dump(), status_code=200 if ok else 503)

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    _add_problem_schema(app)
    return app


def _add_problem_schema(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = (
            Problem.model_json_schema()
        )
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def service_app(
    *,
    package: str,
    settings: ServiceSettings,
    metadata: MetaData,
    routers: Sequence[APIRouter],
    title: str,
    description: str,
    consumers: Mapping[str, Mapping[str, Handler]] | None = None,
    bus: InProcessBus | None = None,
    migrate: bool = False,
    on_startup: Callable[[FastAPI], None] | None = None,
    on_shutdown: Callable[[FastAPI], Awaitable[None]] | None = None,
) -> FastAPI:
    """A complete service app: runtime (engine, relay, consumers) started in lifespan.

    ``migrate=True`` applies the service's Alembic migrations first (the embedded mode does).
    """
    runtime = ServiceRuntime(settings, metadata, consumers=consumers or {}, bus=bus)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if on_startup is not None:
            on_startup(app)
        try:
            async with runtime.running(before_start=_migrate if migrate else None):
                app.state.runtime = runtime
                yield
        finally:
            if on_shutdown is not None:
                await on_shutdown(app)

    async def _migrate(engine: AsyncEngine) -> None:
        await upgrade_async(package, engine)

    async def database(_: FastAPI) -> None:
        if runtime.engine is None:
            raise RuntimeError("not started")
        await ping(runtime.engine)

    app = create_app(
        service=settings.service_name,
        title=title,
        description=description,
        lifespan=lifespan,
        readiness={"database": database},
    )
    for router in routers:
        app.include_router(router)
    return app


async def get_runtime(request: Request) -> ServiceRuntime:
    """FastAPI dependency: the running service's runtime (async: a plain ``def`` dependency
    would be run in the thread pool, a thread hop on every request)."""
    return request.app.state.runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]
