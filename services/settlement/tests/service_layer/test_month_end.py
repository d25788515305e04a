"""A month of events for Yancheng fed to the consumer handlers, settled end to end: claims,
ledger, statements; rerun idempotency, a late eligibility, a void reversed, conservation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D
from typing import Any

from sqlalchemy import func, select

from ltci_settlement.adapters.claims_repository import ClaimRepository
from ltci_settlement.adapters.tables import claim_lines, platform, postings
from ltci_shared.events.contracts import (
    AssessmentCompleted,
    StayReported,
    VisitVoided,
)

from ..support import (
    A,
    B,
    balance,
    certified,
    contribution,
    eligible,
    person,
    plan,
    rental,
    visit,
)


async def seed_month(h: Any) -> None:
    await h.feed(
        person("p1"),
        person("p2", "resident"),
        person("p3"),
        eligible("p1", 3),
        eligible("p2", 4),  # p3's eligibility arrives late
        contribution("c1"),
        contribution("c2", "resident_ltc", "500.00", payer="fiscal"),
        plan("p1", "home_visit", "YC-HV-STD", A, 3),
        plan("p3", "home_visit", "YC-HV-STD", A, 3),
        plan("p2", "family_care", "YC-FAMILY", B, 4),
        StayReported(
            stay_id="s1",
            person_id="p2",
            kind="hospital",
            admitted_on=date(2026, 3, 10),
            discharged_on=date(2026, 3, 15),
        ),
        # family care is paid only for a certified month
        certified("fc1", "p2", "fcg1", care_days=26, days_covered=26),
        visit("v1", "p1", 2, 90),
        visit("v2", "p1", 3, 60),
        visit("v3", "p1", 4, 60, verified=False),
        visit("v5", "p3", 6, 60),
        rental(),
        AssessmentCompleted(
            assessment_id="a1",
            application_id="ap1",
            person_id="p1",
            region_code="320902",
            instrument="national_2021",
            grade=3,
            assessed_on=date(2026, 3, 1),
            policy_version="320900/assessment@2022-07-01",
            fee=D("300.00"),
            fee_fund_share=D("150.00"),
        ),
    )


async def claim_of(h: Any, provider: str) -> dict[str, Any]:
    page = (
        await h.client.get(
            "/claims",
            params={"region_code": "320900", "period": "2026-03", "provider_id": provider},
        )
    ).json()
    assert len(page["items"]) == 1
    return page["items"][0]


async def lines_of(h: Any, claim_id: str, **params: Any) -> list[dict[str, Any]]:
    return (await h.client.get(f"/claims/{claim_id}/lines", params=params)).json()["items"]


async def review(h: Any, claim_id: str, line_no: int, key: str | None = None, **body: str) -> Any:
    """A TPA's review decision (审核) on a held or settled claim line."""
    headers = {"Idempotency-Key": key} if key else {}
    url = f"/claims/{claim_id}/lines/{line_no}/review"
    return await h.client.post(url, json=body, headers=headers)


async def conservation(h: Any) -> tuple[D, D]:
    """(liabilities posted to providers and persons, fund amounts of the settled lines)."""
    async with h.app.state.runtime.uow() as uow:
        liab = (
            await uow.session.execute(
                select(func.coalesce(func.sum(postings.c.amount_fen), 0)).where(
                    postings.c.account.in_(["provider_payable", "holdback", "person_payable"])
                )
            )
        ).scalar()
        approved = (
            await uow.session.execute(
                select(func.coalesce(func.sum(claim_lines.c.fund_fen), 0)).where(
                    claim_lines.c.active.is_(True), claim_lines.c.entry_id.is_not(None)
                )
            )
        ).scalar()
    return D(-int(liab)) / 100, D(int(approved)) / 100


async def test_a_month_is_settled_end_to_end_and_reruns_change_nothing(harness: Any) -> None:
    h = harness
    await seed_month(h)
    run = await h.month_end(key="close-2026-03")
    assert run["status"] == "completed" and run["persons_total"] == 3
    assert (run["lines_created"], run["lines_pending"]) == (6, 1)
    # entries: A/p1 (v1+v2), B/p1 rental, B/p2 family care, the assessment fee
    assert run["entries_created"] == 4 and run["statements_issued"] == 2

    a = await claim_of(h, A)
    lines = {ln["visit_id"]: ln for ln in await lines_of(h, a["claim_id"])}
    assert (lines["v1"]["fund_amount"], lines["v1"]["person_amount"]) == ("87.75", "9.75")
    assert (lines["v2"]["fund_amount"], lines["v2"]["person_amount"]) == ("58.50", "6.50")
    assert (lines["v3"]["outcome"], lines["v3"]["reason_code"]) == ("rejected", "R300")
    assert (lines["v5"]["outcome"], lines["v5"]["reason_code"]) == ("pending", "R200")
    assert "320900/benefits@2022-07-01" in lines["v1"]["explanation"]
    assert (a["fund_amount"], a["pending_count"]) == ("146.25", 1)

    b = await claim_of(h, B)
    by_form = {ln["service_form"]: ln for ln in await lines_of(h, b["claim_id"])}
    assert by_form["device"]["fund_amount"] == "289.85"  # 31 days × 11.00 × 85%
    assert by_form["family_care"]["fund_amount"] == "390.00"  # 26 days (5 in hospital) × 15.00
    assert by_form["family_care"]["payee"] == "person"

    # holdback 5%: 4.39 + 2.93 on A's lines; 14.49 on the rental
    assert await balance(h, "provider_payable", A) == D("-138.93")
    assert await balance(h, "holdback", A) == D("-7.32")
    assert await balance(h, "provider_payable", B) == D("-275.36")
    assert await balance(h, "person_payable", "p2", fund="resident_ltc") == D("-390.00")
    assert await balance(h, "assessment_fee_expense") == D("150.00")
    assert await balance(h, "due_from_individual", "p1", fund="individuals") == D("9.75") + D(
        "6.50"
    ) + D("51.15") + D("150.00")
    assert await balance(h, "bank") == D("1000.00")

    tb = (await h.client.get("/ledger/trial-balance", params={"region_code": "320900"})).json()
    assert tb["balanced"] and tb["total_debits"] == tb["total_credits"]
    per_fund: dict[str, D] = {}
    for row in tb["rows"]:
        per_fund[row["fund"]] = per_fund.get(row["fund"], D(0)) + D(row["balance"])
    assert set(per_fund.values()) == {D("0.00")}
    assert await conservation(h) == (D("826.10"), D("826.10"))

    statements = (await h.client.get("/statements", params={"provider_id": A})).json()["items"]
    assert [(s["revision"], s["amount_payable"], s["holdback"]) for s in statements] == [
        (1, "138.93", "7.32")
    ]
    csv_text = (await h.client.get(f"/statements/{statements[0]['statement_id']}/lines.csv")).text
    assert csv_text.splitlines()[0].startswith("line_no,") and "87.75" in csv_text
    page = await h.client.get(f"/statements/{statements[0]['statement_id']}/print")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "结算单" in page.text and "138.93" in page.text and "7.32" in page.text
    assert page.text.count("<tr>") == 1 + csv_text.count("\n") - 1  # head + one row a line
    assert "87.75" in page.text and "@page" in page.text
    missing = await h.client.get("/statements/no-such-statement/print")
    assert missing.status_code == 404

    # rerun: nothing new, nothing posted; the same key replays the same run
    again = await h.month_end()
    assert (again["lines_created"], again["entries_created"], again["statements_issued"]) == (
        0,
        0,
        0,
    )
    replay = await h.client.post(
        "/runs/month-end",
        json={"region_code": "320900", "period": "2026-03"},
        headers={"Idempotency-Key": "close-2026-03"},
    )
    assert (
        replay.json()["run_id"] == run["run_id"] and replay.headers["Idempotent-Replayed"] == "true"
    )
    hash_before = tb["ledger_hash"]
    tb2 = (await h.client.get("/ledger/trial-balance", params={"region_code": "320900"})).json()
    assert tb2["ledger_hash"] == hash_before

    # p3's eligibility arrives: the pending line is settled on the next run
    await h.feed(eligible("p3", 3))
    late = await h.month_end()
    assert (late["lines_created"], late["lines_reversed"], late["entries_created"]) == (1, 1, 1)
    assert await balance(h, "provider_payable", A) == D("-194.50")  # + 55.57

    # v2 voided after payment: reversed by a new entry, never edited
    await h.feed(
        VisitVoided(
            visit_id="v2",
            provider_id=A,
            person_id="p1",
            reason="duplicate",
            voided_at=datetime(2026, 4, 2, tzinfo=UTC),
        )
    )
    fixed = await h.month_end()
    assert (fixed["lines_created"], fixed["lines_reversed"], fixed["entries_created"]) == (0, 1, 1)
    assert await balance(h, "provider_payable", A) == D("-138.93")
    reversed_line = (await lines_of(h, a["claim_id"], reason_code="R400"))[0]
    assert (
        reversed_line["visit_id"] == "v2"
        and not reversed_line["active"]
        and reversed_line["reversal_entry_id"]
    )
    entries = (
        await h.client.get("/ledger/entries", params={"region_code": "320900", "kind": "reversal"})
    ).json()["items"]
    assert len(entries) == 1 and entries[0]["reverses_entry_id"] == reversed_line["entry_id"]
    assert all(p["visit_id"] == "v2" for p in entries[0]["postings"])
    assert await conservation(h) == (D("826.10"), D("826.10"))
    statements = (await h.client.get("/statements", params={"provider_id": A})).json()["items"]
    assert [s["revision"] for s in statements] == [1, 2, 3]
    assert (await h.month_end())["entries_created"] == 0

    async with h.app.state.runtime.uow() as uow:
        kinds = dict(
            (
                await uow.session.execute(
                    select(platform.outbox.c.type, func.count()).group_by(platform.outbox.c.type)
                )
            ).all()
        )
    assert kinds["StatementIssued"] == 4 and kinds["ClaimAdjudicated"] >= 2
    assert kinds["LiabilityPosted"] == 5  # 3 line entries, p3's entry, v2's reversal

    # the claims' cached totals (kept by deltas, run after run) equal a recount of their lines
    cached = (await h.client.get("/claims", params={"period": "2026-03"})).json()["items"]
    async with h.app.state.runtime.uow() as uow:
        await ClaimRepository(uow.session).refresh_totals(c["claim_id"] for c in cached)
        await uow.commit()
    recounted = (await h.client.get("/claims", params={"period": "2026-03"})).json()["items"]
    drop = ("updated_at",)
    assert [{k: v for k, v in c.items() if k not in drop} for c in cached] == [
        {k: v for k, v in c.items() if k not in drop} for c in recounted
    ]
    assert {c["line_count"] for c in cached} != {0}


async def test_sampled_high_value_lines_wait_for_tpa_review(make_harness: Any) -> None:
    async with make_harness(review_high_value="200.00") as h:
        await seed_month(h)
        await h.month_end()
        b = await claim_of(h, B)
        held = await lines_of(h, b["claim_id"], review_status="held")
        assert {ln["service_form"] for ln in held} == {"device", "family_care"}  # 289.85, 390.00
        assert b["status"] == "pending_review" and held[0]["entry_id"] is None
        assert await balance(h, "provider_payable", B) == D("0.00")

        device = next(ln for ln in held if ln["service_form"] == "device")
        ok = await review(
            h, b["claim_id"], device["line_no"], key="rv-1", action="approve", reason="checked"
        )
        assert (
            ok.status_code == 200
            and ok.json()["review_status"] == "approved"
            and ok.json()["entry_id"]
        )
        assert await balance(h, "provider_payable", B) == D("-275.36")

        a = await claim_of(h, A)
        v1 = next(ln for ln in await lines_of(h, a["claim_id"]) if ln["visit_id"] == "v1")
        adjusted = await review(
            h,
            a["claim_id"],
            v1["line_no"],
            action="adjust",
            reason="60 minutes only",
            fund_amount="58.50",
            person_amount="6.50",
        )
        assert adjusted.status_code == 200, adjusted.text
        assert (
            adjusted.json()["fund_amount"],
            adjusted.json()["denied"],
            adjusted.json()["reason_code"],
        ) == ("58.50", "32.50", "R410")
        # 146.25 − 87.75 + 58.50 = 117.00 fund; each line's 5% holdback withheld
        assert await balance(h, "provider_payable", A) == D("-111.14")
        refused = await review(  # more than the line billed
            h,
            a["claim_id"],
            adjusted.json()["line_no"],
            action="adjust",
            reason="x",
            fund_amount="97.00",
            person_amount="1.00",
        )
        assert refused.status_code == 422 and refused.json()["type"].endswith("invalid_adjustment")
        gone = await review(h, a["claim_id"], v1["line_no"], action="approve", reason="x")
        assert gone.status_code == 409

        assert (await h.month_end())["entries_created"] == 0  # the TPA's decisions stand
        liabilities, approved = await conservation(h)
        assert liabilities == approved == D("117.00") + D("289.85")


async def test_bad_requests_are_problems_not_500s(harness: Any) -> None:
    c = harness.client
    assert (
        await c.post("/runs/month-end", json={"region_code": "999999", "period": "2026-03"})
    ).status_code == 422
    assert (
        await c.post("/runs/month-end", json={"region_code": "320900", "period": "2026-13"})
    ).status_code == 422
    assert (
        await c.post(
            "/runs/month-end", json={"region_code": "320900", "period": "2026-03", "status": "x"}
        )
    ).status_code == 422
    assert (await c.get("/claims", params={"cursor": "!!"})).status_code == 422
    assert (await c.get("/claims", params={"limit": 100000})).status_code == 422
    assert (await c.get("/runs/nope")).status_code == 404
    schema = (await c.get("/openapi.json")).json()
    assert "/runs/month-end" in schema["paths"] and "/ledger/trial-balance" in schema["paths"]


async def test_family_care_is_paid_only_for_certified_days(harness: Any) -> None:
    h = harness
    await h.feed(
        person("p7", "resident"), eligible("p7", 4), plan("p7", "family_care", "YC-FAMILY", B, 4)
    )
    run = await h.month_end(key="close-uncertified")
    assert run["status"] == "completed" and run["lines_created"] == 0  # not certified: nothing
    await h.feed(certified("fc7", "p7", "fcg7", care_days=10, days_covered=31))
    again = await h.month_end(key="close-certified")
    assert again["lines_created"] == 1
    lines = await lines_of(h, (await claim_of(h, B))["claim_id"])
    assert [(ln["service_form"], ln["fund_amount"]) for ln in lines] == [
        ("family_care", "150.00")  # 10 certified days × 15.00, not the 31 days of the plan
    ]
