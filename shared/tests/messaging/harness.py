"""One delivery harness, two bus adapters: the behavioural suite runs the same steps on both.

A *source* database (with an outbox) publishes ``PersonEnrolled`` events through a relay; a
*sink* database (with an inbox) applies them with a handler that appends one row per
application to ``applied``, with no unique constraint, so applying an event twice shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from aiokafka import AIOKafkaConsumer
from sqlalchemy import Column, MetaData, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ltci_shared.db import create_engine, create_sessionmaker, new_metadata
from ltci_shared.events.contracts import PersonEnrolled
from ltci_shared.events.envelope import Envelope
from ltci_shared.messaging.consumer import EventConsumer, Handler
from ltci_shared.messaging.inprocess import InProcessBus, SqlDeadLetterSink
from ltci_shared.messaging.kafka import (
    DLQ_REASON,
    KafkaConsumerRunner,
    KafkaDeadLetterSink,
    KafkaPublisher,
    dead_letter_topic,
    ensure_topics,
    new_producer,
)
from ltci_shared.messaging.message import Message, Publisher
from ltci_shared.messaging.relay import OutboxRelay
from ltci_shared.messaging.tables import MessagingTables, messaging_tables
from ltci_shared.uow import UnitOfWork

CONSUMER = "sink-consumer"


def person_event(n: int) -> PersonEnrolled:
    return PersonEnrolled(
        person_id=f"p-{n}",
        region_code="320900",
        scheme="resident",
        valid_from=date(2026, 1, 1),
        birth_date=date(1940, 5, 6),
        sex="F",
    )


@dataclass
class Side:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    metadata: MetaData
    tables: MessagingTables

    @classmethod
    async def create(cls, url: str, extra: Callable[[MetaData], None] | None = None) -> Side:
        md = new_metadata()
        tables = messaging_tables(md)
        if extra:
            extra(md)
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(md.create_all)
        return cls(engine, create_sessionmaker(engine), md, tables)


def _applied_table(md: MetaData) -> None:
    Table("applied", md, Column("person_id", String(50)), Column("event_id", String(64)))


@dataclass
class Harness:
    """Source → relay → bus → idempotent consumer → sink, on one of the two adapters."""

    adapter: str
    source: Side
    sink: Side
    prefix: str
    bootstrap: str = ""
    fail_handler_for: set[str] = field(default_factory=set)
    _bus: InProcessBus | None = None
    _producer: Any = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def topic(self) -> str:
        return f"{self.prefix}.enrollment.events"

    def source_uow(self) -> UnitOfWork:
        return UnitOfWork(
            self.source.sessionmaker,
            self.source.tables,
            topic_for=lambda producer: f"{self.prefix}.{producer}.events",
        )

    def sink_uow(self) -> UnitOfWork:
        return UnitOfWork(self.sink.sessionmaker, self.sink.tables, topic_for=lambda p: p)

    async def _apply(self, uow: UnitOfWork, event: PersonEnrolled, envelope: Envelope) -> None:
        if event.person_id in self.fail_handler_for:
            raise RuntimeError(f"cannot handle {event.person_id}")
        table = self.sink.metadata.tables["applied"]
        await uow.session.execute(
            table.insert().values(person_id=event.person_id, event_id=envelope.id)
        )

    def new_consumer(self) -> EventConsumer:
        handlers: dict[str, Handler] = {"PersonEnrolled": self._apply}
        sink = (
            KafkaDeadLetterSink(self._producer, self.prefix)
            if self.adapter == "kafka"
            else SqlDeadLetterSink(self.sink.sessionmaker, self.sink.tables)
        )
        return EventConsumer(
            CONSUMER,
            self.sink_uow,
            self.sink.tables,
            handlers,
            sink,
            max_attempts=2,
            retry_delay=0.01,
        )

    async def start(self) -> None:
        if self.adapter == "kafka":
            self._producer = new_producer(self.bootstrap)
            await self._producer.start()
            await ensure_topics(
                self.bootstrap, [self.topic, dead_letter_topic(CONSUMER, self.prefix)]
            )
        else:
            self._bus = InProcessBus()
        self.consumer = self.new_consumer()
        if self._bus is not None:
            self._bus.subscribe(self.topic, self.consumer)
        else:
            await self.start_consumer(self.consumer)

    async def start_consumer(self, consumer: EventConsumer) -> asyncio.Task[None]:
        """Kafka only: run a consumer-group member in the background until stop."""
        runner = KafkaConsumerRunner(
            consumer, self.bootstrap, [self.topic], group_id=f"{self.prefix}-g"
        )
        task = asyncio.create_task(runner.run(self._stop))
        self._tasks.append(task)
        await asyncio.wait_for(runner.started.wait(), timeout=30)
        return task

    def replace_consumer(self, consumer: EventConsumer) -> None:
        """In-process only: swap the subscriber (as a restarted process would)."""
        assert self._bus is not None
        self._bus._subscribers[self.topic] = [consumer]
        self.consumer = consumer

    @property
    def publisher(self) -> Publisher:
        return KafkaPublisher(self._producer) if self.adapter == "kafka" else self._bus  # type: ignore[return-value]

    def relay(self, publisher: Publisher | None = None) -> OutboxRelay:
        return OutboxRelay(
            self.source.sessionmaker, self.source.tables, publisher or self.publisher, batch_size=50
        )

    async def enroll(self, *numbers: int) -> list[str]:
        async with self.source_uow() as uow:
            ids = [uow.record(person_event(n)) for n in numbers]
            await uow.commit()
        return ids

    async def applied_counts(self) -> dict[str, int]:
        table = self.sink.metadata.tables["applied"]
        async with self.sink.sessionmaker() as s:
            rows = await s.execute(
                select(table.c.person_id, func.count()).group_by(table.c.person_id)
            )
            return {r[0]: r[1] for r in rows}

    async def unsent(self) -> int:
        o = self.source.tables.outbox
        async with self.source.sessionmaker() as s:
            return int(
                (await s.execute(select(func.count()).where(o.c.sent_at.is_(None)))).scalar_one()
            )

    async def wait_applied(self, expected: dict[str, int], timeout: float = 30) -> dict[str, int]:
        """Wait until the sink shows at least ``expected``; then a little longer for strays."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            counts = await self.applied_counts()
            if all(counts.get(k, 0) >= v for k, v in expected.items()):
                break
            if asyncio.get_running_loop().time() > deadline:
                return counts
            await asyncio.sleep(0.05)
        if self.adapter == "kafka":
            await asyncio.sleep(1.0)  # give any duplicate delivery the chance to show up
        return await self.applied_counts()

    async def dead_letters(self, expected: int, timeout: float = 30) -> list[tuple[str, bytes]]:
        """(reason, payload) of the dead letters, once at least ``expected`` arrived."""
        if self.adapter != "kafka":
            sink = SqlDeadLetterSink(self.sink.sessionmaker, self.sink.tables)
            return [
                (str(r["reason"]), str(r["payload"]).encode()) for r in await sink.pending(CONSUMER)
            ]
        kc = AIOKafkaConsumer(
            dead_letter_topic(CONSUMER, self.prefix),
            bootstrap_servers=self.bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            group_id=f"reader-{uuid.uuid4().hex[:6]}",
        )
        await kc.start()
        out: list[tuple[str, bytes]] = []
        try:
            deadline = asyncio.get_running_loop().time() + timeout
            while len(out) < expected and asyncio.get_running_loop().time() < deadline:
                for records in (await kc.getmany(timeout_ms=500)).values():
                    out += [(dict(r.headers)[DLQ_REASON].decode(), r.value) for r in records]
        finally:
            await kc.stop()
        return out

    async def topic_copies(self, timeout: float = 5) -> int:
        """Kafka only: how many records the source topic holds."""
        kc = AIOKafkaConsumer(
            self.topic,
            bootstrap_servers=self.bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            group_id=f"count-{uuid.uuid4().hex[:6]}",
        )
        await kc.start()
        total = 0
        try:
            deadline = asyncio.get_running_loop().time() + timeout
            while asyncio.get_running_loop().time() < deadline:
                batch = await kc.getmany(timeout_ms=500)
                if not batch and total:
                    break
                total += sum(len(v) for v in batch.values())
        finally:
            await kc.stop()
        return total

    async def close(self) -> None:
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, timeout=10)
        if self._producer is not None:
            await self._producer.stop()
        await self.source.engine.dispose()
        await self.sink.engine.dispose()


class CrashBeforeAck(Exception):
    """Simulates the relay process dying before the broker acknowledged."""


class CrashAfterAck(Exception):
    """Simulates the relay process dying after the acknowledgement, before marking rows sent."""


class CrashingPublisher:
    def __init__(self, inner: Publisher, when: str) -> None:
        self._inner, self._when = inner, when

    async def publish(self, messages: Sequence[Message]) -> None:
        if self._when == "before":
            raise CrashBeforeAck
        await self._inner.publish(messages)
        raise CrashAfterAck


@contextlib.asynccontextmanager
async def harness(
    adapter: str, source_url: str, sink_url: str, prefix: str, bootstrap: str
) -> AsyncIterator[Harness]:
    h = Harness(
        adapter,
        await Side.create(source_url),
        await Side.create(sink_url, _applied_table),
        prefix,
        bootstrap,
    )
    await h.start()
    try:
        yield h
    finally:
        await h.close()
