"""Composition root of the care-delivery service."""

from fastapi import FastAPI

from ltci_care_delivery.adapters.tables import metadata
from ltci_care_delivery.entrypoints.api import router
from ltci_care_delivery.entrypoints.consumers import CONSUMERS
from ltci_care_delivery.settings import Settings
from ltci_shared.messaging.inprocess import InProcessBus
from ltci_shared.web import service_app


def create_app(
    settings: Settings | None = None, *, bus: InProcessBus | None = None, migrate: bool = False
) -> FastAPI:
    return service_app(
        package="ltci_care_delivery",
        settings=settings or Settings(),
        metadata=metadata,
        routers=[router],
        consumers=CONSUMERS,
        bus=bus,
        migrate=migrate,
        title="LTCI care-delivery service",
        description="Providers, caregivers, care plans, verified visits, stays, devices.",
    )
