"""Composition root of the assessment service."""

from __future__ import annotations

from fastapi import FastAPI

from ltci_assessment.adapters.tables import metadata
from ltci_assessment.entrypoints import stats_api
from ltci_assessment.entrypoints.access import ACCESS
from ltci_assessment.entrypoints.api import router
from ltci_assessment.entrypoints.consumers import consumers
from ltci_assessment.settings import Settings
from ltci_shared.auth import protect
from ltci_shared.messaging.inprocess import InProcessBus
from ltci_shared.policy import PolicyBook
from ltci_shared.web import service_app


def create_app(
    settings: Settings | None = None,
    *,
    bus: InProcessBus | None = None,
    migrate: bool = False,
    policy_book: PolicyBook | None = None,
) -> FastAPI:
    """The service app; the policy book is loaded (and validated) once, here at start-up."""
    book = policy_book or PolicyBook.load()

    def on_startup(app: FastAPI) -> None:
        app.state.policy_book = book

    return service_app(
        package="ltci_assessment",
        settings=settings or Settings(),
        metadata=metadata,
        routers=[protect([router, stats_api.router], ACCESS)],
        consumers=consumers(book),
        bus=bus,
        migrate=migrate,
        on_startup=on_startup,
        title="LTCI assessment service",
        description=(
            "Applications, the national disability grading, re-assessment, eligibility. "
            "Time-driven steps run only when called: POST /jobs/close-notices and "
            "POST /jobs/schedule-reviews with ?as_of=YYYY-MM-DD."
        ),
    )
