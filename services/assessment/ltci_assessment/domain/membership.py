"""Membership periods (参保期间) from enrollment's events, and "insured on date D"."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    scheme: str
    region_code: str
    valid_from: date
    valid_until: date | None  # last insured day, inclusive; None while open

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def period_on(periods: Sequence[Period], day: date, died_on: date | None = None) -> Period | None:
    """The period the person is insured under on ``day`` (none after death)."""
    if died_on is not None and day > died_on:
        return None
    return next((p for p in periods if p.covers(day)), None)


def last_covered_day(
    periods: Sequence[Period],
    start: date,
    until: date,
    died_on: date | None,
    same_pack: Callable[[str], bool],
) -> date | None:
    """The last day of the uninterrupted run of cover from ``start`` up to ``until``, counting
    only periods in the same policy region; ``until`` when covered throughout, None when
    ``start`` itself is not covered."""
    day, last = start, None
    while day <= until:
        period = period_on(periods, day, died_on)
        if period is None or not same_pack(period.region_code):
            return last
        end = min(period.valid_until or until, until)
        if died_on is not None:
            end = min(end, died_on)
        last, day = end, end + timedelta(days=1)
    return last
