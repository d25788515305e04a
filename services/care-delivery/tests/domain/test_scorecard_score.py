"""A provider's score from its card: the weighted mean of the rates it shows, re-weighted when
a rate has nothing to divide by, none when nothing can be scored."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from ltci_care_delivery.domain.scorecard import scorecard, weighted_score

WEIGHTS = {
    "verified_rate": D("0.30"),
    "on_time_rate": D("0.15"),
    "exception_free_rate": D("0.20"),
    "satisfaction": D("0.25"),
    "complaint_free_rate": D("0.10"),
}


def _card(ratings: tuple[int, int, int] = (0, 0, 0), **by_status: Any) -> dict[str, Any]:
    exceptions = [("outside_fence", "open", 1), ("late_submission", "resolved", 1)]
    return scorecard("prov-1", "2026-03", by_status, exceptions, 1, ratings)


def test_every_rate_weighted() -> None:
    # 4 visits, 3 verified, 1 flagged, 1 late; ratings 4 and 5 (9 of 10), 1 complaint:
    # 0.225 + 0.1125 + 0.15 + 0.25 × 0.90 + 0.10 × 0.50 = 0.7625
    card = _card((2, 9, 1), verified=3, pending=1)
    assert weighted_score(card, WEIGHTS) == D("76.25")


def test_a_rate_with_nothing_to_divide_by_is_left_out() -> None:
    # no ratings: (0.30 × 0.75 + 0.15 × 0.75 + 0.20 × 0.75) / 0.65 = 0.75
    assert weighted_score(_card(verified=3, pending=1), WEIGHTS) == D("75.00")
    # the rates as the card shows them (four places): verified 2/3 = 0.6667, on time 1,
    # exception-free 1 − 0.3333; (0.20001 + 0.15 + 0.13334) / 0.65 = 0.743615… → 74.36
    card = scorecard("p", "2026-03", {"verified": 2, "pending": 1}, [], 1, (0, 0, 0))
    assert weighted_score(card, WEIGHTS) == D("74.36")


def test_nothing_to_score() -> None:
    assert weighted_score(scorecard("p", "2026-03", {}, [], 0, (0, 0, 0)), WEIGHTS) is None
