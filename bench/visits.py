"""Visit ingest (上门服务记录) on a served care-delivery process on PostgreSQL.

``single``: 128 concurrent clients (a city's provider systems; single visits arriving
together share a transaction by group commit, so the figure depends on how many wait at
once) post one visit a request, first as fast as the server answers (the maximum), then
paced at half that rate (the latency figure of the quality bar).
``batch``: 1,000-visit batches from a few concurrent clients.

Set-up: persons and eligibility windows go through the service's own consumer handlers
(PersonEnrolled, EligibilityGranted applied by its read-model consumer, inbox and all); the
provider, its agreement, the caregivers and the care plans through its HTTP API. Every
posted visit passes every verification rule (a real caregiver of the provider, in the fence,
GPS-captured, inside the plan's quota, no overlap, under the daily-hours limit), so the figure
is the full path: validate, load the context, verify, store visit and outbox row.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

import asyncpg
import httpx
import orjson

from bench.common import (
    Result,
    asyncpg_dsn,
    fresh_database,
    per_workers,
    served,
    worker_count,
    workers,
)
from bench.load import LoadClient, Run, closed_loop, paced
from ltci_care_delivery.adapters.tables import metadata
from ltci_care_delivery.domain.visit_commands import CHINA
from ltci_care_delivery.entrypoints.consumers import CONSUMERS
from ltci_care_delivery.settings import Settings
from ltci_shared.events.base import IntegrationEvent
from ltci_shared.events.contracts import EligibilityGranted, PersonEnrolled
from ltci_shared.events.envelope import Envelope
from ltci_shared.ids import resident_id_check_char
from ltci_shared.messaging.message import Message
from ltci_shared.runtime import ServiceRuntime
from ltci_shared.uscc import uscc_check_char

HOME = (33.3475, 120.1633)
PER_PERSON = 20  # visits a person gets (grade 5: 28 visits and 28 hours a month)
SLOTS_PER_DAY = 10  # one-hour visits 08:00-18:00, under the 12-hour daily limit
DAYS = 6  # the last six days: inside the late-submission window


def _resident_id(i: int) -> str:
    body = f"3209021980{1 + i // 28 % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
    return body + resident_id_check_char(body)


def _uscc() -> str:
    body = "91320900MA1XY1234"
    return body + uscc_check_char(body)


class Plan:
    """Who gets which visit: person i // PER_PERSON, caregiver slot i, spread over DAYS days."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.persons = -(-n // PER_PERSON)
        self.caregivers = -(-n // (SLOTS_PER_DAY * DAYS))
        self.today = datetime.now(CHINA).date()

    def visit(self, i: int, person_ids: list[str], caregiver_ids: list[str]) -> dict[str, Any]:
        slot = i % (SLOTS_PER_DAY * DAYS)
        day = self.today - timedelta(days=1 + slot // SLOTS_PER_DAY)
        begin = datetime.combine(day, clock(8 + slot % SLOTS_PER_DAY), tzinfo=CHINA)
        capture = {"latitude": HOME[0], "longitude": HOME[1], "method": "gps"}
        return {
            "external_id": f"HIS-{i:08d}",
            "person_id": person_ids[i // PER_PERSON],
            "caregiver_id": caregiver_ids[i // (SLOTS_PER_DAY * DAYS)],
            "service_form": "home_visit",
            "items": ["ADL01", "ADL02"],
            "check_in": {"at": begin.isoformat(), **capture},
            "check_out": {"at": (begin + timedelta(minutes=55)).isoformat(), **capture},
        }


def person_events(person_ids: list[str], today: date) -> list[IntegrationEvent]:
    """PersonEnrolled and EligibilityGranted (grade 5, in force today) for each person, as
    enrollment and assessment publish them."""
    events: list[IntegrationEvent] = []
    for i, person_id in enumerate(person_ids):
        events.append(
            PersonEnrolled(
                person_id=person_id,
                region_code="320902",
                scheme="resident",
                valid_from=date(2020, 1, 1),
                birth_date=date(1940, 1, 1),
                sex="F" if i % 2 else "M",
                home_latitude=HOME[0],
                home_longitude=HOME[1],
            )
        )
        events.append(
            EligibilityGranted(
                eligibility_id=f"bench-elig-{i:06d}",
                person_id=person_id,
                region_code="320902",
                grade=5,
                valid_from=today - timedelta(days=120),
                valid_until=today + timedelta(days=300),
            )
        )
    return events


async def _enrol(url: str, count: int, today: date) -> list[str]:
    """Persons and eligibility through the service's read-model consumer handlers."""
    settings = Settings(database_url=url)
    runtime = ServiceRuntime(settings, metadata, consumers=CONSUMERS, run_relay=False)
    person_ids = [f"bench-person-{i:06d}" for i in range(count)]
    async with runtime.running():
        consumer = runtime.event_consumers[0]
        for event in person_events(person_ids, today):
            topic = settings.topic(event.producer)
            await consumer.handle(Message(topic, event.key, Envelope.wrap(event).to_bytes()))
    return person_ids


async def _post_all(
    client: httpx.AsyncClient, requests: list[tuple[str, Any]], concurrency: int
) -> list[httpx.Response]:
    queue = list(reversed(requests))
    out: list[httpx.Response] = []

    async def worker() -> None:
        while queue:
            path, body = queue.pop()
            response = await client.post(path, json=body)
            if response.status_code not in (200, 201):
                raise RuntimeError(f"set-up {path}: {response.status_code} {response.text}")
            out.append(response)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return out


async def _world(
    client: httpx.AsyncClient, url: str, plan: Plan
) -> tuple[str, list[str], list[str]]:
    """Provider with an agreement, caregivers (API), persons (consumer), plans (API)."""
    today = plan.today
    r = await client.post(
        "/providers",
        json={
            "uscc": _uscc(),
            "name": "盐城市康宁护理院",
            "region_code": "320900",
            "kind": "home_care",
            "admission_route": "filing",
        },
    )
    provider_id = r.json()["provider_id"]
    await _post_all(
        client,
        [
            (
                f"/providers/{provider_id}/agreements",
                {
                    "agreement_no": "YC-BENCH-1",
                    "valid_from": (today - timedelta(days=365)).isoformat(),
                    "valid_until": (today + timedelta(days=365)).isoformat(),
                    "forms": ["home_visit"],
                    "service_area": ["320902"],
                },
            )
        ],
        1,
    )
    caregivers = await _post_all(
        client,
        [
            (
                "/caregivers",
                {
                    "resident_id": _resident_id(i),
                    "name": f"护理员{i}",
                    "certificate_no": f"HL-{i:05d}",
                    "valid_from": "2020-01-01",
                    "valid_until": (today + timedelta(days=365)).isoformat(),
                    "provider_ids": [provider_id],
                },
            )
            for i in range(plan.caregivers)
        ],
        8,
    )
    caregiver_ids = sorted(r.json()["caregiver_id"] for r in caregivers)
    person_ids = await _enrol(url, plan.persons, today)
    starts = (today - timedelta(days=40)).isoformat()
    body = {"provider_id": provider_id, "service_form": "home_visit", "package_code": "YC-HV-STD"}
    await _post_all(
        client,
        [("/care-plans", {**body, "person_id": p, "starts_on": starts}) for p in person_ids],
        8,
    )
    return provider_id, person_ids, caregiver_ids


def _check(run: Run, expect: int, load: LoadClient) -> None:
    """Every answer a 2xx and every visit accepted as verified (a failure stops the run)."""
    accepted = 0
    for raw in run.bodies:
        body = orjson.loads(raw) if raw else {}
        if "items" in body:
            accepted += sum(
                i["outcome"] == "accepted" and i["status"] == "verified" for i in body["items"]
            )
        elif body.get("outcome") == "accepted" and body["visit"]["status"] == "verified":
            accepted += 1
    if bad := {k: v for k, v in run.statuses.items() if k not in (200, 201)}:
        raise RuntimeError(f"visit posts failed: {bad}{load.failure_note()}")
    if accepted != expect:
        raise RuntimeError(f"{accepted} of {expect} visits were accepted as verified")


async def _settled(url: str) -> float:
    """Between the phases: the relay has published every outbox row of the first (no backlog
    drained during the second) and the planner's statistics count the rows it added (what
    autovacuum would do in the next minute, not in the middle of the measurement)."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    began = time.perf_counter()
    try:
        for _ in range(600):
            if not await connection.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL"):
                break
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError("the relay did not publish the first phase's events in a minute")
        drained = time.perf_counter() - began
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return drained


def _limits(concurrency: int) -> httpx.Limits:
    return httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)


async def single(n: int, port: int = 18131, concurrency: int = 128) -> list[Result]:
    """Maximum single-visit throughput, then latency at half that rate (n visits each)."""
    plan = Plan(2 * n)
    async with (
        fresh_database("bench_visits") as url,
        served("ltci_care_delivery", "CARE_DELIVERY", port, {"DATABASE_URL": url}) as base,
        httpx.AsyncClient(base_url=base, timeout=60, limits=_limits(200)) as client,
    ):
        provider_id, persons, caregivers = await _world(client, url, plan)
        path = f"/providers/{provider_id}/visits"
        first = [(path, plan.visit(i, persons, caregivers)) for i in range(n)]
        second = [(path, plan.visit(i, persons, caregivers)) for i in range(n, 2 * n)]
        load = LoadClient(base, connections=max(concurrency, 256))
        run = await closed_loop(load, first, concurrency)
        _check(run, n, load)
        peak = Result(
            "care-delivery: single visit ingest, maximum" + per_workers(),
            "visits",
            n,
            run.seconds,
            run.latencies_ms,
            notes=f"{concurrency} concurrent clients, one visit a request, each verified and "
            f"stored with its outbox row in one transaction; {workers()}",
        )
        half = peak.rate / 2
        drained = await _settled(url)
        run = await paced(load, second, half)
        await load.aclose()
        _check(run, n, load)
        at_half = Result(
            "care-delivery: single visit ingest, at half the maximum" + per_workers(),
            "visits",
            n,
            run.seconds,
            run.latencies_ms,
            notes=f"open loop at {half:.0f} visits/s (half the measured maximum), once the "
            f"relay has published the first phase ({drained:.1f} s after its end); "
            f"{workers()}; load generator lag p99 {run.lag_p99_ms:.0f} ms; "
            f"worst seconds: {run.worst_seconds()}",
        )
    return [peak, at_half]


async def batch(
    n: int, port: int = 18132, concurrency: int | None = None, size: int = 1000
) -> list[Result]:
    """1,000-visit batches from ``concurrency`` clients (default: two, or four a worker
    process when there are several, since the kernel hands each worker the connections it
    happens to accept); one transaction per batch."""
    if concurrency is None:
        concurrency = 2 if worker_count() == 1 else 4 * worker_count()
    plan = Plan(n)
    async with (
        fresh_database("bench_batch") as url,
        served("ltci_care_delivery", "CARE_DELIVERY", port, {"DATABASE_URL": url}) as base,
        httpx.AsyncClient(base_url=base, timeout=600, limits=_limits(8)) as client,
    ):
        provider_id, persons, caregivers = await _world(client, url, plan)
        path = f"/providers/{provider_id}/visits/batch"
        visits = [plan.visit(i, persons, caregivers) for i in range(n)]
        requests = [(path, {"visits": visits[i : i + size]}) for i in range(0, n, size)]
        load = LoadClient(base, connections=concurrency)
        run = await closed_loop(load, requests, concurrency)
        await load.aclose()
        _check(run, n, load)
    return [
        Result(
            "care-delivery: batch visit ingest" + per_workers(),
            "visits",
            n,
            run.seconds,
            run.latencies_ms,
            notes=f"{size}-visit batches from {concurrency} concurrent clients, each batch "
            "verified and stored (visits, exceptions, outbox rows) in one transaction; "
            f"latencies are per batch; {workers()}",
        )
    ]
