"""One-stop medical-assistance settlement under load: latency at a steady 200 bills/s straight
to a served settlement process, then a 2× burst through the gateway, where the client's rate
limit must answer 429 (never 5xx). Persons and their categories are written with COPY into
settlement's read models (what its consumers build from enrollment's events).

The load generator is a small HTTP/1.1 keep-alive client (``LoadClient``): httpx costs
1-2 ms of CPU a request and its pool slows down with thousands of requests waiting, so at
200-400 requests/s it took a whole core of the two and measured itself rather than the
services. ``LTCI_WORKERS=2 scripts/bench onestop`` serves with two worker processes."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httptools
import httpx
import orjson

from bench.common import Result, asyncpg_dsn, fresh_database, served
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


class _Response:
    """httptools callbacks: the body and whether the server closes the connection."""

    def __init__(self) -> None:
        self.complete, self.close = False, False

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"connection" and value.lower() == b"close":
            self.close = True

    def on_message_complete(self) -> None:
        self.complete = True


class LoadClient:
    """POSTs JSON over at most ``connections`` keep-alive HTTP/1.1 connections; answers the
    status (0 for a broken connection or a timeout). Only what the load generator needs."""

    def __init__(self, base: str, connections: int, headers: dict[str, str] | None = None):
        url = urlsplit(base)
        self._host, self._port = url.hostname or "127.0.0.1", url.port or 80
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self._head = f"Host: {url.netloc}\r\nContent-Type: application/json\r\n{extra}"
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._slots = asyncio.Semaphore(connections)

    async def post(self, path: str, body: dict[str, Any], timeout: float = 60.0) -> int:
        data = orjson.dumps(body)
        head = f"POST {path} HTTP/1.1\r\n{self._head}Content-Length: {len(data)}\r\n\r\n"
        request = head.encode() + data
        async with self._slots:
            try:
                return await asyncio.wait_for(self._send(request), timeout)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, httptools.HttpParserError):
                return 0

    async def _send(self, request: bytes) -> int:
        """On a kept-alive connection if one is idle; once again on a new connection if the
        server had closed the idle one (end of stream before any answer, as httpx does)."""
        while self._idle:
            conn = self._idle.pop()
            if conn[0].at_eof():
                conn[1].close()
                continue
            try:
                return await self._exchange(conn, request)
            except asyncio.IncompleteReadError as exc:
                if exc.partial != b"":
                    raise
        return await self._exchange(await asyncio.open_connection(self._host, self._port), request)

    async def _exchange(
        self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: bytes
    ) -> int:
        """Send, read the whole answer; the connection is kept unless the server closes it."""
        reader, writer = conn
        try:
            writer.write(request)
            answer = _Response()
            parser = httptools.HttpResponseParser(answer)
            seen = b""
            while not answer.complete:
                chunk = await reader.read(65536)
                if not chunk:
                    raise asyncio.IncompleteReadError(seen[:1], None)
                seen = seen or chunk
                parser.feed_data(chunk)
        except BaseException:
            writer.close()
            raise
        if answer.close:
            writer.close()
        else:
            self._idle.append(conn)
        return parser.get_status_code()

    async def aclose(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


async def _paced(
    client: LoadClient, path: str, bodies: list[dict[str, Any]], rate: float
) -> tuple[float, list[float], Counter[int], float]:
    """Open loop: request i leaves at i/rate whatever the earlier ones are doing. Latency runs
    from the request's actual start; the generator's own lag (start after its due time) is
    returned as its 99th percentile, so a generator that fell behind is visible."""
    latencies: list[float] = []
    lags: list[float] = []
    statuses: Counter[int] = Counter()
    began = time.perf_counter()

    async def one(i: int, body: dict[str, Any]) -> None:
        due = began + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        start = time.perf_counter()
        lags.append((start - due) * 1000)
        statuses[await client.post(path, body)] += 1
        latencies.append((time.perf_counter() - start) * 1000)

    await asyncio.gather(*(one(i, b) for i, b in enumerate(bodies)))
    lags.sort()
    return time.perf_counter() - began, latencies, statuses, lags[int(len(lags) * 0.99)]


async def _warm_up(load: LoadClient, path: str, persons: list[str], first_bill: int) -> str:
    """One second at the rate on persons of its own: the processes open their database
    connections and prepare their statements (the cold start is reported, not measured)."""
    bodies = [_bill(p, first_bill + i) for i, p in enumerate(persons)]
    _, latencies, statuses, _ = await _paced(load, path, bodies, 200)
    latencies.sort()
    cold = latencies[int(len(latencies) * 0.99)]
    return f"a warm-up of {len(bodies)} at the same rate (p99 {cold:.0f} ms, {dict(statuses)})"


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
            bodies = [_bill(p, 1000 + i) for i, p in enumerate(persons[WARM_UP:])]
            seconds, latencies, statuses, lag = await _paced(
                load, "/medical-assistance/settlements", bodies, 200
            )
            await load.aclose()
            results.append(
                Result(
                    "one-stop settlement at 200/s (service)",
                    "bills",
                    len(bodies),
                    seconds,
                    latencies_ms=latencies,
                    notes=f"open loop at 200/s straight to settlement, {_workers()}, after "
                    f"{cold}; statuses {dict(statuses)}; load generator lag p99 {lag:.0f} ms",
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
        bodies = [_bill(p, 500_000 + i) for i, p in enumerate(persons[: 400 * 5])]
        load = LoadClient(gw, connections=500, headers=bearer)
        path = "/settlement/medical-assistance/settlements"
        cold = await _warm_up(load, path, persons[-WARM_UP:], 8_000_000)
        await asyncio.sleep(1.5)  # the client's bucket fills up again (200 at 200/s)
        seconds, latencies, statuses, lag = await _paced(load, path, bodies, 400)
        await load.aclose()
    five = sum(v for k, v in statuses.items() if k >= 500 or k == 0)
    return Result(
        "one-stop 2x burst through the gateway (400/s, limit 200/s)",
        "requests",
        len(bodies),
        seconds,
        latencies_ms=latencies,
        notes=f"{_workers()}, after {cold}; statuses {dict(statuses)}; 5xx or broken: "
        f"{five}; load generator lag p99 {lag:.0f} ms",
    )


def _workers() -> str:
    count = os.environ.get("LTCI_WORKERS", "1")
    return f"{count} worker process{'es' if count != '1' else ''} a service"


async def _seed_ids(url: str) -> list[str]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return [r[0] for r in await conn.fetch("SELECT person_id FROM insured_persons ORDER BY 1")]
    finally:
        await conn.close()
