"""One-stop medical-assistance settlement under load: latency at a steady 200 bills/s straight
to a served settlement process, then a 2× burst through the gateway, where the client's rate
limit must answer 429 (never 5xx). Persons and their categories are written with COPY into
settlement's read models (what its consumers build from enrollment's events).

The load generator is ``bench.load`` (a small keep-alive HTTP/1.1 client, not httpx).
``LTCI_WORKERS=2 scripts/bench onestop`` serves with two worker processes."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import httpx

from bench.common import Result, asyncpg_dsn, fresh_database, served, workers
from bench.load import LoadClient, paced
from ltci_shared.web import fail_fast_without_sniffio

fail_fast_without_sniffio()  # httpx (set-up calls) without a sys.path search per request

HOSPITAL = "H320402001"
WARM_UP = 200  # requests (one second at 200/s) before each measured phase
ADMIN_SECRET = "bench-admin-secret-0123456789abcdef"  # noqa: S105 (a throwaway bench database)


async def _seed(url: str, persons: int) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(persons)]
    now = datetime.now(UTC)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.copy_records_to_table(
            "insured_persons",
            records=[
                (p, "320402", "resident", date(2020, 1, 1), None, date(1950, 1, 1), "F", now)
                for p in ids
            ],
            columns=[
                "person_id",
                "region_code",
                "scheme",
                "valid_from",
                "ended_on",
                "birth_date",
                "sex",
                "updated_at",
            ],
        )
        await conn.copy_records_to_table(
            "membership_periods",
            records=[(p, date(2020, 1, 1), "resident", "320402", None) for p in ids],
            columns=["person_id", "valid_from", "scheme", "region_code", "valid_until"],
        )
        await conn.copy_records_to_table(
            "assistance_assignments",
            records=[
                (f"{p}-dibao", p, "320400", "dibao", 2, date(2025, 1, 1), None, None, "seed")
                for p in ids
            ],
            columns=[
                "assignment_id",
                "person_id",
                "region_code",
                "category",
                "recipient_class",
                "valid_from",
                "valid_until",
                "revoked_on",
                "event_id",
            ],
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return ids


def _bill(person: str, n: int) -> dict[str, Any]:
    return {
        "person_id": person,
        "hospital_id": HOSPITAL,
        "bill_id": f"ZY-{n:07d}",
        "care_kind": "inpatient",
        "referred": False,
        "total": "12000.00",
        "in_policy": "10000.00",
        "out_of_policy": "2000.00",
        "service_from": "2026-03-02",
        "service_to": "2026-03-09",
    }


async def _warm_up(load: LoadClient, path: str, persons: list[str], first_bill: int) -> str:
    """One second at the rate on persons of its own: the processes open their database
    connections and prepare their statements (the cold start is reported, not measured)."""
    bodies = [(path, _bill(p, first_bill + i)) for i, p in enumerate(persons)]
    run = await paced(load, bodies, 200)
    latencies = sorted(run.latencies_ms)
    cold = latencies[int(len(latencies) * 0.99)]
    return f"a warm-up of {len(bodies)} at the same rate (p99 {cold:.0f} ms, {dict(run.statuses)})"


async def run(n: int) -> list[Result]:
    results: list[Result] = []
    async with fresh_database("bench_os") as url, fresh_database("bench_gw") as gw_url:
        async with served(
            "ltci_settlement",
            "SETTLEMENT",
            18114,
            {"DATABASE_URL": url, "DATABASE_POOL_SIZE": "30"},
        ) as base:
            persons = await _seed(url, n - 20 + WARM_UP)
            async with httpx.AsyncClient(base_url=base, timeout=60) as client:
                r = await client.put(
                    f"/medical-assistance/hospitals/{HOSPITAL}",
                    json={
                        "name": "常州市第一人民医院",
                        "region_code": "320402",
                        "designated": True,
                    },
                )
                r.raise_for_status()
            load = LoadClient(base, connections=300)
            cold = await _warm_up(
                load, "/medical-assistance/settlements", persons[:WARM_UP], 9_000_000
            )
            path = "/medical-assistance/settlements"
            bodies = [(path, _bill(p, 1000 + i)) for i, p in enumerate(persons[WARM_UP:])]
            run = await paced(load, bodies, 200)
            await load.aclose()
            results.append(
                Result(
                    "one-stop settlement at 200/s (service)",
                    "bills",
                    len(bodies),
                    run.seconds,
                    latencies_ms=run.latencies_ms,
                    notes=f"open loop at 200/s straight to settlement, {workers()}, after "
                    f"{cold}; statuses {dict(run.statuses)}{load.failure_note()}; load generator "
                    f"lag p99 {run.lag_p99_ms:.0f} ms",
                )
            )
        try:
            results.append(await asyncio.wait_for(_burst(url, gw_url, n), timeout=240))
        except TimeoutError:
            print("burst phase did not finish in 240 s: not recorded", flush=True)
    return results


async def _burst(url: str, gw_url: str, n: int) -> Result:
    gateway_env = {
        "DATABASE_URL": gw_url,
        "SETTLEMENT_URL": "http://127.0.0.1:18115",
        "BOOTSTRAP_ADMIN_SECRET": ADMIN_SECRET,
        "RATE_PER_SECOND": "200",
        "RATE_BURST": "200",
        "SECRET_HASH_COST": "10",
    }
    async with (
        served("ltci_gateway", "GATEWAY", 18116, gateway_env) as gw,
        served(
            "ltci_settlement",
            "SETTLEMENT",
            18115,
            {
                "DATABASE_URL": url,
                "AUTH_MODE": "required",
                "AUTH_JWKS_URL": "http://127.0.0.1:18116/.well-known/jwks.json",
            },
        ) as _,
    ):
        async with httpx.AsyncClient(base_url=gw, timeout=60) as client:
            token = await client.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": "admin",
                    "client_secret": ADMIN_SECRET,
                },
            )
            token.raise_for_status()
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        persons = await _seed_ids(url)
        load = LoadClient(gw, connections=500, headers=bearer)
        path = "/settlement/medical-assistance/settlements"
        bodies = [(path, _bill(p, 500_000 + i)) for i, p in enumerate(persons[: 400 * 5])]
        cold = await _warm_up(load, path, persons[-WARM_UP:], 8_000_000)
        await asyncio.sleep(1.5)  # the client's bucket fills up again (200 at 200/s)
        run = await paced(load, bodies, 400)
        await load.aclose()
    five = sum(v for k, v in run.statuses.items() if k >= 500 or k == 0)
    return Result(
        "one-stop 2x burst through the gateway (400/s, limit 200/s)",
        "requests",
        len(bodies),
        run.seconds,
        latencies_ms=run.latencies_ms,
        notes=f"{workers()}, after {cold}; statuses {dict(run.statuses)}; 5xx or broken: "
        f"{five}{load.failure_note()}; load generator lag p99 {run.lag_p99_ms:.0f} ms",
    )


async def _seed_ids(url: str) -> list[str]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return [r[0] for r in await conn.fetch("SELECT person_id FROM insured_persons ORDER BY 1")]
    finally:
        await conn.close()
