"""End to end (全链路): visits accepted over HTTP by care-delivery → outbox → relay → Kafka
→ settlement's consumer → settlement's read model, each service a real process on PostgreSQL
and Kafka (full mode); then the month-end run that posts those visits to the ledger.

In this design the ledger is posted by the month-end run, not per visit (a month's claim is
adjudicated as a whole, with quotas and caps over the month), so the per-visit path ends at
settlement's visit row, and the posting is timed on its own.

Two phases: visits offered at the bar's 2,000 a second (what the whole path sustains; the
latencies include the queue when it cannot keep up), then offered at half of what the first
phase sustained (the latency of a path that keeps up).

Set-up reuses the visits benchmark's world (provider, agreement, caregivers and plans through
care-delivery's API; persons and eligibility through its consumer handlers). Settlement
learns of the plans from care-delivery's events on Kafka, and of the persons and their
eligibility from PersonEnrolled and EligibilityGranted that this benchmark publishes on the
enrollment and assessment topics, as those services would (care-delivery consumes them too:
its handlers upsert, so they change nothing there).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import date
from typing import Any

import asyncpg
import httpx
import orjson

from bench.common import KAFKA, Result, asyncpg_dsn, fresh_database, percentiles, served
from bench.load import LoadClient, Run
from bench.visits import Plan, _check, _limits, _world, person_events
from ltci_shared.events.envelope import Envelope
from ltci_shared.messaging.kafka import KafkaPublisher, new_producer
from ltci_shared.messaging.message import Message

RATE = 2_200  # visits offered a second: 10 % above the quality bar's sustained rate
BATCH = 200  # visits a request: one batch every 0.09 s at RATE
POLL_S = 0.05  # how often settlement's read model is looked at
SAMPLE = 1_000  # visits a phase whose own latency is measured
Conns = tuple[asyncpg.Connection, asyncpg.Connection]  # care-delivery's, settlement's
LOAD_BEFORE = [0.0]  # the 1-minute load average when the run began (others' work shows here)


def _env(url: str, prefix: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "BUS": "kafka",
        "KAFKA_BOOTSTRAP": KAFKA,
        "KAFKA_TOPIC_PREFIX": prefix,
    }


async def _publish_people(prefix: str, person_ids: list[str], today: date) -> None:
    """PersonEnrolled and EligibilityGranted for the world's persons, on their topics."""
    events = person_events(person_ids, today)
    producer = new_producer(KAFKA)
    await producer.start()
    try:
        await KafkaPublisher(producer).publish(
            [
                Message(f"{prefix}.{e.producer}.events", e.key, Envelope.wrap(e).to_bytes())
                for e in events
            ]
        )
    finally:
        await producer.stop()


async def _count(conn: asyncpg.Connection, query: str) -> int:
    return int(await conn.fetchval(query))


async def _settled_world(conn: asyncpg.Connection, persons: int, timeout: float = 600) -> None:
    """Wait until settlement holds every person, eligibility window and plan of the world."""
    deadline = time.monotonic() + timeout
    queries = ("insured_persons", "eligibilities", "care_plans")
    while [await _count(conn, f"SELECT count(*) FROM {t}") for t in queries] != [persons] * 3:
        if time.monotonic() > deadline:
            raise RuntimeError("settlement never received the set-up events")
        await asyncio.sleep(0.5)


class Watch:
    """One phase: when each visit was accepted (its batch's 2xx answer) and, for a sample of
    them, when its row became visible in settlement (the sample keeps the poll cheap)."""

    def __init__(self, rate: float, expect: int, visible_before: int) -> None:
        self.rate, self.expect, self.visible_before = rate, expect, visible_before
        self.every = max(1, expect // SAMPLE)
        self.began = self.last_accepted = self.last_visible = 0.0
        self.accepted = 0
        self.sampled: dict[str, float] = {}
        self.visible: dict[str, float] = {}
        self.batch_ms: list[float] = []
        self.answers = Run(0.0)
        self.relay_lag = ""

    def took(self, start: int, status: int, raw: bytes, at: float) -> None:
        self.answers.statuses[status] += 1
        self.answers.bodies.append(raw)
        if status != 200:
            return
        for item in orjson.loads(raw)["items"]:
            if item["outcome"] == "accepted":
                self.accepted += 1
                self.last_accepted = at
                if (start + item["index"]) % self.every == 0:
                    self.sampled[item["visit_id"]] = at

    async def poll(self, conn: asyncpg.Connection, timeout: float = 900) -> None:
        """Until every visit of the phase is in settlement's read model."""
        deadline, rounds = time.perf_counter() + timeout, 0
        while True:
            pending = [v for v in self.sampled if v not in self.visible]
            if pending:
                rows = await conn.fetch(
                    "SELECT visit_id FROM visits WHERE visit_id = ANY($1::text[])", pending
                )
                now = time.perf_counter()
                self.visible.update((r["visit_id"], now) for r in rows)
            if rounds % 4 == 0:
                held = await _count(conn, "SELECT count(*) FROM visits")
                if held - self.visible_before >= self.expect:
                    # every row is there: sampled visits not seen yet arrived since the last
                    # look; they count as visible now (an upper bound, never an under-count)
                    self.last_visible = time.perf_counter()
                    for v in self.sampled:
                        self.visible.setdefault(v, self.last_visible)
                    return
            if time.perf_counter() > deadline:
                raise RuntimeError("visits never reached settlement")
            rounds += 1
            await asyncio.sleep(POLL_S)

    def steady(self) -> tuple[int, float]:
        """(visits, seconds) of the steady middle: from the time 10 % of the sampled visits
        were visible to the time 90 % were (the start-up and the last visits' own latency
        excluded, which in a short run would otherwise weigh on the rate)."""
        seen = sorted(self.visible[v] for v in self.sampled)
        first, last = seen[len(seen) // 10], seen[len(seen) * 9 // 10]
        return round(self.expect * 0.8), max(last - first, 1e-9)

    def latencies_ms(self) -> list[float]:
        return [max(0.0, (self.visible[v] - t) * 1000) for v, t in self.sampled.items()]


async def _phase(
    load: LoadClient, conns: Conns, path: str, visits: list[Any], rate: float
) -> Watch:
    """Open loop: batch k leaves at k × BATCH / rate s, whatever the earlier ones are doing;
    returns once every accepted visit is visible in settlement."""
    care, conn = conns
    since = await care.fetchval("SELECT now()")
    before = await _count(conn, "SELECT count(*) FROM visits")
    watch = Watch(rate, len(visits), before)
    poller = asyncio.create_task(watch.poll(conn))

    async def one(k: int) -> None:
        await asyncio.sleep(max(0.0, watch.began + k * BATCH / rate - time.perf_counter()))
        sent = time.perf_counter()
        status, raw = await load.request(
            path, {"visits": visits[k * BATCH : (k + 1) * BATCH]}, timeout=600
        )
        done = time.perf_counter()
        watch.batch_ms.append((done - sent) * 1000)
        watch.took(k * BATCH, status, raw, done)

    watch.began = time.perf_counter()
    await asyncio.gather(*(one(k) for k in range(-(-len(visits) // BATCH))))
    _check(watch.answers, len(visits), load)
    await poller
    lags = await care.fetch(
        "SELECT extract(epoch FROM sent_at - created_at) * 1000 AS ms FROM outbox "
        "WHERE type = 'ServiceVisitLogged' AND created_at >= $1",
        since,
    )
    figures = percentiles([float(r["ms"]) for r in lags])
    watch.relay_lag = f"relay lag (outbox row → broker ack) p50 {figures.get('p50_ms')} ms, "
    watch.relay_lag += f"p99 {figures.get('p99_ms')} ms"
    return watch


async def _month_end(client: httpx.AsyncClient, periods: list[str]) -> list[dict[str, Any]]:
    runs = []
    for period in periods:
        r = await client.post("/runs/month-end", json={"region_code": "320900", "period": period})
        r.raise_for_status()
        run = r.json()
        while run["status"] == "running":
            await asyncio.sleep(0.5)
            run = (await client.get(f"/runs/{run['run_id']}")).json()
        if run["status"] != "completed":
            raise RuntimeError(f"month-end run failed: {run}")
        runs.append(run)
    return runs


async def run(n: int, ports: tuple[int, int] = (18141, 18142)) -> list[Result]:
    """Phase 1: n visits offered at RATE (10 % above the bar). Phase 2: n // 4 more at half the rate
    phase 1 sustained end to end (the latency of a path that keeps up). Then month-end."""
    paced = n // 4
    plan, prefix = Plan(n + paced), f"bench-e2e-{uuid.uuid4().hex[:8]}"
    LOAD_BEFORE[0] = os.getloadavg()[0]
    async with (
        fresh_database("bench_e2e_care") as care_db,
        fresh_database("bench_e2e_settle") as settle_db,
        served("ltci_settlement", "SETTLEMENT", ports[1], _env(settle_db, prefix)) as settlement,
        served("ltci_care_delivery", "CARE_DELIVERY", ports[0], _env(care_db, prefix)) as care,
        httpx.AsyncClient(base_url=care, timeout=600, limits=_limits(64)) as client,
        httpx.AsyncClient(base_url=settlement, timeout=3600) as settle_client,
    ):
        care_conn = await asyncpg.connect(asyncpg_dsn(care_db))
        conn = await asyncpg.connect(asyncpg_dsn(settle_db))
        load = LoadClient(care, connections=64)
        try:
            provider_id, persons, caregivers = await _world(client, care_db, plan)
            await _publish_people(prefix, persons, plan.today)
            await _settled_world(conn, len(persons))
            visits = [plan.visit(i, persons, caregivers) for i in range(n + paced)]
            path = f"/providers/{provider_id}/visits/batch"
            peak = await _phase(load, (care_conn, conn), path, visits[:n], RATE)
            half = min(RATE, n / (peak.last_visible - peak.began)) / 2
            steady = await _phase(load, (care_conn, conn), path, visits[n:], half)
        finally:
            await load.aclose()
            await conn.close()
            await care_conn.close()
        periods = sorted({v["check_in"]["at"][:7] for v in visits})
        started = time.perf_counter()
        runs = await _month_end(settle_client, periods)
        month_end_s = time.perf_counter() - started
    return [*_results(peak, steady), _posting(n + paced, runs, month_end_s)]


def _busy() -> str:
    return f"load average when the run began {LOAD_BEFORE[0]:.1f} on {os.cpu_count()} cores"


def _results(peak: Watch, steady: Watch) -> list[Result]:
    ingest = Result(
        "end to end: HTTP batch ingest while settlement consumes",
        "visits",
        peak.accepted,
        peak.last_accepted - peak.began,
        peak.batch_ms,
        notes=f"offered open loop at {RATE} visits/s in {BATCH}-visit batches; latencies are "
        "per batch (sent → 2xx answer); care-delivery and settlement are served processes in "
        f"full mode (PostgreSQL, Kafka); {_busy()}",
    )
    path = (
        "from its batch's 2xx answer to its row in settlement's read model (outbox → relay → "
        "Kafka → consumer: inbox row and read model, one transaction per partition batch); "
        f"latency of 1 visit in {peak.every} (sampled, polled every {POLL_S * 1000:.0f} ms)"
    )
    ledger = (
        "The ledger is NOT posted per visit in this design: the month-end run posts it, "
        "timed separately"
    )
    visits, seconds = peak.steady()
    whole = peak.expect / (peak.last_visible - peak.began)
    sustained = Result(
        "end to end: accepted → visible in settlement, offered at the bar",
        "visits",
        visits,
        seconds,
        peak.latencies_ms(),
        notes=f"offered {RATE} visits/s (10 % above the bar); the rate is what the whole path "
        f"sustained in the steady middle (10th to 90th percentile of visits becoming visible "
        f"in settlement); from the first batch sent to the last visit visible it is "
        f"{whole:.0f}/s; latencies include the queue that builds when the offer exceeds what "
        f"the path sustains; {path}; {peak.relay_lag}. {ledger}; {_busy()}",
    )
    paced = Result(
        "end to end: accepted → visible in settlement, at half the sustained rate",
        "visits",
        steady.expect,
        steady.last_visible - steady.began,
        steady.latencies_ms(),
        notes=f"offered open loop at {steady.rate:.0f} visits/s (half of what the first phase "
        f"sustained), {BATCH}-visit batches; {path}; {steady.relay_lag}. {ledger}; {_busy()}",
    )
    return [ingest, sustained, paced]


def _posting(n: int, runs: list[dict[str, Any]], seconds: float) -> Result:
    lines = sum(int(r["lines_created"]) for r in runs)
    entries = sum(int(r["entries_created"]) for r in runs)
    pending = sum(int(r["lines_pending"]) for r in runs)
    return Result(
        "end to end: month-end posting of those visits",
        "visits",
        n,
        seconds,
        notes=f"month-end run(s) {', '.join(r['period'] for r in runs)} over the visits that "
        f"arrived by Kafka: {lines} claim lines, {entries} journal entries, {pending} lines "
        f"pending; {_busy()}",
    )
