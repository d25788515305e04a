"""Composition root of the care-delivery service."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI, Request
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from ltci_care_delivery.adapters.tables import metadata
from ltci_care_delivery.entrypoints.access import ACCESS
from ltci_care_delivery.entrypoints.api import routers
from ltci_care_delivery.entrypoints.api_visits import visit_answer
from ltci_care_delivery.entrypoints.consumers import CONSUMERS
from ltci_care_delivery.service_layer.single_visits import SingleVisits
from ltci_care_delivery.settings import Settings
from ltci_shared.auth import protect
from ltci_shared.errors import problem
from ltci_shared.group_commit import GroupCommit
from ltci_shared.ids import PiiCipher
from ltci_shared.messaging.inprocess import InProcessBus
from ltci_shared.policy import PolicyBook
from ltci_shared.web import service_app


def create_app(
    settings: Settings | None = None,
    *,
    bus: InProcessBus | None = None,
    migrate: bool = False,
    policy: PolicyBook | None = None,
) -> FastAPI:
    settings = settings or Settings()

    def on_startup(app: FastAPI) -> None:
        app.state.settings = settings
        app.state.policy = policy or PolicyBook.load()
        app.state.cipher = PiiCipher.from_secrets(
            settings.pii_encryption_key, settings.pii_lookup_key
        )
        app.state.single_visits = GroupCommit(
            SingleVisits(
                runtime=lambda: app.state.runtime,
                book=app.state.policy,
                skew=timedelta(seconds=settings.clock_skew_seconds),
                render=visit_answer,
            ),
            max_batch=settings.visit_group_max,
            lanes=settings.visit_group_lanes,
        )

    async def on_shutdown(app: FastAPI) -> None:
        await app.state.single_visits.aclose()

    app = service_app(
        package="ltci_care_delivery",
        settings=settings,
        metadata=metadata,
        routers=[protect(routers, ACCESS)],
        consumers=CONSUMERS,
        bus=bus,
        migrate=migrate,
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        title="LTCI care-delivery service",
        description=(
            "Providers (admission, agreements, grading), caregivers (real name, certificates), "
            "care plans, verified visits (EVV) with an exception queue, stays, device rentals."
        ),
    )
    _limit_batch_bodies(app, settings.batch_max_bytes)
    return app


def _limit_batch_bodies(app: FastAPI, max_bytes: int) -> None:
    """Refuse an oversized visit batch from its Content-Length, before reading the body."""
    app.add_middleware(BatchBodyLimit, max_bytes=max_bytes)


class BatchBodyLimit:
    """A pure ASGI middleware (Starlette's ``@app.middleware("http")`` runs every request of
    the service through an extra task and body streams: about 2 ms of CPU a request)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].endswith("/visits/batch")
        ):
            length = Headers(scope=scope).get("content-length", "")
            if length.isdigit() and int(length) > self.max_bytes:
                response = problem(
                    Request(scope),
                    413,
                    "payload_too_large",
                    "Payload too large",
                    f"a visit batch body is at most {self.max_bytes} bytes",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
