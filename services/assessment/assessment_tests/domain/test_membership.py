"""Membership periods: insured on a date, and the last day of uninterrupted cover in a region."""

from __future__ import annotations

from datetime import date

from ltci_assessment.domain.membership import Period, last_covered_day, period_on

PERIODS = [
    Period("employee", "320902", date(2020, 1, 1), date(2024, 12, 31)),
    Period("resident", "320903", date(2025, 1, 1), date(2025, 6, 30)),
    Period("resident", "220102", date(2025, 7, 1), None),
]


def yancheng(code: str) -> bool:
    return code.startswith("3209")


def test_insured_on_a_date_and_never_after_death() -> None:
    assert period_on(PERIODS, date(2024, 12, 31)) == PERIODS[0]
    assert period_on(PERIODS, date(2025, 1, 1)) == PERIODS[1]
    assert period_on(PERIODS, date(2019, 12, 31)) is None
    assert period_on(PERIODS, date(2030, 1, 1)) == PERIODS[2]
    assert period_on(PERIODS, date(2025, 3, 2), died_on=date(2025, 3, 1)) is None


def test_cover_runs_across_a_scheme_change_and_stops_at_a_move_out_of_the_city() -> None:
    start, until = date(2024, 6, 1), date(2026, 5, 31)
    assert last_covered_day(PERIODS, start, until, None, yancheng) == date(2025, 6, 30)
    assert last_covered_day(PERIODS, start, until, None, lambda _: True) == until
    assert last_covered_day(PERIODS, start, until, date(2025, 2, 3), yancheng) == date(2025, 2, 3)
    assert last_covered_day(PERIODS, date(2019, 1, 1), until, None, yancheng) is None
