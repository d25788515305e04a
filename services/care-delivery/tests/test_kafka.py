"""On the real servers: read models fed from Kafka, a verified visit published to Kafka."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from ltci_care_delivery.app import create_app
from ltci_care_delivery.settings import Settings
from ltci_shared.events.base import IntegrationEvent
from ltci_shared.events.contracts import EligibilityGranted, PersonEnrolled
from ltci_shared.events.envelope import Envelope

from .support import HOME, TODAY, World, active_provider, caregiver, ok, visit

pytestmark = pytest.mark.kafka


@pytest.fixture
async def kafka_client(
    pg_url: str, kafka_bootstrap: str, topic_prefix: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=pg_url,
        bus="kafka",
        kafka_bootstrap=kafka_bootstrap,
        kafka_topic_prefix=topic_prefix,
        relay_idle_seconds=0.05,
    )
    app = create_app(settings, migrate=True)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://care") as c,
    ):
        yield c


async def publish(bootstrap: str, prefix: str, events: list[IntegrationEvent]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for event in events:
            topic = f"{prefix}.{event.producer}.events"
            await producer.send_and_wait(
                topic, Envelope.wrap(event).to_bytes(), key=event.key.encode()
            )
    finally:
        await producer.stop()


async def read_until(
    bootstrap: str, topic: str, wanted: str, timeout: float = 30
) -> list[dict[str, Any]]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"reader-{uuid.uuid4().hex[:6]}",
    )
    await consumer.start()
    seen: list[dict[str, Any]] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                seen += [json.loads(r.value) for r in records]
            if any(e["type"] == wanted for e in seen):
                break
    finally:
        await consumer.stop()
    return seen


async def test_events_in_from_kafka_and_a_verified_visit_out_to_kafka(
    kafka_client: httpx.AsyncClient, kafka_bootstrap: str, topic_prefix: str
) -> None:
    person_id = f"p-{uuid.uuid4().hex[:8]}"
    await publish(
        kafka_bootstrap,
        topic_prefix,
        [
            PersonEnrolled(
                person_id=person_id,
                region_code="320902",
                scheme="employee",
                valid_from=date(2020, 1, 1),
                birth_date=date(1941, 2, 3),
                sex="M",
                home_latitude=HOME[0],
                home_longitude=HOME[1],
            ),
            EligibilityGranted(
                eligibility_id=f"e-{person_id}",
                person_id=person_id,
                region_code="320902",
                grade=5,
                valid_from=TODAY - timedelta(days=90),
                valid_until=TODAY + timedelta(days=90),
            ),
        ],
    )
    provider = await active_provider(kafka_client)
    plan_body = {
        "person_id": person_id,
        "provider_id": provider,
        "service_form": "home_visit",
        "package_code": "YC-HV-STD",
        "starts_on": str(TODAY - timedelta(days=30)),
    }
    deadline = asyncio.get_running_loop().time() + 30
    while True:  # until the consumer has applied both events from Kafka
        r = await kafka_client.post("/care-plans", json=plan_body)
        if r.status_code == 201 or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.2)
    plan = ok(r, 201)
    w = World(provider, await caregiver(kafka_client, [provider]), person_id, plan["plan_id"], "")
    logged = ok(await kafka_client.post(f"/providers/{provider}/visits", json=visit(w, "k-1")), 201)
    assert logged["visit"]["status"] == "verified"
    topic = f"{topic_prefix}.care-delivery.events"
    seen = await read_until(kafka_bootstrap, topic, "ServiceVisitLogged")
    [event] = [e for e in seen if e["type"] == "ServiceVisitLogged"]
    assert event["subject"] == person_id
    assert event["data"]["visit_id"] == logged["visit"]["visit_id"]
    assert event["data"]["verified"] is True and event["data"]["plan_id"] == plan["plan_id"]
    assert "CarePlanActivated" in [e["type"] for e in seen]
