"""The unit of work's bulk outbox path: COPY on PostgreSQL inside the transaction, the same
rows ``flush_events`` writes; the ordinary INSERT on SQLite and for a few events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from ltci_shared.db import create_engine, create_sessionmaker, new_metadata
from ltci_shared.events.contracts import EligibilityRevoked, StayReported
from ltci_shared.events.envelope import Envelope
from ltci_shared.messaging.tables import MessagingTables, messaging_tables
from ltci_shared.uow import UnitOfWork

COMPARED = ("event_id", "aggregatetype", "aggregateid", "type", "topic", "payload")


def _stay(i: int) -> StayReported:
    return StayReported(
        stay_id=f"s-{i}", person_id=f"p-{i % 7}", kind="hospital", admitted_on=date(2026, 3, 1)
    )


def _revoked() -> EligibilityRevoked:
    return EligibilityRevoked(
        eligibility_id="e-1",
        person_id="p-1",
        region_code="320900",
        ended_on=date(2026, 3, 1),
        reason="death",
    )


async def _engine(url: str) -> AsyncIterator[tuple[AsyncEngine, MessagingTables]]:
    metadata = new_metadata()
    tables = messaging_tables(metadata)
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        yield engine, tables
    finally:
        await engine.dispose()


@pytest.fixture
async def pg(pg_url: str) -> AsyncIterator[tuple[AsyncEngine, MessagingTables]]:
    async for pair in _engine(pg_url):
        yield pair


@pytest.fixture
async def lite(tmp_path: Path) -> AsyncIterator[tuple[AsyncEngine, MessagingTables]]:
    async for pair in _engine(f"sqlite+aiosqlite:///{tmp_path}/uow.db"):
        yield pair


def _uow(engine: AsyncEngine, tables: MessagingTables) -> UnitOfWork:
    return UnitOfWork(create_sessionmaker(engine), tables, topic_for=lambda p: f"ltci.{p}.events")


async def _rows(engine: AsyncEngine, tables: MessagingTables) -> list[dict[str, object]]:
    async with engine.connect() as conn:
        result = await conn.execute(select(tables.outbox).order_by(tables.outbox.c.id))
        return [dict(r._mapping) for r in result]


async def _write(uow: UnitOfWork, n: int, *, bulk: bool) -> list[dict[str, object]]:
    """Record n events, flush them (bulk or not) and commit; the rows expected."""
    async with uow:
        for i in range(n):
            uow.record(_stay(i))
        expected = [{k: row[k] for k in COMPARED} for row in uow._outbox_rows()]
        if bulk:
            await uow.flush_events_bulk()
        await uow.commit()
    return expected


async def test_copy_writes_exactly_the_rows_an_insert_would(
    pg: tuple[AsyncEngine, MessagingTables],
) -> None:
    engine, tables = pg
    inserted = await _write(_uow(engine, tables), 60, bulk=False)
    copied = await _write(_uow(engine, tables), 60, bulk=True)
    rows = await _rows(engine, tables)
    assert [{k: r[k] for k in COMPARED} for r in rows] == inserted + copied
    assert all(r["sent_at"] is None and r["created_at"] is not None for r in rows)
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids) and len(set(ids)) == 120  # the same sequence, record order


async def test_copied_rows_belong_to_the_transaction(
    pg: tuple[AsyncEngine, MessagingTables],
) -> None:
    engine, tables = pg
    uow = _uow(engine, tables)
    async with uow:
        for i in range(80):
            uow.record(_stay(i))
        await (
            uow.flush_events_bulk()
        )  # first statement of the transaction: COPY must not autocommit
        await uow.rollback()
    assert await _rows(engine, tables) == []
    await _write(uow, 80, bulk=True)
    assert len(await _rows(engine, tables)) == 80


async def test_sqlite_and_small_batches_use_the_insert(
    lite: tuple[AsyncEngine, MessagingTables], pg: tuple[AsyncEngine, MessagingTables]
) -> None:
    for engine, tables in (lite, pg):
        expected = await _write(_uow(engine, tables), 60, bulk=True)
        expected += await _write(_uow(engine, tables), 3, bulk=True)
        rows = await _rows(engine, tables)
        assert [{k: r[k] for k in COMPARED} for r in rows] == expected


def test_each_event_is_queued_as_its_envelope_encoded(
    lite: tuple[AsyncEngine, MessagingTables],
) -> None:
    """The outbox row carries the event in its envelope, as ``Envelope.wrap`` and
    ``to_bytes`` give it, under the id ``record`` returned, and the topic of the event's
    producer (looked up once per producer)."""
    engine, tables = lite
    uow = _uow(engine, tables)
    events = [*(_stay(i) for i in range(3)), _revoked()]
    ids = [uow.record(event) for event in events]
    rows = uow._outbox_rows()
    for event, event_id, row in zip(events, ids, rows, strict=True):
        env = Envelope.from_bytes(row["payload"])
        assert row["payload"] == orjson.dumps(env.model_dump(mode="json")).decode()
        assert env == Envelope.wrap(event, event_id=event_id).model_copy(update={"time": env.time})
        assert env.payload() == event
        assert (row["event_id"], row["aggregateid"], row["type"]) == (env.id, env.subject, env.type)
    assert [r["topic"] for r in rows] == ["ltci.care-delivery.events"] * 3 + [
        "ltci.assessment.events"
    ]
    assert len({r["created_at"] for r in rows}) == 1
