"""Grading against the policy data: item by item, band by band, cell by cell (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from ltci_assessment.domain.grading import InstrumentNotInPolicy, InvalidScores, grade
from ltci_assessment.domain.instruments import ITEMS, score_errors
from ltci_shared.policy import AssessmentPolicy, PolicyBook

from ..support import DEMENTIA, INTACT, SEVERE

BOOK = PolicyBook.load()
REGIONS = ["320900", "220100", "140500", "320400"]
ON = date(2025, 1, 1)


def policy(region: str = "320900") -> AssessmentPolicy:
    return BOOK.in_force(region, AssessmentPolicy, ON)


def scores_for(adl: int, cognition: int, perception: int) -> dict[str, int]:
    """Valid item scores with the given group totals (filled greedily, item by item)."""
    out: dict[str, int] = {}
    left = {"adl": adl, "cognition": cognition, "perception": perception}
    for item in ITEMS["national_2021"]:
        best = max(p for p in item.points if p <= left[item.group])
        out[item.code] = best
        left[item.group] -= best
    assert left == {"adl": 0, "cognition": 0, "perception": 0}, left
    return out


def test_dementia_alone_reaches_a_severe_grade() -> None:
    """ADL intact, cognition severely impaired: grade 3 (severe I) by the default matrix."""
    result = grade(policy(), "320900", "national_2021", DEMENTIA)
    assert result.group_scores == {"adl": 100, "cognition": 0, "perception": 12}
    assert result.group_levels == {"adl": 0, "cognition": 3, "perception": 0}
    assert result.matrix_cell == {"adl_level": 0, "worse_other_level": 3}
    assert result.grade == 3
    assert result.policy_version == "320900/assessment@2022-07-01"
    assert "national_2021.matrix" in result.assumed


def test_intact_is_grade_0_and_adl_lost_is_severe() -> None:
    assert grade(policy(), "320900", "national_2021", INTACT).grade == 0
    assert grade(policy(), "320900", "national_2021", SEVERE).grade == 3


@pytest.mark.parametrize(
    ("adl", "level"),
    [(100, 0), (95, 1), (65, 1), (60, 2), (45, 2), (40, 3), (0, 3)],
)
def test_adl_levels_follow_the_confirmed_bands(adl: int, level: int) -> None:
    """100 intact, 65-95 mild, 45-60 moderate, 40 or less severe (domain.md §2)."""
    result = grade(policy(), "320900", "national_2021", scores_for(adl, 16, 12))
    assert result.group_levels["adl"] == level


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("row", range(4))
@pytest.mark.parametrize("column", range(4))
@pytest.mark.parametrize("worse", ["cognition", "perception"])
def test_every_matrix_cell_of_every_pack(region: str, row: int, column: int, worse: str) -> None:
    """For each pack, scores landing in each (ADL level, worse other level) cell give that
    cell's grade; the worse of cognition and perception picks the column."""
    p = policy(region)
    assert p.national_2021 is not None
    params = p.national_2021
    adl = next(b.min for b in params.adl_bands if b.level == row and b.min % 5 == 0)
    bands = params.cognition_bands if worse == "cognition" else params.perception_bands
    worse_score = next(b.max for b in bands if b.level == column)
    cognition, perception = (worse_score, 12) if worse == "cognition" else (16, worse_score)
    result = grade(p, region, "national_2021", scores_for(adl, cognition, perception))
    assert result.matrix_cell == {"adl_level": row, "worse_other_level": column}
    assert result.grade == params.matrix[row][column]


def test_a_city_corrects_the_matrix_in_data_and_the_grade_follows() -> None:
    p = policy()
    assert p.national_2021 is not None
    matrix = [list(r) for r in p.national_2021.matrix]
    matrix[0][3] = 2
    corrected = p.model_copy(
        update={"national_2021": p.national_2021.model_copy(update={"matrix": matrix})}
    )
    assert grade(corrected, "320900", "national_2021", DEMENTIA).grade == 2


@pytest.mark.parametrize("item", ITEMS["national_2021"], ids=lambda i: i.code)
def test_each_item_accepts_exactly_its_allowed_points(item: object) -> None:
    from ltci_assessment.domain.instruments import Item

    assert isinstance(item, Item)
    for points in item.points:
        assert score_errors("national_2021", {**INTACT, item.code: points}) == []
    refused = {
        -1,
        max(item.points) + 1,
        1 if 1 not in item.points else 7,
        3 if 3 not in item.points else 99,
    }
    for bad in refused:
        errors = score_errors("national_2021", {**INTACT, item.code: bad})
        assert [e.item for e in errors] == [item.code], (item.code, bad)


def test_missing_unknown_and_boolean_scores_are_named_item_by_item() -> None:
    scores: dict[str, int] = {k: v for k, v in INTACT.items() if k != "memory"}
    scores["mood"] = 2
    scores["bathing"] = True
    with pytest.raises(InvalidScores) as exc:
        grade(policy(), "320900", "national_2021", scores)
    named = {e["item"]: e["msg"] for e in exc.value.extra["errors"]}
    assert set(named) == {"memory", "mood", "bathing"}
    assert named["memory"] == "missing"


def test_barthel_grades_by_its_bands_when_the_policy_uses_it() -> None:
    barthel = policy().model_copy(update={"instrument": "barthel"})
    adl_only = {k: v for k, v in SEVERE.items() if k in {i.code for i in ITEMS["barthel"]}}
    assert grade(barthel, "320900", "barthel", adl_only).grade == 3
    result = grade(
        barthel,
        "320900",
        "barthel",
        {**adl_only, "eating": 10, "level_walking": 15, "bed_chair_transfer": 15, "toilet_use": 5},
    )
    assert result.group_scores == {"adl": 45}
    assert (result.grade, result.band) == (2, {"min": 41, "max": 60, "grade": 2})
    with pytest.raises(InstrumentNotInPolicy):
        grade(policy(), "320900", "barthel", adl_only)
    with pytest.raises(InvalidScores):
        grade(barthel, "320900", "barthel", INTACT)  # cognition items are not Barthel items
