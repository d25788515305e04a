"""The verification rules as pure functions: each exception raised exactly when it should be."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ltci_care_delivery.domain import verification as v
from ltci_care_delivery.domain.visit_commands import CHINA, LogVisit

DAY = date(2026, 3, 2)
HOME = (33.3475, 120.1633)
RULES = v.Thresholds(
    fence_meters=100,
    face_match_threshold=Decimal("0.80"),
    max_visit_minutes=480,
    max_caregiver_minutes_per_day=720,
    late_submission_days=7,
)
PLAN = v.PlanFacts(
    plan_id="plan-1",
    provider_id="prov-1",
    service_form="home_visit",
    items=frozenset({"ADL01", "ADL02"}),
    starts_on=date(2026, 1, 1),
    ends_on=date(2026, 12, 31),
    visits_per_month=12,
    hours_per_month=12,
    min_minutes_per_visit=30,
    pauses_during_stay=True,
)
PROVIDER = v.ProviderFacts(
    agreements=(v.AgreementFacts(date(2026, 1, 1), date(2026, 12, 31), frozenset({"home_visit"})),)
)


def t(hh: int, mm: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=CHINA)


def log(
    *,
    begin: datetime | None = None,
    end: datetime | None = None,
    no_checkout: bool = False,
    where: tuple[float, float] | None = HOME,
    method: str = "gps",
    score: float | None = None,
    items: tuple[str, ...] = ("ADL01",),
) -> LogVisit:
    def cap(at: datetime) -> dict[str, Any]:
        out: dict[str, Any] = {"at": at.isoformat(), "method": method}
        if where is not None:
            out |= {"latitude": where[0], "longitude": where[1]}
        if score is not None:
            out["face_score"] = score
        if method == "manual":
            out["manual_reason"] = "device_broken"
        return out

    body: dict[str, Any] = {
        "external_id": "x-1",
        "person_id": "p-1",
        "caregiver_id": "c-1",
        "service_form": "home_visit",
        "items": list(items),
        "check_in": cap(begin or t(9)),
    }
    if not no_checkout:
        body["check_out"] = cap(end or t(10))
    return LogVisit.model_validate(body)


def facts(visit: LogVisit | None = None, **changes: Any) -> v.VisitFacts:
    base = v.VisitFacts(
        visit=visit or log(),
        received_at=t(12),
        rules=RULES,
        provider=PROVIDER,
        home=HOME,
        plan=PLAN,
        usage=v.Usage(),
        certificate=(date(2025, 1, 1), date(2027, 1, 1)),
    )
    return replace(base, **changes)


def test_a_clean_visit_is_verified() -> None:
    assert v.verify(facts()) == []
    assert v.status_of([]) == "verified"


@pytest.mark.parametrize(
    ("visit", "expected"),
    [
        (log(no_checkout=True), v.CHECKOUT_MISSING),
        (log(end=t(8)), v.END_BEFORE_BEGIN),
        (log(end=t(9)), v.END_BEFORE_BEGIN),
        (log(begin=t(6), end=t(14, 1)), v.TOO_LONG),
        (log(end=t(9, 29)), v.BELOW_MINIMUM),
        (log(where=None), v.LOCATION_MISSING),
        (log(where=(HOME[0] + 0.01, HOME[1])), v.OUTSIDE_FENCE),
        (log(method="face", score=0.79), v.FACE_MATCH_LOW),
        (log(method="manual"), v.MANUAL_ENTRY),
        (log(items=("ADL01", "MED01")), v.ITEM_NOT_IN_PACKAGE),
    ],
)
def test_each_visit_rule_names_its_exception(visit: LogVisit, expected: str) -> None:
    assert expected in v.verify(facts(visit))


def test_boundaries_pass() -> None:
    exact = log(begin=t(6), end=t(14))  # 480 minutes exactly
    assert v.TOO_LONG not in v.verify(facts(exact))
    assert v.FACE_MATCH_LOW not in v.verify(facts(log(method="face", score=0.80)))
    assert v.BELOW_MINIMUM not in v.verify(facts(log(end=t(9, 30))))
    near = (HOME[0] + 0.0008, HOME[1])  # about 89 m north
    assert v.OUTSIDE_FENCE not in v.verify(facts(log(where=near)))


def test_haversine_matches_known_distances() -> None:
    assert v.haversine_m(HOME, HOME) == 0
    one_degree_lat = v.haversine_m((0.0, 0.0), (1.0, 0.0))
    assert 111_000 < one_degree_lat < 111_400
    beijing, shanghai = (39.9042, 116.4074), (31.2304, 121.4737)
    assert 1_060_000 < v.haversine_m(beijing, shanghai) < 1_075_000


def test_unknown_home_is_its_own_exception() -> None:
    assert v.HOME_LOCATION_UNKNOWN in v.verify(facts(home=None))


def test_caregiver_in_two_places_at_once() -> None:
    busy = [(t(9, 30), t(10, 30))]
    assert v.CAREGIVER_OVERLAP in v.verify(facts(caregiver_busy=busy))
    adjacent = [(t(10), t(11)), (t(8), t(9))]  # touching is not overlapping
    assert v.CAREGIVER_OVERLAP not in v.verify(facts(caregiver_busy=adjacent))


def test_overlap_with_open_ended_visits() -> None:
    assert v.overlaps(t(9), None, [(t(8), t(10))])
    assert v.overlaps(t(8), t(10), [(t(9), None)])
    assert v.overlaps(t(9), None, [(t(9), None)])
    assert not v.overlaps(t(10), None, [(t(8), t(10))])


def test_caregiver_daily_hours() -> None:
    assert v.CAREGIVER_DAILY_HOURS in v.verify(facts(caregiver_minutes_that_day=661))
    assert v.CAREGIVER_DAILY_HOURS not in v.verify(facts(caregiver_minutes_that_day=660))


def test_visit_during_a_stay_is_refused_but_not_on_discharge_day() -> None:
    found = v.verify(facts(stays=[(DAY - timedelta(days=1), None)]))
    assert v.DURING_STAY in found and v.status_of(found) == "refused"
    assert v.DURING_STAY not in v.verify(facts(stays=[(DAY - timedelta(days=3), DAY)]))
    plan = replace(PLAN, pauses_during_stay=False)
    assert v.DURING_STAY not in v.verify(facts(plan=plan, stays=[(DAY, None)]))


def test_no_plan_is_refused() -> None:
    found = v.verify(facts(plan=None))
    assert found == [v.NOT_IN_PLAN]
    assert v.status_of(found) == "refused"


def test_monthly_quota_by_visits_and_by_hours() -> None:
    assert v.QUOTA_EXCEEDED in v.verify(facts(usage=v.Usage(visits=12, minutes=0)))
    assert v.QUOTA_EXCEEDED in v.verify(facts(usage=v.Usage(visits=3, minutes=700)))
    assert v.QUOTA_EXCEEDED not in v.verify(facts(usage=v.Usage(visits=11, minutes=660)))


def test_certificate_invalid_on_the_service_date() -> None:
    expired = (date(2024, 1, 1), DAY - timedelta(days=1))
    assert v.CERTIFICATE_INVALID in v.verify(facts(certificate=expired))


def test_agreement_must_cover_date_and_form() -> None:
    ended = v.ProviderFacts(
        (v.AgreementFacts(date(2025, 1, 1), DAY - timedelta(days=1), frozenset({"home_visit"})),)
    )
    assert v.AGREEMENT_NOT_COVERING in v.verify(facts(provider=ended))
    other_form = v.ProviderFacts(
        (v.AgreementFacts(date(2026, 1, 1), date(2026, 12, 31), frozenset({"institutional"})),)
    )
    assert v.AGREEMENT_NOT_COVERING in v.verify(facts(provider=other_form))
    suspended = replace(PROVIDER, suspended_since=DAY)
    assert v.AGREEMENT_NOT_COVERING in v.verify(facts(provider=suspended))
    terminated_later = replace(PROVIDER, terminated_on=DAY)
    assert v.AGREEMENT_NOT_COVERING not in v.verify(facts(provider=terminated_later))


def test_late_submission() -> None:
    assert v.LATE_SUBMISSION in v.verify(facts(received_at=t(12, day=DAY + timedelta(days=8))))
    assert v.LATE_SUBMISSION not in v.verify(facts(received_at=t(12, day=DAY + timedelta(days=7))))


def test_select_plan_by_provider_form_and_date() -> None:
    assert v.select_plan([PLAN], "prov-1", "home_visit", DAY) == PLAN
    assert v.select_plan([PLAN], "prov-2", "home_visit", DAY) is None
    assert v.select_plan([PLAN], "prov-1", "institutional", DAY) is None
    assert v.select_plan([PLAN], "prov-1", "home_visit", date(2027, 1, 1)) is None


def test_flags_without_refusals_are_pending() -> None:
    found = v.verify(facts(log(method="face", score=0.5)))
    assert found == [v.FACE_MATCH_LOW]
    assert v.status_of(found) == "pending"


def test_service_date_is_the_local_date_of_check_in() -> None:
    evening_utc = log(begin=datetime(2026, 3, 1, 17, 0, tzinfo=UTC))  # 01:00 in China
    assert evening_utc.service_date == date(2026, 3, 2)
    assert log(begin=t(23, 50, day=date(2026, 3, 1))).service_date == date(2026, 3, 1)
