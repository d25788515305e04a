"""The FastAPI app factory every service uses: request ids, problem+json, health, metrics."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

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

from ltci_shared.db import ping
from ltci_shared.errors import install_error_handlers
from ltci_shared.logging import request_id_var
from ltci_shared.messaging.consumer import Handler
from ltci_shared.messaging.inprocess import InProcessBus
from ltci_shared.migrations import upgrade_async
from ltci_shared.runtime import ServiceRuntime
from ltci_shared.settings import ServiceSettings

REQUEST_ID_HEADER = "X-Request-ID"


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

    @app.middleware("http")
    async def _request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        rid = request.headers.get(REQUEST_ID_HEADER) or uuid.uuid4().hex
        token = request_id_var.set(rid[:100])
        prefix = request.headers.get("X-Forwarded-Prefix")
        if prefix and prefix.startswith("/"):
            request.scope["root_path"] = prefix.rstrip("/")
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            request_id_var.reset(token)
        route = request.scope.get("route")
        path = getattr(route, "path", "<unmatched>")
        requests.labels(request.method, path, str(response.status_code)).inc()
        latency.labels(request.method, path).observe(time.perf_counter() - started)
        response.headers[REQUEST_ID_HEADER] = rid[:100]
        return response

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


def get_runtime(request: Request) -> ServiceRuntime:
    """FastAPI dependency: the running service's runtime."""
    return request.app.state.runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]
