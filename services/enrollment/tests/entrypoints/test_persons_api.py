"""Enrollment's persons and membership API on a real PostgreSQL database."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from ltci_enrollment.adapters.tables import persons

from ..support import PERSON, RID, count, outbox

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
