"""Ratings, provider scorecards and the dashboard's aggregates on PostgreSQL, computed from
the visits, exceptions and ratings the service holds."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import DAY, at, capture, ok, visit, world

FAR = (33.40, 120.25)  # kilometres from the person's home


async def _post(
    client: httpx.AsyncClient, provider_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    return ok(await client.post(f"/providers/{provider_id}/visits", json=body), 201)["visit"]


async def _month_of_visits(client: httpx.AsyncClient) -> tuple[Any, list[dict[str, Any]]]:
    w = await world(client)
    good = await _post(client, w.provider_id, visit(w, "Q-1", begin=(8, 0), end=(9, 0)))
    far = visit(w, "Q-2", begin=(10, 0), end=(11, 0))
    far["check_in"] = capture(at(DAY, 10, 0), where=FAR)
    flagged = await _post(client, w.provider_id, far)
    return w, [good, flagged]


async def test_a_visit_and_a_month_are_each_rated_once(client: httpx.AsyncClient) -> None:
    w, (good, _) = await _month_of_visits(client)
    body = {"visit_id": good["visit_id"], "score": 5, "rated_by": "family:wang"}
    rated = ok(await client.post("/ratings", json=body), 201)
    assert rated["person_id"] == w.person_id and rated["period"] == DAY.strftime("%Y-%m")
    again = await client.post("/ratings", json=body)
    assert again.status_code == 409 and again.json()["type"] == "/problems/already_rated"
    month = {
        "person_id": w.person_id,
        "provider_id": w.provider_id,
        "period": DAY.strftime("%Y-%m"),
        "score": 2,
        "complaint_code": "late_arrival",
        "rated_by": "family:wang",
    }
    ok(await client.post("/ratings", json=month), 201)
    assert (await client.post("/ratings", json=month)).status_code == 409
    stranger = await client.post("/ratings", json={**month, "period": "2001-01"})
    assert stranger.status_code == 409 and stranger.json()["type"] == "/problems/rating_not_allowed"
    both = await client.post("/ratings", json={**month, "visit_id": good["visit_id"]})
    assert both.status_code == 422
    unknown = await client.post("/ratings", json={**body, "visit_id": "v-nope"})
    assert unknown.status_code == 404
    complaints = ok(
        await client.get(
            "/ratings", params={"provider_id": w.provider_id, "complaints_only": "true"}
        )
    )
    assert [r["complaint_code"] for r in complaints["items"]] == ["late_arrival"]


async def test_the_scorecard_counts_exceptions_ratings_and_complaints(
    client: httpx.AsyncClient,
) -> None:
    w, (good, flagged) = await _month_of_visits(client)
    assert good["status"] == "verified" and "outside_fence" in flagged["exceptions"]
    period = DAY.strftime("%Y-%m")
    for score, complaint, target in (
        (4, None, good["visit_id"]),
        (1, "no_show", flagged["visit_id"]),
    ):
        body = {"visit_id": target, "score": score, "complaint_code": complaint, "rated_by": "f:1"}
        ok(await client.post("/ratings", json=body), 201)
    card = ok(await client.get(f"/providers/{w.provider_id}/scorecard", params={"period": period}))
    assert card["visits"] == 2 and card["verified"] == 1 and card["pending"] == 1
    assert card["flagged_visits"] == 1 and card["exception_rate"] == "0.5000"
    assert card["on_time_rate"] == "1.0000" and card["open_exceptions"] == 1
    assert card["exceptions_by_code"] == {"outside_fence": 1}
    assert card["ratings"] == 2 and card["average_score"] == "2.50"
    assert card["complaints"] == 1 and card["complaint_rate"] == "0.5000"
    assert card["persons_served"] == 1 and card["caregivers_active"] == 1
    empty = ok(
        await client.get(f"/providers/{w.provider_id}/scorecard", params={"period": "2001-01"})
    )
    assert empty["visits"] == 0 and empty["exception_rate"] is None
    page = ok(await client.get("/scorecards", params={"period": period, "region_code": "320900"}))
    mine = [c for c in page["items"] if c["provider_id"] == w.provider_id]
    assert mine == [card]
    assert (
        await client.get("/providers/nope/scorecard", params={"period": period})
    ).status_code == 404
    assert (
        await client.get(f"/providers/{w.provider_id}/scorecard", params={"period": "2026-1"})
    ).status_code == 422


async def test_visits_per_day_and_the_open_queue_for_the_dashboard(
    client: httpx.AsyncClient,
) -> None:
    w, _ = await _month_of_visits(client)
    params = {"region_code": "320900", "from": DAY.isoformat(), "to": DAY.isoformat()}
    days = ok(await client.get("/stats/visits-per-day", params=params))
    assert [(d["date"], d["visits"], d["flagged_visits"]) for d in days["items"]] == [
        (DAY.isoformat(), 2, 1)
    ]
    assert days["items"][0]["exception_rate"] == "0.5000"
    county = ok(
        await client.get("/stats/visits-per-day", params={**params, "region_code": "320902"})
    )
    assert county["items"][0]["visits"] == 2
    elsewhere = ok(
        await client.get("/stats/visits-per-day", params={**params, "region_code": "220100"})
    )
    assert elsewhere["items"][0]["visits"] == 0
    backwards = await client.get(
        "/stats/visits-per-day", params={**params, "from": "2026-03-02", "to": "2026-03-01"}
    )
    assert backwards.status_code == 422 and backwards.json()["type"] == "/problems/invalid_period"
    huge = await client.get(
        "/stats/visits-per-day", params={**params, "from": "2020-01-01", "to": "2026-03-01"}
    )
    assert huge.status_code == 422
    queue = ok(await client.get("/stats/exception-queue", params={"provider_id": w.provider_id}))
    assert queue["total_open"] == 1
    assert queue["by_code"] == [{"code": "outside_fence", "refused": False, "open": 1}]
