"""Enrollment's six event types reach the real Kafka broker through the outbox, keyed by
the person (or the contribution), never carrying a resident ID or a name."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from aiokafka import AIOKafkaConsumer

from ltci_enrollment.app import create_app
from ltci_enrollment.settings import EnrollmentSettings

from .support import PERSON, RID


@pytest.fixture
async def kafka_client(
    pg_url: str, kafka_bootstrap: str, topic_prefix: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = EnrollmentSettings(
        database_url=pg_url,
        bus="kafka",
        kafka_bootstrap=kafka_bootstrap,
        kafka_topic_prefix=topic_prefix,
        relay_idle_seconds=0.05,
    )
    app = create_app(settings, migrate=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://enrollment") as c:
            yield c


async def _read(bootstrap: str, topic: str, expected: int) -> list[Any]:
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
        while len(records) < expected and asyncio.get_running_loop().time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def test_every_enrollment_event_is_published_to_kafka(
    kafka_client: httpx.AsyncClient, kafka_bootstrap: str, topic_prefix: str
) -> None:
    c = kafka_client
    pid = (await c.post("/persons", json={**PERSON, "region_code": "320402"})).json()["person_id"]
    await c.patch(f"/persons/{pid}", json={"address": "常州市天宁区", "reason": "moved"})
    await c.post(
        f"/persons/{pid}/assistance-categories",
        json={"category": "dibao", "valid_from": "2026-01-01", "source": "民政局"},
    )
    await c.post(
        "/collection-runs", params={"wait": "true"}, json={"region_code": "320400", "year": 2026}
    )
    await c.post(
        "/contributions/settlements",
        json={
            "region_code": "320400",
            "year": 2026,
            "payer": "assistance_subsidy",
            "received_on": "2026-02-01",
            "reference": "SUB-1",
        },
    )
    await c.post(f"/persons/{pid}/death", json={"died_on": "2026-11-02"})
    records = await _read(kafka_bootstrap, f"{topic_prefix}.enrollment.events", 8)
    types = [orjson.loads(r.value)["type"] for r in records]
    assert sorted(set(types)) == [
        "AssistanceCategoryChanged",
        "ContributionPosted",
        "EnrollmentEnded",
        "MembershipChanged",
        "PersonEnrolled",
        "PersonUpdated",
    ]
    for record in records:
        text = record.value.decode()
        assert RID not in text and PERSON["name"] not in text
        envelope = orjson.loads(record.value)
        if envelope["type"] != "ContributionPosted":
            assert record.key.decode() == pid == envelope["subject"]
    posted = next(orjson.loads(r.value) for r in records if b"ContributionPosted" in r.value)
    assert (posted["data"]["payer"], posted["data"]["amount"]) == ("assistance_subsidy", "380.00")
