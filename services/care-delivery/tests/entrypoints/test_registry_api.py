"""Providers and caregivers over HTTP on a real PostgreSQL database: admission, agreements,
status, credit-code validation, real-name caregivers with protected resident IDs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from ltci_care_delivery.adapters.tables import caregivers

from ..support import (
    DAY,
    TODAY,
    active_provider,
    app_of,
    caregiver,
    ok,
    outbox,
    resident_id,
    uscc,
    visit,
    world,
)


def provider_body(**changes: Any) -> dict[str, Any]:
    return {
        "uscc": uscc(),
        "name": "盐城市颐养护理站",
        "region_code": "320900",
        "kind": "home_care",
        "admission_route": "capacity_review",
        **changes,
    }


AGREEMENT = {
    "agreement_no": "YC-1",
    "valid_from": "2026-01-01",
    "valid_until": "2026-12-31",
    "forms": ["home_visit"],
    "service_area": ["320902"],
}


async def test_capacity_review_then_agreement_makes_a_provider_active(
    client: httpx.AsyncClient,
) -> None:
    p = ok(await client.post("/providers", json=provider_body()), 201)
    assert p["status"] == "under_review"
    path = f"/providers/{p['provider_id']}"
    early = await client.post(f"{path}/agreements", json=AGREEMENT)
    assert early.status_code == 409 and early.json()["type"] == "/problems/provider_state_conflict"
    review = {"decision": "approved", "reviewer": "tpa:pingan/u-9"}
    assert ok(await client.post(f"{path}/review", json=review))["status"] == "admitted"
    ok(await client.post(f"{path}/agreements", json=AGREEMENT), 201)
    assert ok(await client.get(path))["status"] == "active"
    assert (
        ok(await client.post(f"{path}/grade", json={"level": 4, "assessed_by": "x"}))["level"] == 4
    )
    [agreement] = ok(await client.get(f"{path}/agreements"))
    assert agreement["forms"] == ["home_visit"] and agreement["service_area"] == ["320902"]


async def test_filing_admits_at_once_and_a_credit_code_is_unique(client: httpx.AsyncClient) -> None:
    body = provider_body(admission_route="filing")
    first = ok(await client.post("/providers", json=body), 201)
    assert first["status"] == "admitted"
    again = await client.post("/providers", json={**body, "name": "another"})
    assert again.status_code == 409 and again.json()["provider_id"] == first["provider_id"]


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("91320900MA1XY12340", "uscc.checksum"),
        ("91320900ma1xy1234w", "uscc.lowercase"),
        ("91320900MA1XY12", "uscc.length"),
    ],
)
async def test_bad_credit_codes_are_named_422s(
    client: httpx.AsyncClient, code: str, error: str
) -> None:
    r = await client.post("/providers", json=provider_body(uscc=code))
    assert r.status_code == 422
    assert [e["type"] for e in r.json()["errors"]] == [error]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"service_area": ["110105"]}, "area_outside_region"),
        ({"forms": ["home_self_care"]}, "form_not_in_policy"),
        ({"service_area": ["32090"]}, "invalid_input"),
        ({"valid_until": "2025-01-01"}, "invalid_input"),
    ],
)
async def test_agreements_outside_the_region_or_policy_are_refused(
    client: httpx.AsyncClient, changes: dict[str, Any], problem: str
) -> None:
    p = ok(await client.post("/providers", json=provider_body(admission_route="filing")), 201)
    r = await client.post(
        f"/providers/{p['provider_id']}/agreements", json={**AGREEMENT, **changes}
    )
    assert r.status_code == 422 and r.json()["type"] == f"/problems/{problem}"


async def test_a_suspended_provider_cannot_be_paid_for_visits(client: httpx.AsyncClient) -> None:
    w = await world(client)
    path = f"/providers/{w.provider_id}/status"
    change = {"action": "suspend", "effective_on": str(DAY), "reason_code": "audit"}
    assert ok(await client.post(path, json=change))["status"] == "suspended"
    r = await client.post(f"/providers/{w.provider_id}/visits", json=visit(w, "v-1"))
    assert ok(r, 201)["visit"]["exceptions"] == ["agreement_not_covering"]
    twice = await client.post(path, json=change)
    assert twice.status_code == 409
    back = {"action": "reinstate", "effective_on": str(TODAY), "reason_code": "audit_passed"}
    assert ok(await client.post(path, json=back))["status"] == "active"


async def test_caregiver_resident_ids_are_validated_protected_and_masked(
    client: httpx.AsyncClient,
) -> None:
    provider = await active_provider(client)
    rid = resident_id()
    body = {
        "resident_id": rid,
        "name": "王护理",
        "certificate_no": "HL-1",
        "valid_from": "2024-01-01",
        "valid_until": "2027-12-31",
        "provider_ids": [provider],
    }
    r = await client.post("/caregivers", json=body)
    c = ok(r, 201)
    assert rid not in r.text and c["resident_id_masked"] == rid[:3] + "*" * 11 + rid[-4:]
    async with app_of(client).state.runtime.uow() as uow:
        row = (await uow.session.execute(select(caregivers))).one()
    assert rid not in row.resident_id_encrypted and rid not in row.resident_id_hash
    assert app_of(client).state.cipher.decrypt(row.resident_id_encrypted) == rid
    again = await client.post("/caregivers", json={**body, "name": "另一人"})
    assert again.status_code == 409 and again.json()["caregiver_id"] == c["caregiver_id"]
    assert rid not in again.text
    bad = await client.post("/caregivers", json={**body, "resident_id": rid[:-1] + "0"})
    if rid[-1] == "0":
        bad = await client.post("/caregivers", json={**body, "resident_id": rid[:-1] + "1"})
    assert bad.status_code == 422 and rid[:-1] not in bad.text
    assert all(rid not in str(e) for e in await outbox(client))


async def test_a_caregiver_may_work_for_several_providers(client: httpx.AsyncClient) -> None:
    first, second = await active_provider(client), await active_provider(client)
    c = await caregiver(client, [first])
    both = ok(await client.post(f"/caregivers/{c}/providers", json={"provider_id": second}))
    assert both["provider_ids"] == [first, second]
    same = ok(await client.post(f"/caregivers/{c}/providers", json={"provider_id": second}))
    assert same["provider_ids"] == [first, second]
    listed = ok(await client.get("/caregivers", params={"provider_id": second}))
    assert [x["caregiver_id"] for x in listed["items"]] == [c]
    missing = await client.post(f"/caregivers/{c}/providers", json={"provider_id": "nope"})
    assert missing.status_code == 404
    renewed = {"certificate_no": "HL-9", "valid_from": "2027-01-01", "valid_until": "2030-12-31"}
    assert (
        ok(await client.post(f"/caregivers/{c}/certification", json=renewed))["certificate_no"]
        == "HL-9"
    )


async def test_provider_list_pages_with_a_cursor_and_filters(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        ok(await client.post("/providers", json=provider_body()), 201)
    ok(await client.post("/providers", json=provider_body(admission_route="filing")), 201)
    page = ok(await client.get("/providers", params={"status": "under_review", "limit": 2}))
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = ok(
        await client.get(
            "/providers",
            params={"status": "under_review", "limit": 2, "cursor": page["next_cursor"]},
        )
    )
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    ids = {p["provider_id"] for p in page["items"] + rest["items"]}
    assert len(ids) == 3
    assert (await client.get("/providers", params={"status": "bogus"})).status_code == 422


async def test_idempotency_key_replays_and_refuses_another_body(client: httpx.AsyncClient) -> None:
    body, headers = provider_body(), {"Idempotency-Key": "adm-1"}
    first = await client.post("/providers", json=body, headers=headers)
    second = await client.post("/providers", json=body, headers=headers)
    assert second.json() == first.json() and second.headers["Idempotent-Replayed"] == "true"
    other = await client.post("/providers", json=provider_body(), headers=headers)
    assert other.status_code == 422 and other.json()["type"] == "/problems/idempotency_key_reused"


async def test_openapi_documents_the_routes_with_examples(client: httpx.AsyncClient) -> None:
    spec = ok(await client.get("/openapi.json"))
    paths = spec["paths"]
    for path in (
        "/providers/{provider_id}/visits",
        "/providers/{provider_id}/visits/batch",
        "/visit-exceptions",
        "/care-plans",
        "/stays",
        "/device-rentals",
        "/caregivers",
    ):
        assert path in paths
    schemas = spec["components"]["schemas"]
    for name in ("LogVisit", "VisitBatch", "CreateCarePlan", "AdmitProvider", "BatchResult"):
        assert schemas[name].get("examples"), name
    batch = paths["/providers/{provider_id}/visits/batch"]["post"]
    assert "413" in batch["responses"] and "422" in batch["responses"]
    header_names = {p["name"] for p in batch["parameters"]}
    assert "Idempotency-Key" in header_names
