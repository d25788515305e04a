"""Settlement's insured-persons read model, fed by enrollment's events through the inbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from ltci_settlement.adapters.tables import visits
from ltci_settlement.app import create_app
from ltci_settlement.settings import Settings
from ltci_shared.events.contracts import (
    EnrollmentEnded,
    PersonEnrolled,
    ServiceVisitLogged,
    VisitCorrected,
)
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


async def test_a_visit_and_its_corrections_are_successive_revisions(app) -> None:
    """Logged: revision 1; each correction replaces the state as the next revision (one
    upsert statement on both databases); a duplicate delivery changes nothing."""
    consumer = app.state.runtime.event_consumers[0]
    begin = datetime(2026, 3, 2, 9, tzinfo=UTC)
    state = {
        "visit_id": "v-1",
        "provider_id": "prov-1",
        "person_id": "p-1",
        "caregiver_id": "cg-1",
        "plan_id": "plan-1",
        "region_code": "320902",
        "service_form": "home_visit",
        "service_date": date(2026, 3, 2),
        "begin_at": begin,
        "end_at": begin + timedelta(hours=1),
        "duration_minutes": 60,
        "items": ["ADL01"],
    }
    logged = ServiceVisitLogged(**state, verified=False, exceptions=["face_match_low"])
    first = Message("ltci.care-delivery.events", logged.key, Envelope.wrap(logged).to_bytes())
    assert await consumer.handle(first) == Outcome.APPLIED
    assert await consumer.handle(first) == Outcome.DUPLICATE
    for n, items in ((2, ["ADL01", "ADL02"]), (3, ["ADL02"])):
        fixed = VisitCorrected(
            **{**state, "items": items},
            verified=True,
            reason_code="verified_by_phone",
            corrected_at=datetime(2026, 3, 3, tzinfo=UTC),
        )
        msg = Message("ltci.care-delivery.events", fixed.key, Envelope.wrap(fixed).to_bytes())
        assert await consumer.handle(msg) == Outcome.APPLIED
        async with app.state.runtime.uow() as uow:
            row = (
                await uow.session.execute(select(visits).where(visits.c.visit_id == "v-1"))
            ).one()
        assert (row.revision, row.verified, list(row.items)) == (n, True, items)
        assert row.exceptions == [] and row.region_code == "320900"
