"""Month-end settlement (月结) of a city month: N verified home visits adjudicated under the
Yancheng pack, posted to the ledger, statements issued; then a rerun that must create nothing.

Set-up writes settlement's read models directly with COPY (what its consumers would have
built from the events; the consumer path is measured by the end-to-end benchmark), so the
figure is the run itself.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import orjson

from bench.common import Result, asyncpg_dsn, fresh_database, served

QUOTA_HOURS = {3: 12, 4: 20, 5: 28}  # the Yancheng pack's home-visit hours a month by grade
GRADE_MIX = [(3, 0.5), (4, 0.3), (5, 0.2)]
PERIOD = "2026-11"


def _grade(rng: random.Random) -> int:
    x, acc = rng.random(), 0.0
    for grade, share in GRADE_MIX:
        acc += share
        if x < acc:
            return grade
    return 5


def city(visits_target: int, seed: int = 7) -> dict[str, list[tuple[Any, ...]]]:
    """Persons with eligibility and a home-visit plan, and their month of one-hour visits."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    rows: dict[str, list[tuple[Any, ...]]] = {
        k: []
        for k in ("insured_persons", "membership_periods", "eligibilities", "care_plans", "visits")
    }
    providers = [str(uuid.uuid4()) for _ in range(200)]
    caregivers = [str(uuid.uuid4()) for _ in range(3000)]
    made = 0
    while made < visits_target:
        person, grade = str(uuid.uuid4()), _grade(rng)
        provider, plan = rng.choice(providers), str(uuid.uuid4())
        rows["insured_persons"].append(
            (person, "320902", "resident", date(2020, 1, 1), None, date(1940, 1, 1), "F", now)
        )
        rows["membership_periods"].append((person, date(2020, 1, 1), "resident", "320902", None))
        rows["eligibilities"].append(
            (str(uuid.uuid4()), person, "320900", grade, date(2026, 1, 1), date(2027, 12, 31), None)
        )
        rows["care_plans"].append(
            (
                plan,
                person,
                provider,
                "320900",
                "home_visit",
                "YC-HV-STD",
                grade,
                date(2026, 1, 1),
                None,
                str(uuid.uuid4()),
            )
        )
        for n in range(min(QUOTA_HOURS[grade], visits_target - made)):
            day = date(2026, 11, 1) + timedelta(days=n % 30)
            begin = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
            verified = rng.random() > 0.03
            rows["visits"].append(
                (
                    str(uuid.uuid4()),
                    provider,
                    person,
                    rng.choice(caregivers),
                    plan,
                    "320900",
                    "320902",
                    "home_visit",
                    day,
                    begin,
                    begin + timedelta(hours=1),
                    orjson.dumps(["ADL01", "ADL02"]).decode(),
                    verified,
                    orjson.dumps([] if verified else ["location_outside_fence"]).decode(),
                    1,
                    str(uuid.uuid4()),
                )
            )
            made += 1
    return rows


async def _load(url: str, rows: dict[str, list[tuple[Any, ...]]]) -> float:
    from ltci_settlement.adapters import tables

    conn = await asyncpg.connect(asyncpg_dsn(url))
    started = time.perf_counter()
    try:
        for name, records in rows.items():
            table = tables.metadata.tables[name]
            await conn.copy_records_to_table(
                name, records=records, columns=[c.name for c in table.columns]
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def _run(client: httpx.AsyncClient) -> dict[str, Any]:
    r = await client.post("/runs/month-end", json={"region_code": "320900", "period": PERIOD})
    r.raise_for_status()
    run = r.json()
    while run["status"] == "running":
        await _sleep()
        run = (await client.get(f"/runs/{run['run_id']}")).json()
    return dict(run)


async def _sleep() -> None:
    import asyncio

    await asyncio.sleep(0.5)


def _reconciled(trial: dict[str, Any]) -> str:
    """The trial balance checked to the fen: debits equal credits, and every fund's accounts
    sum to zero (a failure stops the benchmark: a fast wrong ledger is not a result)."""
    funds: dict[str, Decimal] = {}
    for row in trial["rows"]:
        funds[row["fund"]] = funds.get(row["fund"], Decimal(0)) + Decimal(row["balance"])
    if not trial["balanced"] or any(funds.values()):
        raise RuntimeError(f"the trial balance does not reconcile: {trial}")
    return (
        f"trial balance reconciled to the fen: {len(trial['rows'])} accounts in "
        f"{len(funds)} funds, debits = credits = {trial['total_debits']}, every fund nets "
        f"0.00; ledger hash {trial['ledger_hash'][:16]}"
    )


async def run(n: int, port: int = 18104) -> list[Result]:
    rows = city(n)
    async with (
        fresh_database("bench_me") as url,
        served("ltci_settlement", "SETTLEMENT", port, {"DATABASE_URL": url}) as base,
        httpx.AsyncClient(base_url=base, timeout=3600) as client,
    ):
        load_s = await _load(url, rows)
        started = time.perf_counter()
        first = await _run(client)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        second = await _run(client)
        rerun_s = time.perf_counter() - started
        trial = (await client.get("/ledger/trial-balance", params={"region_code": "320900"})).json()
    if first["status"] != "completed":
        raise RuntimeError(f"month-end run failed: {first}")
    notes = (
        f"{len(rows['insured_persons'])} persons, 200 providers; COPY set-up {load_s:.1f}s; "
        f"first run {first}; rerun created {second.get('entries_created')} entries in "
        f"{rerun_s:.1f}s; {_reconciled(trial)}"
    )
    result = Result("settlement: month-end run", "visits", n, first_s, notes=notes)
    return [result]
