"""A service's runtime resources (engine, bus, relay, consumers), built at start-up and torn down.

The composition root of each service (its ``bootstrap.py``) builds one ``ServiceRuntime``; the
FastAPI lifespan starts and stops it. Embedded mode passes one shared ``InProcessBus``;
full mode (``bus=kafka``) builds an idempotent Kafka producer and a consumer runner per consumer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ltci_shared.db import create_engine, create_sessionmaker
from ltci_shared.events.base import event_class
from ltci_shared.idempotency import idempotency_table
from ltci_shared.messaging.consumer import DeadLetterSink, EventConsumer, Handler
from ltci_shared.messaging.inprocess import InProcessBus, SqlDeadLetterSink
from ltci_shared.messaging.kafka import (
    KafkaConsumerRunner,
    KafkaDeadLetterSink,
    KafkaPublisher,
    ensure_topics,
    new_producer,
)
from ltci_shared.messaging.message import Publisher
from ltci_shared.messaging.relay import OutboxRelay
from ltci_shared.messaging.tables import messaging_tables
from ltci_shared.settings import ServiceSettings
from ltci_shared.uow import UnitOfWork

log = logging.getLogger(__name__)


@dataclass
class RestartBackoff:
    """Delays between restarts of a failing runner: doubling from ``first`` up to ``most``,
    back to ``first`` once a run had stayed up ``healthy_after`` seconds (a failure after a
    day of good work is not the tenth failure in a row)."""

    first: float = 0.5
    most: float = 30.0
    healthy_after: float = 60.0
    _next: float = 0.0

    def after_failure(self, ran_for: float) -> float:
        if ran_for >= self.healthy_after or self._next == 0.0:
            self._next = self.first
        delay = self._next
        self._next = min(self._next * 2, self.most)
        return delay


@dataclass
class ServiceRuntime:
    """Everything a running service holds; ``uow()`` is what handlers are given."""

    settings: ServiceSettings
    metadata: MetaData
    consumers: Mapping[str, Mapping[str, Handler]] = field(default_factory=dict)
    bus: InProcessBus | None = None
    run_relay: bool = True
    run_consumers: bool = True

    def __post_init__(self) -> None:
        self.tables = messaging_tables(self.metadata)
        self.idempotency = idempotency_table(self.metadata)
        self.engine: AsyncEngine | None = None
        self.sessionmaker: async_sessionmaker[AsyncSession] | None = None
        self.relay: OutboxRelay | None = None
        self.event_consumers: list[EventConsumer] = []
        self._producer: AIOKafkaProducer | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stop = asyncio.Event()

    def uow(self) -> UnitOfWork:
        if self.sessionmaker is None:
            raise RuntimeError("runtime not started")
        relay = self.relay
        return UnitOfWork(
            self.sessionmaker,
            self.tables,
            topic_for=self.settings.topic,
            on_commit=relay.wake.set if relay is not None else None,
        )

    def topics_for(self, handlers: Mapping[str, Handler]) -> list[str]:
        producers = set()
        for event_type in handlers:
            kind = event_class(event_type)
            if kind is None:
                raise ValueError(f"handler registered for unknown event type {event_type!r}")
            producers.add(kind.producer)
        return sorted(self.settings.topic(p) for p in producers)

    async def start(
        self, before_start: Callable[[AsyncEngine], Awaitable[None]] | None = None
    ) -> None:
        s = self.settings
        self.engine = create_engine(
            s.database_url,
            pool_size=s.database_pool_size,
            plan_cache_mode=s.database_plan_cache_mode,
            ping_idle_seconds=s.database_ping_idle_seconds,
        )
        if before_start is not None:
            await before_start(self.engine)
        self.sessionmaker = create_sessionmaker(self.engine)
        publisher: Publisher
        if s.bus == "kafka":
            self._producer = new_producer(s.kafka_bootstrap)
            await self._producer.start()
            publisher = KafkaPublisher(self._producer)
        else:
            publisher = self.bus if self.bus is not None else InProcessBus()
        self.relay = OutboxRelay(
            self.sessionmaker,
            self.tables,
            publisher,
            batch_size=s.relay_batch_size,
            idle_seconds=s.relay_idle_seconds,
            linger_seconds=s.relay_linger_seconds,
        )
        await self._start_consumers()
        if self.run_relay and self.settings.relay_enabled:
            self._tasks.append(
                asyncio.create_task(self.relay.run_forever(self._stop), name="relay")
            )

    async def _start_consumers(self) -> None:
        s = self.settings
        assert self.sessionmaker is not None
        for name, handlers in self.consumers.items():
            sink: DeadLetterSink
            if s.bus == "kafka":
                assert self._producer is not None
                sink = KafkaDeadLetterSink(self._producer, s.kafka_topic_prefix)
            else:
                sink = SqlDeadLetterSink(self.sessionmaker, self.tables)
            consumer = EventConsumer(
                name, self.uow, self.tables, handlers, sink, max_attempts=s.consumer_max_attempts
            )
            self.event_consumers.append(consumer)
            topics = self.topics_for(handlers)
            if s.bus == "kafka":
                if self.run_consumers:
                    await ensure_topics(s.kafka_bootstrap, topics)
                    runner = KafkaConsumerRunner(
                        consumer,
                        s.kafka_bootstrap,
                        topics,
                        group_id=f"{s.kafka_group_prefix or s.kafka_topic_prefix}.{name}",
                    )
                    self._tasks.append(
                        asyncio.create_task(
                            self._supervise(runner.run, name), name=f"consumer:{name}"
                        )
                    )
            elif self.bus is not None:
                for topic in topics:
                    self.bus.subscribe(topic, consumer)

    async def _supervise(self, run: Callable[[asyncio.Event], Awaitable[None]], name: str) -> None:
        """Restart a consumer runner that failed (the broker away, a rebalance gone wrong)."""
        backoff, clock = RestartBackoff(), asyncio.get_running_loop().time
        while not self._stop.is_set():
            started = clock()
            try:
                await run(self._stop)
            except asyncio.CancelledError:
                raise
            except Exception:
                delay = backoff.after_failure(ran_for=clock() - started)
                log.exception("consumer %s stopped; restarting in %.1fs", name, delay)
                await asyncio.sleep(delay)

    async def stop(self) -> None:
        self._stop.set()
        if self.relay is not None:
            self.relay.wake.set()
        for task in self._tasks:
            try:
                await asyncio.wait_for(task, timeout=5)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
            except Exception:
                log.exception("background task %s failed", task.get_name())
        self._tasks.clear()
        if self._producer is not None:
            await self._producer.stop()
        if self.engine is not None:
            await self.engine.dispose()

    @contextlib.asynccontextmanager
    async def running(
        self, before_start: Callable[[AsyncEngine], Awaitable[None]] | None = None
    ) -> AsyncIterator[ServiceRuntime]:
        await self.start(before_start)
        try:
            yield self
        finally:
            await self.stop()
