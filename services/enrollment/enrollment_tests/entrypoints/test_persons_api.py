"""Enrollment's persons and membership API on a real PostgreSQL database."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from ltci_enrollment.adapters.tables import person_versions, persons

from ..support import PERSON, RID, count, enroll, outbox, resident_id

BODY = PERSON


async def test_enroll_masks_the_resident_id_and_publishes_an_event_without_it(
    client: httpx.AsyncClient,
) -> None:
    r = await client.post("/persons", json=BODY)
    assert r.status_code == 201
    person = r.json()
    assert person["resident_id_masked"] == "110***********002X"
    assert (person["birth_date"], person["sex"]) == ("1949-12-31", "F")
    assert RID not in r.text
    got = await client.get(f"/persons/{person['person_id']}")
    assert got.json() == person
    events = await outbox(client)
    assert [e["type"] for e in events] == ["PersonEnrolled", "MembershipChanged"]
    for event in events:
        text = json.dumps(event, ensure_ascii=False)
        assert RID not in text and "张三" not in text
        assert event["subject"] == person["person_id"]
    assert events[1]["data"]["periods"] == [
        {
            "scheme": "resident",
            "region_code": "320902",
            "valid_from": "2026-01-01",
            "valid_until": None,
            "end_reason": None,
        }
    ]


async def test_the_same_resident_id_twice_is_a_conflict_naming_the_person(
    client: httpx.AsyncClient,
) -> None:
    first = (await client.post("/persons", json=BODY)).json()
    again = await client.post("/persons", json={**BODY, "name": "李四"})
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["type"] == "/problems/person_already_enrolled"
    assert again.json()["person_id"] == first["person_id"]
    assert await count(client, persons) == 1


async def test_idempotency_key_same_body_replays_other_body_is_refused(
    client: httpx.AsyncClient,
) -> None:
    headers = {"Idempotency-Key": "k-1"}
    first = await client.post("/persons", json=BODY, headers=headers)
    second = await client.post("/persons", json=BODY, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    other = await client.post("/persons", json={**BODY, "name": "王五"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["type"] == "/problems/idempotency_key_reused"
    assert await count(client, persons) == 1


@pytest.mark.parametrize(
    ("resident_id", "error"),
    [
        ("110105194912310021", "resident_id.checksum"),
        ("11010519491231002x", "resident_id.lowercase_x"),
        ("１１０１０５１９４９１２３１００２X", "resident_id.full_width"),
        ("1101051949123100", "resident_id.length"),
        ("110105194913310028", "resident_id.birth_date"),
    ],
)
async def test_bad_resident_ids_are_clear_422s_that_never_echo_the_number(
    client: httpx.AsyncClient, resident_id: str, error: str
) -> None:
    r = await client.post("/persons", json={**BODY, "resident_id": resident_id})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert [e["type"] for e in r.json()["errors"]] == [error]
    assert resident_id not in r.text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        (json.dumps({**BODY, "status": "approved"}), "application/json"),  # no mass assignment
        (json.dumps({**BODY, "region_code": "32"}), "application/json"),
        ("resident_id=1", "text/plain"),
    ],
)
async def test_malformed_requests_are_problems_not_500s(
    client: httpx.AsyncClient, body: str, content_type: str
) -> None:
    r = await client.post("/persons", content=body, headers={"content-type": content_type})
    assert r.status_code == 422
    assert r.json()["status"] == 422


async def test_unknown_person_is_a_404_problem(client: httpx.AsyncClient) -> None:
    r = await client.get("/persons/nobody")
    assert r.status_code == 404
    assert r.json()["type"] == "/problems/not_found"


async def test_health_readiness_metrics_and_openapi(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json()["status"] == "ok"
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok"}
    assert "http_requests_total" in (await client.get("/metrics")).text
    spec = (await client.get("/openapi.json")).json()
    assert "/persons" in spec["paths"] and "Problem" in spec["components"]["schemas"]


async def test_concurrent_requests_with_one_key_have_one_effect_and_one_answer(
    client: httpx.AsyncClient,
) -> None:
    headers = {"Idempotency-Key": "k-concurrent"}
    responses = await asyncio.gather(
        *(client.post("/persons", json=BODY, headers=headers) for _ in range(8))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["person_id"] for r in responses}) == 1
    assert await count(client, persons) == 1


async def test_concurrent_enrollments_of_one_person_without_key_are_never_500(
    client: httpx.AsyncClient,
) -> None:
    responses = await asyncio.gather(*(client.post("/persons", json=BODY) for _ in range(8)))
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 1 and set(codes[1:]) == {409}
    assert await count(client, persons) == 1


async def test_a_birth_date_or_sex_contradicting_the_id_is_refused_without_echo(
    client: httpx.AsyncClient,
) -> None:
    for extra in ({"birth_date": "1950-01-01"}, {"sex": "M"}):
        r = await client.post("/persons", json={**BODY, **extra})
        assert r.status_code == 422
        assert r.json()["type"] == "/problems/resident_id_mismatch"
        assert RID not in r.text
    ok = await client.post("/persons", json={**BODY, "birth_date": "1949-12-31", "sex": "F"})
    assert ok.status_code == 201
    assert await count(client, persons) == 1


async def test_an_unknown_region_code_is_refused(client: httpx.AsyncClient) -> None:
    r = await client.post("/persons", json={**BODY, "region_code": "999999"})
    assert r.status_code == 422 and r.json()["type"] == "/problems/unknown_region"
    assert await count(client, persons) == 0


async def test_phones_are_masked_and_location_needs_both_coordinates(
    client: httpx.AsyncClient,
) -> None:
    half = await client.post("/persons", json={**BODY, "home_latitude": 33.3})
    assert half.status_code == 422
    person = await enroll(
        client,
        phone="13812345678",
        contact_phone="13912345678",
        home_latitude=33.3479,
        home_longitude=120.1636,
    )
    assert person["phone_masked"] == "138****5678"
    assert person["contact_phone_masked"] == "139****5678"
    assert "13812345678" not in json.dumps(person)
    enrolled = (await outbox(client))[0]["data"]
    assert (enrolled["home_latitude"], enrolled["home_longitude"]) == (33.3479, 120.1636)


async def test_master_data_changes_are_versioned_and_shared_fields_published(
    client: httpx.AsyncClient,
) -> None:
    person = await enroll(client, phone="13812345678")
    pid = person["person_id"]
    headers = {"X-Actor": "tpa-yancheng-01"}
    r = await client.patch(
        f"/persons/{pid}",
        json={"phone": "13800001111", "reason": "new phone number"},
        headers=headers,
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    r = await client.patch(
        f"/persons/{pid}",
        json={
            "region_code": "320903",
            "home_latitude": 33.338,
            "home_longitude": 120.102,
            "reason": "moved house",
        },
        headers=headers,
    )
    assert r.json()["version"] == 3 and r.json()["region_code"] == "320903"
    same = await client.patch(f"/persons/{pid}", json={"region_code": "320903", "reason": "again"})
    assert same.json()["version"] == 3  # nothing changed, no version
    versions = (await client.get(f"/persons/{pid}/versions")).json()
    assert [(v["version"], v["changed_by"], v["reason"]) for v in versions] == [
        (1, "unknown", "enrolled"),
        (2, "tpa-yancheng-01", "new phone number"),
        (3, "tpa-yancheng-01", "moved house"),
    ]
    assert versions[1]["changes"] == {"phone": {"old": "138****5678", "new": "138****1111"}}
    updates = [e for e in await outbox(client) if e["type"] == "PersonUpdated"]
    assert len(updates) == 1  # a phone change is not other services' business
    assert updates[0]["data"]["region_code"] == "320903"
    assert sorted(updates[0]["data"]["changed_fields"]) == [
        "home_latitude",
        "home_longitude",
        "region_code",
    ]
    assert await count(client, person_versions) == 3


async def test_membership_changes_keep_history_and_answer_coverage(
    client: httpx.AsyncClient,
) -> None:
    pid = (await enroll(client))["person_id"]
    change = await client.post(
        f"/persons/{pid}/membership",
        json={"action": "change_scheme", "effective_on": "2026-07-01", "scheme": "employee"},
    )
    assert change.status_code == 200, change.text
    move = await client.post(
        f"/persons/{pid}/membership",
        json={"action": "move_region", "effective_on": "2026-09-01", "region_code": "320400"},
    )
    assert [p["region_code"] for p in move.json()] == ["320902", "320902", "320400"]
    end = await client.post(
        f"/persons/{pid}/membership",
        json={"action": "end", "effective_on": "2026-10-31", "end_reason": "moved_away"},
    )
    assert end.json()[-1]["valid_until"] == "2026-10-31"

    async def on(day: str) -> dict[str, Any]:
        return dict((await client.get(f"/persons/{pid}/coverage", params={"on": day})).json())

    assert (await on("2026-06-30"))["scheme"] == "resident"
    assert (await on("2026-07-01"))["scheme"] == "employee"
    assert (await on("2026-09-01"))["region_code"] == "320400"
    assert (await on("2026-11-01"))["insured"] is False
    assert (await on("2025-12-31"))["insured"] is False
    types = [e["type"] for e in await outbox(client)]
    assert types == [
        "PersonEnrolled",
        "MembershipChanged",
        "MembershipChanged",
        "MembershipChanged",
        "MembershipChanged",
        "EnrollmentEnded",
    ]
    ended = (await outbox(client))[-1]["data"]
    assert (ended["reason"], ended["ended_on"], ended["region_code"]) == (
        "moved_away",
        "2026-10-31",
        "320400",
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            {
                "action": "start",
                "effective_on": "2026-03-01",
                "scheme": "employee",
                "region_code": "320902",
            },
            "membership_overlap",
        ),
        (
            {"action": "change_scheme", "effective_on": "2025-12-01", "scheme": "employee"},
            "invalid_membership_change",
        ),
        ({"action": "change_scheme", "effective_on": "2026-03-01"}, "invalid_input"),
        (
            {"action": "move_region", "effective_on": "2026-03-01", "region_code": "123456"},
            "unknown_region",
        ),
        (
            {"action": "change_scheme", "effective_on": "2026-01-01", "scheme": "resident"},
            "membership_change_already_applied",
        ),
    ],
)
async def test_bad_membership_changes_are_problems_that_change_nothing(
    client: httpx.AsyncClient, body: dict[str, Any], problem: str
) -> None:
    pid = (await enroll(client))["person_id"]
    before = await outbox(client)
    r = await client.post(f"/persons/{pid}/membership", json=body)
    assert r.status_code in (409, 422) and r.json()["type"] == f"/problems/{problem}", r.text
    assert await outbox(client) == before
    assert len((await client.get(f"/persons/{pid}")).json()["memberships"]) == 1


async def test_a_death_ends_membership_at_once_and_blocks_later_changes(
    client: httpx.AsyncClient,
) -> None:
    pid = (await enroll(client))["person_id"]
    r = await client.post(f"/persons/{pid}/death", json={"died_on": "2026-11-02"})
    assert r.status_code == 200 and r.json()["died_on"] == "2026-11-02"
    assert r.json()["memberships"][0]["end_reason"] == "death"
    events = await outbox(client)
    assert [e["type"] for e in events[-3:]] == [
        "PersonUpdated",
        "MembershipChanged",
        "EnrollmentEnded",
    ]
    assert events[-3]["data"]["died_on"] == "2026-11-02"
    assert events[-1]["data"]["reason"] == "death"
    again = await client.post(f"/persons/{pid}/death", json={"died_on": "2026-11-03"})
    assert again.status_code == 409 and again.json()["type"] == "/problems/person_deceased"
    late = await client.post(
        f"/persons/{pid}/membership",
        json={
            "action": "start",
            "effective_on": "2027-01-01",
            "scheme": "resident",
            "region_code": "320902",
        },
    )
    assert late.status_code == 409


async def test_person_list_filters_and_paginates_with_a_cursor(
    client: httpx.AsyncClient,
) -> None:
    for i in range(5):
        await enroll(
            client,
            resident_id=resident_id(f"32090219800101{i:03d}"),
            region_code="320902" if i % 2 == 0 else "320400",
            scheme="employee" if i < 3 else "resident",
        )
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "region_code": "320900", "as_of": "2026-06-01"}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/persons", params=params)).json()
        seen += [p["person_id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 3 == len(set(seen))  # the city code includes its divisions
    employees = (
        await client.get("/persons", params={"scheme": "employee", "as_of": "2026-06-01"})
    ).json()
    assert len(employees["items"]) == 3
    assert (await client.get("/persons", params={"limit": 100000})).status_code == 422
    assert (await client.get("/persons", params={"cursor": "garbage!"})).status_code == 422


async def test_a_list_whose_rows_fill_the_last_page_exactly_ends_without_a_cursor(
    client: httpx.AsyncClient,
) -> None:
    for i in range(4):
        await enroll(client, resident_id=resident_id(f"32090219800202{i:03d}"))
    whole = (await client.get("/persons", params={"limit": 4})).json()
    assert len(whole["items"]) == 4 and whole["next_cursor"] is None
    first = (await client.get("/persons", params={"limit": 2})).json()
    assert len(first["items"]) == 2 and first["next_cursor"] is not None
    params = {"limit": 2, "cursor": first["next_cursor"]}
    last = (await client.get("/persons", params=params)).json()
    assert len(last["items"]) == 2 and last["next_cursor"] is None
    bad = await client.get("/persons", params={"cursor": first["next_cursor"][:-3]})
    assert bad.status_code == 422 and bad.json()["type"] == "/problems/invalid_cursor"
