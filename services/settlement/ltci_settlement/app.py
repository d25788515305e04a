"""Composition root of the settlement service."""

from fastapi import FastAPI

from ltci_settlement.adapters.tables import metadata
from ltci_settlement.entrypoints.api import router
from ltci_settlement.entrypoints.consumers import CONSUMERS
from ltci_settlement.settings import Settings
from ltci_shared.messaging.inprocess import InProcessBus
from ltci_shared.web import service_app


def create_app(
    settings: Settings | None = None, *, bus: InProcessBus | None = None, migrate: bool = False
) -> FastAPI:
    return service_app(
        package="ltci_settlement",
        settings=settings or Settings(),
        metadata=metadata,
        routers=[router],
        consumers=CONSUMERS,
        bus=bus,
        migrate=migrate,
        title="LTCI settlement service",
        description="Policy packs, claims adjudication, the double-entry fund ledger, statements, one-stop medical-assistance settlement.",
    )
