"""Housekeeping of the platform tables every service has: sent outbox rows, inbox rows,
replayed dead letters and idempotency keys older than their retention are deleted, in small
batches so that no lock is held for long. Business tables are never touched.

The inbox is kept by default (``inbox_days=0``): the topics keep their events for good and a
consumer group whose offsets expired reads them again, and an event redelivered after its inbox
row is gone would be applied twice. Purge it only with topics (and committed offsets) that
expire sooner than the inbox's retention.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, MetaData, Table, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from ltci_shared.idempotency import idempotency_table
from ltci_shared.messaging.tables import messaging_tables

BATCH = 5000


@dataclass(frozen=True)
class Retention:
    """Days each kind of row is kept (at least one; for the inbox 0 means for good)."""

    outbox_days: int = 7
    inbox_days: int = 0
    dead_letter_days: int = 30
    idempotency_days: int = 2

    def __post_init__(self) -> None:
        if min(self.outbox_days, self.dead_letter_days, self.idempotency_days) < 1:
            raise ValueError("every retention is at least one day (the inbox: 0 keeps it)")
        if self.inbox_days < 0:
            raise ValueError("the inbox's retention is 0 (for good) or a number of days")


async def _purge(engine: AsyncEngine, table: Table, old: ColumnElement[bool]) -> int:
    """Delete the rows matching ``old``, BATCH at a time (one short transaction each)."""
    keys = list(table.primary_key.columns)
    removed = 0
    while True:
        async with engine.begin() as conn:
            rows = (await conn.execute(select(*keys).where(old).limit(BATCH))).all()
            if not rows:
                return removed
            await conn.execute(delete(table).where(tuple_(*keys).in_([tuple(r) for r in rows])))
            removed += len(rows)


async def purge(
    engine: AsyncEngine, retention: Retention, now: datetime | None = None
) -> dict[str, int]:
    """Delete what outlived its retention; returns the rows removed per table."""
    now = now or datetime.now(UTC)
    tables = messaging_tables(MetaData())
    keys = idempotency_table(MetaData())
    ago = lambda days: now - timedelta(days=days)  # noqa: E731
    out, box, dead = tables.outbox, tables.inbox, tables.dead_letters
    return {
        "outbox": await _purge(
            engine, out, out.c.sent_at.is_not(None) & (out.c.sent_at < ago(retention.outbox_days))
        ),
        "inbox": await _purge(engine, box, box.c.processed_at < ago(retention.inbox_days))
        if retention.inbox_days
        else 0,
        "dead_letters": await _purge(
            engine,
            dead,
            dead.c.replayed_at.is_not(None)
            & (dead.c.replayed_at < ago(retention.dead_letter_days)),
        ),
        "idempotency_keys": await _purge(
            engine, keys, keys.c.created_at < ago(retention.idempotency_days)
        ),
    }
