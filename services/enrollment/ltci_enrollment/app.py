"""Composition root of the enrollment service."""

from fastapi import FastAPI

from ltci_enrollment.adapters.tables import metadata
from ltci_enrollment.entrypoints.api import router
from ltci_enrollment.settings import EnrollmentSettings
from ltci_shared.ids import PiiCipher
from ltci_shared.messaging.inprocess import InProcessBus
from ltci_shared.web import service_app


def create_app(
    settings: EnrollmentSettings | None = None,
    *,
    bus: InProcessBus | None = None,
    migrate: bool = False,
) -> FastAPI:
    settings = settings or EnrollmentSettings()

    def on_startup(app: FastAPI) -> None:
        app.state.cipher = PiiCipher.from_secrets(
            settings.pii_encryption_key, settings.pii_lookup_key
        )

    return service_app(
        package="ltci_enrollment",
        settings=settings,
        metadata=metadata,
        routers=[router],
        bus=bus,
        migrate=migrate,
        on_startup=on_startup,
        title="LTCI enrollment service",
        description="Insured persons, schemes and membership, contributions, assistance categories.",
    )
