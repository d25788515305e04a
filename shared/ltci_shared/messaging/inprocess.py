"""The in-process bus (embedded mode): same contract as Kafka, no server.

``publish`` returns only after every subscribed consumer has applied (committed) or
dead-lettered each message, so the relay marks an outbox row sent only after that.
Dead letters go to the consumer's own ``dead_letters`` table (``SqlDeadLetterSink``).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ltci_shared.messaging.consumer import EventConsumer, Outcome
from ltci_shared.messaging.message import Message
from ltci_shared.messaging.tables import MessagingTables


class InProcessBus:
    """A publisher that delivers synchronously to the consumers subscribed to each topic."""

    def __init__(self, *, gated: bool = False) -> None:
        self._subscribers: dict[str, list[EventConsumer]] = defaultdict(list)
        self._offsets: dict[str, int] = defaultdict(int)
        self._open = asyncio.Event()
        if not gated:
            self._open.set()

    def open(self) -> None:
        """Let publishing start (a gated bus waits until every service has subscribed)."""
        self._open.set()

    def subscribe(self, topic: str, consumer: EventConsumer) -> None:
        if consumer not in self._subscribers[topic]:
            self._subscribers[topic].append(consumer)

    async def publish(self, messages: Sequence[Message]) -> None:
        """Deliver a relay batch: each subscribed consumer gets its messages, in order, as one
        batch (``EventConsumer.handle_batch``: one transaction, same outcomes as one by one)."""
        await self._open.wait()
        batches: dict[int, tuple[EventConsumer, list[Message]]] = {}
        for message in messages:
            offset = self._offsets[message.topic]
            self._offsets[message.topic] = offset + 1
            delivered = Message(
                message.topic, message.key, message.value, message.headers, 0, offset
            )
            for consumer in self._subscribers.get(message.topic, []):
                batches.setdefault(id(consumer), (consumer, []))[1].append(delivered)
        for consumer, batch in batches.values():
            await consumer.handle_batch(batch)


class SqlDeadLetterSink:
    """Stores dead letters in the consuming service's own database."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], tables: MessagingTables
    ) -> None:
        self._sessionmaker = sessionmaker
        self._table = tables.dead_letters

    async def send(
        self, consumer: str, message: Message, reason: str, event_id: str | None
    ) -> None:
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                self._table.insert().values(
                    consumer=consumer,
                    event_id=event_id,
                    topic=message.topic,
                    key=message.key,
                    payload=message.value.decode("utf-8", errors="replace"),
                    reason=reason,
                    failed_at=datetime.now(UTC),
                )
            )

    async def pending(self, consumer: str) -> list[dict[str, object]]:
        t = self._table
        async with self._sessionmaker() as session:
            rows = await session.execute(
                select(t)
                .where(t.c.consumer == consumer, t.c.replayed_at.is_(None))
                .order_by(t.c.id)
            )
            return [dict(r._mapping) for r in rows]

    async def replay(self, consumer: EventConsumer) -> dict[str, int]:
        """Hand every pending dead letter of ``consumer`` to it again; count the outcomes."""
        counts: dict[str, int] = defaultdict(int)
        for row in await self.pending(consumer.name):
            message = Message(
                str(row["topic"]), str(row["key"] or ""), str(row["payload"]).encode()
            )
            outcome = await consumer.handle(message)
            counts[outcome.value] += 1
            async with self._sessionmaker() as session, session.begin():
                await session.execute(
                    update(self._table)
                    .where(self._table.c.id == row["id"])
                    .values(replayed_at=datetime.now(UTC))
                )
        return dict(counts)


__all__ = ["InProcessBus", "Outcome", "SqlDeadLetterSink"]
