"""What verifying a batch of visits needs, loaded in one set-based statement (never per row).

The context also remembers the visits accepted earlier in the same batch, so overlaps, daily
hours and monthly quotas count them exactly as if they had been posted one by one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from ltci_care_delivery.adapters.visit_context import VisitContextRepository
from ltci_care_delivery.adapters.visits import COUNTED, PRESENT, VisitRepository
from ltci_care_delivery.domain.errors import ProviderNotFound
from ltci_care_delivery.domain.verification import (
    AgreementFacts,
    PlanFacts,
    ProviderFacts,
    Thresholds,
    Usage,
    select_plan,
)
from ltci_care_delivery.domain.visit_commands import LogVisit
from ltci_shared.policy import PolicyBook, PolicyNotInForce
from ltci_shared.policy.benefits import BenefitPolicy
from ltci_shared.uow import UnitOfWork

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class RegionRules:
    policy: BenefitPolicy
    version: str
    thresholds: Thresholds
    items: frozenset[str]


def _plan_facts(row: dict[str, Any]) -> PlanFacts:
    return PlanFacts(
        plan_id=row["plan_id"],
        provider_id=row["provider_id"],
        service_form=row["service_form"],
        items=frozenset(row["items"]),
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        visits_per_month=row["visits_per_month"],
        hours_per_month=row["hours_per_month"],
        min_minutes_per_visit=row["min_minutes_per_visit"],
        pauses_during_stay=False,  # set from the policy in force on the visit's date
    )


def provider_facts(
    provider: dict[str, Any], agreements: Sequence[tuple[date, date, Sequence[str]]]
) -> ProviderFacts:
    return ProviderFacts(
        agreements=tuple(
            AgreementFacts(valid_from, valid_until, frozenset(forms))
            for valid_from, valid_until, forms in agreements
        ),
        suspended_since=provider["suspended_since"] if provider["status"] == "suspended" else None,
        terminated_on=provider["terminated_on"],
    )


@dataclass
class VisitContext:
    """Pre-loaded lookups for one batch, updated in memory as visits are accepted."""

    book: PolicyBook
    provider: ProviderFacts
    persons: dict[str, dict[str, Any]]  # region_code, home_latitude, home_longitude
    caregivers: dict[str, tuple[date, date]]  # caregiver → certificate valid from, until
    employed: dict[str, date | None]  # caregiver → last working day (None: still there)
    plans: dict[str, list[PlanFacts]]
    stays: dict[str, list[tuple[date, date | None]]]
    busy: dict[tuple[str, date], list[tuple[datetime, datetime | None]]]
    minutes: dict[tuple[str, date], int]  # (caregiver, day) → minutes of those visits
    usage: dict[tuple[str, str], tuple[int, int]]
    existing: dict[str, dict[str, Any]]
    rules_cache: dict[tuple[str, date], RegionRules | None] = field(default_factory=dict)
    plan_cache: dict[tuple[str, str], PlanFacts] = field(default_factory=dict)

    def rules(self, region_code: str, day: date) -> RegionRules | None:
        """The region's benefits policy on a day (cached per batch), None if there is none."""
        key = (region_code, day)
        if key not in self.rules_cache:
            self.rules_cache[key] = self._load_rules(region_code, day)
        return self.rules_cache[key]

    def _load_rules(self, region_code: str, day: date) -> RegionRules | None:
        if not self.book.knows_region(region_code):
            return None
        try:
            policy = self.book.in_force(region_code, BenefitPolicy, day)
        except PolicyNotInForce:
            return None
        vv = policy.visit_verification
        thresholds = Thresholds(
            fence_meters=vv.fence_meters,
            face_match_threshold=vv.face_match_threshold,
            max_visit_minutes=vv.max_visit_minutes,
            max_caregiver_minutes_per_day=vv.max_caregiver_hours_per_day * 60,
            late_submission_days=vv.late_submission_days,
        )
        version = policy.version_id(self.book.region(region_code).code)
        return RegionRules(policy, version, thresholds, frozenset(i.code for i in policy.items))

    def plan(
        self, person_id: str, provider_id: str, form: str, day: date, rules: RegionRules
    ) -> PlanFacts | None:
        """The plan covering the visit, with whether the policy pauses it during a stay."""
        plan = select_plan(self.plans.get(person_id, ()), provider_id, form, day)
        if plan is None:
            return None
        key = (plan.plan_id, rules.version)
        found = self.plan_cache.get(key)
        if found is None:
            policy_form = rules.policy.form(plan.service_form)
            paused = bool(policy_form and policy_form.paused_during_stay)
            found = self.plan_cache[key] = replace(plan, pauses_during_stay=paused)
        return found

    def caregiver_busy(
        self, caregiver_id: str, day: date
    ) -> list[tuple[datetime, datetime | None]]:
        """The caregiver's visits (any provider) from the day before to the day after."""
        busy = self.busy
        return [
            *busy.get((caregiver_id, day - ONE_DAY), ()),
            *busy.get((caregiver_id, day), ()),
            *busy.get((caregiver_id, day + ONE_DAY), ()),
        ]

    def caregiver_minutes(self, caregiver_id: str, day: date) -> int:
        return self.minutes.get((caregiver_id, day), 0)

    def plan_usage(self, plan_id: str, month: str) -> Usage:
        visits, minutes = self.usage.get((plan_id, month), (0, 0))
        return Usage(visits, minutes)

    def remember(self, row: dict[str, Any]) -> None:
        """Count an accepted visit for later items of the same batch."""
        status = row["status"]
        if status in PRESENT:
            key = (row["caregiver_id"], row["service_date"])
            self.busy.setdefault(key, []).append((row["begin_at"], row["end_at"]))
            self.minutes[key] = self.minutes.get(key, 0) + row["duration_minutes"]
        if row["plan_id"] is not None and status in COUNTED:
            key2 = (row["plan_id"], row["service_month"])
            visits, minutes = self.usage.get(key2, (0, 0))
            self.usage[key2] = (visits + 1, minutes + row["duration_minutes"])


async def provider_context(
    uow: UnitOfWork,
    book: PolicyBook,
    provider_id: str,
    items: Sequence[LogVisit],
    *,
    besides: str | None = None,
    held: bool = False,
) -> VisitContext | None:
    """Load, in one statement, everything the batch's visits will be checked against; None
    if the provider is unknown (``besides``: a stored visit being corrected, left out of
    overlaps and quotas). First waits for the visits' caregivers and persons (``hold``),
    unless the caller holds them already (``held``)."""
    if not held:
        await hold(uow, items)
    days = [v.service_date for v in items] or [date.today()]
    rows = await VisitContextRepository(uow.session).load(
        provider_id,
        {v.person_id for v in items},
        {v.caregiver_id for v in items},
        (min(days) - ONE_DAY, max(days) + ONE_DAY),
        {v.service_month for v in items},
        {v.external_id for v in items},
        besides,
    )
    if rows.provider is None:
        return None
    plans: dict[str, list[PlanFacts]] = defaultdict(list)
    for row in sorted(rows.plans, key=lambda r: r["plan_id"]):  # oldest first, as created
        plans[row["person_id"]].append(_plan_facts(row))
    busy: dict[tuple[str, date], list[tuple[datetime, datetime | None]]] = defaultdict(list)
    minutes: dict[tuple[str, date], int] = defaultdict(int)
    for caregiver_id, day, begin, end, duration in rows.busy:
        busy[(caregiver_id, day)].append((begin, end))
        minutes[(caregiver_id, day)] += duration
    existing: dict[str, dict[str, Any]] = {}
    if rows.existing:  # a repeated provider visit id: the stored visits, in full
        existing = await VisitRepository(uow.session).by_external_ids(provider_id, rows.existing)
    return VisitContext(
        book=book,
        provider=provider_facts(rows.provider, rows.agreements),
        persons=rows.persons,
        caregivers=rows.caregivers,
        employed=rows.employed,
        plans=dict(plans),
        stays=rows.stays,
        busy=dict(busy),
        minutes=dict(minutes),
        usage=rows.usage,
        existing=existing,
    )


async def hold(uow: UnitOfWork, items: Sequence[LogVisit]) -> None:
    """Hold the visits' caregivers and persons until the transaction ends, so a concurrent
    transaction verifying visits of the same caregiver or person waits, then sees these."""
    await VisitContextRepository(uow.session).lock_subjects(
        {v.caregiver_id for v in items}, {v.person_id for v in items}
    )


async def load_context(
    uow: UnitOfWork,
    book: PolicyBook,
    provider: dict[str, Any],
    items: Sequence[LogVisit],
    *,
    besides: str | None = None,
) -> VisitContext:
    """``provider_context`` for a provider already loaded."""
    ctx = await provider_context(uow, book, provider["provider_id"], items, besides=besides)
    if ctx is None:
        raise ProviderNotFound(f"no provider {provider['provider_id']}")
    return ctx
