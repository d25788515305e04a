"""Composition root of the enrollment service."""

import asyncio

from fastapi import FastAPI

from ltci_enrollment.adapters.tables import metadata
from ltci_enrollment.entrypoints.access import ACCESS
from ltci_enrollment.entrypoints.api import routers
from ltci_enrollment.service_layer.deps import Deps
from ltci_enrollment.settings import EnrollmentSettings
from ltci_shared.auth import protect
from ltci_shared.ids import PiiCipher
from ltci_shared.messaging.inprocess import InProcessBus
from ltci_shared.policy import PolicyBook
from ltci_shared.web import service_app


def create_app(
    settings: EnrollmentSettings | None = None,
    *,
    bus: InProcessBus | None = None,
    migrate: bool = False,
) -> FastAPI:
    settings = settings or EnrollmentSettings()

    def on_startup(app: FastAPI) -> None:
        cipher = PiiCipher.from_secrets(settings.pii_encryption_key, settings.pii_lookup_key)
        app.state.deps = Deps(cipher=cipher, book=PolicyBook.load())
        app.state.background = set()

    async def on_shutdown(app: FastAPI) -> None:
        tasks: set[asyncio.Task[None]] = app.state.background
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    return service_app(
        package="ltci_enrollment",
        settings=settings,
        metadata=metadata,
        routers=[protect(routers, ACCESS)],
        bus=bus,
        migrate=migrate,
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        title="LTCI enrollment service",
        description=(
            "Insured persons (resident IDs encrypted, always masked), membership periods in "
            "employee or resident basic insurance (care insurance follows them), yearly fund "
            "collection by the region's policy, medical-assistance categories, streaming CSV "
            "imports, counts for dashboards. Errors are RFC 9457 problem+json; writes accept "
            "an Idempotency-Key."
        ),
    )
