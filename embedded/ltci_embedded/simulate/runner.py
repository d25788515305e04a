"""Runs a simulated city month against a running platform and summarises what it created."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from datetime import date
from typing import Any

import httpx

from ltci_embedded.simulate import assess, delivery, enroll, settle
from ltci_embedded.simulate.care import CarePlan, plan_care
from ltci_embedded.simulate.city import City, Policies, build_city
from ltci_embedded.simulate.client import ApiClient, SimulationError, resolve_credentials
from ltci_embedded.simulate.options import Month, Options
from ltci_embedded.simulate.progress import Progress
from ltci_embedded.simulate.registry import register
from ltci_embedded.simulate.visits import VisitPlan, schedule_visits
from ltci_shared.errors import NotFound
from ltci_shared.policy import PolicyBook


def prepare(options: Options, today: date) -> tuple[Options, City, CarePlan, list[VisitPlan]]:
    """The whole city as data, before any request: same seed and month, same city."""
    month = options.month or Month.last_complete(today)
    if month.last >= today:
        raise SimulationError(f"{month.text} is not over yet: simulate a complete month")
    book = PolicyBook.load()
    try:
        region = book.region(options.region).code
        policies = Policies.load(book, region, month)
    except NotFound:
        raise SimulationError(f"no policy pack covers region {options.region}") from None
    except ValueError as exc:
        raise SimulationError(str(exc)) from None
    options = replace(options, month=month, region=region)
    city = build_city(options, month, policies)
    plan = plan_care(city)
    return options, city, plan, schedule_visits(city, plan)


async def _check_platform(api: ApiClient, url: str) -> None:
    try:
        await api.get("/healthz")
    except SimulationError as exc:
        raise SimulationError(
            f"no LTCI platform answers at {url} ({exc}); start one with `uv run ltci run`"
        ) from None


async def simulate(options: Options, today: date | None = None) -> dict[str, Any]:
    started = time.monotonic()
    options, city, plan, visits = prepare(options, today or date.today())
    progress = Progress(options.progress)
    credentials = resolve_credentials(options.client_id, options.client_secret, options.data_dir)
    api = ApiClient(options.url, credentials, concurrency=options.concurrency)
    try:
        await _check_platform(api, options.url)
        summary = await _steps(api, city, plan, visits, progress)
    except httpx.HTTPError as exc:
        raise SimulationError(f"the platform at {options.url} failed: {exc!r}") from exc
    finally:
        await api.aclose()
    summary["requests"] = {"sent": api.requests, "throttled_429": api.throttled}
    summary["seconds"] = round(time.monotonic() - started, 1)
    return summary


async def _steps(
    api: ApiClient, city: City, plan: CarePlan, visits: list[VisitPlan], progress: Progress
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "region": f"{city.policies.region} {city.policies.name}",
        "month": city.month.text,
        "seed": city.options.seed,
        "size": city.options.size,
    }
    out["enrollment"] = await enroll.enroll_persons(api, city, progress)
    ids = await enroll.person_ids(api, city, progress)
    out["enrollment"] |= await enroll.enroll_recipients(api, city, progress)
    out["contributions"] = await enroll.collect_contributions(api, city, progress)
    pool = await assess.assessors(api, city, progress)
    await assess.wait_until_known(api, city, ids, progress)
    outcomes = await assess.applications(api, city, ids, pool, progress)
    finalised = await assess.close_notices(api, city, progress)
    grades = await assess.eligibilities(api, city, ids)
    out["assessment"] = {
        "applications": len(city.applications),
        "outcomes": dict(outcomes),
        "made_final_now": finalised,
        "grades_assessed": dict(sorted(Counter(a.grade for a in city.applications).items())),
        "eligibilities_in_force": dict(sorted(grades.items())),
    }
    reg = await register(api, city, plan, progress)
    care = await delivery.arrangements(api, city, plan, reg, ids, progress)
    await delivery.ingest_visits(api, city, plan, reg, ids, visits, care, progress)
    await delivery.review_exceptions(api, city, reg, care, progress)
    out["care"] = _care_summary(plan, visits, care)
    out["one_stop"] = await settle.onestop_bills(api, city, plan, ids, progress)
    result = await settle.month_end(api, city, _expected_lines(plan, care), progress)
    out["settlement"] = {
        "month_end_runs": result["runs"],
        "run_status": result["run"]["status"],
        "claims": result["claims"],
        "trial_balance": await settle.trial_balance(api, city),
    }
    return out


def _expected_lines(plan: CarePlan, care: delivery.Delivery) -> int:
    voided = len(care.voided)
    rentals = sum(len(c.rentals) for c in plan.cares)
    cash = sum(1 for c in plan.cares if c.style == "cash")
    return sum(care.visits.values()) - voided + rentals + cash


def _care_summary(
    plan: CarePlan, visits: list[VisitPlan], care: delivery.Delivery
) -> dict[str, Any]:
    return {
        "providers": len(plan.providers),
        "caregivers": len(plan.caregivers),
        "plans_by_form": dict(care.plans),
        "hospital_stays": care.stays,
        "device_rentals": care.rentals,
        "visits_sent": len(visits),
        "visits_stored": sum(care.visits.values()),
        "visits_by_status_after_review": dict(care.statuses()),
        "visits_refused_at_ingest": dict(care.rejected),
        "exceptions_raised": dict(care.exceptions),
        "exceptions_resolved": dict(care.resolved),
    }


def render(summary: dict[str, Any]) -> str:
    """The summary as indented text lines."""
    lines: list[str] = []

    def walk(value: Any, indent: int) -> None:
        for key, item in value.items():
            if isinstance(item, dict) and item:
                lines.append(f"{'  ' * indent}{key}:")
                walk(item, indent + 1)
            else:
                lines.append(f"{'  ' * indent}{key}: {item}")

    walk(summary, 0)
    return "\n".join(lines)
