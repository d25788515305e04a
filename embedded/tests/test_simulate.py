"""``ltci simulate`` end to end: the embedded platform in-process, a small seeded city month
through the gateway, then the same seed again (nothing is created twice)."""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from ltci_embedded.launcher import build, serve
from ltci_embedded.simulate import Month, Options, simulate
from ltci_embedded.simulate.client import ApiClient, resolve_credentials
from ltci_embedded.simulate.options import Scale

TINY = Scale(
    insured=300,
    applicants=24,
    assessors=4,
    home_providers=2,
    institutions=1,
    hospitals=1,
    bills=5,
)


def _free_base_port() -> int:
    for _ in range(50):
        base = random.randint(20_000, 40_000)
        try:
            for port in range(base, base + 5):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no five free consecutive ports")


@dataclass
class Platform:
    url: str
    data_dir: Path


@pytest.fixture(scope="module")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    base = _free_base_port()
    data_dir = tmp_path_factory.mktemp("simulate") / "var"
    embedded = build(data_dir, "127.0.0.1", base)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(embedded, "127.0.0.1", stop))
    url = f"http://127.0.0.1:{base}"
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        for _ in range(400):
            if task.done():
                task.result()
            try:
                up = (await client.get("/healthz")).status_code == 200
                if up and embedded.bus._open.is_set():
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    yield Platform(url, data_dir)
    stop.set()
    await asyncio.wait_for(task, timeout=30)


def _options(p: Platform) -> Options:
    return Options(
        url=p.url,
        seed=7,
        month=Month.last_complete(date.today()),
        data_dir=p.data_dir,
        custom_scale=TINY,
        progress=False,
    )


async def _count(api: ApiClient, path: str, limit: int = 200, **params: Any) -> int:
    return sum([1 async for _ in api.pages(path, limit=limit, **params)])


async def _platform_counts(p: Platform, month: str) -> dict[str, Any]:
    api = ApiClient(p.url, resolve_credentials(None, None, p.data_dir))
    try:
        tb = await api.get("/settlement/ledger/trial-balance", region_code="320400", period=month)
        runs = [r async for r in api.pages("/settlement/runs", limit=200, region_code="320400")]
        return {
            "persons": await _count(api, "/enrollment/persons", 500, region_code="320400"),
            "eligibilities": await _count(api, "/assessment/eligibilities", 500),
            "plans": await _count(api, "/care-delivery/care-plans"),
            "providers": await _count(api, "/care-delivery/providers"),
            "caregivers": await _count(api, "/care-delivery/caregivers"),
            "visits": await _count(api, "/care-delivery/visits"),
            "bills": await _count(api, "/settlement/medical-assistance/settlements"),
            "completed_runs": sum(r["status"] == "completed" for r in runs),
            "balanced": tb["balanced"],
            "debits": tb["total_debits"],
        }
    finally:
        await api.aclose()


@dataclass
class FirstRun:
    platform: Platform
    summary: dict[str, Any]
    counts: dict[str, Any]


@pytest.fixture(scope="module")
async def first_run(platform: Platform) -> FirstRun:
    summary = await simulate(_options(platform))
    return FirstRun(platform, summary, await _platform_counts(platform, summary["month"]))


async def test_a_small_city_month_is_created_and_settled(first_run: FirstRun) -> None:
    first, counts = first_run.summary, first_run.counts
    eligible = sum(first["assessment"]["eligibilities_in_force"].values())

    assert first["enrollment"]["persons_new"] == TINY.insured == counts["persons"]
    assert first["enrollment"]["recipients"] > 0
    assert eligible > 0 and counts["eligibilities"] == eligible
    assert set(first["assessment"]["eligibilities_in_force"]) <= {"3", "4", "5", 3, 4, 5}
    assert sum(first["care"]["plans_by_form"].values()) == counts["plans"] > 0
    assert first["care"]["visits_stored"] == counts["visits"] > 0
    assert first["care"]["visits_by_status_after_review"]["verified"] > 0
    assert first["care"]["hospital_stays"] > 0 and first["care"]["device_rentals"] > 0
    assert first["one_stop"]["bills"] == TINY.bills == counts["bills"]
    assert first["settlement"]["run_status"] == "completed" and counts["completed_runs"] >= 1
    assert first["settlement"]["claims"]["lines"] > 0
    assert first["settlement"]["trial_balance"]["balanced"] and counts["balanced"]


async def test_the_same_seed_again_creates_nothing_twice(first_run: FirstRun) -> None:
    again = await simulate(_options(first_run.platform))
    counts = await _platform_counts(first_run.platform, again["month"])

    assert again["enrollment"] == {
        "persons_new": 0,
        "persons_existing": TINY.insured,
        "recipients": first_run.summary["enrollment"]["recipients"],
    }
    assert counts == first_run.counts  # not one person, plan, visit, bill, run or posting more
    assert again["settlement"]["claims"] == first_run.summary["settlement"]["claims"]
