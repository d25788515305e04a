"""The outbox relay: publishes unsent outbox rows and marks them sent after acknowledgement."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, any_, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ltci_shared.faults import crash_point
from ltci_shared.messaging.message import Message, Publisher
from ltci_shared.messaging.tables import MessagingTables

log = logging.getLogger(__name__)
# One relay per database publishes at a time (a transaction-scoped advisory lock), so with
# several replicas of a service one person's events still reach the broker in outbox order.
RELAY_LOCK_KEY = 0x4C5443495F524C59  # "LTCI_RLY"


class OutboxRelay:
    """Locks a batch of unsent rows (FOR UPDATE SKIP LOCKED, never an id watermark, since ids
    commit out of order), publishes them, and marks them sent in the same transaction only
    after the publisher returned (broker acknowledged, or in-process subscribers committed).
    A crash anywhere before that commit leaves the rows unsent: they are published again,
    and consumers drop the duplicate by event id.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        tables: MessagingTables,
        publisher: Publisher,
        *,
        batch_size: int = 500,
        idle_seconds: float = 0.2,
        linger_seconds: float = 0.0,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._outbox = tables.outbox
        self._publisher = publisher
        self._batch_size = batch_size
        self._idle_seconds = idle_seconds
        self._linger_seconds = linger_seconds
        self.wake = asyncio.Event()

    async def run_once(self) -> int:
        """Publish one batch; returns how many rows were sent."""
        o = self._outbox
        async with self._sessionmaker() as session, session.begin():
            if session.get_bind().dialect.name == "postgresql" and not await self._lead(session):
                return 0  # another replica's relay is publishing this database's outbox
            query = (
                select(o.c.id, o.c.topic, o.c.aggregateid, o.c.type, o.c.payload)
                .where(o.c.sent_at.is_(None))
                .order_by(o.c.id)
                .limit(self._batch_size)
                .with_for_update(skip_locked=True)
            )
            rows = (await session.execute(query)).all()
            if not rows:
                return 0
            crash_point("relay_before_publish")
            await self._publisher.publish(
                [
                    Message(
                        topic=r.topic,
                        key=r.aggregateid,
                        value=r.payload.encode(),
                        headers=(("type", r.type.encode()),),
                    )
                    for r in rows
                ]
            )
            crash_point("relay_after_publish")
            sent_at = datetime.now(UTC)
            await session.execute(*self._mark_sent(session, [r.id for r in rows], sent_at))
        return len(rows)

    def _mark_sent(
        self, session: AsyncSession, ids: list[int], sent_at: datetime
    ) -> tuple[Any, dict[str, Any]]:
        """The UPDATE that marks rows sent: on PostgreSQL one array parameter (one prepared
        statement whatever the batch's size, rather than one per count of ids)."""
        o = self._outbox
        if session.get_bind().dialect.name == "postgresql":
            statement = update(o).where(o.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger))))
            return statement.values(sent_at=bindparam("at")), {"ids": ids, "at": sent_at}
        return update(o).where(o.c.id.in_(ids)).values(sent_at=sent_at), {}

    @staticmethod
    async def _lead(session: AsyncSession) -> bool:
        query = text("SELECT pg_try_advisory_xact_lock(:key)")
        return bool((await session.execute(query, {"key": RELAY_LOCK_KEY})).scalar())

    async def drain(self) -> int:
        """Publish until nothing is left unsent; returns the total."""
        total = 0
        while sent := await self.run_once():
            total += sent
        return total

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Publish whenever woken (a commit recorded events) or every ``idle_seconds``; a
        full batch is followed at once by the next. Runs start at least ``linger_seconds``
        apart: commits in between are published together (each run costs a transaction,
        whether it carries one row or hundreds)."""
        backoff, clock = self._idle_seconds, asyncio.get_running_loop().time
        started, full = clock() - self._linger_seconds, False
        while not stop.is_set():
            if not full and (wait := started + self._linger_seconds - clock()) > 0:
                await asyncio.sleep(wait)
            started = clock()
            try:
                sent = await self.run_once()
                backoff = self._idle_seconds
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay batch failed; retrying in %.1fs", backoff)
                sent, backoff = 0, min(backoff * 2, 5.0)
            full = sent >= self._batch_size
            if not full:
                self.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), timeout=backoff)
