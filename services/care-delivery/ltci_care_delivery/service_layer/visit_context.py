"""What verifying a batch of visits needs, loaded in a few set-based queries (never per row).

The context also remembers the visits accepted earlier in the same batch, so overlaps, daily
hours and monthly quotas count them exactly as if they had been posted one by one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ltci_care_delivery.adapters.plans import PlanRepository, StayRepository
from ltci_care_delivery.adapters.read_models import PersonRepository
from ltci_care_delivery.adapters.registry import CaregiverRepository, ProviderRepository
from ltci_care_delivery.adapters.visits import VisitRepository
from ltci_care_delivery.domain.verification import (
    AgreementFacts,
    PlanFacts,
    ProviderFacts,
    Thresholds,
    Usage,
)
from ltci_care_delivery.domain.visit_commands import LogVisit
from ltci_shared.policy import PolicyBook, PolicyNotInForce
from ltci_shared.policy.benefits import BenefitPolicy
from ltci_shared.uow import UnitOfWork


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


def provider_facts(provider: dict[str, Any], agreements: Sequence[dict[str, Any]]) -> ProviderFacts:
    return ProviderFacts(
        agreements=tuple(
            AgreementFacts(a["valid_from"], a["valid_until"], frozenset(a["forms"]))
            for a in agreements
        ),
        suspended_since=provider["suspended_since"] if provider["status"] == "suspended" else None,
        terminated_on=provider["terminated_on"],
    )


@dataclass
class VisitContext:
    """Pre-loaded lookups for one batch, updated in memory as visits are accepted."""

    book: PolicyBook
    provider: ProviderFacts
    persons: dict[str, dict[str, Any]]
    caregivers: dict[str, dict[str, Any]]
    employed: dict[str, date | None]  # caregiver → last working day (None: still there)
    plans: dict[str, list[PlanFacts]]
    stays: dict[str, list[tuple[date, date | None]]]
    busy: dict[tuple[str, date], list[tuple[datetime, datetime | None, int]]]
    usage: dict[tuple[str, str], tuple[int, int]]
    existing: dict[str, dict[str, Any]]
    rules_cache: dict[tuple[str, date], RegionRules | None] = field(default_factory=dict)

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

    def caregiver_busy(
        self, caregiver_id: str, day: date
    ) -> list[tuple[datetime, datetime | None]]:
        """The caregiver's visits (any provider) from the day before to the day after."""
        out: list[tuple[datetime, datetime | None]] = []
        for offset in (-1, 0, 1):
            entries = self.busy.get((caregiver_id, day + timedelta(days=offset)), ())
            out.extend((b, e) for b, e, _ in entries)
        return out

    def caregiver_minutes(self, caregiver_id: str, day: date) -> int:
        return sum(m for _, _, m in self.busy.get((caregiver_id, day), ()))

    def plan_usage(self, plan_id: str, month: str) -> Usage:
        visits, minutes = self.usage.get((plan_id, month), (0, 0))
        return Usage(visits, minutes)

    def remember(self, row: dict[str, Any]) -> None:
        """Count an accepted visit for later items of the same batch."""
        if row["status"] in ("verified", "pending", "refused"):
            entry = (row["begin_at"], row["end_at"], row["duration_minutes"])
            self.busy.setdefault((row["caregiver_id"], row["service_date"]), []).append(entry)
        if row["plan_id"] is not None and row["status"] in ("verified", "pending"):
            key = (row["plan_id"], row["service_month"])
            visits, minutes = self.usage.get(key, (0, 0))
            self.usage[key] = (visits + 1, minutes + row["duration_minutes"])


async def load_context(
    uow: UnitOfWork,
    book: PolicyBook,
    provider: dict[str, Any],
    items: Sequence[LogVisit],
    *,
    besides: str | None = None,
) -> VisitContext:
    """Load, in one query per kind, everything the batch's visits will be checked against
    (``besides``: a stored visit being corrected, left out of overlaps and quotas)."""
    s = uow.session
    person_ids = {v.person_id for v in items}
    caregiver_ids = {v.caregiver_id for v in items}
    dates = [v.service_date for v in items] or [date.today()]
    plans: dict[str, list[PlanFacts]] = defaultdict(list)
    plan_rows = await PlanRepository(s).of_persons(person_ids)
    for row in plan_rows:
        plans[row["person_id"]].append(_plan_facts(row))
    busy: dict[tuple[str, date], list[tuple[datetime, datetime | None, int]]] = defaultdict(list)
    if caregiver_ids:
        first, last = min(dates) - timedelta(days=1), max(dates) + timedelta(days=1)
        for b in await VisitRepository(s).caregiver_visits(caregiver_ids, first, last, besides):
            key = (b["caregiver_id"], b["service_date"])
            busy[key].append((b["begin_at"], b["end_at"], b["duration_minutes"]))
    months = {d.strftime("%Y-%m") for d in dates}
    return VisitContext(
        book=book,
        provider=provider_facts(
            provider, await ProviderRepository(s).agreements(provider["provider_id"])
        ),
        persons=await PersonRepository(s).many(person_ids),
        caregivers=await CaregiverRepository(s).many(caregiver_ids),
        employed=await CaregiverRepository(s).employed_by(provider["provider_id"], caregiver_ids),
        plans=dict(plans),
        stays=await StayRepository(s).of_persons(person_ids),
        busy=dict(busy),
        usage=await VisitRepository(s).plan_usage(
            [r["plan_id"] for r in plan_rows], months, besides
        ),
        existing=await VisitRepository(s).by_external_ids(
            provider["provider_id"], [v.external_id for v in items]
        ),
    )
