"""The exception queue on a real PostgreSQL database: list, accept, reject, void; all audited."""

from __future__ import annotations

from typing import Any

import httpx

from ..support import DAY, at, capture, ok, outbox, visit, world

ACCEPT = {"action": "accept", "reason_code": "verified_by_phone", "actor": "tpa:pingan/u-1"}
REJECT = {"action": "reject", "reason_code": "no_evidence", "actor": "tpa:pingan/u-1"}


async def queue(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(await client.get("/visit-exceptions", params=params))["items"]
    return items


async def test_accepting_the_last_exception_verifies_the_visit_and_audits_it(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    body = visit(w, "v-1")
    body["check_in"] = capture(at(DAY, 9), method="face", face_score=0.5)
    v = ok(await client.post(f"/providers/{w.provider_id}/visits", json=body), 201)["visit"]
    [item] = await queue(client, provider_id=w.provider_id)
    assert (item["code"], item["refused"], item["visit_id"]) == (
        "face_match_low",
        False,
        v["visit_id"],
    )
    assert item["external_id"] == "v-1" and item["visit_status"] == "pending"
    resolved = ok(
        await client.post(f"/visit-exceptions/{item['exception_id']}/resolution", json=ACCEPT)
    )
    assert (resolved["status"], resolved["visit_status"]) == ("accepted", "verified")
    assert await queue(client, provider_id=w.provider_id) == []
    detail = ok(await client.get(f"/visits/{v['visit_id']}"))
    assert detail["status"] == "verified"
    [audit] = detail["audit"]
    assert (audit["actor"], audit["action"], audit["reason_code"]) == (
        "tpa:pingan/u-1",
        "exception_accept",
        "verified_by_phone",
    )
    assert audit["before"]["status"] == "pending" and audit["after"]["status"] == "verified"
    [corrected] = [e for e in await outbox(client) if e["type"] == "VisitCorrected"]
    assert corrected["visit_id"] == v["visit_id"] and corrected["verified"] is True
    again = await client.post(f"/visit-exceptions/{item['exception_id']}/resolution", json=ACCEPT)
    assert again.status_code == 409
    assert again.json()["type"] == "/problems/visit_exception_already_resolved"


async def test_one_of_two_exceptions_accepted_leaves_the_visit_pending(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    body = visit(w, "v-1", end=(9, 10))  # below the package minimum
    body["check_in"] = capture(at(DAY, 9), method="face", face_score=0.5)
    ok(await client.post(f"/providers/{w.provider_id}/visits", json=body), 201)
    first, _ = await queue(client)
    resolved = ok(
        await client.post(f"/visit-exceptions/{first['exception_id']}/resolution", json=ACCEPT)
    )
    assert resolved["visit_status"] == "pending"
    assert not [e for e in await outbox(client) if e["type"] == "VisitCorrected"]


async def test_a_refusing_exception_cannot_be_accepted_only_rejected(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    stay = {"person_id": w.person_id, "kind": "institution", "admitted_on": str(DAY)}
    ok(await client.post("/stays", json=stay), 201)
    v = ok(await client.post(f"/providers/{w.provider_id}/visits", json=visit(w, "v-1")), 201)
    [item] = await queue(client, code="during_stay")
    assert item["refused"] is True
    r = await client.post(f"/visit-exceptions/{item['exception_id']}/resolution", json=ACCEPT)
    assert r.status_code == 409
    assert r.json()["type"] == "/problems/visit_exception_not_overridable"
    rejected = ok(
        await client.post(f"/visit-exceptions/{item['exception_id']}/resolution", json=REJECT)
    )
    assert (rejected["status"], rejected["visit_status"]) == ("rejected", "rejected")
    [voided] = [e for e in await outbox(client) if e["type"] == "VisitVoided"]
    assert voided["visit_id"] == v["visit"]["visit_id"] and voided["reason"] == "no_evidence"
    assert await queue(client, status="rejected", code="during_stay") != []


async def test_voiding_a_verified_visit_publishes_visit_voided_once(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    v = ok(await client.post(f"/providers/{w.provider_id}/visits", json=visit(w, "v-1")), 201)
    visit_id = v["visit"]["visit_id"]
    void = {"reason_code": "entered_in_error", "actor": "provider:kangning/u-3", "note": "typo"}
    voided = ok(await client.post(f"/visits/{visit_id}/void", json=void))
    assert voided["status"] == "voided"
    again = await client.post(f"/visits/{visit_id}/void", json=void)
    assert again.status_code == 409 and again.json()["type"] == "/problems/visit_state_conflict"
    events = [e["type"] for e in await outbox(client)]
    assert events.count("VisitVoided") == 1
    [audit] = ok(await client.get(f"/visits/{visit_id}"))["audit"]
    assert (audit["action"], audit["note"]) == ("void", "typo")
    assert audit["before"] == {"status": "verified", "exceptions": []}
    # A voided visit frees the caregiver and the quota: the same slot can be logged again.
    redo = visit(w, "v-1b")
    assert (
        ok(await client.post(f"/providers/{w.provider_id}/visits", json=redo), 201)["visit"][
            "exceptions"
        ]
        == []
    )


async def test_resolution_input_is_validated(client: httpx.AsyncClient) -> None:
    r = await client.post("/visit-exceptions/nope/resolution", json=ACCEPT)
    assert r.status_code == 404
    bad = {**ACCEPT, "reason_code": "Not A Code"}
    assert (await client.post("/visit-exceptions/nope/resolution", json=bad)).status_code == 422
    no_actor = {k: v for k, v in ACCEPT.items() if k != "actor"}
    assert (await client.post("/visit-exceptions/x/resolution", json=no_actor)).status_code == 422
    void = {"reason_code": "x_y", "actor": "a"}
    assert (await client.post("/visits/nope/void", json=void)).status_code == 404


async def test_a_batch_of_decisions_applies_each_as_one_by_one_with_its_own_outcome(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    flagged = visit(w, "v-1")
    flagged["check_in"] = capture(at(DAY, 9), method="face", face_score=0.5)
    v1 = ok(await client.post(f"/providers/{w.provider_id}/visits", json=flagged), 201)["visit"]
    stay = {"person_id": w.person_id, "kind": "institution", "admitted_on": str(DAY)}
    ok(await client.post("/stays", json=stay), 201)
    late = visit(w, "v-2", begin=(13, 0), end=(14, 0))
    v2 = ok(await client.post(f"/providers/{w.provider_id}/visits", json=late), 201)["visit"]
    face = (await queue(client, code="face_match_low"))[0]["exception_id"]
    during = (await queue(client, code="during_stay"))[0]["exception_id"]
    decisions = [
        {"exception_id": face, "action": "accept", "reason_code": "verified_by_phone"},
        {"exception_id": during, "action": "accept", "reason_code": "verified_by_phone"},
        {"exception_id": during, "action": "reject", "reason_code": "billed_during_stay"},
        {"exception_id": during, "action": "reject", "reason_code": "billed_during_stay"},
        {"exception_id": "no-such-exception", "action": "accept", "reason_code": "x_y"},
    ]
    body = {"provider_id": w.provider_id, "actor": "tpa:pingan/u-1", "items": decisions}
    result = ok(await client.post("/visit-exceptions/resolutions", json=body))
    assert [(i["outcome"], i.get("visit_status")) for i in result["items"]] == [
        ("resolved", "verified"),
        ("not_overridable", None),
        ("resolved", "rejected"),
        ("already_resolved", None),
        ("not_found", None),
    ]
    assert (result["resolved"], result["unresolved"]) == (2, 3)
    assert ok(await client.get(f"/visits/{v1['visit_id']}"))["status"] == "verified"
    assert ok(await client.get(f"/visits/{v2['visit_id']}"))["status"] == "rejected"
    types = [e["type"] for e in await outbox(client)]
    assert types.count("VisitCorrected") == 1 and types.count("VisitVoided") == 1
    [audit] = ok(await client.get(f"/visits/{v1['visit_id']}"))["audit"]
    assert (audit["actor"], audit["action"]) == ("tpa:pingan/u-1", "exception_accept")
    other = {**body, "provider_id": "another-provider", "items": decisions[:1]}
    assert ok(await client.post("/visit-exceptions/resolutions", json=other))["items"] == [
        {"exception_id": face, "outcome": "not_found", "visit_status": None}
    ]
    too_many = {**body, "items": decisions[:1] * 1001}
    assert (await client.post("/visit-exceptions/resolutions", json=too_many)).status_code == 422
    assert (
        await client.post("/visit-exceptions/resolutions", json={**body, "items": []})
    ).status_code == 422
