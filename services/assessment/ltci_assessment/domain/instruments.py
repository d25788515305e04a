"""The assessment instruments (评估量表): the national 2021 standard's 17 items and the Barthel index.

Item lists and allowed points are the instruments themselves (医保办发〔2021〕37号, annex; the
Barthel index), identical in every city; the city-specific parts (score bands, the grade
matrix, eligible grades) are policy data in the region's pack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Instrument = Literal["national_2021", "barthel"]
Group = Literal["adl", "cognition", "perception"]


@dataclass(frozen=True)
class Item:
    code: str
    group: Group
    points: tuple[int, ...]  # allowed scores, worst to best
    label: str


ADL_ITEMS: tuple[Item, ...] = (
    Item("eating", "adl", (0, 5, 10), "进食 eating"),
    Item("dressing", "adl", (0, 5, 10), "穿衣 dressing"),
    Item("face_mouth_hygiene", "adl", (0, 5), "面部与口腔清洁 face and mouth hygiene"),
    Item("bowel_control", "adl", (0, 5, 10), "大便控制 bowel control"),
    Item("bladder_control", "adl", (0, 5, 10), "小便控制 bladder control"),
    Item("toilet_use", "adl", (0, 5, 10), "用厕 toilet use"),
    Item("level_walking", "adl", (0, 5, 10, 15), "平地行走 walking on level ground"),
    Item("bed_chair_transfer", "adl", (0, 5, 10, 15), "床椅转移 bed-chair transfer"),
    Item("stairs", "adl", (0, 5, 10), "上下楼梯 stairs"),
    Item("bathing", "adl", (0, 5), "洗澡 bathing"),
)
COGNITION_ITEMS: tuple[Item, ...] = tuple(
    Item(code, "cognition", (0, 1, 2, 3, 4), label)
    for code, label in (
        ("time_orientation", "时间定向 time orientation"),
        ("person_orientation", "人物定向 person orientation"),
        ("place_orientation", "空间定向 place orientation"),
        ("memory", "记忆力 memory"),
    )
)
PERCEPTION_ITEMS: tuple[Item, ...] = tuple(
    Item(code, "perception", (0, 1, 2, 3, 4), label)
    for code, label in (
        ("vision", "视力 vision"),
        ("hearing", "听力 hearing"),
        ("communication", "沟通能力 communication"),
    )
)

ITEMS: Mapping[Instrument, tuple[Item, ...]] = {
    "national_2021": ADL_ITEMS + COGNITION_ITEMS + PERCEPTION_ITEMS,
    "barthel": ADL_ITEMS,  # the same ten daily-living items, 0-100
}


@dataclass(frozen=True)
class ScoreError:
    item: str
    message: str


def score_errors(instrument: Instrument, scores: Mapping[str, int]) -> list[ScoreError]:
    """Every problem with ``scores`` (missing, unknown or not-allowed item scores), item by item."""
    items = {item.code: item for item in ITEMS[instrument]}
    errors = [ScoreError(code, "missing") for code in items if code not in scores]
    for code, value in scores.items():
        item = items.get(code)
        if item is None:
            errors.append(ScoreError(code, f"not an item of {instrument}"))
        elif isinstance(value, bool) or value not in item.points:
            allowed = "/".join(map(str, item.points))
            errors.append(ScoreError(code, f"score must be one of {allowed}"))
    return errors


def group_totals(instrument: Instrument, scores: Mapping[str, int]) -> dict[Group, int]:
    """Sum of the item scores by group (scores already validated)."""
    totals: dict[Group, int] = {}
    for item in ITEMS[instrument]:
        totals[item.group] = totals.get(item.group, 0) + scores[item.code]
    return totals
