"""Composition root of the gateway: the one public entry, routing to the services."""

from fastapi import FastAPI

from ltci_gateway.adapters.tables import metadata
from ltci_gateway.adapters.upstream import Upstreams
from ltci_gateway.entrypoints.proxy import router
from ltci_gateway.settings import Settings
from ltci_shared.messaging.inprocess import InProcessBus
from ltci_shared.web import service_app


def create_app(
    settings: Settings | None = None, *, bus: InProcessBus | None = None, migrate: bool = False
) -> FastAPI:
    settings = settings or Settings()

    def on_startup(app: FastAPI) -> None:
        app.state.upstreams = Upstreams(settings)

    async def on_shutdown(app: FastAPI) -> None:
        await app.state.upstreams.aclose()

    return service_app(
        package="ltci_gateway",
        settings=settings,
        metadata=metadata,
        routers=[router],
        bus=bus,
        migrate=migrate,
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        title="LTCI platform gateway",
        description="The one public entry: routing to the services (auth, rate limits, audit next).",
    )
