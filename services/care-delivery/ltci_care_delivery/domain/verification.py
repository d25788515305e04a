"""Electronic visit verification (EVV) as pure rules: each failure is a named exception.

Refusing exceptions (``REFUSING``) mean the visit cannot be paid whatever a reviewer says
(during a stay, no plan, item not in the package, over the monthly quota, no agreement); the
others flag the visit for review in the exception queue, where a reason code may accept it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from math import asin, cos, radians, sin, sqrt

from ltci_care_delivery.domain.visit_commands import CHINA, LogVisit

CHECKOUT_MISSING = "checkout_missing"
END_BEFORE_BEGIN = "end_before_begin"
TOO_LONG = "visit_too_long"
LOCATION_MISSING = "location_missing"
HOME_LOCATION_UNKNOWN = "home_location_unknown"
OUTSIDE_FENCE = "outside_fence"
FACE_MATCH_LOW = "face_match_low"
MANUAL_ENTRY = "manual_entry"
CAREGIVER_OVERLAP = "caregiver_overlap"
CAREGIVER_DAILY_HOURS = "caregiver_daily_hours_exceeded"
BELOW_MINIMUM = "below_minimum_duration"
CERTIFICATE_INVALID = "certificate_invalid"
LATE_SUBMISSION = "late_submission"
DURING_STAY = "during_stay"
NOT_IN_PLAN = "not_in_care_plan"
ITEM_NOT_IN_PACKAGE = "item_not_in_package"
QUOTA_EXCEEDED = "monthly_quota_exceeded"
AGREEMENT_NOT_COVERING = "agreement_not_covering"

REFUSING = frozenset(
    {DURING_STAY, NOT_IN_PLAN, ITEM_NOT_IN_PACKAGE, QUOTA_EXCEEDED, AGREEMENT_NOT_COVERING}
)
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Thresholds:
    """The region's verification settings in force on the service date (policy data)."""

    fence_meters: int
    face_match_threshold: Decimal
    max_visit_minutes: int
    max_caregiver_minutes_per_day: int
    late_submission_days: int


@dataclass(frozen=True)
class PlanFacts:
    plan_id: str
    provider_id: str
    service_form: str
    items: frozenset[str]
    starts_on: date
    ends_on: date | None
    visits_per_month: int | None
    hours_per_month: int | None
    min_minutes_per_visit: int | None
    pauses_during_stay: bool


@dataclass(frozen=True)
class AgreementFacts:
    valid_from: date
    valid_until: date
    forms: frozenset[str]


@dataclass(frozen=True)
class ProviderFacts:
    agreements: tuple[AgreementFacts, ...]
    suspended_since: date | None = None
    terminated_on: date | None = None


@dataclass(frozen=True)
class Usage:
    """What a plan already used in the visit's month (verified and pending visits)."""

    visits: int = 0
    minutes: int = 0


@dataclass(frozen=True)
class VisitFacts:
    """Everything the rules need about one visit, gathered by the service layer."""

    visit: LogVisit
    received_at: datetime
    rules: Thresholds
    provider: ProviderFacts
    home: tuple[float, float] | None
    plan: PlanFacts | None
    usage: Usage
    certificate: tuple[date, date]
    stays: Sequence[tuple[date, date | None]] = ()
    caregiver_busy: Sequence[tuple[datetime, datetime | None]] = ()
    caregiver_minutes_that_day: int = 0
    distance_m: float | None = None  # farthest capture from home (computed when None)


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = radians(a[0]), radians(a[1]), radians(b[0]), radians(b[1])
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(min(1.0, sqrt(h)))


def duration_minutes(visit: LogVisit) -> int:
    """Whole minutes between check-in and check-out; 0 when check-out is missing or earlier."""
    return visit.duration_minutes


def max_distance_m(visit: LogVisit, home: tuple[float, float]) -> float | None:
    """The farthest located capture from home, None if no capture is located."""
    far: float | None = None
    for c in (visit.check_in, visit.check_out):
        if c is not None and c.latitude is not None and c.longitude is not None:
            meters = haversine_m(home, (c.latitude, c.longitude))
            if far is None or meters > far:
                far = meters
    return far


def overlaps(
    begin: datetime, end: datetime | None, others: Iterable[tuple[datetime, datetime | None]]
) -> bool:
    """Whether [begin, end) meets any other interval; a missing end is a point in time."""
    a_end = end if end is not None and end > begin else begin
    point = a_end == begin
    for b_begin, b_end in others:
        if b_end is None or b_end <= b_begin:  # the other is a point in time
            if (begin == b_begin) if point else (begin <= b_begin < a_end):
                return True
        elif (b_begin <= begin < b_end) if point else (begin < b_end and b_begin < a_end):
            return True
    return False


def in_stay(day: date, stays: Iterable[tuple[date, date | None]]) -> bool:
    """A stay covers its days from admission up to (not including) discharge."""
    return any(admitted <= day and (out is None or day < out) for admitted, out in stays)


def agreement_covers(provider: ProviderFacts, day: date, form: str) -> bool:
    if provider.terminated_on is not None and day > provider.terminated_on:
        return False
    if provider.suspended_since is not None and day >= provider.suspended_since:
        return False
    return any(
        a.valid_from <= day <= a.valid_until and form in a.forms for a in provider.agreements
    )


def select_plan(
    plans: Iterable[PlanFacts], provider_id: str, form: str, day: date
) -> PlanFacts | None:
    """The plan of this provider and form that covers the day, if any."""
    for plan in plans:
        if plan.provider_id != provider_id or plan.service_form != form:
            continue
        if plan.starts_on <= day and (plan.ends_on is None or day <= plan.ends_on):
            return plan
    return None


def quota_exceeded(plan: PlanFacts, usage: Usage, minutes: int) -> bool:
    if plan.visits_per_month is not None and usage.visits + 1 > plan.visits_per_month:
        return True
    return plan.hours_per_month is not None and usage.minutes + minutes > plan.hours_per_month * 60


def timing_exceptions(visit: LogVisit, rules: Thresholds, plan: PlanFacts | None) -> list[str]:
    if visit.end_at is None:
        return [CHECKOUT_MISSING]
    if visit.end_at <= visit.begin_at:
        return [END_BEFORE_BEGIN]
    minutes = duration_minutes(visit)
    out = [TOO_LONG] if minutes > rules.max_visit_minutes else []
    if plan is not None and plan.min_minutes_per_visit and minutes < plan.min_minutes_per_visit:
        out.append(BELOW_MINIMUM)
    return out


def capture_exceptions(
    visit: LogVisit,
    rules: Thresholds,
    home: tuple[float, float] | None,
    far: float | None = None,
) -> list[str]:
    """``far``: the farthest capture from home, if already known."""
    unlocated = face_low = manual = False
    for c in (visit.check_in, visit.check_out):  # one pass over the captures
        if c is None:
            continue
        unlocated = unlocated or not c.located
        if c.method == "face":
            face_low = face_low or (c.face_score or 0) < float(rules.face_match_threshold)
        elif c.method == "manual":
            manual = True
    out: list[str] = []
    if unlocated:
        out.append(LOCATION_MISSING)
    if home is None:
        out.append(HOME_LOCATION_UNKNOWN)
    else:
        if far is None:
            far = max_distance_m(visit, home)
        if far is not None and far > rules.fence_meters:
            out.append(OUTSIDE_FENCE)
    if face_low:
        out.append(FACE_MATCH_LOW)
    if manual:
        out.append(MANUAL_ENTRY)
    return out


def caregiver_exceptions(facts: VisitFacts) -> list[str]:
    v, out = facts.visit, []
    if overlaps(v.begin_at, v.end_at, facts.caregiver_busy):  # UTC, as the busy times
        out.append(CAREGIVER_OVERLAP)
    if (
        facts.caregiver_minutes_that_day + duration_minutes(v)
        > facts.rules.max_caregiver_minutes_per_day
    ):
        out.append(CAREGIVER_DAILY_HOURS)
    valid_from, valid_until = facts.certificate
    if not valid_from <= v.service_date <= valid_until:
        out.append(CERTIFICATE_INVALID)
    late_by = (facts.received_at.astimezone(CHINA).date() - v.service_date).days
    if late_by > facts.rules.late_submission_days:
        out.append(LATE_SUBMISSION)
    return out


def plan_exceptions(facts: VisitFacts) -> list[str]:
    v, plan, out = facts.visit, facts.plan, []
    if not agreement_covers(facts.provider, v.service_date, v.service_form):
        out.append(AGREEMENT_NOT_COVERING)
    if plan is None:
        return [*out, NOT_IN_PLAN]
    if plan.pauses_during_stay and in_stay(v.service_date, facts.stays):
        out.append(DURING_STAY)
    if set(v.items) - plan.items:
        out.append(ITEM_NOT_IN_PACKAGE)
    if quota_exceeded(plan, facts.usage, duration_minutes(v)):
        out.append(QUOTA_EXCEEDED)
    return out


def verify(facts: VisitFacts) -> list[str]:
    """Every exception the visit raises, in a stable order; an empty list means verified."""
    found = [
        *timing_exceptions(facts.visit, facts.rules, facts.plan),
        *capture_exceptions(facts.visit, facts.rules, facts.home, facts.distance_m),
        *caregiver_exceptions(facts),
        *plan_exceptions(facts),
    ]
    return list(dict.fromkeys(found))


def status_of(exceptions: Iterable[str]) -> str:
    """``verified`` with none, ``refused`` with a refusing one, else ``pending`` review."""
    codes = set(exceptions)
    if not codes:
        return "verified"
    return "refused" if codes & REFUSING else "pending"
