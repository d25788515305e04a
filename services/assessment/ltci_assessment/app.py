"""Composition root of the assessment service."""

from fastapi import FastAPI

from ltci_assessment.adapters.tables import metadata
from ltci_assessment.entrypoints.api import router
from ltci_assessment.entrypoints.consumers import CONSUMERS
from ltci_assessment.settings import Settings
from ltci_shared.messaging.inprocess import InProcessBus
from ltci_shared.web import service_app


def create_app(
    settings: Settings | None = None, *, bus: InProcessBus | None = None, migrate: bool = False
) -> FastAPI:
    return service_app(
        package="ltci_assessment",
        settings=settings or Settings(),
        metadata=metadata,
        routers=[router],
        consumers=CONSUMERS,
        bus=bus,
        migrate=migrate,
        title="LTCI assessment service",
        description="Applications, the national disability grading, re-assessment, eligibility.",
    )
