"""Events flow on the real Kafka broker: enrollment's PersonEnrolled arrives through the
topic, and the final grade leaves as AssessmentCompleted and EligibilityGranted, keyed by
the person."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI

from ltci_assessment.app import create_app
from ltci_assessment.settings import Settings
from ltci_shared.events.envelope import Envelope

from .support import PERSON, SEVERE, Driver, enrolled


@pytest.fixture
async def kafka_app(pg_url: str, kafka_bootstrap: str, topic_prefix: str) -> AsyncIterator[FastAPI]:
    settings = Settings(
        database_url=pg_url,
        bus="kafka",
        kafka_bootstrap=kafka_bootstrap,
        kafka_topic_prefix=topic_prefix,
        relay_idle_seconds=0.05,
    )
    application = create_app(settings, migrate=True)
    async with application.router.lifespan_context(application):
        yield application


async def _read(bootstrap: str, topic: str, expect: int) -> list[Any]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"check-{uuid.uuid4().hex[:6]}",
    )
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while len(records) < expect and asyncio.get_running_loop().time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def test_enrollment_events_in_and_grading_events_out_through_kafka(
    kafka_app: FastAPI, kafka_bootstrap: str, topic_prefix: str
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        event = enrolled()
        await producer.send_and_wait(
            f"{topic_prefix}.enrollment.events",
            Envelope.wrap(event).to_bytes(),
            key=event.key.encode(),
        )
    finally:
        await producer.stop()
    transport = httpx.ASGITransport(app=kafka_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://assessment") as client:
        for _ in range(300):  # the person arrives through the topic, not by a direct call
            if (await client.get(f"/persons/{PERSON}")).status_code == 200:
                break
            await asyncio.sleep(0.1)
        driver = Driver(kafka_app, client)
        await driver.registry()
        final = await driver.to_final(await driver.apply(), SEVERE)
    assert (final["status"], final["grade"], final["eligible"]) == ("final", 3, True)
    records = await _read(kafka_bootstrap, f"{topic_prefix}.assessment.events", 2)
    envelopes = [orjson.loads(r.value) for r in records]
    assert sorted(e["type"] for e in envelopes) == ["AssessmentCompleted", "EligibilityGranted"]
    assert {r.key.decode() for r in records} == {PERSON}
    granted = next(e["data"] for e in envelopes if e["type"] == "EligibilityGranted")
    assert (granted["grade"], granted["valid_from"]) == (3, "2025-03-17")
