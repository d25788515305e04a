"""Composition root of the gateway: the one public entry — tokens, limits, audit, routing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from ltci_gateway.adapters.rate_store import SqlBuckets
from ltci_gateway.adapters.tables import metadata
from ltci_gateway.adapters.upstream import Upstreams
from ltci_gateway.domain.ratelimit import MemoryBuckets
from ltci_gateway.entrypoints import admin_api, docs, oauth_api, proxy
from ltci_gateway.entrypoints.security import BodyLimit, install_problem_headers
from ltci_gateway.service_layer.clients import ClientExists, bootstrap_admin
from ltci_gateway.service_layer.directory import ClientDirectory
from ltci_gateway.service_layer.keyring import KeyRing
from ltci_gateway.settings import Settings
from ltci_shared.auth import TokenVerifier
from ltci_shared.messaging.inprocess import InProcessBus
from ltci_shared.runtime import ServiceRuntime
from ltci_shared.web import service_app

DASHBOARD = Path(__file__).parent / "dashboard"


def create_app(
    settings: Settings | None = None,
    *,
    bus: InProcessBus | None = None,
    migrate: bool = False,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    """``transports`` routes a service's traffic somewhere else than its URL (tests)."""
    settings = settings or Settings()

    def on_startup(app: FastAPI) -> None:
        app.state.settings = settings
        app.state.upstreams = Upstreams(settings, transports=transports)

    async def on_shutdown(app: FastAPI) -> None:
        await app.state.upstreams.aclose()

    app = service_app(
        package="ltci_gateway",
        settings=settings,
        metadata=metadata,
        routers=[oauth_api.router, admin_api.router, docs.router, proxy.router],
        bus=bus,
        migrate=migrate,
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        title="LTCI platform gateway",
        description="The one public entry: OAuth2 client credentials, routing to the services, "
        "rate limits, body and page bounds, and the audit trail of personal data.",
    )
    docs.without_default_docs(app)
    app.router.routes.insert(0, Mount("/dashboard", StaticFiles(directory=DASHBOARD, html=True)))
    install_problem_headers(app)
    # Innermost: a body cut off raises inside the route, not through the request-id middleware.
    app.user_middleware.append(Middleware(BodyLimit, settings=settings))
    _start_security_after_runtime(app, settings)
    return app


async def _bootstrap(runtime: ServiceRuntime, settings: Settings) -> None:
    """The admin client. Worker processes starting together (``serve --workers N``) may race
    to create it: the one that loses (at its insert, or seeing it made between its first look
    and its insert) finds it on its second try."""
    for attempt in (1, 2):
        try:
            async with runtime.uow() as uow:
                await bootstrap_admin(uow, settings)
                await uow.commit()
            return
        except (IntegrityError, ClientExists):
            if attempt == 2:
                raise


def _start_security_after_runtime(app: FastAPI, settings: Settings) -> None:
    """Keys, clients and buckets need the database: made once the runtime has started."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with inner(app):
            runtime: ServiceRuntime = app.state.runtime
            keys = KeyRing(settings, runtime.uow)
            await keys.start()
            await _bootstrap(runtime, settings)
            app.state.keys = keys
            app.state.verifier = TokenVerifier(
                keys, settings.auth_audience, settings.auth_issuer, settings.auth_leeway_seconds
            )
            app.state.directory = ClientDirectory(settings, runtime.uow)
            assert runtime.engine is not None
            store = settings.rate_store()
            app.state.buckets = (
                SqlBuckets(runtime.engine) if store == "database" else MemoryBuckets()
            )
            yield

    app.router.lifespan_context = lifespan
