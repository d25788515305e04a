"""A partition's batch applied in one transaction has the same outcomes as one by one:
duplicates skipped (also within the batch), unknown types ignored, and a failing handler
makes the batch fall back to the careful path, where it is retried then dead-lettered."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, String, Table, func, select

from ltci_shared.db import create_engine, create_sessionmaker, new_metadata
from ltci_shared.events.envelope import Envelope
from ltci_shared.messaging.consumer import EventConsumer, Outcome
from ltci_shared.messaging.inprocess import SqlDeadLetterSink
from ltci_shared.messaging.message import Message
from ltci_shared.messaging.tables import messaging_tables
from ltci_shared.uow import UnitOfWork

from .harness import person_event


def _message(envelope: Envelope, offset: int) -> Message:
    return Message(
        topic="t",
        key=envelope.subject or "",
        value=envelope.to_bytes(),
        headers=(),
        partition=0,
        offset=offset,
    )


async def test_a_batch_matches_one_by_one_outcomes(pg_url: str) -> None:
    metadata = new_metadata()
    tables = messaging_tables(metadata)
    seen = Table("seen", metadata, Column("person_id", String(20), primary_key=True))
    engine = create_engine(pg_url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    sessions = create_sessionmaker(engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions, tables, topic_for=lambda p: p)

    async def on_enrolled(u: UnitOfWork, payload: Any, envelope: Envelope) -> None:
        if payload.person_id == "p-13":
            raise RuntimeError("poison")
        await u.session.execute(seen.insert().values(person_id=payload.person_id))

    consumer = EventConsumer(
        "c",
        uow,
        tables,
        {"PersonEnrolled": on_enrolled},
        SqlDeadLetterSink(sessions, tables),
        retry_delay=0,
    )
    a, b = Envelope.wrap(person_event(1)), Envelope.wrap(person_event(2))
    unknown = Message(
        topic="t",
        key="x",
        partition=0,
        offset=9,
        headers=(),
        value=a.to_bytes().replace(b'"PersonEnrolled"', b'"SomethingElse"'),
    )
    try:
        first = await consumer.handle_batch(
            [_message(a, 1), _message(a, 2), unknown, _message(b, 3)]
        )
        assert first == [Outcome.APPLIED, Outcome.DUPLICATE, Outcome.IGNORED, Outcome.APPLIED]
        again = await consumer.handle_batch([_message(a, 1), _message(b, 3)])
        assert again == [Outcome.DUPLICATE, Outcome.DUPLICATE]
        c, poison = Envelope.wrap(person_event(3)), Envelope.wrap(person_event(13))
        mixed = await consumer.handle_batch([_message(c, 4), _message(poison, 5)])
        assert mixed == [Outcome.APPLIED, Outcome.DEAD_LETTERED]
        async with sessions() as s:
            people = sorted((await s.execute(select(seen.c.person_id))).scalars())
            inbox = (await s.execute(select(func.count()).select_from(tables.inbox))).scalar()
            dead = (await s.execute(select(func.count()).select_from(tables.dead_letters))).scalar()
        assert (people, inbox, dead) == (["p-1", "p-2", "p-3"], 3, 1)
    finally:
        await engine.dispose()
