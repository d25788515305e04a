"""Turning read-model rows into the lines of a period: one per visit, one per flat-cash plan and
month (its payable days), one per device rental and month (its rented days)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ltci_settlement.domain.adjudication import DEVICE, Context, Service
from ltci_settlement.domain.facts import Period, PersonFacts
from ltci_shared.money import from_fen
from ltci_shared.policy.benefits import BenefitPolicy

Row = Mapping[str, Any]
PolicyFor = Callable[[date], BenefitPolicy | None]


@dataclass(frozen=True)
class Candidate:
    service: Service
    context: Context
    person_id: str
    provider_id: str
    source_kind: str
    source_key: str
    source_revision: int
    visit_id: str | None = None
    event_id: str | None = None

    @property
    def order(self) -> tuple[date, str]:
        return (self.service.service_date, self.source_key)


def visit_candidate(visit: Row, facts: PersonFacts, plans: Mapping[str, Row]) -> Candidate:
    day: date = visit["service_date"]
    minutes = int((visit["end_at"] - visit["begin_at"]).total_seconds() // 60)
    plan = plans.get(visit["plan_id"] or "")
    service = Service(
        key=visit["visit_id"],
        kind="visit",
        form=visit["service_form"],
        service_date=day,
        minutes=max(minutes, 0),
        items=tuple(visit["items"] or ()),
        verified=bool(visit["verified"]),
        exceptions=tuple(visit["exceptions"] or ()),
        package_code=plan["package_code"] if plan else None,
    )
    context = Context(
        grade=facts.grade_on(day), fund=facts.fund_on(day), in_stay=facts.in_stay(day)
    )
    return Candidate(
        service=service,
        context=context,
        person_id=visit["person_id"],
        provider_id=visit["provider_id"],
        source_kind="visit",
        source_key=f"visit:{visit['visit_id']}",
        source_revision=int(visit["revision"]),
        visit_id=visit["visit_id"],
        event_id=visit["event_id"],
    )


def plan_candidate(
    plan: Row, facts: PersonFacts, period: Period, certified_days: int | None = None
) -> Candidate | None:
    """A flat-cash plan's month: its days that are insured, eligible and not in a stay.

    Family care (亲情照护) is paid only for a certified month, and for at most its certified
    days (care-delivery's FamilyCareCertified); an uncertified month pays nothing yet.
    """
    if plan["service_form"] == "family_care" and not certified_days:
        return None
    days = [
        d
        for d in period.days()
        if plan["starts_on"] <= d and (plan["ends_on"] is None or d <= plan["ends_on"])
    ]
    if not days:
        return None
    known = [d for d in days if facts.grade_on(d) is not None and facts.fund_on(d) is not None]
    payable = [d for d in known if not facts.in_stay(d)]
    first = payable[0] if payable else (known[0] if known else days[0])
    count = len(payable) or len(known) or len(days)
    if certified_days is not None:
        count = min(count, certified_days)
    context = Context(
        grade=facts.grade_on(first), fund=facts.fund_on(first), in_stay=not payable and bool(known)
    )
    service = Service(
        key=plan["plan_id"],
        kind="plan",
        form=plan["service_form"],
        service_date=first,
        days=count,
        package_code=plan["package_code"],
    )
    return Candidate(
        service=service,
        context=context,
        person_id=plan["person_id"],
        provider_id=plan["provider_id"],
        source_kind="plan",
        source_key=f"plan:{plan['plan_id']}:{period}",
        source_revision=0,
        event_id=plan["event_id"],
    )


def rental_candidates(
    rentals: Sequence[Row], facts: PersonFacts, period: Period, policy_for: PolicyFor
) -> list[Candidate]:
    """Each rental's days in the month; a second device of a category, or a rental ended
    before the minimum term, is not covered."""
    out: list[Candidate] = []
    seen_categories: set[str] = set()
    for rental in sorted(rentals, key=lambda r: (r["starts_on"], r["rental_id"])):
        start = max(rental["starts_on"], period.first)
        end = min(rental["ends_on"] or period.last, period.last)
        if end < start:
            continue
        policy = policy_for(start)
        device = policy.device(rental["device_code"]) if policy else None
        blocked = None
        if policy and policy.devices and device:
            term = rental["ends_on"] and (rental["ends_on"] - rental["starts_on"]).days + 1
            if term and term < policy.devices.min_term_days:
                blocked = f"rented {term} days, minimum {policy.devices.min_term_days}"
            elif policy.devices.one_per_category and device.category in seen_categories:
                blocked = f"a second device of category {device.category}"
            seen_categories.add(device.category)
        service = Service(
            key=rental["rental_id"],
            kind="rental",
            form=DEVICE,
            service_date=start,
            days=(end - start).days + 1,
            device_code=rental["device_code"],
            device_rate=from_fen(int(rental["daily_rate_fen"])),
        )
        context = Context(
            grade=facts.grade_on(start), fund=facts.fund_on(start), device_blocked=blocked
        )
        out.append(
            Candidate(
                service=service,
                context=context,
                person_id=rental["person_id"],
                provider_id=rental["provider_id"],
                source_kind="rental",
                source_key=f"rental:{rental['rental_id']}:{period}",
                source_revision=int(rental["revision"]),
                event_id=rental["event_id"],
            )
        )
    return out


def units_text(units: Decimal) -> str:
    return format(units.normalize(), "f") if units == units.to_integral() else format(units, "f")
