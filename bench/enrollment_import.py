"""Bulk enrollment: a persons CSV streamed to ``POST /imports/persons`` on a served process."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx

from bench.common import Result, fresh_database, served

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(body17: str) -> str:
    total = sum(int(d) * w for d, w in zip(body17, WEIGHTS, strict=True))
    return body17 + "10X98765432"[total % 11]


def persons_csv(n: int) -> bytes:
    lines = ["resident_id,name,region_code,scheme,valid_from,phone"]
    for i in range(n):
        year, month, day = 1930 + (i // 336000) % 60, 1 + (i // 28000) % 12, 1 + (i // 1000) % 28
        rid = resident_id(f"320902{year}{month:02d}{day:02d}{i % 1000:03d}")
        lines.append(
            f"{rid},居民{i},320902,{'employee' if i % 3 else 'resident'},2026-01-01,138{i:08d}"
        )
    return ("\n".join(lines) + "\n").encode()


async def run(n: int, port: int = 18101) -> Result:
    data = persons_csv(n)

    async def stream() -> AsyncIterator[bytes]:
        for i in range(0, len(data), 64 * 1024):
            yield data[i : i + 64 * 1024]

    async with (
        fresh_database("bench_enr") as url,
        served("ltci_enrollment", "ENROLLMENT", port, {"DATABASE_URL": url}) as base,
        httpx.AsyncClient(base_url=base, timeout=3600) as client,
    ):
        start = time.perf_counter()
        r = await client.post(
            "/imports/persons", content=stream(), headers={"content-type": "text/csv"}
        )
        seconds = time.perf_counter() - start
        body = r.json()
    if body.get("rows_ok") != n:
        raise RuntimeError(f"import did not accept every row: {body}")
    return Result(
        "enrollment: persons CSV import",
        "rows",
        n,
        seconds,
        notes="one served process on PostgreSQL; 500-row chunks, one transaction each; "
        "each row: validate ID, encrypt, hash, person + version + membership + "
        "2 outbox events",
    )
