"""Payments and holdback fixtures: a Yancheng month fed through the consumer and settled.

Hand-computed (320900 pack, holdback 5%): prov-a is owed 87.75 (v1, 90 min) + 58.50 (v2) in
employee_ltc, less holdback 4.39 + 2.93 = 7.32, so payable 138.93; prov-b 289.85 for the bed
rental (31 days × 11.00 × 85%), less 14.49, payable 275.36. p3's visit waits for eligibility
(its 55.57 payable and 2.93 holdback arrive on a later run).
"""

from __future__ import annotations

from typing import Any

import pytest

from ..support import contribution, eligible, person, plan, rental, visit


def month_events() -> list[Any]:
    return [
        person("p1"),
        person("p3"),
        eligible("p1"),  # p3's eligibility arrives late
        contribution("c1"),
        plan("p1"),
        plan("p3"),
        visit("v1", "p1", 2, 90),
        visit("v2", "p1", 3, 60),
        visit("v5", "p3", 6, 60),
        rental(),
    ]


@pytest.fixture
async def settled(harness: Any) -> Any:
    """The harness with the month's events fed and its month-end run completed."""
    await harness.feed(*month_events())
    run = await harness.month_end()
    assert run["status"] == "completed" and run["statements_issued"] == 2
    return harness
