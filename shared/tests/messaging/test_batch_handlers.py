"""Batch handlers: in a partition batch, a run of consecutive events of one ``BatchHandler`` is
applied in one ``many`` call, in delivery order, with the same outcomes as one by one
(duplicates skipped, other handlers' events in their place); a failing run makes the batch
fall back to the careful path (``one``, retries, dead letter). On PostgreSQL and SQLite, and
through the in-process bus of the embedded mode."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, String, Table, select

from ltci_shared.db import create_engine, create_sessionmaker, new_metadata
from ltci_shared.events.contracts import EligibilityGranted, EnrollmentEnded
from ltci_shared.events.envelope import Envelope
from ltci_shared.messaging.consumer import BatchHandler, EventConsumer, Handler, Outcome
from ltci_shared.messaging.inprocess import InProcessBus, SqlDeadLetterSink
from ltci_shared.messaging.message import Message
from ltci_shared.messaging.tables import messaging_tables
from ltci_shared.uow import UnitOfWork

from .harness import person_event


@dataclass
class Sink:
    """A consumer whose PersonEnrolled and EnrollmentEnded go to one BatchHandler (rows marked
    ``one`` or ``many``) and EligibilityGranted to a plain handler (rows marked ``plain``)."""

    consumer: EventConsumer
    applied: Table
    sessions: Any
    dead_letters: SqlDeadLetterSink
    runs: list[list[str]] = field(default_factory=list)  # person ids of each ``many`` call
    poison: set[str] = field(default_factory=set)

    async def rows(self) -> list[tuple[str, str]]:
        t = self.applied
        async with self.sessions() as s:
            return [
                tuple(r) for r in await s.execute(select(t.c.person_id, t.c.via).order_by(t.c.n))
            ]


@pytest.fixture(params=["postgres", "sqlite"])
async def sink(
    request: pytest.FixtureRequest, new_pg_database: Any, tmp_path: Path
) -> AsyncIterator[Sink]:
    url = (
        await new_pg_database()
        if request.param == "postgres"
        else f"sqlite+aiosqlite:///{tmp_path}/sink.db"
    )
    metadata = new_metadata()
    tables = messaging_tables(metadata)
    applied = Table(
        "applied",
        metadata,
        Column("n", Integer, primary_key=True, autoincrement=True),
        Column("person_id", String(50), nullable=False),
        Column("via", String(10), nullable=False),
    )
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    sessions = create_sessionmaker(engine)
    holder: dict[str, Sink] = {}

    def check(person_id: str) -> None:
        if person_id in holder["sink"].poison:
            raise RuntimeError(f"cannot apply {person_id}")

    async def one(uow: UnitOfWork, event: Any, envelope: Envelope) -> None:
        check(event.person_id)
        await uow.session.execute(applied.insert().values(person_id=event.person_id, via="one"))

    async def many(uow: UnitOfWork, events: Sequence[tuple[Any, Envelope]]) -> None:
        holder["sink"].runs.append([e.person_id for e, _ in events])
        for event, _ in events:
            check(event.person_id)
        rows = [{"person_id": e.person_id, "via": "many"} for e, _ in events]
        await uow.session.execute(applied.insert(), rows)

    async def plain(uow: UnitOfWork, event: Any, envelope: Envelope) -> None:
        await uow.session.execute(applied.insert().values(person_id=event.person_id, via="plain"))

    batched = BatchHandler(one, many)
    handlers: dict[str, Handler] = {
        "PersonEnrolled": batched,
        "EnrollmentEnded": batched,
        "EligibilityGranted": plain,
    }
    consumer = EventConsumer(
        "batch-sink",
        lambda: UnitOfWork(sessions, tables, topic_for=lambda p: p),
        tables,
        handlers,
        SqlDeadLetterSink(sessions, tables),
        max_attempts=2,
        retry_delay=0,
    )
    holder["sink"] = Sink(consumer, applied, sessions, SqlDeadLetterSink(sessions, tables))
    try:
        yield holder["sink"]
    finally:
        await engine.dispose()


def _ended(n: int) -> Envelope:
    return Envelope.wrap(
        EnrollmentEnded(
            person_id=f"p-{n}",
            region_code="320900",
            scheme="resident",
            ended_on=date(2026, 6, 30),
            reason="moved_away",
        )
    )


def _granted(n: int) -> Envelope:
    return Envelope.wrap(
        EligibilityGranted(
            eligibility_id=f"e-{n}",
            person_id=f"p-{n}",
            region_code="320900",
            grade=3,
            valid_from=date(2026, 1, 1),
            valid_until=date(2026, 12, 31),
        )
    )


def _messages(envelopes: list[Envelope]) -> list[Message]:
    return [
        Message("t", e.subject, e.to_bytes(), (), 0, offset) for offset, e in enumerate(envelopes)
    ]


async def test_runs_go_to_many_in_order_and_duplicates_are_skipped(sink: Sink) -> None:
    seen_before = Envelope.wrap(person_event(9))
    assert await sink.consumer.handle_batch(_messages([seen_before])) == [Outcome.APPLIED]
    one_alone = Envelope.wrap(person_event(7))
    e1, e2, g4 = Envelope.wrap(person_event(1)), _ended(2), _granted(4)
    e3, e5 = Envelope.wrap(person_event(3)), Envelope.wrap(person_event(5))
    batch = [e1, e2, g4, e3, e3, seen_before, e5, _granted(6), one_alone]
    outcomes = await sink.consumer.handle_batch(_messages(batch))
    assert outcomes == [Outcome.APPLIED] * 4 + [Outcome.DUPLICATE] * 2 + [Outcome.APPLIED] * 3
    # a run spans the duplicates (they are not applied); a run of one goes to ``one``
    assert sink.runs == [["p-1", "p-2"], ["p-3", "p-5"]]
    assert await sink.rows() == [
        ("p-9", "one"),
        ("p-1", "many"),
        ("p-2", "many"),
        ("p-4", "plain"),
        ("p-3", "many"),
        ("p-5", "many"),
        ("p-6", "plain"),
        ("p-7", "one"),
    ]
    again = await sink.consumer.handle_batch(_messages([e1, e2, g4]))
    assert again == [Outcome.DUPLICATE] * 3
    assert len(await sink.rows()) == 8


async def test_a_failing_run_falls_back_to_one_by_one_and_dead_letters_only_the_poison(
    sink: Sink,
) -> None:
    sink.poison.add("p-2")
    batch = [Envelope.wrap(person_event(n)) for n in (1, 2, 3)]
    outcomes = await sink.consumer.handle_batch(_messages(batch))
    assert outcomes == [Outcome.APPLIED, Outcome.DEAD_LETTERED, Outcome.APPLIED]
    assert sink.runs == [["p-1", "p-2", "p-3"]]  # tried as a run, rolled back
    assert await sink.rows() == [("p-1", "one"), ("p-3", "one")]
    dead = await sink.dead_letters.pending("batch-sink")
    assert [d["event_id"] for d in dead] == [batch[1].id]


async def test_the_in_process_bus_hands_a_relay_batch_to_many(sink: Sink) -> None:
    bus = InProcessBus()
    bus.subscribe("t", sink.consumer)
    envelopes = [Envelope.wrap(person_event(n)) for n in range(1, 6)]
    await bus.publish(_messages(envelopes))
    await bus.publish(_messages(envelopes[:2]))  # redelivered: duplicates
    assert sink.runs == [["p-1", "p-2", "p-3", "p-4", "p-5"]]
    assert await sink.rows() == [(f"p-{n}", "many") for n in range(1, 6)]
