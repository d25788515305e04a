"""The Apache Kafka adapter: idempotent producer, manual-commit consumer runner, dead-letter topic."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import CommitFailedError, IllegalStateError, TopicAlreadyExistsError

from ltci_shared.faults import crash_point
from ltci_shared.messaging.consumer import EventConsumer
from ltci_shared.messaging.message import Message

log = logging.getLogger(__name__)

DLQ_REASON = "ltci-dlq-reason"
DLQ_TOPIC = "ltci-original-topic"
DLQ_PARTITION = "ltci-original-partition"
DLQ_OFFSET = "ltci-original-offset"
DLQ_CONSUMER = "ltci-consumer"
# A fetch: up to this many records over all assigned partitions, each partition's share
# applied in one transaction (a visit event is under 1 KB: 4 MB holds a full share).
MAX_RECORDS = 2000
MAX_PARTITION_FETCH_BYTES = 4 * 1024 * 1024


def dead_letter_topic(consumer: str, prefix: str = "ltci") -> str:
    return f"{prefix}.dlq.{consumer}"


def new_producer(bootstrap: str) -> AIOKafkaProducer:
    """Idempotent producer, acks from all in-sync replicas."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_batch_size=1024 * 1024,
        request_timeout_ms=30_000,
    )


class KafkaPublisher:
    """Publisher port over an AIOKafkaProducer: returns only after every send is acknowledged."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer

    async def publish(self, messages: Sequence[Message]) -> None:
        futures = [
            await self._producer.send(
                m.topic, m.value, key=m.key.encode(), headers=list(m.headers), partition=m.partition
            )
            for m in messages
        ]
        await asyncio.gather(*futures)


class KafkaDeadLetterSink:
    """Sends a failed message, with the reason in headers, to the consumer's dead-letter topic."""

    def __init__(self, producer: AIOKafkaProducer, prefix: str = "ltci") -> None:
        self._producer = producer
        self._prefix = prefix

    async def send(
        self, consumer: str, message: Message, reason: str, event_id: str | None
    ) -> None:
        headers = [
            (DLQ_REASON, reason.encode()),
            (DLQ_TOPIC, message.topic.encode()),
            (DLQ_PARTITION, str(message.partition).encode()),
            (DLQ_OFFSET, str(message.offset).encode()),
            (DLQ_CONSUMER, consumer.encode()),
        ]
        await self._producer.send_and_wait(
            dead_letter_topic(consumer, self._prefix),
            message.value,
            key=message.key.encode() if message.key else None,
            headers=headers,
        )


async def ensure_topics(bootstrap: str, topics: Iterable[str], partitions: int = 3) -> None:
    """Create the topics that do not exist yet (replication 1 on a single dev broker)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(t, partitions, 1) for t in set(topics) - existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()


class KafkaConsumerRunner:
    """Feeds an EventConsumer from Kafka; commits offsets only after the database commit.

    Rebalances: a partition's batch is applied and its offset committed under the runner's
    lock, and the rebalance listener takes that lock before the partitions are given up, so
    a revocation waits for the batch in hand and its offset commit (still in its generation:
    the broker accepts it) and the next owner starts right after it. Records returned before
    a revocation and not yet applied are dropped, never applied late: whoever owns their
    partition next reads them again from the committed offset.
    """

    def __init__(
        self,
        consumer: EventConsumer,
        bootstrap: str,
        topics: Sequence[str],
        *,
        group_id: str | None = None,
        max_records: int = MAX_RECORDS,
        max_partition_fetch_bytes: int = MAX_PARTITION_FETCH_BYTES,
    ) -> None:
        self.consumer = consumer
        self._max_records = max_records
        self._max_partition_fetch_bytes = max_partition_fetch_bytes
        self._bootstrap = bootstrap
        self._topics = list(topics)
        self._group_id = group_id or consumer.name
        self.started = asyncio.Event()
        self.revoking = asyncio.Event()  # set when a revocation begins (observability, tests)
        self._lock = asyncio.Lock()
        self._epoch = 0  # one more at every revocation

    async def run(self, stop: asyncio.Event) -> None:
        kc = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            group_id=self._group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self._max_records,
            max_partition_fetch_bytes=self._max_partition_fetch_bytes,
        )
        await kc.start()
        kc.subscribe(self._topics, listener=_Revocations(self))
        self.started.set()
        try:
            while not stop.is_set():
                batches = await kc.getmany(timeout_ms=200, max_records=self._max_records)
                epoch = self._epoch  # getmany returns only records of the current assignment
                for tp, records in batches.items():
                    async with self._lock:
                        if self._epoch != epoch:
                            log.info("%d records of %s dropped: revoked", len(records), tp)
                            continue
                        await self._process(kc, tp, records)
        finally:
            await kc.stop()

    async def _revoked(self, revoked: set[TopicPartition]) -> None:
        if not revoked:  # the first join of this member: nothing held yet
            return
        self.revoking.set()
        async with self._lock:  # the batch in hand finishes and commits its offset first
            self._epoch += 1
        log.info("consumer group %s: %d partitions revoked", self._group_id, len(revoked))

    async def _process(self, kc: AIOKafkaConsumer, tp: TopicPartition, records: list) -> None:
        await self.consumer.handle_batch(
            [
                Message(
                    topic=record.topic,
                    key=(record.key or b"").decode(),
                    value=record.value,
                    headers=tuple(record.headers or ()),
                    partition=record.partition,
                    offset=record.offset,
                )
                for record in records
            ]
        )
        crash_point("consumer_after_commit")
        try:
            await kc.commit({tp: records[-1].offset + 1})
        except (CommitFailedError, IllegalStateError) as exc:
            log.warning(
                "offset commit for %s refused (%s); records will be redelivered",
                tp,
                type(exc).__name__,
            )


class _Revocations(ConsumerRebalanceListener):
    """Makes a revocation wait for the runner's batch in hand (see KafkaConsumerRunner)."""

    def __init__(self, runner: KafkaConsumerRunner) -> None:
        self._runner = runner

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._runner._revoked(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        log.info("consumer group %s: %d partitions assigned", self._runner._group_id, len(assigned))


async def replay_dead_letters(bootstrap: str, consumer: str, prefix: str = "ltci") -> int:
    """Re-publish the dead letters of ``consumer`` to their original topics; returns the count.

    Replays what the dead-letter topic holds when the replay starts (a message that fails again
    lands after that end and waits for the next replay). The position is kept in the group
    ``<consumer>.dlq-replay``, so each dead letter is replayed once; the consumers' inboxes make
    a replay of an already-applied event harmless.
    """
    topic = dead_letter_topic(consumer, prefix)
    kc = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=f"{consumer}.dlq-replay",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = new_producer(bootstrap)
    await kc.start()
    await producer.start()
    try:
        if topic not in await kc.topics():
            return 0
        partitions = [
            TopicPartition(topic, p) for p in sorted(await producer.partitions_for(topic))
        ]
        kc.assign(partitions)
        ends = await kc.end_offsets(partitions)
        return sum([await _replay_partition(kc, producer, tp, ends[tp]) for tp in partitions])
    finally:
        await producer.stop()
        await kc.stop()


async def _replay_partition(
    kc: AIOKafkaConsumer, producer: AIOKafkaProducer, tp: TopicPartition, end: int
) -> int:
    committed = await kc.committed(tp)
    if committed is None:
        await kc.seek_to_beginning(tp)
    else:
        kc.seek(tp, committed)
    replayed = 0
    while await kc.position(tp) < end:
        for r in (await kc.getmany(tp, timeout_ms=1000, max_records=500)).get(tp, []):
            if r.offset >= end:
                break
            original = dict(r.headers or ()).get(DLQ_TOPIC, b"").decode()
            if original:
                await producer.send_and_wait(
                    original,
                    r.value,
                    key=r.key,
                    headers=[("ltci-replayed-from", tp.topic.encode())],
                )
                replayed += 1
            else:
                log.error("dead letter at %s:%s names no original topic; skipped", tp, r.offset)
            await kc.commit({tp: r.offset + 1})
    return replayed
