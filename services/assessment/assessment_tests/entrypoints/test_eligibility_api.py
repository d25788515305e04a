"""Eligibility windows: periodic review opened before expiry by the explicit job; a review that
finds the person no longer eligible ends the window, one that finds them eligible re-grades it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ..support import INTACT, SEVERE, Driver, enrolled, feed, outbox

WORSE = {
    **SEVERE,
    "time_orientation": 1,
    "person_orientation": 1,
    "place_orientation": 1,
    "memory": 1,
}  # fmt: skip  ADL severe + cognition moderate: grade 4


@pytest.fixture
async def granted(app: FastAPI, client: httpx.AsyncClient) -> tuple[Driver, dict[str, Any]]:
    """A window granted on 2023-01-17 until 2025-01-16 (grade 3)."""
    await feed(app, enrolled(since="2020-01-01"))
    d = Driver(app, client)
    await d.registry()
    app_id = await d.apply(applied_on="2023-01-05", onset="2022-01-01")
    await d.to_final(app_id, SEVERE, scheduled_on="2023-01-06", on="2023-01-10")
    [window] = await outbox(app, "EligibilityGranted")
    assert (window["valid_from"], window["valid_until"]) == ("2023-01-17", "2025-01-16")
    return d, window


async def _review(d: Driver, window: dict[str, Any], scores: dict[str, int]) -> dict[str, Any]:
    assert (await d.post("/jobs/schedule-reviews?as_of=2024-11-16"))["application_ids"] == []
    job = await d.post("/jobs/schedule-reviews?as_of=2024-11-17")  # 60 days before expiry
    [review_id] = job["application_ids"]
    assert (await d.post("/jobs/schedule-reviews?as_of=2024-11-18"))["application_ids"] == []
    review = (await d.client.get(f"/applications/{review_id}")).json()
    assert (review["kind"], review["status"], review["eligibility_id"]) == (
        "review", "accepted", window["eligibility_id"],
    )  # fmt: skip
    return await d.to_final(
        review_id, scores, scheduled_on="2024-11-18", on="2024-11-20", accept=False
    )


async def test_a_review_finding_the_person_no_longer_eligible_ends_the_window(
    granted: tuple[Driver, dict[str, Any]],
) -> None:
    d, window = granted
    final = await _review(d, window, INTACT)
    assert (final["grade"], final["final_on"]) == (0, "2024-11-27")
    revoked = await outbox(d.app, "EligibilityRevoked")
    assert [(r["reason"], r["ended_on"]) for r in revoked] == [("review", "2024-11-26")]
    view = (await d.client.get(f"/eligibilities/{window['eligibility_id']}")).json()
    assert (view["ended_on"], view["end_reason"]) == ("2024-11-26", "review")


async def test_a_review_finding_a_worse_grade_regrades_and_renews_the_window(
    granted: tuple[Driver, dict[str, Any]],
) -> None:
    d, window = granted
    final = await _review(d, window, WORSE)
    assert final["grade"] == 4
    [changed] = await outbox(d.app, "EligibilityChanged")
    assert (changed["previous_grade"], changed["grade"], changed["reason"]) == (3, 4, "review")
    assert (changed["effective_from"], changed["valid_until"]) == ("2024-11-27", "2026-11-26")
    assert await outbox(d.app, "EligibilityRevoked") == []
    assert len(await outbox(d.app, "EligibilityGranted")) == 1
    active = (await d.client.get("/eligibilities?active_on=2025-06-01")).json()["items"]
    assert [(w["grade"], w["valid_until"]) for w in active] == [(4, "2026-11-26")]
