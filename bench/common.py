"""What every benchmark shares: the machine, fresh databases, served processes, percentiles,
and the results file (bench/results/latest.json, the source of docs/performance.md)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_ADMIN = os.environ.get(
    "LTCI_TEST_POSTGRES", "postgresql+asyncpg://ltci:ltci@127.0.0.1:5432/postgres"
)
KAFKA = os.environ.get("LTCI_TEST_KAFKA", "127.0.0.1:9092")


@dataclass
class Result:
    name: str
    unit: str
    count: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    reference: str | None = None
    reference_rate: float | None = None
    notes: str = ""

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "unit": self.unit,
            "count": self.count,
            "seconds": round(self.seconds, 3),
            "rate_per_s": round(self.rate, 1),
        }
        if self.latencies_ms:
            out.update(percentiles(self.latencies_ms))
        if self.reference_rate:
            out["reference"] = self.reference
            out["reference_rate_per_s"] = round(self.reference_rate, 1)
            out["ratio_to_reference"] = round(self.rate / self.reference_rate, 3)
        if self.notes:
            out["notes"] = self.notes
        return out


def percentiles(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    if len(ordered) < 2:
        return {"p50_ms": round(ordered[0], 2)} if ordered else {}
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50_ms": round(q[49], 2),
        "p95_ms": round(q[94], 2),
        "p99_ms": round(q[98], 2),
        "max_ms": round(ordered[-1], 2),
    }


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_gib, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
        "note": "services, PostgreSQL, Kafka and the load generator share these cores",
    }


def record(results: list[Result], command: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "latest.json"
    previous: dict[str, Any] = {}
    if path.exists():
        previous = json.loads(path.read_text())
    runs = previous.get("results", {})
    for r in results:
        runs[r.name] = {
            **r.summary(),
            "command": command,
            "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        }
    path.write_text(
        json.dumps({"machine": machine(), "results": runs}, indent=2, ensure_ascii=False) + "\n"
    )
    return path


def show(result: Result) -> None:
    print(json.dumps(result.summary(), ensure_ascii=False), flush=True)


@contextlib.asynccontextmanager
async def fresh_database(prefix: str = "bench") -> AsyncIterator[str]:
    """A new, empty PostgreSQL database (asyncpg URL), dropped afterwards."""
    admin = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@contextlib.asynccontextmanager
async def served(package: str, prefix: str, port: int, env: dict[str, str]) -> AsyncIterator[str]:
    """Run ``python -m <package> migrate`` then ``serve`` as a real process; yield its URL."""
    full_env = {
        **os.environ,
        **{f"{prefix}_{k}": v for k, v in env.items()},
        f"{prefix}_LOG_LEVEL": "WARNING",
    }
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", package, "migrate", env=full_env
    )
    if await migrate.wait() != 0:
        raise RuntimeError(f"{package} migrate failed")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        package,
        "serve",
        "--port",
        str(port),
        env=full_env,
        stdout=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(url + "/readyz")).status_code == 200:
                        break
                if proc.returncode is not None:
                    raise RuntimeError(f"{package} exited with {proc.returncode}")
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError(f"{package} did not become ready")
        yield url
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), timeout=15)
        except TimeoutError:
            proc.kill()


def worker_count() -> int:
    """Worker processes serving each service in this run (``LTCI_WORKERS``, default 1)."""
    return int(os.environ.get("LTCI_WORKERS", "1"))


def workers() -> str:
    """How many worker processes served each service in this run (``LTCI_WORKERS``)."""
    count = worker_count()
    return f"{count} worker process{'es' if count != 1 else ''} a service"


def per_workers() -> str:
    """A result name's suffix when the services run several worker processes (so a run with
    ``LTCI_WORKERS=2`` is recorded beside the one-process figure, not over it)."""
    count = worker_count()
    return "" if count == 1 else f" ({count} worker processes)"
