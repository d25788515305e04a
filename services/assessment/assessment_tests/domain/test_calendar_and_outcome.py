"""Date rules (months, working days) and outcome rules (eligibility, fee split, notice dates)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ltci_assessment.domain.calendar import add_months, add_working_days, window_until
from ltci_assessment.domain.outcome import eligibility, fee_split, notice_dates
from ltci_shared.policy import AssessmentPolicy, PolicyBook

POLICY = PolicyBook.load().in_force("320900", AssessmentPolicy, date(2025, 1, 1))


def test_months_clamp_to_the_month_end_and_windows_end_the_day_before() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)
    assert window_until(date(2025, 3, 19), 24) == date(2027, 3, 18)


def test_working_days_skip_weekends_and_the_policy_holidays() -> None:
    friday = date(2025, 3, 7)
    assert add_working_days(friday, 1) == date(2025, 3, 10)
    assert add_working_days(friday, 5) == date(2025, 3, 14)
    assert add_working_days(friday, 1, [date(2025, 3, 10)]) == date(2025, 3, 11)
    assert add_working_days(date(2025, 3, 5), 15) == date(2025, 3, 26)


def test_eligible_needs_an_eligible_grade_and_six_months_of_disability() -> None:
    assessed = date(2025, 3, 10)
    assert eligibility(POLICY, 3, date(2024, 9, 10), assessed).eligible
    short = eligibility(POLICY, 3, date(2024, 9, 11), assessed)
    assert not short.eligible and "6 months" in short.reasons[0]
    low = eligibility(POLICY, 2, date(2020, 1, 1), assessed)
    assert not low.eligible and "grade 2" in low.reasons[0]


def test_the_fee_split_rounds_half_up_to_the_fen() -> None:
    assert fee_split(POLICY, eligible=True) == (Decimal("300.00"), Decimal("150.00"))
    fee = POLICY.fee.model_copy(
        update={"amount": Decimal("0.05"), "fund_share": Decimal("0.5"),
                "fund_share_when_eligible": Decimal("1")}
    )  # fmt: skip
    tiny = POLICY.model_copy(update={"fee": fee})
    assert fee_split(tiny, eligible=False) == (Decimal("0.05"), Decimal("0.03"))  # 0.025 up
    assert fee_split(tiny, eligible=True) == (Decimal("0.05"), Decimal("0.05"))


def test_notice_dates_follow_the_policy_days() -> None:
    dates = notice_dates(POLICY, date(2025, 3, 12))
    assert (dates.notice_until, dates.objection_until) == (date(2025, 3, 18), date(2025, 3, 18))
    assert dates.final_on == date(2025, 3, 19)
