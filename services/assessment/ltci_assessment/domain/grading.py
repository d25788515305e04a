"""Grading (失能等级评定): item scores → group totals → group levels → matrix cell → grade 0-5,
all thresholds read from the region's assessment policy in force; the result explains itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ltci_assessment.domain.instruments import Instrument, group_totals, score_errors
from ltci_shared.errors import InvalidInput
from ltci_shared.policy.assessment import AssessmentPolicy, Band, Barthel, National2021

GRADE_NAMES = ("basically normal", "mild", "moderate", "severe I", "severe II", "severe III")
LEVEL_NAMES = ("intact", "mild", "moderate", "severe")


class InvalidScores(InvalidInput):
    name = "invalid_scores"
    title = "Invalid item scores"


class InstrumentNotInPolicy(InvalidInput):
    name = "instrument_not_in_policy"
    title = "Instrument not used by the region's policy"


@dataclass(frozen=True)
class GradeResult:
    """A grade with its reasons: group scores, group levels, the matrix cell, the policy."""

    instrument: Instrument
    grade: int
    group_scores: dict[str, int]
    group_levels: dict[str, int] = field(default_factory=dict)
    matrix_cell: dict[str, int] | None = None
    band: dict[str, int] | None = None
    policy_version: str = ""
    assumed: list[str] = field(default_factory=list)

    def explain(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "grade": self.grade,
            "grade_name": GRADE_NAMES[self.grade],
            "group_scores": self.group_scores,
            "group_levels": self.group_levels,
            "group_level_names": {g: LEVEL_NAMES[v] for g, v in self.group_levels.items()},
            "matrix_cell": self.matrix_cell,
            "band": self.band,
            "policy_version": self.policy_version,
            "assumed": self.assumed,
        }


def level_of(score: int, bands: list[Band]) -> int:
    """The level of the band containing ``score`` (the policy validator ensures exactly one)."""
    return next(b.level for b in bands if b.min <= score <= b.max)


def grade_national(params: National2021, scores: Mapping[str, int]) -> GradeResult:
    totals = group_totals("national_2021", scores)
    levels = {
        "adl": level_of(totals["adl"], params.adl_bands),
        "cognition": level_of(totals["cognition"], params.cognition_bands),
        "perception": level_of(totals["perception"], params.perception_bands),
    }
    row, column = levels["adl"], max(levels["cognition"], levels["perception"])
    return GradeResult(
        instrument="national_2021",
        grade=params.matrix[row][column],
        group_scores={str(k): v for k, v in totals.items()},
        group_levels=levels,
        matrix_cell={"adl_level": row, "worse_other_level": column},
    )


def grade_barthel(params: Barthel, scores: Mapping[str, int]) -> GradeResult:
    total = group_totals("barthel", scores)["adl"]
    band = next(b for b in params.grade_bands if b.min <= total <= b.max)
    return GradeResult(
        instrument="barthel",
        grade=band.grade,
        group_scores={"adl": total},
        band={"min": band.min, "max": band.max, "grade": band.grade},
    )


def grade(
    policy: AssessmentPolicy, pack_code: str, instrument: Instrument, scores: Mapping[str, int]
) -> GradeResult:
    """Validate ``scores`` item by item and grade them under ``policy`` (of the region pack
    ``pack_code``, named in the result's policy version)."""
    if instrument != policy.instrument:
        raise InstrumentNotInPolicy(
            f"the policy in force uses {policy.instrument}, not {instrument}",
            policy_version=policy.version_id(pack_code),
        )
    if errors := score_errors(instrument, scores):
        raise InvalidScores(
            f"{len(errors)} item score(s) invalid",
            errors=[{"item": e.item, "msg": e.message} for e in errors],
        )
    if instrument == "national_2021":
        assert policy.national_2021 is not None  # the policy validator guarantees it
        result = grade_national(policy.national_2021, scores)
    else:
        assert policy.barthel is not None
        result = grade_barthel(policy.barthel, scores)
    assumed = [a for a in policy.assumed if a.startswith((instrument, "eligible"))]
    return replace(result, policy_version=policy.version_id(pack_code), assumed=assumed)
