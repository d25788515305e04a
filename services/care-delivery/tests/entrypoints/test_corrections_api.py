"""Correcting a visit's data (re-verified, audited, VisitCorrected) and ending a caregiver's
work for a provider, on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.support import DAY, TODAY, at, capture, ok, outbox, visit, world


async def test_a_corrected_check_out_is_verified_again_and_audited(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    path = f"/providers/{w.provider_id}/visits"
    logged = ok(await client.post(path, json=visit(w, "C-1", end=None)), 201)["visit"]
    assert logged["status"] == "pending" and logged["exceptions"] == ["checkout_missing"]
    body = {
        "check_out": capture(at(DAY, 10, 0)),
        "reason_code": "checkout_not_captured",
        "actor": "provider:kn/u-3",
        "note": "family confirms 10:00",
    }
    fixed = ok(await client.post(f"/visits/{logged['visit_id']}/correction", json=body))
    assert fixed["status"] == "verified" and fixed["exceptions"] == []
    assert fixed["duration_minutes"] == 60 and fixed["visit_id"] == logged["visit_id"]
    detail = ok(await client.get(f"/visits/{logged['visit_id']}"))
    [audit] = detail["audit"]
    assert audit["action"] == "correct" and audit["reason_code"] == "checkout_not_captured"
    assert audit["before"]["check_out"] is None and audit["after"]["duration_minutes"] == 60
    assert [(e["code"], e["status"]) for e in detail["exception_queue"]] == [
        ("checkout_missing", "superseded")
    ]
    [event] = [e for e in await outbox(client) if e["type"] == "VisitCorrected"]
    assert event["visit_id"] == logged["visit_id"] and event["verified"] is True
    assert event["duration_minutes"] == 60 and event["reason_code"] == "checkout_not_captured"
    replay = await client.post(path, json=visit(w, "C-1", end=None))
    assert replay.status_code == 200 and replay.json()["outcome"] == "duplicate"


async def test_a_correction_is_checked_like_a_new_visit(client: httpx.AsyncClient) -> None:
    w = await world(client)
    path = f"/providers/{w.provider_id}/visits"
    first = ok(await client.post(path, json=visit(w, "C-2", begin=(9, 0), end=(10, 0))), 201)
    other = ok(await client.post(path, json=visit(w, "C-3", begin=(11, 0), end=(12, 0))), 201)
    moved = {
        "check_in": capture(at(DAY, 9, 30), method="manual", manual_reason="time_typo"),
        "reason_code": "time_typo",
        "actor": "provider:kn/u-3",
    }
    url = f"/visits/{other['visit']['visit_id']}/correction"
    overlapping = ok(await client.post(url, json=moved))
    assert overlapping["status"] == "pending"
    assert {"caregiver_overlap", "manual_entry"} <= set(overlapping["exceptions"])
    future = {**moved, "check_in": capture(at(TODAY + timedelta(days=2), 9, 0))}
    refused = await client.post(url, json=future)
    assert refused.status_code == 422 and refused.json()["code"] == "visit_in_future"
    self_only = {**moved, "check_in": capture(at(DAY, 9, 15))}
    alone = ok(
        await client.post(f"/visits/{first['visit']['visit_id']}/correction", json=self_only)
    )
    assert "caregiver_overlap" in alone["exceptions"]  # C-3 now sits at 09:30
    nothing = await client.post(url, json={"reason_code": "x_y", "actor": "a"})
    assert nothing.status_code == 422
    void = {"reason_code": "entered_in_error", "actor": "provider:kn/u-3"}
    ok(await client.post(f"/visits/{first['visit']['visit_id']}/void", json=void))
    closed = await client.post(f"/visits/{first['visit']['visit_id']}/correction", json=self_only)
    assert closed.status_code == 409
    assert (await client.post("/visits/nope/correction", json=self_only)).status_code == 404


async def test_a_caregiver_who_left_a_provider_cannot_log_visits_after_leaving(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    until = DAY - timedelta(days=1)
    end = {"until": until.isoformat(), "reason_code": "resigned"}
    url = f"/caregivers/{w.caregiver_id}/providers/{w.provider_id}/end"
    ended = ok(await client.post(url, json=end))
    assert ended["provider_ids"] == []
    assert ended["employments"][0]["until"] == until.isoformat()
    assert (await client.post(url, json=end)).status_code == 409
    path = f"/providers/{w.provider_id}/visits"
    after = await client.post(path, json=visit(w, "E-1", day=DAY))
    assert after.status_code == 422 and after.json()["code"] == "caregiver_not_with_provider"
    before = await client.post(path, json=visit(w, "E-2", day=until))
    assert before.status_code == 201
    back = {"provider_id": w.provider_id}
    rejoined = ok(await client.post(f"/caregivers/{w.caregiver_id}/providers", json=back))
    assert rejoined["provider_ids"] == [w.provider_id]
    assert (await client.post(path, json=visit(w, "E-3", day=DAY))).status_code == 201
    stranger = await client.post(f"/caregivers/{w.caregiver_id}/providers/other/end", json=end)
    assert stranger.status_code == 404
