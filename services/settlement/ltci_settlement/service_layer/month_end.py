"""The month-end run (月结) of a region: build every person's lines from the read models, settle
them in chunks (each chunk one transaction, progress counted on the run), then post assessment
fees, issue statements and announce adjudicated claims. Rerunning changes nothing unless the
read models changed since; concurrent runs of one region and period are serialised."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ltci_settlement.adapters.claims_repository import ClaimRepository
from ltci_settlement.adapters.repository import ReadModelRepository
from ltci_settlement.domain.candidates import (
    Candidate,
    plan_candidate,
    rental_candidates,
    visit_candidate,
)
from ltci_settlement.domain.facts import Period, PersonFacts, group_by_person
from ltci_settlement.service_layer import statements
from ltci_settlement.service_layer.settle import RunScope, settle_persons
from ltci_settlement.settings import Settings
from ltci_shared.errors import InvalidInput, NotFound
from ltci_shared.policy import BenefitPolicy, PolicyBook, PolicyNotInForce
from ltci_shared.uow import UnitOfWork

Row = dict[str, Any]
UowFactory = Callable[[], UnitOfWork]
PolicyLookup = Callable[[date], tuple[BenefitPolicy | None, str | None]]


class UnknownRegion(InvalidInput):
    name = "unknown_region"
    title = "Unknown region code"


def resolve_region(book: PolicyBook, code: str) -> str:
    try:
        return book.region(code).code
    except NotFound:
        raise UnknownRegion(f"no policy pack covers region {code}") from None


async def start_month_end(uow: UnitOfWork, book: PolicyBook, region_code: str, period: str) -> Row:
    """Record a new run (status ``running``); ``execute_month_end`` does the work."""
    region = resolve_region(book, region_code)
    parsed = Period.parse(period)
    row = {
        "run_id": str(uuid.uuid4()),
        "region_code": region,
        "period": str(parsed),
        "status": "running",
        "persons_total": 0,
        **dict.fromkeys(("persons_done", "lines_created", "lines_pending", "lines_reversed"), 0),
        "entries_created": 0,
        "statements_issued": 0,
        "error": None,
        "started_at": datetime.now(UTC),
        "finished_at": None,
    }
    await ClaimRepository(uow.session).add_run(row)
    return row


def policy_lookup(book: PolicyBook, region: str) -> PolicyLookup:
    """The benefits version in force on a day (and its id), cached per day."""
    cache: dict[date, tuple[BenefitPolicy | None, str | None]] = {}

    def policy_for(day: date) -> tuple[BenefitPolicy | None, str | None]:
        if day not in cache:
            try:
                policy = book.in_force(region, BenefitPolicy, on=day)
                cache[day] = (policy, policy.version_id(region))
            except PolicyNotInForce:
                cache[day] = (None, None)
        return cache[day]

    return policy_for


async def execute_month_end(
    uow_factory: UowFactory, book: PolicyBook, settings: Settings, run: Row
) -> None:
    scope = RunScope(
        run_id=run["run_id"],
        region_code=run["region_code"],
        period=run["period"],
        policy_for=policy_lookup(book, run["region_code"]),
        sample_share=settings.review_sample_share,
        high_value=settings.review_high_value,
        seed=settings.review_seed,
    )
    try:
        candidates = await _gather(uow_factory, book, scope)
        touched = await _settle_chunks(uow_factory, scope, candidates, settings.run_chunk_persons)
        await _close(uow_factory, book, scope, touched)
    except Exception as exc:
        async with uow_factory() as uow:
            await ClaimRepository(uow.session).set_run(
                run["run_id"],
                status="failed",
                error=f"{type(exc).__name__}: {exc}"[:500],
                finished_at=datetime.now(UTC),
            )
            await uow.commit()
        raise


async def _gather(
    uow_factory: UowFactory, book: PolicyBook, scope: RunScope
) -> dict[str, list[Candidate]]:
    """Every person's candidate lines for the period, from the read models; persons with
    lines already in the period's claims are included (a void reverses their lines)."""
    period = Period.parse(scope.period)
    async with uow_factory() as uow:
        claims = ClaimRepository(uow.session)
        already = await claims.persons_with_lines(
            await claims.claim_ids_of(scope.region_code, scope.period)
        )
        rows = await read_month(uow, book, scope.region_code, period, already)
    return month_candidates(book, scope.region_code, rows, scope.policy_for)


@dataclass(frozen=True)
class MonthRows:
    """The read-model rows a region's month is settled from (the same for any policy)."""

    period: Period
    persons: set[str]
    visits: list[Row]
    plans: list[Row]
    rentals: list[Row]
    facts: dict[str, PersonFacts]
    plan_rows: dict[str, Row]
    certified: dict[str, int]


async def read_month(
    uow: UnitOfWork,
    book: PolicyBook,
    region: str,
    period: Period,
    extra_persons: Iterable[str] = (),
) -> MonthRows:
    """Read (never write) what month-end needs for ``region`` (a city pack code) and month."""
    regions = [region, *book.regions[region].divisions]
    repo = ReadModelRepository(uow.session)
    visits = await repo.visits_in(regions, period.first, period.last)
    plans = await repo.plans_in(regions, period.first, period.last)
    rentals = await repo.rentals_overlapping(period.first, period.last)
    persons = {r["person_id"] for r in (*visits, *plans, *rentals)} | set(extra_persons)
    memberships, eligibilities, stays = await repo.facts_rows(persons)
    plan_rows = await repo.plans_by_id({v["plan_id"] for v in visits if v["plan_id"]})
    certified = await repo.certified_days(
        [p["plan_id"] for p in plans if p["service_form"] == "family_care"], str(period)
    )
    facts = _facts(memberships, eligibilities, stays)
    return MonthRows(period, persons, visits, plans, rentals, facts, plan_rows, certified)


def month_candidates(
    book: PolicyBook, region: str, rows: MonthRows, policy_for: PolicyLookup
) -> dict[str, list[Candidate]]:
    """Every person's candidate lines for the month under the policies ``policy_for`` gives
    (whether a plan is paid as flat cash, device terms and categories depend on them)."""
    period, facts = rows.period, rows.facts
    out: dict[str, list[Candidate]] = {p: [] for p in rows.persons}
    for visit in rows.visits:
        person = visit["person_id"]
        out[person].append(visit_candidate(visit, facts[person], rows.plan_rows))
    for plan in rows.plans:
        policy, _ = policy_for(max(plan["starts_on"], period.first))
        rule = policy.form(plan["service_form"]) if policy else None
        made = (
            plan_candidate(
                plan, facts[plan["person_id"]], period, rows.certified.get(plan["plan_id"])
            )
            if rule and rule.flat_cash
            else None
        )
        if made is not None:
            out[plan["person_id"]].append(made)
    last_region = {
        p: facts[p].region_on(period.last) or facts[p].region_on(period.first) for p in rows.persons
    }
    for person_id, found in group_by_person(rows.rentals).items():
        if _in_region(book, last_region.get(person_id), region):
            out[person_id].extend(
                rental_candidates(found, facts[person_id], period, lambda d: policy_for(d)[0])
            )
    return out


def _facts(
    memberships: list[Row], eligibilities: list[Row], stays: list[Row]
) -> dict[str, PersonFacts]:
    m, e, s = group_by_person(memberships), group_by_person(eligibilities), group_by_person(stays)
    people = set(m) | set(e) | set(s)
    facts: dict[str, PersonFacts] = defaultdict(PersonFacts)
    for p in people:
        facts[p] = PersonFacts(tuple(m.get(p, ())), tuple(e.get(p, ())), tuple(s.get(p, ())))
    return facts


def _in_region(book: PolicyBook, code: str | None, region: str) -> bool:
    return code is not None and book.knows_region(code) and book.region(code).code == region


async def _settle_chunks(
    uow_factory: UowFactory, scope: RunScope, candidates: dict[str, list[Candidate]], size: int
) -> set[str]:
    persons = sorted(candidates)
    async with uow_factory() as uow:
        await ClaimRepository(uow.session).set_run(scope.run_id, persons_total=len(persons))
        await uow.commit()
    touched: set[str] = set()
    for i in range(0, len(persons), size):
        chunk = {p: candidates[p] for p in persons[i : i + size]}
        async with uow_factory() as uow:
            result = await settle_persons(uow, scope, chunk)
            await ClaimRepository(uow.session).count_run(
                scope.run_id,
                persons_done=len(chunk),
                lines_created=result.lines_created,
                lines_pending=result.lines_pending,
                lines_reversed=result.lines_reversed,
                entries_created=result.entries_created,
            )
            await uow.commit()
        touched |= result.claims_touched
    return touched


async def _close(
    uow_factory: UowFactory, book: PolicyBook, scope: RunScope, touched: set[str]
) -> None:
    async with uow_factory() as uow:
        repo = ClaimRepository(uow.session)
        await repo.lock_period(scope.region_code, scope.period)
        fees = await statements.post_assessment_fees(uow, book, scope)
        issued = await statements.issue_statements(uow, scope, touched)
        await repo.count_run(scope.run_id, entries_created=fees, statements_issued=issued)
        await repo.set_run(scope.run_id, status="completed", finished_at=datetime.now(UTC))
        await uow.commit()
