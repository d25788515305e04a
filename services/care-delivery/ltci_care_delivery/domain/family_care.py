"""Family care (亲情照护) as pure rules: which days of a month a certification may cover."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ltci_care_delivery.domain.verification import in_stay


@dataclass(frozen=True)
class Month:
    """A calendar month ``YYYY-MM``."""

    year: int
    month: int

    @classmethod
    def parse(cls, period: str) -> Month:
        year, month = period.split("-")
        return cls(int(year), int(month))

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def days(self) -> int:
        return self.last.day

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class CoverageFacts:
    """What decides whether a day of family care can be paid."""

    plan_starts_on: date
    plan_ends_on: date | None
    trained_on: date
    training_valid_until: date
    stays: Iterable[tuple[date, date | None]] = ()
    paused_during_stay: bool = True


def covered_days(month: Month, facts: CoverageFacts) -> list[date]:
    """Days of the month inside the plan and the caregiver's training, outside any stay."""
    stays = list(facts.stays)
    out: list[date] = []
    day = month.first
    while day <= month.last:
        in_plan = facts.plan_starts_on <= day and (
            facts.plan_ends_on is None or day <= facts.plan_ends_on
        )
        trained = facts.trained_on <= day <= facts.training_valid_until
        staying = facts.paused_during_stay and in_stay(day, stays)
        if in_plan and trained and not staying:
            out.append(day)
        day += timedelta(days=1)
    return out


def period_over(month: Month, today: date) -> bool:
    """A month can be certified once it has ended."""
    return month.last < today


def training_valid(trained_on: date, valid_until: date, on: date) -> bool:
    return trained_on <= on <= valid_until
