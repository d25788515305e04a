"""Consumer-group rebalances on the real Kafka: a member that loses partitions while it holds
a batch finishes that batch and commits its offset before giving them up, never applies
records of a revoked partition afterwards, and keeps running; the next owner starts right
after the committed offset, so no event is delivered twice, let alone applied twice."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from typing import Any

from sqlalchemy import select

from ltci_shared.events.envelope import Envelope
from ltci_shared.messaging.consumer import EventConsumer, Outcome
from ltci_shared.messaging.inprocess import SqlDeadLetterSink
from ltci_shared.messaging.kafka import (
    KafkaConsumerRunner,
    KafkaPublisher,
    ensure_topics,
    new_producer,
)
from ltci_shared.messaging.message import Message
from ltci_shared.uow import UnitOfWork

from .harness import Side, _applied_table, person_event

PARTITIONS = 4


class Member:
    """One consumer-group member: its runner, its task and the outcomes it saw."""

    def __init__(self, sink: Side, bootstrap: str, topic: str, group: str, hold: bool) -> None:
        self.outcomes: Counter[Outcome] = Counter()
        self.in_batch = asyncio.Event()
        self._hold = hold
        self._sink = sink
        consumer = EventConsumer(
            "rebalance-sink",
            lambda: UnitOfWork(sink.sessionmaker, sink.tables, topic_for=lambda p: p),
            sink.tables,
            {"PersonEnrolled": self._apply},
            SqlDeadLetterSink(sink.sessionmaker, sink.tables),
        )
        consumer.after_commit = self._seen
        self.runner = KafkaConsumerRunner(consumer, bootstrap, [topic], group_id=group)
        self.task: asyncio.Task[None] | None = None

    async def _apply(self, uow: UnitOfWork, event: Any, envelope: Envelope) -> None:
        if self._hold:  # the first batch is held until this member is asked to give it up
            self._hold = False
            self.in_batch.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.runner.revoking.wait(), timeout=20)
        table = self._sink.metadata.tables["applied"]
        await uow.session.execute(
            table.insert().values(person_id=event.person_id, event_id=envelope.id)
        )

    async def _seen(self, message: Message, outcome: Outcome) -> None:
        self.outcomes[outcome] += 1

    async def start(self, stop: asyncio.Event) -> None:
        self.task = asyncio.create_task(self.runner.run(stop))
        await asyncio.wait_for(self.runner.started.wait(), timeout=30)


async def _publish(producer: Any, topic: str, numbers: range) -> None:
    events = [person_event(n) for n in numbers]
    await KafkaPublisher(producer).publish(
        [Message(topic, e.person_id, Envelope.wrap(e).to_bytes()) for e in events]
    )


async def _applied(sink: Side) -> Counter[str]:
    table = sink.metadata.tables["applied"]
    async with sink.sessionmaker() as s:
        return Counter(r[0] for r in await s.execute(select(table.c.person_id)))


async def _until_applied(sink: Side, count: int, timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    for _ in range(int(timeout * 10)):
        if len(await _applied(sink)) >= count or asyncio.get_running_loop().time() > deadline:
            return
        await asyncio.sleep(0.1)


async def test_a_member_losing_partitions_mid_batch_hands_over_without_redelivery(
    pg_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = f"{topic_prefix}.rebalance.events"
    await ensure_topics(kafka_bootstrap, [topic], partitions=PARTITIONS)
    sink = await Side.create(pg_url, _applied_table)
    producer = new_producer(kafka_bootstrap)
    await producer.start()
    stop = asyncio.Event()
    first = Member(sink, kafka_bootstrap, topic, f"{topic_prefix}-g", hold=True)
    second = Member(sink, kafka_bootstrap, topic, f"{topic_prefix}-g", hold=False)
    try:
        await _publish(producer, topic, range(40))
        await first.start(stop)
        await asyncio.wait_for(first.in_batch.wait(), timeout=30)
        await second.start(stop)  # joins: the group rebalances while `first` holds a batch
        await asyncio.wait_for(first.runner.revoking.wait(), timeout=30)
        await _publish(producer, topic, range(40, 80))
        await _until_applied(sink, 80)
        await asyncio.sleep(1.0)  # room for a late duplicate delivery to show
        counts = await _applied(sink)
        assert first.task is not None and not first.task.done(), "the first member kept running"
        assert second.task is not None and not second.task.done()
    finally:
        stop.set()
        for member in (first, second):
            if member.task is not None:
                await asyncio.wait_for(member.task, timeout=30)
        await producer.stop()
        await sink.engine.dispose()
    assert counts == Counter({f"p-{n}": 1 for n in range(80)})
    assert first.outcomes[Outcome.APPLIED] > 0 and second.outcomes[Outcome.APPLIED] > 0
    # The held batch was committed with its offset before the hand-over, and nothing fetched
    # before the revocation was applied after it: no event reached a member twice.
    assert first.outcomes[Outcome.DUPLICATE] + second.outcomes[Outcome.DUPLICATE] == 0
