"""Policy section ``assessment``: instruments, score bands, the grade matrix, eligibility,
waiting period, public notice, validity and review, the assessment fee."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from ltci_shared.money import NonNegativeMoney
from ltci_shared.policy.base import Grade, Ratio, SectionVersion, Strict

Instrument = Literal["national_2021", "barthel"]
Level = Literal[0, 1, 2, 3]  # intact, mild, moderate, severe


class Band(Strict):
    """Scores ``min``..``max`` (inclusive) give ``level`` (0 intact ... 3 severe)."""

    min: int = Field(ge=0)
    max: int = Field(ge=0)
    level: Level


class GradeBand(Strict):
    min: int = Field(ge=0)
    max: int = Field(ge=0)
    grade: Grade


def _check_cover(bands: list[Band] | list[GradeBand], top: int, name: str) -> None:
    covered = sorted((b.min, b.max) for b in bands)
    expected = 0
    for lo, hi in covered:
        if lo > hi:
            raise ValueError(f"{name}: band {lo}-{hi} is reversed")
        if lo != expected:
            raise ValueError(f"{name}: scores {expected}-{lo - 1} not covered or overlapping")
        expected = hi + 1
    if expected != top + 1:
        raise ValueError(f"{name}: bands must cover 0-{top} exactly")


class National2021(Strict):
    adl_bands: list[Band] = Field(min_length=1)
    cognition_bands: list[Band] = Field(min_length=1)
    perception_bands: list[Band] = Field(min_length=1)
    matrix: list[list[Grade]] = Field(
        description="rows: ADL level 0-3; columns: worse of cognition and perception level 0-3"
    )

    @model_validator(mode="after")
    def _check(self) -> National2021:
        _check_cover(self.adl_bands, 100, "adl_bands")
        _check_cover(self.cognition_bands, 16, "cognition_bands")
        _check_cover(self.perception_bands, 12, "perception_bands")
        if len(self.matrix) != 4 or any(len(row) != 4 for row in self.matrix):
            raise ValueError("matrix must be 4 rows of 4 grades")
        return self


class Barthel(Strict):
    grade_bands: list[GradeBand] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Barthel:
        _check_cover(self.grade_bands, 100, "grade_bands")
        return self


class AssessmentFee(Strict):
    """The fee of one assessment; the fund pays ``fund_share`` of it (half-up to the fen),
    or ``fund_share_when_eligible`` when set and the person is found eligible."""

    amount: NonNegativeMoney
    fund_share: Ratio
    fund_share_when_eligible: Ratio | None = None


class AssessmentPolicy(SectionVersion):
    section: ClassVar[str] = "assessment"
    instrument: Instrument
    national_2021: National2021 | None = None
    barthel: Barthel | None = None
    eligible_grades: list[Grade] = Field(min_length=1)
    min_disability_months: int = Field(ge=0)
    reapply_wait_months: int = Field(ge=0)
    assessors_per_assessment: int = Field(ge=1, le=5)
    deadline_working_days: int = Field(ge=1)
    public_notice_days: int = Field(ge=0)
    objection_days: int = Field(ge=0)
    validity_months: int = Field(ge=1)
    review_lead_days: int = Field(ge=0)
    fee: AssessmentFee
    holidays: list[date] = Field(
        default_factory=list,
        description="public holidays skipped (besides weekends) when counting working days",
    )

    @model_validator(mode="after")
    def _check(self) -> AssessmentPolicy:
        if getattr(self, self.instrument) is None:
            raise ValueError(f"instrument {self.instrument} chosen but its parameters are missing")
        return self
