"""Family care (亲情照护) day rules and scorecard arithmetic: pure, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ltci_care_delivery.domain.family_care import CoverageFacts, Month, covered_days, period_over
from ltci_care_delivery.domain.scorecard import per_day, scorecard

FEB = Month.parse("2026-02")


def _facts(**overrides: object) -> CoverageFacts:
    values: dict[str, object] = {
        "plan_starts_on": date(2026, 1, 1),
        "plan_ends_on": None,
        "trained_on": date(2025, 1, 1),
        "training_valid_until": date(2027, 1, 1),
    }
    values.update(overrides)
    return CoverageFacts(**values)  # type: ignore[arg-type]


def test_a_whole_month_is_covered_by_an_open_plan() -> None:
    assert len(covered_days(FEB, _facts())) == 28
    assert FEB.days == 28 and str(FEB) == "2026-02"


def test_days_outside_the_plan_or_the_training_are_not_covered() -> None:
    days = covered_days(
        FEB, _facts(plan_starts_on=date(2026, 2, 10), training_valid_until=date(2026, 2, 19))
    )
    assert days[0] == date(2026, 2, 10) and days[-1] == date(2026, 2, 19) and len(days) == 10
    ended = covered_days(FEB, _facts(plan_ends_on=date(2026, 2, 5)))
    assert len(ended) == 5


def test_stay_days_are_not_covered_unless_the_form_keeps_paying() -> None:
    stays = [(date(2026, 2, 10), date(2026, 2, 13)), (date(2026, 2, 27), None)]
    assert len(covered_days(FEB, _facts(stays=stays))) == 28 - 3 - 2
    assert len(covered_days(FEB, _facts(stays=stays, paused_during_stay=False))) == 28


def test_a_month_can_be_certified_only_once_it_is_over() -> None:
    assert not period_over(FEB, date(2026, 2, 28))
    assert period_over(FEB, date(2026, 3, 1))


def test_scorecard_rates_are_exact_and_null_without_a_divisor() -> None:
    card = scorecard(
        "prov",
        "2026-02",
        {"verified": 7, "pending": 2, "refused": 1, "persons": 3, "caregivers": 2},
        [("late_submission", "open", 1), ("outside_fence", "accepted", 2)],
        3,
        (3, 13, 1),
    )
    assert card["visits"] == 10 and card["flagged_visits"] == 3
    assert card["exception_rate"] == Decimal("0.3000")
    assert card["on_time_rate"] == Decimal("0.9000")
    assert card["open_exceptions"] == 1
    assert card["exceptions_by_code"] == {"late_submission": 1, "outside_fence": 2}
    assert card["average_score"] == Decimal("4.33") and card["complaint_rate"] == Decimal("0.3333")
    empty = scorecard("prov", "2026-02", {}, [], 0, (0, 0, 0))
    assert empty["exception_rate"] is None and empty["average_score"] is None


def test_visits_per_day_lists_every_day_of_the_range() -> None:
    rows = per_day(
        date(2026, 2, 1),
        date(2026, 2, 3),
        [(date(2026, 2, 2), "verified", 3), (date(2026, 2, 2), "pending", 1)],
        {date(2026, 2, 2): 1},
    )
    assert [r["visits"] for r in rows] == [0, 4, 0]
    assert rows[1]["exception_rate"] == Decimal("0.2500") and rows[0]["exception_rate"] is None
