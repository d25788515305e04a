"""Assistance categories, yearly collection, receipts and counts, on a real PostgreSQL."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
import pytest

from ltci_enrollment.adapters.tables import contribution_charges, contribution_receipts

from ..support import count, enroll, outbox, resident_id


async def _assign(client: httpx.AsyncClient, pid: str, **body: Any) -> httpx.Response:
    payload = {"valid_from": "2026-01-01", "source": "民政局 2026年1月名单", **body}
    return await client.post(f"/persons/{pid}/assistance-categories", json=payload)


async def test_categories_come_from_policy_and_the_highest_class_applies(
    client: httpx.AsyncClient,
) -> None:
    pid = (await enroll(client, region_code="320402"))["person_id"]  # Changzhou
    dibao = await _assign(client, pid, category="dibao", valid_until="2026-12-31")
    assert dibao.status_code == 201, dibao.text
    tekun = await _assign(client, pid, category="tekun", valid_from="2026-03-01")
    assert tekun.json()["recipient_class"] == 1
    view = (
        await client.get(f"/persons/{pid}/assistance-categories", params={"on": "2026-04-01"})
    ).json()
    assert (view["highest_category"], view["active"]) == ("tekun", ["tekun", "dibao"])
    revoke = await client.post(
        f"/persons/{pid}/assistance-categories/{tekun.json()['assignment_id']}/revoke",
        json={"revoked_on": "2026-06-01", "reason": "核查不符"},
    )
    assert revoke.status_code == 200
    after = (
        await client.get(f"/persons/{pid}/assistance-categories", params={"on": "2026-06-01"})
    ).json()
    assert after["highest_category"] == "dibao"
    lapsed = (
        await client.get(f"/persons/{pid}/assistance-categories", params={"on": "2027-01-01"})
    ).json()
    assert lapsed["highest_category"] is None and lapsed["active"] == []
    events = [e["data"] for e in await outbox(client) if e["type"] == "AssistanceCategoryChanged"]
    assert [(e["highest_category"], e["highest_class"]) for e in events] == [
        ("dibao", 2),
        ("tekun", 1),
        ("dibao", 2),
    ]
    assert len(events[-1]["assignments"]) == 2 and events[-1]["assignments"][1]["revoked_on"]


async def test_a_category_without_end_gets_its_policy_validity(client: httpx.AsyncClient) -> None:
    pid = (await enroll(client, region_code="320402"))["person_id"]
    r = await _assign(client, pid, category="expenditure_hardship", valid_from="2026-02-15")
    assert r.json()["valid_until"] == "2027-02-14"  # 12 months, from the Changzhou pack


@pytest.mark.parametrize(
    ("body", "status", "problem"),
    [
        ({"category": "vip"}, 422, "unknown_category"),
        ({"category": "Dibao"}, 422, "invalid_input"),
        ({"category": "dibao", "valid_until": "2025-01-01"}, 422, "invalid_input"),
        ({"category": "dibao", "valid_from": "2026-06-01"}, 409, "category_overlap"),
    ],
)
async def test_bad_category_assignments_change_nothing(
    client: httpx.AsyncClient, body: dict[str, Any], status: int, problem: str
) -> None:
    pid = (await enroll(client, region_code="320402"))["person_id"]
    assert (await _assign(client, pid, category="dibao")).status_code == 201
    before = await outbox(client)
    r = await _assign(client, pid, **body)
    assert (r.status_code, r.json()["type"]) == (status, f"/problems/{problem}"), r.text
    assert await outbox(client) == before


async def _members(client: httpx.AsyncClient, n: int, **fields: Any) -> list[str]:
    return [
        (await enroll(client, resident_id=resident_id(f"32090219500101{i:03d}"), **fields))[
            "person_id"
        ]
        for i in range(n)
    ]


async def test_a_collection_run_charges_each_payer_once_even_when_rerun(
    client: httpx.AsyncClient,
) -> None:
    await _members(client, 3, scheme="employee", region_code="320902")
    run = await client.post(
        "/collection-runs", params={"wait": "true"}, json={"region_code": "320900", "year": 2026}
    )
    assert run.status_code == 200, run.text
    body = run.json()
    assert (body["status"], body["members_total"], body["members_done"]) == ("completed", 3, 3)
    assert (
        body["charges_created"] == 9 and body["policy_version"] == "320900/contributions@2022-07-01"
    )
    again = await client.post(
        "/collection-runs", params={"wait": "true"}, json={"region_code": "320900", "year": 2026}
    )
    assert (again.json()["charges_created"], again.json()["charges_existing"]) == (0, 9)
    assert await count(client, contribution_charges) == 9
    summary = (
        await client.get("/contributions/summary", params={"region_code": "320900", "year": 2026})
    ).json()
    assert {(s["payer"], s["due"], s["outstanding"]) for s in summary} == {
        ("individual", "90.00", "90.00"),
        ("basic_medical_fund", "90.00", "90.00"),
        ("fiscal", "90.00", "90.00"),
    }


async def test_a_background_run_reports_progress_until_done(client: httpx.AsyncClient) -> None:
    await _members(client, 2, scheme="resident", region_code="320902")
    started = await client.post("/collection-runs", json={"region_code": "320900", "year": 2026})
    assert started.status_code == 202
    run_id = started.json()["run_id"]
    for _ in range(200):
        run = (await client.get(f"/collection-runs/{run_id}")).json()
        if run["status"] != "running":
            break
        await asyncio.sleep(0.05)
    assert (run["status"], run["members_done"], run["charges_created"]) == ("completed", 2, 8)
    listed = (await client.get("/collection-runs")).json()["items"]
    assert [r["run_id"] for r in listed] == [run_id]


async def test_receipts_post_fund_income_and_clear_arrears(client: httpx.AsyncClient) -> None:
    await _members(client, 2, scheme="employee", region_code="320902")
    await client.post(
        "/collection-runs", params={"wait": "true"}, json={"region_code": "320900", "year": 2026}
    )
    arrears = (
        await client.get(
            "/contributions/charges",
            params={"region_code": "320900", "year": 2026, "payer": "individual"},
        )
    ).json()["items"]
    assert len(arrears) == 2
    receipt = {
        "charge_id": arrears[0]["charge_id"],
        "amount": "30.00",
        "received_on": "2026-01-15",
        "reference": "PA-2026-0001",
    }
    r = await client.post("/contributions/receipts", json=receipt)
    assert r.status_code == 201, r.text
    same = await client.post("/contributions/receipts", json=receipt)
    assert same.status_code == 201 and same.json()["receipt_id"] == r.json()["receipt_id"]
    over = await client.post(
        "/contributions/receipts",
        json={
            **receipt,
            "charge_id": arrears[1]["charge_id"],
            "amount": "30.01",
            "reference": "PA-2026-0002",
        },
    )
    assert over.status_code == 422 and over.json()["type"] == "/problems/overpayment"
    reused = await client.post("/contributions/receipts", json={**receipt, "amount": "1.00"})
    assert reused.status_code == 409
    for bad in ("-1.00", 1.5, "NaN", "0"):
        bad_r = await client.post(
            "/contributions/receipts", json={**receipt, "amount": bad, "reference": "X"}
        )
        assert bad_r.status_code == 422, bad
    settle = await client.post(
        "/contributions/settlements",
        json={
            "region_code": "320900",
            "year": 2026,
            "payer": "fiscal",
            "received_on": "2026-03-31",
            "reference": "CZ-2026-Q1",
        },
    )
    assert settle.json() == {"charges_paid": 2, "by_fund": {"employee_ltc": "60.00"}}
    again = await client.post(
        "/contributions/settlements",
        json={
            "region_code": "320900",
            "year": 2026,
            "payer": "fiscal",
            "received_on": "2026-03-31",
            "reference": "CZ-2026-Q1-bis",
        },
    )
    assert again.json()["charges_paid"] == 0  # nothing outstanding: no double posting
    donation = await client.post(
        "/contributions/donations",
        json={
            "region_code": "320900",
            "fund": "resident_ltc",
            "year": 2026,
            "amount": "100000.00",
            "received_on": "2026-05-20",
            "reference": "DON-1",
        },
    )
    assert donation.status_code == 201
    posted = [e["data"] for e in await outbox(client) if e["type"] == "ContributionPosted"]
    assert [(p["payer"], p["fund"], p["amount"]) for p in posted] == [
        ("individual", "employee_ltc", "30.00"),
        ("fiscal", "employee_ltc", "60.00"),
        ("donation", "resident_ltc", "100000.00"),
    ]
    assert sum(Decimal(p["amount"]) for p in posted) == Decimal("100090.00")
    assert await count(client, contribution_receipts) == 4  # 1 + 2 fiscal + 1 donation
    left = (
        await client.get("/contributions/charges", params={"region_code": "320900", "year": 2026})
    ).json()["items"]
    assert sorted((c["payer"], c["received"]) for c in left) == [
        ("basic_medical_fund", "0.00"),
        ("basic_medical_fund", "0.00"),
        ("individual", "0.00"),
    ]


async def test_changzhou_recipients_are_subsidised_as_their_own_payer(
    client: httpx.AsyncClient,
) -> None:
    pids = await _members(client, 2, scheme="resident", region_code="320402")
    await _assign(client, pids[0], category="dibao")
    await client.post(
        "/collection-runs", params={"wait": "true"}, json={"region_code": "320400", "year": 2026}
    )
    charges = {
        c["person_id"]: c
        for c in (
            await client.get(
                "/contributions/charges", params={"region_code": "320400", "year": 2026}
            )
        ).json()["items"]
    }
    assert charges[pids[0]]["payer"] == "assistance_subsidy"
    assert charges[pids[1]]["payer"] == "individual"
    assert charges[pids[0]]["amount"] == charges[pids[1]]["amount"] == "380.00"


async def test_counts_by_scheme_region_and_category(client: httpx.AsyncClient) -> None:
    pids = await _members(client, 3, scheme="resident", region_code="320402")
    await _assign(client, pids[0], category="dibao")
    await _assign(client, pids[1], category="tekun")
    counts = (await client.get("/stats/counts", params={"as_of": "2026-06-01"})).json()
    assert counts["by_scheme_and_region"] == [
        {"region_code": "320402", "scheme": "resident", "category": None, "persons": 3}
    ]
    assert {c["category"]: c["persons"] for c in counts["by_category"]} == {"dibao": 1, "tekun": 1}
    before = (await client.get("/stats/counts", params={"as_of": "2025-06-01"})).json()
    assert before["by_scheme_and_region"] == [] and before["by_category"] == []
