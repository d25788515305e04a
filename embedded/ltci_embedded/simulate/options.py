"""Options of a simulated city month: size presets, the month, the region and the seed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

Size = Literal["small", "medium", "large"]
DEFAULT_SEED = 20_260_101
DEFAULT_REGION = "320400"


@dataclass(frozen=True)
class Scale:
    """How big the city is: insured persons and the share who apply for an assessment."""

    insured: int
    applicants: int
    assessors: int
    home_providers: int
    institutions: int
    hospitals: int
    bills: int


SCALES: dict[str, Scale] = {
    # small: a new user's first run on the embedded mode, under a minute
    "small": Scale(
        insured=1_000, applicants=80, assessors=6, home_providers=3, institutions=1,
        hospitals=2, bills=20,
    ),
    "medium": Scale(
        insured=20_000, applicants=1_300, assessors=40, home_providers=14, institutions=8,
        hospitals=8, bills=250,
    ),
    "large": Scale(
        insured=100_000, applicants=5_500, assessors=120, home_providers=40, institutions=24,
        hospitals=20, bills=1_200,
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Month:
    """A calendar month: ``first`` and ``last`` day, ``text`` as YYYY-MM."""

    first: date

    @classmethod
    def parse(cls, text: str) -> Month:
        year, _, month = text.partition("-")
        if not (year.isdigit() and month.isdigit() and len(year) == 4 and len(month) == 2):
            raise ValueError(f"month is YYYY-MM, got {text!r}")
        return cls(date(int(year), int(month), 1))

    @classmethod
    def last_complete(cls, today: date) -> Month:
        return cls((today.replace(day=1) - timedelta(days=1)).replace(day=1))

    @property
    def last(self) -> date:
        return self.shift(1).first - timedelta(days=1)

    @property
    def text(self) -> str:
        return self.first.strftime("%Y-%m")

    def shift(self, months: int) -> Month:
        index = self.first.year * 12 + self.first.month - 1 + months
        return Month(date(index // 12, index % 12 + 1, 1))

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class Options:
    url: str = "http://127.0.0.1:8000"
    size: Size = "small"
    seed: int = DEFAULT_SEED
    region: str = DEFAULT_REGION
    month: Month | None = None
    client_id: str | None = None
    client_secret: str | None = None
    data_dir: Path = Path("var")
    concurrency: int = 8
    timeout_seconds: float = 120.0
    progress: bool = True
    custom_scale: Scale | None = None  # tests: a city smaller than the presets

    @property
    def scale(self) -> Scale:
        return self.custom_scale or SCALES[self.size]

    def patience(self, units: int, seconds_each: float = 0.1) -> float:
        """How long to wait for ``units`` events to propagate: more for a bigger city."""
        return self.timeout_seconds + units * seconds_each

    def key(self, *parts: object) -> str:
        """A deterministic Idempotency-Key: the same seed and month give the same keys."""
        month = self.month.text if self.month else "-"
        return ":".join(["sim", str(self.seed), self.region, month, *map(str, parts)])[:200]
