"""Membership periods: never overlapping, history kept, coverage on a date."""

from datetime import date

import pytest

from ltci_enrollment.domain import membership as m
from ltci_enrollment.domain.membership import Period

FIRST = Period("p1", "resident", "320902", date(2026, 1, 1))


def test_a_scheme_change_closes_the_day_before_and_opens_a_new_period() -> None:
    after = m.switch([FIRST], date(2026, 7, 1), "p2", scheme="employee")
    assert after == [
        Period("p1", "resident", "320902", date(2026, 1, 1), date(2026, 6, 30), "scheme_change"),
        Period("p2", "employee", "320902", date(2026, 7, 1)),
    ]
    assert m.on(after, date(2026, 6, 30)).scheme == "resident"  # type: ignore[union-attr]
    assert m.on(after, date(2026, 7, 1)).scheme == "employee"  # type: ignore[union-attr]
    assert m.on(after, date(2025, 12, 31)) is None


def test_a_move_is_a_region_move() -> None:
    after = m.switch([FIRST], date(2026, 3, 1), "p2", region_code="320400")
    assert after[0].end_reason == "region_move" and after[1].region_code == "320400"


def test_a_change_that_changes_nothing_or_goes_back_in_time_is_refused() -> None:
    with pytest.raises(m.InvalidMembershipChange):
        m.switch([FIRST], date(2026, 7, 1), "p2", scheme="resident")
    with pytest.raises(m.InvalidMembershipChange):
        m.switch([FIRST], date(2026, 1, 1), "p2", scheme="employee")


def test_a_second_open_period_or_an_overlapping_restart_is_refused() -> None:
    with pytest.raises(m.MembershipOverlap):
        m.start([FIRST], Period("p2", "employee", "320902", date(2027, 1, 1)))
    closed, _ = m.close([FIRST], date(2026, 6, 30), "moved_away")
    with pytest.raises(m.MembershipOverlap):
        m.start(closed, Period("p2", "employee", "320902", date(2026, 6, 1)))
    reopened = m.start(closed, Period("p2", "employee", "320902", date(2026, 7, 1)))
    assert [p.membership_id for p in reopened] == ["p1", "p2"]


def test_ending_needs_an_open_period() -> None:
    closed, period = m.close([FIRST], date(2026, 6, 30), "death")
    assert period.valid_until == date(2026, 6, 30) and period.end_reason == "death"
    with pytest.raises(m.NoOpenMembership):
        m.close(closed, date(2026, 7, 30), "other")


def test_already_applied_recognises_a_repeated_change() -> None:
    after = m.switch([FIRST], date(2026, 7, 1), "p2", scheme="employee")
    assert m.already_applied(after, "change_scheme", date(2026, 7, 1), scheme="employee")
    assert not m.already_applied(after, "change_scheme", date(2026, 8, 1), scheme="employee")
    closed, _ = m.close(after, date(2026, 9, 30), "moved_away")
    assert m.already_applied(closed, "end", date(2026, 9, 30))
