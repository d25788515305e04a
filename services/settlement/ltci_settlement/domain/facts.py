"""A person's facts on a date, from read-model rows: membership (scheme → fund), eligibility
(grade), stays; and the settlement period (结算期, a calendar month ``YYYY-MM``)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ltci_shared.errors import InvalidInput

FUND_BY_SCHEME = {"employee": "employee_ltc", "resident": "resident_ltc"}
Row = Mapping[str, Any]


class InvalidPeriod(InvalidInput):
    name = "invalid_period"
    title = "Invalid settlement period"


@dataclass(frozen=True)
class Period:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        try:
            year, month = (int(part) for part in text.split("-"))
            date(year, month, 1)
        except ValueError:
            raise InvalidPeriod(f"period must be YYYY-MM, got {text[:20]!r}") from None
        if len(text) != 7 or not 2000 <= year <= 2100:
            raise InvalidPeriod(f"period must be YYYY-MM, got {text[:20]!r}")
        return cls(year, month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _within(day: date, start: date | None, end: date | None) -> bool:
    return start is not None and start <= day and (end is None or day <= end)


@dataclass(frozen=True)
class PersonFacts:
    """Everything settlement knows of one person, answered by date."""

    memberships: tuple[Row, ...] = ()
    eligibilities: tuple[Row, ...] = ()
    stays: tuple[Row, ...] = ()

    def fund_on(self, day: date) -> str | None:
        for m in self.memberships:
            if _within(day, m["valid_from"], m["valid_until"]):
                return FUND_BY_SCHEME.get(m["scheme"])
        return None

    def region_on(self, day: date) -> str | None:
        for m in self.memberships:
            if _within(day, m["valid_from"], m["valid_until"]):
                return str(m["region_code"])
        return None

    def grade_on(self, day: date) -> int | None:
        """The grade of the eligibility window covering ``day`` (the latest granted wins)."""
        found = None
        for e in sorted(self.eligibilities, key=lambda r: r["valid_from"] or date.min):
            end = _earlier(e["valid_until"], e["ended_on"])
            if e["grade"] is not None and _within(day, e["valid_from"], end):
                found = int(e["grade"])
        return found

    def in_stay(self, day: date) -> bool:
        """A stay covers its admission day up to the day before discharge."""
        for s in self.stays:
            out = s["discharged_on"]
            if s["admitted_on"] <= day and (out is None or day < out):
                return True
        return False


def _earlier(a: date | None, b: date | None) -> date | None:
    if a is None or b is None:
        return b if a is None else a
    return min(a, b)


def group_by_person(rows: Iterable[Row]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for row in rows:
        out.setdefault(str(row["person_id"]), []).append(row)
    return out
