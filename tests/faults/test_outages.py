"""Outages under load: Kafka stopped, PostgreSQL connections cut. The API keeps its promises:
every acknowledged write exists exactly once and reaches the broker; no answer is a 500."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import httpx
import pytest

from .harness import (
    Service,
    envelopes,
    eventually,
    kafka_async,
    post_until_acknowledged,
    read_topic,
    services,
    sql,
)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def person(i: int) -> dict[str, str]:
    body = f"3209021955{1 + i // 1000 % 12:02d}{1 + i // 100 % 28:02d}{i % 100:03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]
    return {
        "resident_id": body + check,
        "name": f"居民{i}",
        "region_code": "320902",
        "scheme": "resident",
        "valid_from": "2026-01-01",
    }


@pytest.fixture
async def enrollment(new_pg_database: Any, kafka_bootstrap: str, topic_prefix: str) -> Any:
    url = await new_pg_database()
    service = Service(
        "ltci_enrollment",
        "ENROLLMENT",
        {
            "DATABASE_URL": url,
            "BUS": "kafka",
            "KAFKA_BOOTSTRAP": kafka_bootstrap,
            "KAFKA_TOPIC_PREFIX": topic_prefix,
            "RELAY_IDLE_SECONDS": "0.05",
        },
    )
    async with services(service):
        await service.start()
        yield service, url


async def _unsent(url: str) -> int:
    return int((await sql(url, "SELECT count(*) FROM outbox WHERE sent_at IS NULL"))[0][0])


async def _kafka_outage(
    enrollment: Any, kafka_bootstrap: str, topic_prefix: str, *, outage_s: float, rate: float
) -> dict[str, float]:
    service, url = enrollment
    acked: list[str] = []
    statuses: list[int] = []
    async with httpx.AsyncClient(base_url=service.url, timeout=30) as client:

        async def load(start: int, seconds: float) -> None:
            i, t_end = start, time.monotonic() + seconds
            while time.monotonic() < t_end:
                r, seen = await post_until_acknowledged(client, "/persons", person(i), f"k{i}")
                statuses.extend(seen)
                assert r.status_code == 201, r.text
                acked.append(r.json()["person_id"])
                i += 1
                await asyncio.sleep(1 / rate)

        await load(0, 1)
        await kafka_async("stop")
        try:
            await load(10_000, outage_s)  # the API keeps accepting while the broker is down
            backlog = await _unsent(url)
        finally:
            await kafka_async("start")
        began = time.monotonic()
        assert await eventually(lambda: _drained(url), timeout=120)
        drain_s = time.monotonic() - began
    assert 500 not in statuses
    records = await read_topic(
        kafka_bootstrap, f"{topic_prefix}.enrollment.events", expect=2 * len(acked)
    )
    published = {e["subject"] for e in envelopes(records) if e["type"] == "PersonEnrolled"}
    assert published == set(acked)  # nothing acknowledged is missing from the topic
    return {"acked": len(acked), "backlog": backlog, "drain_s": drain_s}


async def _drained(url: str) -> bool:
    return await _unsent(url) == 0


async def test_kafka_down_the_api_keeps_accepting_and_the_backlog_drains(
    enrollment: Any, kafka_bootstrap: str, topic_prefix: str
) -> None:
    figures = await _kafka_outage(enrollment, kafka_bootstrap, topic_prefix, outage_s=8, rate=20)
    assert figures["backlog"] > 0  # events really waited in the outbox


@pytest.mark.full
async def test_kafka_down_for_three_minutes_under_load(
    enrollment: Any, kafka_bootstrap: str, topic_prefix: str
) -> None:
    figures = await _kafka_outage(enrollment, kafka_bootstrap, topic_prefix, outage_s=180, rate=20)
    ingest_rate = figures["backlog"] / 180
    drain_rate = figures["backlog"] / max(figures["drain_s"], 0.001)
    print(
        f"backlog {figures['backlog']} events, drained at {drain_rate:.0f}/s "
        f"(ingest {ingest_rate:.0f}/s)"
    )
    assert drain_rate >= 5 * ingest_rate


async def test_cut_database_connections_never_lose_or_double_a_write(
    enrollment: Any,
) -> None:
    service, url = enrollment
    rng = random.Random(20261125)  # the seeded points where connections are cut
    statuses: list[int] = []

    async def cutter() -> None:
        for _ in range(6):
            await asyncio.sleep(rng.uniform(0.05, 0.4))
            await sql(
                url.rsplit("/", 1)[0] + "/postgres",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()",
                db=url.rsplit("/", 1)[1],
            )

    async with httpx.AsyncClient(base_url=service.url, timeout=30) as client:

        async def write(i: int) -> str:
            r, seen = await post_until_acknowledged(client, "/persons", person(i), f"c{i}")
            statuses.extend(seen)
            assert r.status_code == 201, r.text
            return str(r.json()["person_id"])

        results = await asyncio.gather(cutter(), *(write(i) for i in range(60)))
    ids = results[1:]
    assert 500 not in statuses, statuses
    assert len(statuses) > 60  # the cuts really broke requests (answered 503, then retried)
    assert len(set(ids)) == 60
    assert (await sql(url, "SELECT count(*) FROM persons"))[0][0] == 60
    events = await sql(url, "SELECT count(*) FROM outbox WHERE type = 'PersonEnrolled'")
    assert events[0][0] == 60
