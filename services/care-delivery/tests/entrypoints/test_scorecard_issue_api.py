"""Issuing a provider's scorecard on PostgreSQL: frozen once with the score from the pack's
weights, ScorecardIssued published once (no personal data), refused for a month not over,
an unknown provider or a month with nothing to score."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from ltci_shared.events.contracts import ScorecardIssued
from tests.support import DAY, TODAY, at, capture, ok, outbox, visit, world

FAR = (33.40, 120.25)
PERIOD = DAY.strftime("%Y-%m")


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


@pytest.fixture
def month_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """The route's 'today' is the first day after DAY's month."""
    monkeypatch.setattr(
        "ltci_care_delivery.entrypoints.api_quality.today", lambda: _next_month(DAY)
    )


async def _rated_month(client: httpx.AsyncClient) -> Any:
    """Two visits (one verified, one outside the fence), rated 4 and 1 with a complaint."""
    w = await world(client)
    post = f"/providers/{w.provider_id}/visits"
    good = ok(await client.post(post, json=visit(w, "S-1", begin=(8, 0), end=(9, 0))), 201)
    far = visit(w, "S-2", begin=(10, 0), end=(11, 0))
    far["check_in"] = capture(at(DAY, 10, 0), where=FAR)
    flagged = ok(await client.post(post, json=far), 201)
    for score, complaint, target in ((4, None, good), (1, "no_show", flagged)):
        body = {"visit_id": target["visit"]["visit_id"], "score": score, "rated_by": "f:1"}
        ok(await client.post("/ratings", json={**body, "complaint_code": complaint}), 201)
    return w


async def test_a_scorecard_is_issued_once_with_its_score(
    client: httpx.AsyncClient, month_over: None
) -> None:
    w = await _rated_month(client)
    url = f"/scorecards/{w.provider_id}/{PERIOD}/issue"
    issued = ok(await client.post(url, headers={"Idempotency-Key": "sc-1"}))
    # verified 1/2, on time 1, exception-free 0.5, satisfaction 2.50/5, complaint-free 0.5:
    # 0.30 × 0.5 + 0.15 × 1 + 0.20 × 0.5 + 0.25 × 0.5 + 0.10 × 0.5 = 0.575
    assert issued["score"] == "57.50"
    assert issued["policy_version"] == "320900/benefits@2022-07-01"
    assert issued["card"]["visits"] == 2 and issued["card"]["complaints"] == 1
    assert issued["weights"]["satisfaction"] == "0.25"
    # a rating after issue does not change the frozen card
    month = {"person_id": w.person_id, "provider_id": w.provider_id, "period": PERIOD}
    ok(await client.post("/ratings", json={**month, "score": 5, "rated_by": "f:2"}), 201)
    assert ok(await client.post(url)) == issued
    replay = await client.post(url, headers={"Idempotency-Key": "sc-1"})
    assert replay.json() == issued and replay.headers["Idempotent-Replayed"] == "true"

    events = [e for e in await outbox(client) if e["type"] == "ScorecardIssued"]
    assert len(events) == 1
    payload = {k: v for k, v in events[0].items() if k != "type"}
    event = ScorecardIssued.model_validate(payload)
    assert (event.provider_id, event.region_code, event.period, event.score) == (
        w.provider_id,
        "320900",
        PERIOD,
        "57.50",
    )
    assert event.key == w.provider_id and "person_id" not in payload


async def test_issuing_is_refused_when_it_cannot_be_scored(
    client: httpx.AsyncClient, month_over: None
) -> None:
    w = await world(client)
    empty = await client.post(f"/scorecards/{w.provider_id}/2025-01/issue")
    assert empty.status_code == 409 and empty.json()["type"] == "/problems/nothing_to_score"
    before = await client.post(f"/scorecards/{w.provider_id}/2001-01/issue")  # no pack in force
    assert before.status_code == 409 and before.json()["type"] == "/problems/no_scorecard_policy"
    unknown = await client.post(f"/scorecards/nope/{PERIOD}/issue")
    assert unknown.status_code == 404
    bad = await client.post(f"/scorecards/{w.provider_id}/2026-13/issue")
    assert bad.status_code == 422


async def test_a_month_not_over_is_not_issued(client: httpx.AsyncClient) -> None:
    w = await world(client)
    current = await client.post(f"/scorecards/{w.provider_id}/{TODAY:%Y-%m}/issue")
    assert current.status_code == 409
    assert current.json()["type"] == "/problems/scorecard_period_not_over"
    assert [e for e in await outbox(client) if e["type"] == "ScorecardIssued"] == []
