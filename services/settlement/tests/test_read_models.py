"""Settlement's insured-persons read model, fed by enrollment's events through the inbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from ltci_settlement.app import create_app
from ltci_settlement.settings import Settings
from ltci_shared.events.contracts import EnrollmentEnded, PersonEnrolled
from ltci_shared.events.envelope import Envelope
from ltci_shared.messaging.consumer import Outcome
from ltci_shared.messaging.message import Message


@pytest.fixture(params=["postgres", "sqlite"])
async def app(request: pytest.FixtureRequest, new_pg_database, tmp_path: Path) -> AsyncIterator:
    url = (
        await new_pg_database()
        if request.param == "postgres"
        else f"sqlite+aiosqlite:///{tmp_path}/s.db"
    )
    application = create_app(Settings(database_url=url), migrate=True)
    async with application.router.lifespan_context(application):
        yield application


def _message(event: PersonEnrolled | EnrollmentEnded) -> Message:
    return Message("ltci.enrollment.events", event.key, Envelope.wrap(event).to_bytes())


async def test_enrolment_then_ending_is_reflected_and_duplicates_are_ignored(app) -> None:
    consumer = app.state.runtime.event_consumers[0]
    enrolled = _message(
        PersonEnrolled(
            person_id="p-9",
            region_code="320900",
            scheme="employee",
            valid_from=date(2026, 1, 1),
            birth_date=date(1950, 1, 1),
            sex="M",
        )
    )
    assert await consumer.handle(enrolled) == Outcome.APPLIED
    assert await consumer.handle(enrolled) == Outcome.DUPLICATE
    ended = _message(
        EnrollmentEnded(
            person_id="p-9",
            region_code="320900",
            scheme="employee",
            ended_on=date(2026, 6, 30),
            reason="death",
        )
    )
    assert await consumer.handle(ended) == Outcome.APPLIED
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://s"
    ) as client:
        view = (await client.get("/read-models/insured-persons/p-9")).json()
        missing = await client.get("/read-models/insured-persons/p-0")
    assert view == {
        "person_id": "p-9",
        "region_code": "320900",
        "scheme": "employee",
        "valid_from": "2026-01-01",
        "ended_on": "2026-06-30",
    }
    assert missing.status_code == 404
