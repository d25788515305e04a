"""The hardware's limits on this machine, measured in the same run: raw PostgreSQL COPY of
visit-shaped rows and raw produce/consume of event-sized payloads on the same Kafka broker."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.common import KAFKA, Result, asyncpg_dsn, fresh_database

VISIT_COLUMNS = (
    "visit_id",
    "provider_id",
    "person_id",
    "caregiver_id",
    "service_date",
    "begin_at",
    "end_at",
    "items",
    "payload",
)


def visit_rows(n: int) -> list[tuple[object, ...]]:
    begin = datetime(2026, 11, 1, 8, tzinfo=UTC)
    return [
        (
            str(uuid.uuid4()),
            "prov-1",
            f"person-{i % 40000}",
            f"cg-{i % 1200}",
            begin.date(),
            begin,
            begin + timedelta(hours=1),
            "ADL01,ADL02",
            '{"verified": true}',
        )
        for i in range(n)
    ]


async def pg_copy(n: int) -> Result:
    async with fresh_database("ref") as url:
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            await conn.execute(
                "CREATE TABLE visits (visit_id text primary key, provider_id text, person_id text,"
                " caregiver_id text, service_date date, begin_at timestamptz, end_at timestamptz,"
                " items text, payload text)"
            )
            rows = visit_rows(n)
            start = time.perf_counter()
            await conn.copy_records_to_table("visits", records=rows, columns=VISIT_COLUMNS)
            seconds = time.perf_counter() - start
        finally:
            await conn.close()
    return Result(
        "reference: PostgreSQL COPY",
        "rows",
        n,
        seconds,
        notes="asyncpg copy_records_to_table into a table with a primary key",
    )


async def kafka_raw(n: int, payload_size: int = 700) -> tuple[Result, Result]:
    topic = f"bench-ref-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()
    payload = b"x" * payload_size
    producer = AIOKafkaProducer(
        bootstrap_servers=KAFKA, enable_idempotence=True, acks="all", linger_ms=5
    )
    await producer.start()
    try:
        start = time.perf_counter()
        futures = [
            await producer.send(topic, payload, key=f"p{i % 40000}".encode()) for i in range(n)
        ]
        for f in futures:
            await f
        produce_s = time.perf_counter() - start
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=KAFKA,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"ref-{uuid.uuid4().hex[:6]}",
    )
    await consumer.start()
    try:
        got, start = 0, time.perf_counter()
        while got < n:
            for batch in (await consumer.getmany(timeout_ms=1000, max_records=5000)).values():
                got += len(batch)
        consume_s = time.perf_counter() - start
    finally:
        await consumer.stop()
    note = f"{payload_size}-byte payloads, idempotent producer, acks=all, 3 partitions"
    return (
        Result("reference: Kafka produce", "messages", n, produce_s, notes=note),
        Result("reference: Kafka consume", "messages", n, consume_s, notes=note),
    )
