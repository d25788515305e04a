"""The quality holdback released by care delivery's scorecards (bands of the 320900 pack:
90 and above all, 80 to 90 half, below none): released to the payable and paid by a batch,
forfeited back to the fund, providers without a scorecard waiting, reruns releasing nothing."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from ..support import MONTH, A, B, balance, scorecard


async def release(h: Any, status: int = 200, key: str | None = None) -> dict[str, Any]:
    headers = {"Idempotency-Key": key} if key else {}
    response = await h.client.post("/holdback/releases", json=MONTH, headers=headers)
    assert response.status_code == status, response.text
    return dict(response.json())


def figures(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    return [
        (r["provider_id"], r["score"], r["withheld"], r["released"], r["forfeited"])
        for r in result["released"]
    ]


async def test_full_and_half_release_then_paid_by_a_batch(settled: Any) -> None:
    h = settled
    nobody = await release(h)
    assert nobody["released"] == []
    assert [(w["provider_id"], w["holdback_held"]) for w in nobody["waiting"]] == [
        (A, "7.32"),
        (B, "14.49"),
    ]
    await h.feed(scorecard(A, "92.50"), scorecard(B, "85.00"))
    done = await release(h, key="release-2026-03")
    # A: 7.32 all released; B: 14.49 × 0.50 = 7.245 → 7.25 released, 7.24 forfeited
    assert figures(done) == [
        (A, "92.50", "7.32", "7.32", "0.00"),
        (B, "85.00", "14.49", "7.25", "7.24"),
    ]
    assert done["waiting"] == [] and done["policy_version"] == "320900/benefits@2022-07-01"
    assert await balance(h, "holdback") == 0
    assert await balance(h, "provider_payable", A) == D("-146.25")  # 138.93 + 7.32
    assert await balance(h, "provider_payable", B) == D("-282.61")  # 275.36 + 7.25
    assert await balance(h, "holdback_forfeited_income") == D("-7.24")

    replay = await h.client.post(
        "/holdback/releases", json=MONTH, headers={"Idempotency-Key": "release-2026-03"}
    )
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.json() == done
    rerun = await release(h)
    assert rerun["released"] == [] and rerun["waiting"] == []
    assert await balance(h, "provider_payable", A) == D("-146.25")

    paid = (await h.client.post("/payments/batches", json=MONTH)).json()
    assert [(i["provider_id"], i["amount"]) for i in paid["items"]] == [
        (A, "146.25"),
        (B, "282.61"),
    ]
    rec = (await h.client.get("/payments/reconciliation", params=MONTH)).json()
    assert rec["balanced"]
    b = next(r for r in rec["rows"] if r["provider_id"] == B)
    assert (b["holdback_released"], b["holdback_forfeited"], b["holdback_held"]) == (
        "7.25",
        "7.24",
        "0.00",
    )
    assert (b["in_transit"], b["outstanding"]) == ("282.61", "0.00")
    listed = (await h.client.get("/holdback/releases", params={**MONTH, "provider_id": B})).json()
    assert [(r["release_share"], r["released"]) for r in listed["items"]] == [("0.50", "7.25")]
    tb = (await h.client.get("/ledger/trial-balance", params={"region_code": "320900"})).json()
    assert tb["balanced"]
    # statements keep what the month owed; the rerun reissues nothing
    assert (await h.month_end())["statements_issued"] == 0


async def test_releases_wait_for_a_settled_month(harness: Any) -> None:
    h = harness
    await h.feed(scorecard(A, "95.00"))
    refused = await release(h, 409)
    assert refused["type"] == "/problems/period_not_settled"
    bad = await h.client.post("/holdback/releases", json={**MONTH, "period": "2026-3"})
    assert bad.status_code == 422


async def test_below_the_bands_all_is_forfeited_and_others_wait(settled: Any) -> None:
    h = settled
    await h.feed(scorecard(B, "79.99"))
    done = await release(h)
    assert figures(done) == [(B, "79.99", "14.49", "0.00", "14.49")]
    assert [(w["provider_id"], w["holdback_held"]) for w in done["waiting"]] == [(A, "7.32")]
    assert await balance(h, "holdback_forfeited_income", B) == D("-14.49")
    assert await balance(h, "provider_payable", B) == D("-275.36")  # nothing more to pay
    await h.feed(scorecard(A, "80.00"))  # the band's floor counts
    later = await release(h)
    assert figures(later) == [(A, "80.00", "7.32", "3.66", "3.66")]
    assert (await release(h))["released"] == []
    rec = (await h.client.get("/payments/reconciliation", params=MONTH)).json()
    assert rec["balanced"] and rec["totals"]["holdback_forfeited"] == "18.15"
