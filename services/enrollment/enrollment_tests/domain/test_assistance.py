"""Assistance categories: active on a date, lapse on their own date, the highest class once."""

from datetime import date

from ltci_enrollment.domain.assistance import Assignment, active, highest

DIBAO = Assignment("a1", "dibao", 2, date(2026, 1, 1), date(2026, 12, 31))
TEKUN = Assignment("a2", "tekun", 1, date(2026, 3, 1), None, revoked_on=date(2026, 9, 1))
EDGE = Assignment("a3", "dibao_edge", 3, date(2025, 1, 1))


def test_the_highest_class_applies_once() -> None:
    held = [DIBAO, TEKUN, EDGE]
    assert highest(held, date(2026, 2, 1)) == DIBAO
    assert highest(held, date(2026, 5, 1)) == TEKUN
    assert [a.category for a in active(held, date(2026, 5, 1))] == ["tekun", "dibao", "dibao_edge"]


def test_revoked_and_expired_categories_lapse_on_their_dates() -> None:
    held = [DIBAO, TEKUN, EDGE]
    assert highest(held, date(2026, 8, 31)) == TEKUN
    assert highest(held, date(2026, 9, 1)) == DIBAO  # revoked from 1 September
    assert highest(held, date(2027, 1, 1)) == EDGE  # 低保 lapsed after 31 December
    assert highest([DIBAO], date(2027, 1, 1)) is None
