"""Settlement's insured-persons read model, fed by enrollment's events through the inbox."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from ltci_settlement.adapters.tables import visits
from ltci_settlement.app import create_app
from ltci_settlement.settings import Settings
from ltci_shared.events.contracts import (
    EnrollmentEnded,
    ServiceVisitLogged,
    VisitCorrected,
)
from ltci_shared.events.envelope import Envelope
from ltci_shared.messaging.consumer import Outcome
from ltci_shared.messaging.inprocess import SqlDeadLetterSink
from ltci_shared.messaging.message import Message

from .support import message, person, visit_fields


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


async def test_enrolment_then_ending_is_reflected_and_duplicates_are_ignored(app) -> None:
    consumer = app.state.runtime.event_consumers[0]
    enrolled = message(
        person(
            "p-9",
            region="320900",
            valid_from=date(2026, 1, 1),
            birth_date=date(1950, 1, 1),
            sex="M",
        )
    )
    assert await consumer.handle(enrolled) == Outcome.APPLIED
    assert await consumer.handle(enrolled) == Outcome.DUPLICATE
    ended = message(
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
    state = _state("v-1", ["ADL01"], date(2026, 3, 2))
    logged = ServiceVisitLogged(**state, verified=False, exceptions=["face_match_low"])
    first = message(logged)
    assert await consumer.handle(first) == Outcome.APPLIED
    assert await consumer.handle(first) == Outcome.DUPLICATE
    for n, items in ((2, ["ADL01", "ADL02"]), (3, ["ADL02"])):
        fixed = VisitCorrected(
            **{**state, "items": items},
            verified=True,
            reason_code="verified_by_phone",
            corrected_at=datetime(2026, 3, 3, tzinfo=UTC),
        )
        assert await consumer.handle(message(fixed)) == Outcome.APPLIED
        async with app.state.runtime.uow() as uow:
            row = (
                await uow.session.execute(select(visits).where(visits.c.visit_id == "v-1"))
            ).one()
        assert (row.revision, row.verified, list(row.items)) == (n, True, items)
        assert row.exceptions == [] and row.region_code == "320900"


def _state(visit_id: str, items: list[str], day: date = date(2026, 4, 6)) -> dict[str, Any]:
    """prov-1's hour-long visit to p-1 under plan-1, as a logged or corrected visit carries it."""
    fields = visit_fields(
        visit_id, "p-1", day, 60, provider="prov-1", plan_id="plan-1", items=items
    )
    return {**fields, "duration_minutes": 60}


def _corrected(visit_id: str, items: list[str]) -> VisitCorrected:
    return VisitCorrected(
        **_state(visit_id, items),
        verified=True,
        reason_code="verified_by_phone",
        corrected_at=datetime(2026, 4, 7, tzinfo=UTC),
    )


def _batch(envelopes: list[Envelope]) -> list[Message]:
    return [
        Message("ltci.care-delivery.events", e.subject, e.to_bytes(), (), 0, n)
        for n, e in enumerate(envelopes)
    ]


async def _visit_rows(app: Any) -> list[Any]:
    async with app.state.runtime.uow() as uow:
        return list((await uow.session.execute(select(visits).order_by(visits.c.visit_id))).all())


async def test_a_batch_of_visits_gives_the_same_revisions_as_one_by_one(
    app, caplog: pytest.LogCaptureFixture
) -> None:
    """A partition batch goes to the visits' batch handler in one call (a multi-row upsert,
    no fall back to one by one): a visit logged and corrected twice in the batch gets
    revisions 1, 2, 3 in order, and a redelivered event is skipped; the state is the one the
    last event carried."""
    caplog.set_level(logging.INFO, logger="ltci_shared.messaging.consumer")
    consumer = app.state.runtime.event_consumers[0]
    envelopes = [
        Envelope.wrap(e)
        for e in (
            ServiceVisitLogged(**_state("v-a", ["ADL01"]), verified=False),
            ServiceVisitLogged(**_state("v-b", ["ADL02"]), verified=True),
            _corrected("v-a", ["ADL01", "ADL03"]),
            _corrected("v-a", ["ADL04"]),
        )
    ]
    messages = _batch([*envelopes, envelopes[1]])
    outcomes = await consumer.handle_batch(messages)
    assert outcomes == [Outcome.APPLIED] * 4 + [Outcome.DUPLICATE]
    assert "falls back" not in caplog.text
    assert await consumer.handle_batch(messages[:2]) == [Outcome.DUPLICATE] * 2
    rows = await _visit_rows(app)
    assert [(r.visit_id, r.revision, list(r.items), r.verified, r.event_id) for r in rows] == [
        ("v-a", 3, ["ADL04"], True, envelopes[3].id),
        ("v-b", 1, ["ADL02"], True, envelopes[1].id),
    ]
    assert {(r.region_code, r.division_code) for r in rows} == {("320900", "320902")}


async def test_a_visit_the_database_refuses_is_dead_lettered_and_the_rest_applied(
    new_pg_database: Any,
) -> None:
    """On PostgreSQL a visit id longer than the column makes the batch's upsert fail: the
    batch falls back to one by one, that event is dead-lettered, the others applied once."""
    app = create_app(Settings(database_url=await new_pg_database()), migrate=True)
    async with app.router.lifespan_context(app):
        consumer = app.state.runtime.event_consumers[0]
        too_long = "v-" + "x" * 60
        envelopes = [
            Envelope.wrap(ServiceVisitLogged(**_state(v, ["ADL01"]), verified=True))
            for v in ("v-c", too_long, "v-d")
        ]
        outcomes = await consumer.handle_batch(_batch([*envelopes, envelopes[0]]))
        assert outcomes == [
            Outcome.APPLIED,
            Outcome.DEAD_LETTERED,
            Outcome.APPLIED,
            Outcome.DUPLICATE,
        ]
        rows = await _visit_rows(app)
        dead = await SqlDeadLetterSink(
            app.state.runtime.sessionmaker, app.state.runtime.tables
        ).pending(consumer.name)
    assert [(r.visit_id, r.revision) for r in rows] == [("v-c", 1), ("v-d", 1)]
    assert [d["event_id"] for d in dead] == [envelopes[1].id]
