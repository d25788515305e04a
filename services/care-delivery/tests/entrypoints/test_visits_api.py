"""Single-visit ingest on a real PostgreSQL database: every verification rule, named."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from ..support import (
    DAY,
    HOME,
    TODAY,
    World,
    active_provider,
    at,
    capture,
    caregiver,
    count,
    enrol,
    ok,
    outbox,
    plan,
    visit,
    world,
)


async def post(client: httpx.AsyncClient, w: World, body: dict[str, Any]) -> httpx.Response:
    return await client.post(f"/providers/{w.provider_id}/visits", json=body)


async def logged(client: httpx.AsyncClient, w: World, body: dict[str, Any]) -> dict[str, Any]:
    result = ok(await post(client, w, body), 201)
    assert result["outcome"] == "accepted"
    visit_: dict[str, Any] = result["visit"]
    return visit_


async def test_a_clean_visit_is_verified_and_published(client: httpx.AsyncClient) -> None:
    w = await world(client)
    v = await logged(client, w, visit(w, "v-1"))
    assert (v["status"], v["exceptions"], v["duration_minutes"]) == ("verified", [], 60)
    assert v["plan_id"] == w.plan_id and v["distance_meters"] == 0
    [event] = [e for e in await outbox(client) if e["type"] == "ServiceVisitLogged"]
    assert event["visit_id"] == v["visit_id"] and event["verified"] is True
    assert event["duration_minutes"] == 60 and event["exceptions"] == []
    assert event["region_code"] == "320902" and event["items"] == ["ADL01", "ADL02"]


async def test_the_same_provider_visit_id_is_a_duplicate_not_a_second_visit(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    first = await logged(client, w, visit(w, "v-1"))
    again = ok(await post(client, w, visit(w, "v-1")), 200)
    assert again["outcome"] == "duplicate" and again["visit"]["visit_id"] == first["visit_id"]
    other = await post(client, w, visit(w, "v-1", begin=(11, 0), end=(12, 0)))
    assert other.status_code == 409
    assert other.json()["type"] == "/problems/external_visit_id_reused"
    assert await count(client, "visits") == 1
    logged_events = [e for e in await outbox(client) if e["type"] == "ServiceVisitLogged"]
    assert len(logged_events) == 1


async def exceptions_of(client: httpx.AsyncClient, w: World, body: dict[str, Any]) -> list[str]:
    found: list[str] = (await logged(client, w, body))["exceptions"]
    return found


async def test_checkout_missing_is_flagged_and_published_with_zero_duration(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    v = await logged(client, w, visit(w, "v-1", end=None))
    assert v["status"] == "pending" and v["exceptions"] == ["checkout_missing"]
    [event] = [e for e in await outbox(client) if e["type"] == "ServiceVisitLogged"]
    assert event["verified"] is False and event["duration_minutes"] == 0
    assert event["end_at"] == event["begin_at"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"end": (8, 30)}, "end_before_begin"),
        ({"begin": (6, 0), "end": (14, 30)}, "visit_too_long"),
        ({"end": (9, 20)}, "below_minimum_duration"),
    ],
)
async def test_timing_rules(
    client: httpx.AsyncClient, change: dict[str, Any], expected: str
) -> None:
    w = await world(client)
    assert expected in await exceptions_of(client, w, visit(w, "v-1", **change))


async def test_location_rules(client: httpx.AsyncClient) -> None:
    w = await world(client)
    body = visit(w, "v-1")
    body["check_out"] = capture(at(DAY, 10), where=None)
    assert await exceptions_of(client, w, body) == ["location_missing"]
    body = visit(w, "v-2", begin=(11, 0), end=(12, 0))
    body["check_in"] = capture(at(DAY, 11), where=(HOME[0] + 0.01, HOME[1]))
    v = await logged(client, w, body)
    assert v["exceptions"] == ["outside_fence"] and v["distance_meters"] > 1000


async def test_face_match_below_threshold_and_manual_entry(client: httpx.AsyncClient) -> None:
    w = await world(client)
    body = visit(w, "v-1")
    body["check_in"] = capture(at(DAY, 9), method="face", face_score=0.42)
    assert await exceptions_of(client, w, body) == ["face_match_low"]
    body = visit(w, "v-2", begin=(11, 0), end=(12, 0))
    body["check_out"] = capture(at(DAY, 12), method="manual", manual_reason="phone_dead")
    assert await exceptions_of(client, w, body) == ["manual_entry"]


async def test_a_caregiver_in_two_visits_at_once_across_providers(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    other_provider = await active_provider(client)
    other_person, _ = await enrol(client)
    ok(await plan(client, other_person, other_provider), 201)
    ok(
        await client.post(
            f"/caregivers/{w.caregiver_id}/providers", json={"provider_id": other_provider}
        )
    )
    assert await exceptions_of(client, w, visit(w, "a-1")) == []
    elsewhere = visit(w, "b-1", person=other_person, begin=(9, 30), end=(10, 30))
    r = await client.post(f"/providers/{other_provider}/visits", json=elsewhere)
    assert ok(r, 201)["visit"]["exceptions"] == ["caregiver_overlap"]


async def test_caregiver_over_the_daily_hours_limit(client: httpx.AsyncClient) -> None:
    w = await world(client, grade=5)
    assert await exceptions_of(client, w, visit(w, "v-1", begin=(6, 0), end=(14, 0))) == []
    found = await exceptions_of(client, w, visit(w, "v-2", begin=(14, 0), end=(19, 0)))
    assert found == ["caregiver_daily_hours_exceeded"]


async def test_a_visit_during_a_hospital_stay_is_refused(client: httpx.AsyncClient) -> None:
    w = await world(client)
    stay = {"person_id": w.person_id, "kind": "hospital", "admitted_on": str(DAY - timedelta(2))}
    ok(await client.post("/stays", json=stay), 201)
    v = await logged(client, w, visit(w, "v-1"))
    assert v["status"] == "refused" and v["exceptions"] == ["during_stay"]


async def test_no_plan_or_another_providers_plan_is_refused(client: httpx.AsyncClient) -> None:
    w = await world(client)
    planless, _ = await enrol(client)
    v = await logged(client, w, visit(w, "v-1", person=planless))
    assert (v["status"], v["exceptions"], v["plan_id"]) == ("refused", ["not_in_care_plan"], None)
    rival = await active_provider(client)
    ok(await client.post(f"/caregivers/{w.caregiver_id}/providers", json={"provider_id": rival}))
    r = await client.post(
        f"/providers/{rival}/visits", json=visit(w, "v-2", begin=(11, 0), end=(12, 0))
    )
    assert ok(r, 201)["visit"]["exceptions"] == ["not_in_care_plan"]


async def test_monthly_quota_exceeded_is_refused(client: httpx.AsyncClient) -> None:
    w = await world(client, grade=3)  # 12 hours a month
    second = await caregiver(client, [w.provider_id])
    for i, (who, begin, end) in enumerate(
        [(None, (6, 0), (10, 0)), (None, (11, 0), (15, 0)), (second, (6, 0), (10, 0))]
    ):
        body = visit(w, f"v-{i}", begin=begin, end=end, caregiver=who)
        assert await exceptions_of(client, w, body) == []
    over = await logged(client, w, visit(w, "v-9", caregiver=second, begin=(11, 0), end=(12, 0)))
    assert (over["status"], over["exceptions"]) == ("refused", ["monthly_quota_exceeded"])


async def test_caregiver_certificate_expired(client: httpx.AsyncClient) -> None:
    w = await world(client)
    expired = await caregiver(client, [w.provider_id], valid_until=DAY - timedelta(days=1))
    assert await exceptions_of(client, w, visit(w, "v-1", caregiver=expired)) == [
        "certificate_invalid"
    ]


async def test_provider_agreement_not_covering_the_date(client: httpx.AsyncClient) -> None:
    person, _ = await enrol(client)
    provider = await active_provider(client, valid_until=DAY - timedelta(days=1))
    w = World(provider, await caregiver(client, [provider]), person, "", "")
    w.plan_id = ok(await plan(client, person, provider), 201)["plan_id"]
    v = await logged(client, w, visit(w, "v-1"))
    assert (v["status"], v["exceptions"]) == ("refused", ["agreement_not_covering"])


async def test_late_submission_is_flagged(client: httpx.AsyncClient) -> None:
    w = await world(client)
    assert await exceptions_of(client, w, visit(w, "v-1", day=TODAY - timedelta(days=9))) == [
        "late_submission"
    ]


async def test_a_visit_in_the_future_is_rejected_and_not_stored(client: httpx.AsyncClient) -> None:
    w = await world(client)
    r = await post(client, w, visit(w, "v-1", day=TODAY + timedelta(days=1)))
    assert r.status_code == 422 and r.json()["code"] == "visit_in_future"
    assert await count(client, "visits") == 0
    assert [e for e in await outbox(client) if e["type"] == "ServiceVisitLogged"] == []


async def test_unknown_person_caregiver_item_and_foreign_caregiver_are_rejected(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    stranger = await caregiver(client, [await active_provider(client)])
    cases = {
        "unknown_person": visit(w, "v-1", person="nobody"),
        "unknown_caregiver": visit(w, "v-2", caregiver="nobody"),
        "caregiver_not_with_provider": visit(w, "v-3", caregiver=stranger),
        "unknown_item": visit(w, "v-4", items=["ADL01", "SPA99"]),
    }
    for code, body in cases.items():
        r = await post(client, w, body)
        assert r.status_code == 422, r.text
        assert (r.json()["type"], r.json()["code"]) == ("/problems/visit_rejected", code)
    assert await count(client, "visits") == 0


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b["check_in"].update(latitude=91.0),
        lambda b: b["check_in"].update(longitude=-181.0),
        lambda b: b["check_in"].pop("longitude"),
        lambda b: b["check_in"].update(at="2026-03-02T09:00:00"),  # no UTC offset
        lambda b: b["check_in"].update(method="face"),  # face without a score
        lambda b: b.update(status="verified"),  # no mass assignment
        lambda b: b.update(items=[]),
    ],
)
async def test_malformed_visits_are_422_problems(client: httpx.AsyncClient, mutate: Any) -> None:
    w = await world(client)
    body = visit(w, "v-1")
    mutate(body)
    r = await post(client, w, body)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"


async def test_nan_coordinates_and_unknown_provider(client: httpx.AsyncClient) -> None:
    w = await world(client)
    raw = json.dumps(visit(w, "v-1")).replace(str(HOME[0]), "NaN", 1)
    r = await client.post(
        f"/providers/{w.provider_id}/visits",
        content=raw,
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422
    r = await client.post("/providers/nobody/visits", json=visit(w, "v-1"))
    assert r.status_code == 404 and r.json()["type"] == "/problems/provider_not_found"


async def test_visits_list_filters_and_pages(client: httpx.AsyncClient) -> None:
    w = await world(client)
    for i in range(3):
        await logged(client, w, visit(w, f"v-{i}", begin=(8 + i, 0), end=(8 + i, 45)))
    await logged(client, w, visit(w, "v-x", begin=(13, 0), end=None))
    first = ok(await client.get("/visits", params={"provider_id": w.provider_id, "limit": 2}))
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = ok(
        await client.get(
            "/visits",
            params={"provider_id": w.provider_id, "limit": 2, "cursor": first["next_cursor"]},
        )
    )
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    pending = ok(await client.get("/visits", params={"status": "pending"}))
    assert [v["external_id"] for v in pending["items"]] == ["v-x"]
    assert (await client.get("/visits", params={"cursor": "bogus"})).status_code == 422
    assert (await client.get("/visits", params={"limit": 100000})).status_code == 422
