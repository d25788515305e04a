"""Payment batches over a settled month (fixtures in conftest.py, amounts hand-computed there):
a batch pays exactly what is outstanding, a second finds nothing, a failed item is reversed and
paid by a later batch, a late line is paid on its own, statements and the reconciliation hold."""

from __future__ import annotations

import json
from decimal import Decimal as D
from typing import Any

from sqlalchemy import select

from ltci_settlement.adapters.tables import platform
from ltci_shared.events.contracts import PaymentRecorded

from ..support import MONTH, A, B, balance, eligible


async def batch(h: Any, status: int = 201, **body: Any) -> dict[str, Any]:
    response = await h.client.post("/payments/batches", json={**MONTH, **body})
    assert response.status_code == status, response.text
    return dict(response.json())


async def answer(h: Any, batch_id: str, *results: dict[str, Any], status: int = 200) -> Any:
    response = await h.client.post(
        f"/payments/batches/{batch_id}/results", json={"results": list(results)}
    )
    assert response.status_code == status, response.text
    return response.json()


async def reconciliation(h: Any) -> dict[str, Any]:
    response = await h.client.get("/payments/reconciliation", params=MONTH)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def recorded(h: Any) -> list[dict[str, Any]]:
    async with h.app.state.runtime.uow() as uow:
        rows = await uow.session.execute(
            select(platform.outbox.c.payload).where(platform.outbox.c.type == "PaymentRecorded")
        )
        return [json.loads(r[0])["data"] for r in rows]


async def test_a_batch_pays_exactly_what_is_outstanding_and_once(settled: Any) -> None:
    h = settled
    made = await batch(h)
    items = {i["provider_id"]: i for i in made["items"]}
    assert [(i["item_no"], i["provider_id"], i["fund"], i["amount"]) for i in made["items"]] == [
        (1, A, "employee_ltc", "138.93"),
        (2, B, "employee_ltc", "275.36"),
    ]
    assert (made["status"], made["total"], made["in_transit"]) == ("sent", "414.29", "414.29")
    assert await balance(h, "provider_payable", A) == await balance(h, "provider_payable", B) == 0
    assert await balance(h, "bank") == D("1000.00") - D("414.29")
    assert await balance(h, "holdback", A) == D("-7.32")  # the holdback is not paid by a batch

    again = await batch(h, 409)
    assert again["type"] == "/problems/nothing_outstanding"
    entries = (
        await h.client.get("/ledger/entries", params={"region_code": "320900", "kind": "payment"})
    ).json()["items"]
    assert {e["entry_id"] for e in entries} == {i["entry_id"] for i in items.values()}
    assert all(made["batch_id"] in e["memo"] for e in entries)

    # the month-end rerun sees the payments but reissues no statement: they owed what they owed
    rerun = await h.month_end()
    assert (rerun["entries_created"], rerun["statements_issued"]) == (0, 0)
    statement = (await h.client.get("/statements", params={"provider_id": A})).json()["items"]
    assert [(s["revision"], s["amount_payable"]) for s in statement] == [(1, "138.93")]


async def test_a_failed_item_is_reversed_and_paid_by_a_later_batch(settled: Any) -> None:
    h = settled
    first = await batch(h, provider_ids=[A, B])
    a_item, b_item = first["items"]
    done = await answer(
        h,
        first["batch_id"],
        {"item_id": a_item["item_id"], "status": "paid", "bank_reference": "ICBC-1"},
        {"item_id": b_item["item_id"], "status": "failed", "reason": "account closed"},
    )
    assert done["status"] == "closed" and (done["paid"], done["failed"]) == ("138.93", "275.36")
    failed = done["items"][1]
    assert failed["status"] == "failed" and failed["reversal_entry_id"]
    assert await balance(h, "provider_payable", B) == D("-275.36")  # outstanding again
    assert await balance(h, "bank") == D("1000.00") - D("138.93")

    # the same answers again change nothing; a different answer is refused
    assert (await answer(h, first["batch_id"], {"item_id": a_item["item_id"], "status": "paid"}))[
        "paid"
    ] == "138.93"
    refused = await answer(
        h,
        first["batch_id"],
        {"item_id": a_item["item_id"], "status": "failed", "reason": "x"},
        status=409,
    )
    assert refused["type"] == "/problems/item_already_answered"
    unknown = await answer(h, first["batch_id"], {"item_id": "nope", "status": "paid"}, status=422)
    assert unknown["type"] == "/problems/unknown_payment_item"

    second = await batch(h)
    assert [(i["provider_id"], i["amount"]) for i in second["items"]] == [(B, "275.36")]
    assert [(p["provider_id"], p["amount"], p["status"]) for p in await recorded(h)] == [
        (A, "138.93", "paid")
    ]
    rec = await reconciliation(h)
    assert rec["balanced"] and rec["settled"]
    b = next(r for r in rec["rows"] if r["provider_id"] == B)
    assert (b["posted"], b["failed"], b["in_transit"], b["paid"], b["outstanding"]) == (
        "275.36",
        "275.36",
        "275.36",
        "0.00",
        "0.00",
    )


async def test_a_late_line_is_outstanding_alone_and_the_reconciliation_balances(
    settled: Any,
) -> None:
    h = settled
    first = await batch(h, provider_ids=[A])
    assert [i["amount"] for i in first["items"]] == ["138.93"]
    await h.feed(eligible("p3"))
    late = await h.month_end()
    assert late["entries_created"] == 1
    assert await balance(h, "provider_payable", A) == D("-55.57")  # 58.50 less 2.93 holdback
    second = await batch(h)
    assert [(i["provider_id"], i["amount"]) for i in second["items"]] == [
        (A, "55.57"),
        (B, "275.36"),
    ]
    rec = await reconciliation(h)
    rows = {r["provider_id"]: r for r in rec["rows"]}
    assert rec["balanced"] and all(r["balanced"] for r in rec["rows"])
    a = rows[A]
    assert (a["posted"], a["holdback_withheld"], a["holdback_held"], a["in_transit"]) == (
        "194.50",
        "10.25",
        "10.25",
        "194.50",
    )
    assert a["outstanding"] == "0.00"
    assert rec["totals"]["posted"] == "469.86" and rec["totals"]["in_transit"] == "469.86"

    # the provider's own view
    mine = (
        await h.client.get("/payments/reconciliation", params={**MONTH, "provider_id": A})
    ).json()
    assert [r["provider_id"] for r in mine["rows"]] == [A] and mine["balanced"]


async def test_payment_recorded_matches_its_contract(settled: Any) -> None:
    h = settled
    made = await batch(h, provider_ids=[A])
    await answer(
        h,
        made["batch_id"],
        {"item_id": made["items"][0]["item_id"], "status": "paid", "bank_reference": "ICBC-9"},
    )
    [payload] = await recorded(h)
    event = PaymentRecorded.model_validate(payload)
    assert event.amount == D("138.93") and payload["amount"] == "138.93"
    assert (event.batch_id, event.provider_id, event.region_code, event.period) == (
        made["batch_id"],
        A,
        "320900",
        "2026-03",
    )
    assert (event.fund, event.status, event.bank_reference) == ("employee_ltc", "paid", "ICBC-9")
    assert event.key == A and "person_id" not in payload


async def test_batches_are_refused_before_the_month_is_settled(harness: Any) -> None:
    h = harness
    refused = await batch(h, 409)
    assert refused["type"] == "/problems/period_not_settled"
    bad = await h.client.post("/payments/batches", json={**MONTH, "period": "2026-13"})
    assert bad.status_code == 422
    unknown = await h.client.post("/payments/batches", json={**MONTH, "region_code": "999999"})
    assert unknown.status_code == 422
    extra = await h.client.post("/payments/batches", json={**MONTH, "amount": "1.00"})
    assert extra.status_code == 422
    assert (await h.client.get("/payments/batches/nope")).status_code == 404
    assert (await h.client.get("/payments/batches", params={"cursor": "!!"})).status_code == 422
    no_reason = await h.client.post(
        "/payments/batches/nope/results",
        json={"results": [{"item_id": "x", "status": "failed"}]},
    )
    assert no_reason.status_code == 422


async def test_lists_filter_and_page(settled: Any) -> None:
    h = settled
    first = await batch(h, provider_ids=[A])
    second = await batch(h)
    page = (await h.client.get("/payments/batches", params={**MONTH, "limit": 1})).json()
    assert [b["batch_id"] for b in page["items"]] == [first["batch_id"]] and page["next_cursor"]
    rest = (
        await h.client.get(
            "/payments/batches", params={**MONTH, "limit": 1, "cursor": page["next_cursor"]}
        )
    ).json()
    assert [b["batch_id"] for b in rest["items"]] == [second["batch_id"]]
    assert rest["next_cursor"] is None
    of_b = (await h.client.get("/payments/batches", params={"provider_id": B})).json()["items"]
    assert [b["batch_id"] for b in of_b] == [second["batch_id"]]
    items = (await h.client.get("/payments/items", params={**MONTH, "limit": 1})).json()
    assert items["items"][0]["provider_id"] == A and items["next_cursor"]
    more = (
        await h.client.get("/payments/items", params={**MONTH, "cursor": items["next_cursor"]})
    ).json()
    assert [i["provider_id"] for i in more["items"]] == [B]
    own = (
        await h.client.get(f"/payments/batches/{second['batch_id']}", params={"provider_id": B})
    ).json()
    assert [i["provider_id"] for i in own["items"]] == [B] and own["total"] == "275.36"
