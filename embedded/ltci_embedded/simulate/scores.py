"""Item scores of the disability instruments (national 2021: 17 items; Barthel: the 10 daily-
living items) that grade to a chosen grade under the region's bands and matrix."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from ltci_shared.policy import AssessmentPolicy

ADL: tuple[tuple[str, int], ...] = (
    ("eating", 10), ("dressing", 10), ("face_mouth_hygiene", 5), ("bowel_control", 10),
    ("bladder_control", 10), ("toilet_use", 10), ("level_walking", 15),
    ("bed_chair_transfer", 15), ("stairs", 10), ("bathing", 5),
)  # fmt: skip
COGNITION = ("time_orientation", "person_orientation", "place_orientation", "memory")
PERCEPTION = ("vision", "hearing", "communication")
# Final grades of applicants: most who apply are severely disabled (Jincheng: 4,843 of 5,821
# applicants receive benefits, about 83%); the rest grade 0-2 and are refused.
GRADE_MIX: dict[int, float] = {0: 0.02, 1: 0.05, 2: 0.10, 3: 0.39, 4: 0.28, 5: 0.16}


def _level(bands: Sequence[object], total: int) -> int:
    for band in bands:
        if band.min <= total <= band.max:  # type: ignore[attr-defined]
            return int(band.level)  # type: ignore[attr-defined]
    raise ValueError(f"no band covers {total}")


def grade_of(policy: AssessmentPolicy, scores: Mapping[str, int]) -> int:
    """The grade these scores get under ``policy`` (the service grades the same way)."""
    adl = sum(scores[name] for name, _ in ADL)
    if policy.instrument == "barthel":
        assert policy.barthel is not None
        return next(b.grade for b in policy.barthel.grade_bands if b.min <= adl <= b.max)
    n = policy.national_2021
    assert n is not None
    cognition = sum(scores[c] for c in COGNITION)
    perception = sum(scores[p] for p in PERCEPTION)
    worse = max(_level(n.cognition_bands, cognition), _level(n.perception_bands, perception))
    return n.matrix[_level(n.adl_bands, adl)][worse]


def _spread(
    rng: random.Random, caps: Sequence[tuple[str, int]], total: int, step: int
) -> dict[str, int]:
    """Item scores summing to ``total``, each a multiple of ``step`` up to its maximum."""
    out = {name: 0 for name, _ in caps}
    room = dict(caps)
    left = total
    while left > 0:
        name = rng.choice([n for n in out if out[n] + step <= room[n]])
        out[name] += step
        left -= step
    return out


def _totals_for(bands: Sequence[object], level: int, top: int, step: int) -> list[int]:
    return [t for t in range(0, top + 1, step) if _level(bands, t) == level]


def _national(rng: random.Random, policy: AssessmentPolicy, grade: int) -> dict[str, int] | None:
    n = policy.national_2021
    assert n is not None
    pairs = [(a, c) for a in range(4) for c in range(4) if n.matrix[a][c] == grade]
    if not pairs:
        return None
    adl_level, worse = rng.choice(pairs)
    other = rng.randint(0, worse)
    cog_level, per_level = (worse, other) if rng.random() < 0.6 else (other, worse)
    adl = _totals_for(n.adl_bands, adl_level, 100, 5)
    cog = _totals_for(n.cognition_bands, cog_level, 16, 1)
    per = _totals_for(n.perception_bands, per_level, 12, 1)
    if not (adl and cog and per):
        return None
    scores = _spread(rng, ADL, rng.choice(adl), 5)
    scores |= _spread(rng, [(c, 4) for c in COGNITION], rng.choice(cog), 1)
    scores |= _spread(rng, [(p, 4) for p in PERCEPTION], rng.choice(per), 1)
    return scores


def _barthel(rng: random.Random, policy: AssessmentPolicy, grade: int) -> dict[str, int] | None:
    assert policy.barthel is not None
    totals = [
        t
        for t in range(0, 101, 5)
        if any(b.min <= t <= b.max and b.grade == grade for b in policy.barthel.grade_bands)
    ]
    return _spread(rng, ADL, rng.choice(totals), 5) if totals else None


def scores_for(rng: random.Random, policy: AssessmentPolicy, grade: int) -> dict[str, int] | None:
    """Scores grading to ``grade``; None when the policy cannot reach it."""
    make = _barthel if policy.instrument == "barthel" else _national
    for _ in range(50):
        scores = make(rng, policy, grade)
        if scores is None:
            return None
        if grade_of(policy, scores) == grade:
            return scores
    return None


def draw_grade(rng: random.Random) -> int:
    grades, weights = zip(*GRADE_MIX.items(), strict=True)
    return rng.choices(grades, weights)[0]
