"""Settlement through the public API: one-stop medical-assistance bills, the month-end run
(repeated until the ledger no longer changes), the claims and the trial balance."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from decimal import Decimal
from typing import Any

from ltci_embedded.simulate.care import Bill, CarePlan
from ltci_embedded.simulate.city import City
from ltci_embedded.simulate.client import ApiClient, ApiError, SimulationError, wait_for
from ltci_embedded.simulate.progress import Bar, Progress

ONESTOP_PATH = "/medical-assistance/settlements"
MAX_RUNS = 12
BILL_LAYERS = ("basic_paid", "critical_illness_paid", "assistance_paid", "patient_total")


def _fen(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


async def onestop_available(api: ApiClient) -> bool:
    try:
        spec = await api.get("/settlement/openapi.json")
    except ApiError:
        return False
    return ONESTOP_PATH in spec.get("paths", {})


async def _settlement_knows(api: ApiClient, person_id: str) -> bool:
    try:
        await api.get(f"/settlement/read-models/insured-persons/{person_id}")
        return True
    except ApiError as exc:
        if exc.status == 404:
            return False
        raise


async def _hospitals(api: ApiClient, city: City, plan: CarePlan) -> None:
    since = city.month.shift(-60).first.isoformat()
    for hospital_id, name, division in plan.hospitals:
        body = {"name": name, "region_code": division, "designated": True, "designated_from": since}
        path = f"/settlement/medical-assistance/hospitals/{hospital_id}"
        await api.request("PUT", path, json_body=body)


def _bill_body(b: Bill, plan: CarePlan, ids: list[str]) -> dict[str, Any]:
    return {
        "person_id": ids[b.person],
        "hospital_id": plan.hospitals[b.hospital][0],
        "bill_id": b.bill_id,
        "care_kind": b.care_kind,
        "referred": False,
        "total": _fen(b.total_fen),
        "in_policy": _fen(b.in_policy_fen),
        "out_of_policy": _fen(b.total_fen - b.in_policy_fen),
        "service_from": b.service_from.isoformat(),
        "service_to": b.service_to.isoformat(),
    }


async def onestop_bills(
    api: ApiClient, city: City, plan: CarePlan, ids: list[str], progress: Progress
) -> dict[str, Any]:
    """Designated hospitals, then each bill settled in one call through the three layers."""
    if not plan.bills:
        return {"bills": 0, "note": "the region has no assistance section"}
    if not await onestop_available(api):
        progress.note("one-stop settlement API not found on this platform: bills skipped")
        return {"bills": 0, "note": "one-stop settlement API not available"}
    await _hospitals(api, city, plan)
    last = ids[plan.bills[-1].person]
    what = "settlement knows the insured persons"
    await wait_for(lambda: _settlement_knows(api, last), what, city.options.patience(len(ids)))
    totals: dict[str, Decimal] = dict.fromkeys(BILL_LAYERS, Decimal(0))
    assisted = 0

    async def settle(b: Bill, bar: Bar) -> None:
        nonlocal assisted
        key = city.options.key("bill", b.bill_id)
        done = await api.post(f"/settlement{ONESTOP_PATH}", _bill_body(b, plan, ids), key=key)
        for layer in BILL_LAYERS:
            totals[layer] += Decimal(done[layer])
        assisted += bool(done["assisted"])
        bar.advance()

    with progress.step("one-stop bills", len(plan.bills)) as bar:
        await asyncio.gather(*(settle(b, bar) for b in plan.bills))
    return {
        "bills": len(plan.bills),
        "assisted": assisted,
        **{k: str(v) for k, v in totals.items()},
    }


async def _run(api: ApiClient, city: City, n: int) -> dict[str, Any]:
    body = {"region_code": city.policies.region, "period": city.month.text}
    run: dict[str, Any] = await api.post(
        "/settlement/runs/month-end", body, key=city.options.key("month-end", n)
    )

    async def finished() -> bool:
        nonlocal run
        run = await api.get(f"/settlement/runs/{run['run_id']}")
        return run["status"] != "running"

    if run["status"] == "running":
        await wait_for(
            finished, "the month-end run has finished", city.options.timeout_seconds * 10
        )
    if run["status"] != "completed":
        raise SimulationError(
            f"the month-end run {run['run_id']} ended {run['status']}: {run.get('error')}"
        )
    return run


async def claims(api: ApiClient, city: City) -> dict[str, Any]:
    out: dict[str, Any] = Counter()
    money = dict.fromkeys(("billed", "fund_amount", "person_amount", "denied"), Decimal(0))
    async for c in api.pages(
        "/settlement/claims", limit=200, region_code=city.policies.region, period=city.month.text
    ):
        out["claims"] += 1
        out["lines"] += c["line_count"]
        out["lines_pending"] += c["pending_count"]
        for k in money:
            money[k] += Decimal(c[k])
    return {**out, **{k: str(v) for k, v in money.items()}}


async def month_end(
    api: ApiClient, city: City, expected_lines: int, progress: Progress
) -> dict[str, Any]:
    """Run the month until a rerun changes nothing and settlement holds every expected line
    (care delivery's events may still be arriving when the first run starts)."""
    deadline = time.monotonic() + city.options.patience(expected_lines, 0.02)
    quiet_runs = 0
    with progress.step("month-end settlement", expected_lines) as bar:
        for n in range(1, MAX_RUNS + 1):
            run = await _run(api, city, n)
            totals = await claims(api, city)
            lines = totals.get("lines", 0)
            bar.done = min(lines, expected_lines)
            bar.advance(0)
            changed = run["lines_created"] or run["lines_reversed"] or run["entries_created"]
            quiet_runs = 0 if changed or n == 1 else quiet_runs + 1
            if quiet_runs and (
                lines >= expected_lines or quiet_runs >= 2 or time.monotonic() > deadline
            ):
                if lines < expected_lines:
                    progress.note(f"settlement holds {lines} lines, {expected_lines} were expected")
                return {"runs": n, "run": run, "claims": totals}
            await asyncio.sleep(1.0 if lines >= expected_lines else 3.0)
    raise SimulationError(f"the month-end run still changes the ledger after {MAX_RUNS} runs")


async def trial_balance(api: ApiClient, city: City) -> dict[str, Any]:
    tb = await api.get(
        "/settlement/ledger/trial-balance", region_code=city.policies.region, period=city.month.text
    )
    return {
        "balanced": tb["balanced"],
        "total_debits": tb["total_debits"],
        "total_credits": tb["total_credits"],
        "accounts": len(tb["rows"]),
    }
