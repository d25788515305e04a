"""Date arithmetic of the assessment rules: whole months, working days (weekends and the
policy's holidays excluded)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (Jan 31 + 1 → Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def window_until(valid_from: date, validity_months: int) -> date:
    """Last day of a window of ``validity_months`` starting on ``valid_from`` (inclusive)."""
    return add_months(valid_from, validity_months) - timedelta(days=1)


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: Iterable[date] = ()) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself not counted)."""
    off = frozenset(holidays)
    current, counted = start, 0
    while counted < days:
        current += timedelta(days=1)
        if is_working_day(current, off):
            counted += 1
    return current
