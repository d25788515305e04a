"""A month of visits: daily records for residents of institutions, scheduled home visits
within the package's monthly quota, and a realistic few per cent of flawed check-ins."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ltci_embedded.simulate.care import Care, CarePlan
from ltci_embedded.simulate.city import City

CHINA = timezone(timedelta(hours=8))
SLOTS = ((8, 0), (10, 0), (13, 30), (15, 30))  # a home caregiver's visits never overlap
FLAWS = (("outside_fence", 0.025), ("face_match_low", 0.015), ("manual_entry", 0.01))


@dataclass(frozen=True)
class VisitPlan:
    provider: int
    external_id: str
    care: int
    form: str
    items: tuple[str, ...]
    check_in: dict[str, Any]
    check_out: dict[str, Any]
    flaw: str | None


class Scheduler:
    def __init__(self, city: City, plan: CarePlan) -> None:
        self.city, self.plan, self.rng = city, plan, city.rng
        self.busy: set[tuple[int, date, int]] = set()
        self.counters: dict[int, int] = {}
        self.visits: list[VisitPlan] = []
        vv = city.policies.benefits.visit_verification
        self.fence, self.face_threshold = vv.fence_meters, float(vv.face_match_threshold)

    def schedule(self) -> list[VisitPlan]:
        for index, care in enumerate(self.plan.cares):
            if care.style == "day":
                self._daily(index, care)
            elif care.style == "session":
                self._sessions(index, care)
        return self.visits

    def _daily(self, index: int, care: Care) -> None:
        assert care.caregiver is not None
        mates = [c for c in self.plan.cares if c.caregiver == care.caregiver]
        position = mates.index(care)
        for day in self.city.month.days():
            if day < care.starts_on:
                continue
            begin = datetime(day.year, day.month, day.day, 7, tzinfo=CHINA)
            begin += timedelta(minutes=50 * position + self.rng.randint(0, 5))
            self._add(index, care, begin, self.rng.randint(35, 45))

    def _quota(self, care: Care) -> tuple[int, int]:
        """(visits this month, minutes each at least) from the package and the form's quota."""
        b = self.city.policies.benefits
        package, rule = b.package(care.package), b.form(care.form)
        assert package is not None and rule is not None
        grade, least = care.app.grade, package.min_minutes_per_visit or 30
        if rule.unit == "hour":
            hours = (
                package.hours_per_month_by_grade.get(grade)
                or rule.quota_per_month_by_grade.get(grade)
                or 10
            )
            return int(hours * 60 * self.rng.uniform(0.7, 0.95) // 75), least
        count = (
            package.visits_per_month_by_grade.get(grade)
            or rule.quota_per_month_by_grade.get(grade)
            or 8
        )
        return math.ceil(count * self.rng.uniform(0.7, 1.0)), least

    def _sessions(self, index: int, care: Care) -> None:
        assert care.caregiver is not None
        count, least = self._quota(care)
        stay_days = set()
        if care.stay:
            stay_days = {d for d in self.city.month.days() if care.stay[0] <= d < care.stay[1]}
        days = [d for d in self.city.month.days() if d >= care.starts_on and d not in stay_days]
        self.rng.shuffle(days)
        if care.visit_in_stay and stay_days:
            days.insert(0, min(stay_days))  # a visit claimed during a hospital stay
        for day in days:
            if count <= 0:
                break
            free = [s for s in range(len(SLOTS)) if (care.caregiver, day, s) not in self.busy]
            if not free:
                continue
            slot = self.rng.choice(free)
            self.busy.add((care.caregiver, day, slot))
            h, m = SLOTS[slot]
            begin = datetime(day.year, day.month, day.day, h, m, tzinfo=CHINA)
            self._add(
                index,
                care,
                begin + timedelta(minutes=self.rng.randint(0, 10)),
                max(least, self.rng.choice((60, 60, 75, 90))),
            )
            count -= 1

    def _add(self, index: int, care: Care, begin: datetime, minutes: int) -> None:
        items = self.city.policies.benefits.package(care.package)
        assert items is not None
        chosen = tuple(
            sorted(self.rng.sample(items.items, self.rng.randint(1, min(3, len(items.items)))))
        )
        n = self.counters[care.provider] = self.counters.get(care.provider, 0) + 1
        code = self.plan.providers[care.provider].code
        external = f"S{self.city.options.seed % 10_000}-{code}-{self.city.month.text}-{n:05d}"
        flaw = self._flaw()
        home = self.city.persons[care.app.person].home
        check_in = self._capture(begin, home, "face", flaw)
        check_out = self._capture(begin + timedelta(minutes=minutes), home, "gps", flaw)
        self.visits.append(
            VisitPlan(care.provider, external, index, care.form, chosen, check_in, check_out, flaw)
        )

    def _flaw(self) -> str | None:
        draw = self.rng.random()
        for name, share in FLAWS:
            if draw < share:
                return name
            draw -= share
        return None

    def _capture(
        self, at: datetime, home: tuple[float, float], method: str, flaw: str | None
    ) -> dict[str, Any]:
        where = self.city.people.near(home, 35)
        if flaw == "outside_fence" and method == "gps":
            away = self.fence + self.rng.uniform(150, 700)
            where = (round(home[0] + away / 111_320.0, 6), home[1])
        out: dict[str, Any] = {
            "at": at.isoformat(),
            "latitude": where[0],
            "longitude": where[1],
            "method": method,
        }
        if method == "face":
            low = flaw == "face_match_low"
            out["face_score"] = round(
                self.rng.uniform(0.45, self.face_threshold - 0.02)
                if low
                else self.rng.uniform(max(self.face_threshold + 0.03, 0.85), 0.99),
                3,
            )
            if flaw == "manual_entry":
                out = {**out, "method": "manual", "manual_reason": "device_failure"}
                out.pop("face_score")
        return out


def schedule_visits(city: City, plan: CarePlan) -> list[VisitPlan]:
    return Scheduler(city, plan).schedule()
