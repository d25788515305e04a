"""Processes die at the worst moments (as under SIGKILL) and come back: nothing acknowledged
is lost, nothing is applied twice, and a retried write has exactly one effect."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from .harness import (
    Service,
    envelopes,
    eventually,
    post_until_acknowledged,
    read_topic,
    services,
    sql,
)

PERSON = {
    "resident_id": "11010519491231002X",
    "name": "张三",
    "region_code": "320902",
    "scheme": "resident",
    "valid_from": "2026-01-01",
}


def _env(url: str, bootstrap: str, prefix: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "BUS": "kafka",
        "KAFKA_BOOTSTRAP": bootstrap,
        "KAFKA_TOPIC_PREFIX": prefix,
        "RELAY_IDLE_SECONDS": "0.05",
    }


@pytest.fixture
async def pair(new_pg_database: Any, kafka_bootstrap: str, topic_prefix: str) -> Any:
    enrollment_db, settlement_db = await new_pg_database(), await new_pg_database()
    enrollment = Service(
        "ltci_enrollment", "ENROLLMENT", _env(enrollment_db, kafka_bootstrap, topic_prefix)
    )
    settlement = Service(
        "ltci_settlement", "SETTLEMENT", _env(settlement_db, kafka_bootstrap, topic_prefix)
    )
    async with services(enrollment, settlement):
        yield enrollment, settlement, enrollment_db, settlement_db


async def _settled(settlement_db: str, person_id: str) -> bool:
    rows = await sql(
        settlement_db, "SELECT count(*) FROM insured_persons WHERE person_id = :p", p=person_id
    )
    return bool(rows[0][0])


async def test_api_killed_after_commit_before_the_answer_then_retried(
    pair: Any, kafka_bootstrap: str, topic_prefix: str
) -> None:
    enrollment, _, enrollment_db, _ = pair
    await enrollment.start(faults="http_after_commit:1")
    async with httpx.AsyncClient(base_url=enrollment.url) as client:
        with pytest.raises(httpx.TransportError):
            await client.post("/persons", json=PERSON, headers={"Idempotency-Key": "k-1"})
        assert await enrollment.exited() == 137
        await enrollment.start()
        retried = await client.post("/persons", json=PERSON, headers={"Idempotency-Key": "k-1"})
    assert retried.status_code == 201 and retried.headers["Idempotent-Replayed"] == "true"
    assert (await sql(enrollment_db, "SELECT count(*) FROM persons"))[0][0] == 1
    records = await read_topic(kafka_bootstrap, f"{topic_prefix}.enrollment.events", expect=2)
    assert sorted({e["type"] for e in envelopes(records)}) == [
        "MembershipChanged",
        "PersonEnrolled",
    ]
    assert {e["subject"] for e in envelopes(records)} == {retried.json()["person_id"]}


async def test_relay_killed_after_the_broker_ack_publishes_again_and_consumers_apply_once(
    pair: Any, kafka_bootstrap: str, topic_prefix: str
) -> None:
    enrollment, settlement, _, settlement_db = pair
    await settlement.start()
    await enrollment.start(faults="relay_after_publish:1")
    async with httpx.AsyncClient(base_url=enrollment.url) as client:
        with_person = await post_until_acknowledged(client, "/persons", PERSON, "k-2")
    person_id = with_person[0].json()["person_id"]
    assert await enrollment.exited() == 137  # died holding the ack, rows not marked sent
    await enrollment.start()
    records = await read_topic(kafka_bootstrap, f"{topic_prefix}.enrollment.events", expect=4)
    ids = [e["id"] for e in envelopes(records)]
    assert len(ids) == 4 and len(set(ids)) == 2  # every event twice: duplicates, never gaps
    assert await eventually(lambda: _settled(settlement_db, person_id))
    await asyncio.sleep(1)  # let the second copies arrive
    inbox = await sql(settlement_db, "SELECT event_id FROM inbox")
    assert sorted(r[0] for r in inbox) == sorted(set(ids))


async def test_consumer_killed_between_its_commit_and_the_offset_commit(
    pair: Any, kafka_bootstrap: str, topic_prefix: str
) -> None:
    enrollment, settlement, _, settlement_db = pair
    await enrollment.start()
    await settlement.start(faults="consumer_after_commit:1")
    async with httpx.AsyncClient(base_url=enrollment.url) as client:
        person_id = (await post_until_acknowledged(client, "/persons", PERSON, "k-3"))[0].json()[
            "person_id"
        ]
    assert await settlement.exited() == 137
    assert await _settled(settlement_db, person_id)  # the effect committed before the crash
    await settlement.start()  # the same records are delivered again
    records = await read_topic(kafka_bootstrap, f"{topic_prefix}.enrollment.events", expect=2)
    expected = sorted(e["id"] for e in envelopes(records))

    async def all_applied() -> bool:
        inbox = await sql(settlement_db, "SELECT event_id FROM inbox")
        return sorted(r[0] for r in inbox) == expected

    assert await eventually(all_applied)
    rows = await sql(settlement_db, "SELECT count(*) FROM insured_persons")
    assert rows[0][0] == 1
