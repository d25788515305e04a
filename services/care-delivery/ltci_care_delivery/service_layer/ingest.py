"""Visit ingest (one or up to 1,000 a request): reject bad input, verify the rest, store in bulk.

Per item the outcome is ``accepted`` (stored, verified or with named exceptions),
``duplicate`` (the provider's visit id was seen with the same content) or ``rejected``
(not stored: malformed, unknown person/caregiver/item, a caregiver of another provider, in the
future, or the provider's id reused with other content). One transaction per request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import ValidationError

from ltci_care_delivery.adapters.visits import VisitRepository
from ltci_care_delivery.domain.errors import ProviderNotFound
from ltci_care_delivery.domain.ids import new_id
from ltci_care_delivery.domain.verification import (
    REFUSING,
    Usage,
    VisitFacts,
    duration_minutes,
    max_distance_m,
    status_of,
    verify,
)
from ltci_care_delivery.domain.visit_commands import LogVisit
from ltci_care_delivery.service_layer.visit_context import (
    RegionRules,
    VisitContext,
    provider_context,
)
from ltci_shared.events.contracts import ServiceVisitLogged
from ltci_shared.policy import PolicyBook
from ltci_shared.uow import UnitOfWork

Outcome = Literal["accepted", "duplicate", "rejected"]
NO_USAGE = Usage()


class Rejection(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class ItemResult:
    index: int
    external_id: str | None
    outcome: Outcome
    visit: dict[str, Any] | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


def parse_items(raw: Sequence[Any]) -> tuple[list[tuple[int, LogVisit]], list[ItemResult]]:
    """Validate each item on its own; errors never echo input values."""
    parsed, rejected = [], []
    for index, item in enumerate(raw):
        try:
            parsed.append((index, LogVisit.model_validate(item)))
        except ValidationError as exc:
            external = item.get("external_id") if isinstance(item, dict) else None
            errors = [
                {"code": e["type"], "loc": list(e["loc"]), "message": e["msg"]}
                for e in exc.errors(include_input=False, include_url=False, include_context=False)
            ]
            external = external if isinstance(external, str) and len(external) <= 64 else None
            rejected.append(ItemResult(index, external, "rejected", errors=errors))
    return parsed, rejected


async def ingest(
    uow: UnitOfWork,
    provider_id: str,
    items: Sequence[tuple[int, LogVisit]],
    book: PolicyBook,
    *,
    now: datetime,
    clock_skew: timedelta,
    held: bool = False,
) -> list[ItemResult]:
    """Verify and store the items in bulk; the caller's unit of work commits (``held``: the
    caller already holds the visits' caregivers and persons, see ``visit_context.hold``)."""
    ctx = await provider_context(uow, book, provider_id, [v for _, v in items], held=held)
    if ctx is None:
        raise ProviderNotFound(f"no provider {provider_id}")
    results: list[ItemResult] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, dict[str, Any]] = {}
    for index, visit in items:
        digest = visit.content_hash()
        earlier = seen.get(visit.external_id) or ctx.existing.get(visit.external_id)
        if earlier is not None:
            results.append(_repeat(index, visit, earlier, digest))
            continue
        try:
            row = accept(ctx, provider_id, visit, digest, now, clock_skew)
        except Rejection as exc:
            results.append(_rejected(index, visit.external_id, exc.code, exc.message))
            continue
        ctx.remember(row)
        seen[visit.external_id] = row
        rows.append(row)
        results.append(ItemResult(index, visit.external_id, "accepted", visit=row))
    await _store(uow, rows, now)
    return results


def _rejected(index: int, external_id: str | None, code: str, message: str) -> ItemResult:
    return ItemResult(index, external_id, "rejected", errors=[{"code": code, "message": message}])


def _repeat(index: int, visit: LogVisit, earlier: dict[str, Any], digest: str) -> ItemResult:
    if earlier["content_hash"] == digest:
        return ItemResult(index, visit.external_id, "duplicate", visit=earlier)
    return _rejected(
        index,
        visit.external_id,
        "external_visit_id_reused",
        "this provider visit id was already used for a visit with other content",
    )


def _admit(ctx: VisitContext, visit: LogVisit, now: datetime, skew: timedelta) -> RegionRules:
    """Refuse input that cannot be a visit at all (not stored)."""
    if max(visit.begin_at, visit.end_at or visit.begin_at) > now + skew:
        raise Rejection("visit_in_future", "check-in or check-out is in the future")
    person = ctx.persons.get(visit.person_id)
    if person is None:
        raise Rejection("unknown_person", "no enrolled person with this id is known")
    if visit.caregiver_id not in ctx.caregivers:
        raise Rejection("unknown_caregiver", "no caregiver with this id is registered")
    if visit.caregiver_id not in ctx.employed or (
        (until := ctx.employed[visit.caregiver_id]) is not None and visit.service_date > until
    ):
        raise Rejection(
            "caregiver_not_with_provider", "the caregiver does not work for this provider"
        )
    rules = ctx.rules(person["region_code"], visit.service_date)
    if rules is None:
        raise Rejection("no_policy", "no benefits policy is in force for the person's region")
    unknown = sorted(set(visit.items) - rules.items)
    if unknown:
        raise Rejection("unknown_item", f"items {unknown} are not in the region's catalogue")
    return rules


def _facts(
    ctx: VisitContext, provider_id: str, visit: LogVisit, rules: RegionRules, now: datetime
) -> VisitFacts:
    person = ctx.persons[visit.person_id]
    day = visit.service_date
    plan = ctx.plan(visit.person_id, provider_id, visit.service_form, day, rules)
    home = (person["home_latitude"], person["home_longitude"])
    known = home if None not in home else None
    return VisitFacts(
        visit=visit,
        received_at=now,
        rules=rules.thresholds,
        provider=ctx.provider,
        home=known,
        plan=plan,
        usage=ctx.plan_usage(plan.plan_id, visit.service_month) if plan else NO_USAGE,
        certificate=ctx.caregivers[visit.caregiver_id],
        stays=ctx.stays.get(visit.person_id, []),
        caregiver_busy=ctx.caregiver_busy(visit.caregiver_id, day),
        caregiver_minutes_that_day=ctx.caregiver_minutes(visit.caregiver_id, day),
        distance_m=max_distance_m(visit, known) if known else None,
    )


def accept(
    ctx: VisitContext,
    provider_id: str,
    visit: LogVisit,
    digest: str,
    now: datetime,
    skew: timedelta,
    received_at: datetime | None = None,
) -> dict[str, Any]:
    """Admit and verify one visit: its row (raises Rejection if it cannot be stored)."""
    rules = _admit(ctx, visit, now, skew)
    facts = _facts(ctx, provider_id, visit, rules, received_at or now)
    exceptions = verify(facts)
    distance = facts.distance_m
    return {
        "visit_id": new_id(),
        "provider_id": provider_id,
        "external_id": visit.external_id,
        "content_hash": digest,
        "person_id": visit.person_id,
        "caregiver_id": visit.caregiver_id,
        "plan_id": facts.plan.plan_id if facts.plan else None,
        "region_code": ctx.persons[visit.person_id]["region_code"],
        "service_form": visit.service_form,
        "service_date": visit.service_date,
        "service_month": visit.service_month,
        "begin_at": visit.begin_at,
        "end_at": visit.end_at,
        "duration_minutes": duration_minutes(visit),
        "items": list(visit.items),
        "check_in": visit.as_json["check_in"],
        "check_out": visit.as_json["check_out"],
        "distance_meters": round(distance) if distance is not None else None,
        "status": status_of(exceptions),
        "exceptions": exceptions,
        "policy_version": rules.version,
        "received_at": now,
        "updated_at": now,
    }


def visit_event(row: dict[str, Any]) -> ServiceVisitLogged:
    """ServiceVisitLogged for a stored visit (validated); a missing check-out is sent as
    end = begin."""
    return ServiceVisitLogged.model_validate(
        {
            "visit_id": row["visit_id"],
            "provider_id": row["provider_id"],
            "person_id": row["person_id"],
            "caregiver_id": row["caregiver_id"],
            "plan_id": row["plan_id"],
            "region_code": row["region_code"],
            "service_form": row["service_form"],
            "service_date": row["service_date"],
            "begin_at": row["begin_at"],
            "items": row["items"],
            "end_at": row["end_at"] or row["begin_at"],
            "verified": row["status"] == "verified",
            "exceptions": row["exceptions"],
            "duration_minutes": row["duration_minutes"],
            "external_visit_id": row["external_id"],
        }
    )


async def _store(uow: UnitOfWork, rows: list[dict[str, Any]], now: datetime) -> None:
    repo = VisitRepository(uow.session)
    await repo.add_many(rows)
    await repo.add_exceptions(
        [
            {
                "exception_id": new_id(),
                "visit_id": row["visit_id"],
                "provider_id": row["provider_id"],
                "code": code,
                "refused": int(code in REFUSING),
                "status": "open",
                "resolution_code": None,
                "resolved_by": None,
                "resolved_at": None,
                "created_at": now,
            }
            for row in rows
            for code in row["exceptions"]
        ]
    )
    for row in rows:
        uow.record(visit_event(row))
    await uow.flush_events_bulk()
