"""Back-testing a proposed Yancheng benefits version over February and March 2026, computed by
hand: home visits 65 → 70 元/h and the grade-4 institutional per-day cap 55 → 60 元, in force
from March. Differences per provider, reason, fund and form to the fen; posted amounts from the
ledger for the settled month; nothing written; a per-year cap carried across months."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from ltci_settlement.adapters.tables import (
    claim_lines,
    claims,
    journal_entries,
    platform,
    postings,
    runs,
    statements,
)
from ltci_shared.policy import BenefitPolicy

from ..support import A, B, eligible, person, plan, visit

PACK_VERSION = "320900/benefits@2022-07-01"
PROPOSED = "320900/benefits@2026-03-01~proposed"


def proposal(h: Any, effective_from: str = "2026-03-01", **changes: Any) -> dict[str, Any]:
    """The pack's version in force as JSON, with ``changes`` applied by ``edit``."""
    book = h.app.state.policy_book
    body: dict[str, Any] = book.in_force("320900", BenefitPolicy, on=date(2026, 1, 1)).model_dump(
        mode="json"
    )
    body["effective_from"] = effective_from
    body["source"] = "proposal under test"
    forms = {f["form"]: f for f in body["forms"]}
    for change in changes.values():
        change(forms)
    return body


def raise_rate_and_cap(forms: dict[str, Any]) -> None:
    forms["home_visit"]["rate"] = "70.00"
    forms["institutional"]["caps_by_grade"]["4"] = {"per_day": "60.00"}


def year_cap(forms: dict[str, Any]) -> None:
    forms["home_visit"]["caps_by_grade"] = {"3": {"per_year": "100.00"}}


async def seed(h: Any) -> None:
    await h.feed(
        person("p1"),
        eligible("p1", 3),
        plan("p1", "home_visit", "YC-HV-STD", A, 3),
        person("p2", "resident"),
        eligible("p2", 4),
        plan("p2", "institutional", "YC-INST-STD", B, 4),
        visit("v0", "p1", date(2026, 2, 10), 60),
        visit("v1", "p1", date(2026, 3, 2), 90),
        visit("v2", "p1", date(2026, 3, 3), 60),
        visit("v3", "p1", date(2026, 3, 4), 60, verified=False),
        visit("i1", "p2", date(2026, 3, 5), 480, form="institutional", provider=B),
    )


async def backtest(h: Any, body: dict[str, Any], **headers: str) -> Any:
    return await h.client.post("/what-if/backtests", json=body, headers=headers)


def amounts(
    lines: int, billed: str, fund: str, person: str, denied: str = "0.00"
) -> dict[str, Any]:
    return {
        "lines": lines,
        "billed": billed,
        "fund_amount": fund,
        "person_amount": person,
        "denied": denied,
    }


def compared(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["baseline"], row["proposed"], row["difference"], row["changed_lines"])


async def snapshot(h: Any) -> dict[str, Any]:
    """Row counts of every table a settlement writes, and the ledger's content hash."""
    async with h.app.state.runtime.uow() as uow:
        counts = {
            t.name: (await uow.session.execute(select(func.count()).select_from(t))).scalar()
            for t in (claims, claim_lines, journal_entries, postings, runs, statements)
        }
        counts["outbox"] = (
            await uow.session.execute(select(func.count()).select_from(platform.outbox))
        ).scalar()
    tb = await h.client.get("/ledger/trial-balance", params={"region_code": "320900"})
    return {**counts, "hash": tb.json()["ledger_hash"]}


async def test_a_rate_and_a_cap_raised_from_march_compared_to_the_fen(harness: Any) -> None:
    h = harness
    await seed(h)
    await h.month_end(period="2026-03")  # March settled, February not
    before = await snapshot(h)
    body = {
        "region_code": "320902",  # a county code resolves to the city pack
        "from_period": "2026-02",
        "to_period": "2026-03",
        "label": "70 元/h, institutional grade 4 cap 60",
        "proposed": proposal(h, change=raise_rate_and_cap),
    }
    response = await backtest(h, body, **{"Idempotency-Key": "bt-1"})
    assert response.status_code == 200, response.text
    out = response.json()
    assert await snapshot(h) == before  # no claim, line, entry, posting, run, statement, event

    assert (out["region_code"], out["proposed_version"]) == ("320900", PROPOSED)
    assert out["baseline_versions"] == [PACK_VERSION]
    assert out["proposed_versions"] == [PACK_VERSION, PROPOSED]  # February keeps the pack
    assert out["notes"] == ["service dates before 2026-03-01 keep the pack in force"]
    assert out["settled_periods"] == ["2026-03"]
    # v0 65.00 (58.50/6.50); v1 97.50 → 105.00 (87.75/9.75 → 94.50/10.50); v2 65.00 → 70.00
    # (58.50/6.50 → 63.00/7.00); v3 unverified, refused 65.00 → 70.00; i1 80.00 at 70 % = 56.00
    # capped 55.00 (person 25.00) → under the 60.00 cap: 56.00 (person 24.00)
    assert compared(out["totals"]) == (
        amounts(5, "372.50", "259.75", "47.75", "65.00"),
        amounts(5, "390.00", "272.00", "48.00", "70.00"),
        amounts(0, "17.50", "12.25", "0.25", "5.00"),
        4,
    )
    assert out["totals"]["posted"] == {"fund_amount": "201.25", "person_amount": "41.25"}

    months = {m["period"]: m for m in out["by_month"]}
    assert compared(months["2026-02"]) == (
        amounts(1, "65.00", "58.50", "6.50"),
        amounts(1, "65.00", "58.50", "6.50"),
        amounts(0, "0.00", "0.00", "0.00"),
        0,
    )
    assert (months["2026-02"]["settled"], months["2026-02"]["posted"]) == (False, None)
    march = months["2026-03"]
    assert march["settled"] and march["baseline"]["fund_amount"] == "201.25"
    assert march["posted"] == {"fund_amount": "201.25", "person_amount": "41.25"}  # recomputed

    providers = {p["provider_id"]: p for p in out["by_provider"]}
    assert compared(providers[A]) == (
        amounts(4, "292.50", "204.75", "22.75", "65.00"),
        amounts(4, "310.00", "216.00", "24.00", "70.00"),
        amounts(0, "17.50", "11.25", "1.25", "5.00"),
        3,
    )
    assert providers[A]["posted"] == {"fund_amount": "146.25", "person_amount": "16.25"}
    assert compared(providers[B]) == (
        amounts(1, "80.00", "55.00", "25.00"),
        amounts(1, "80.00", "56.00", "24.00"),
        amounts(0, "0.00", "1.00", "-1.00"),
        1,
    )
    assert providers[B]["posted"] == {"fund_amount": "55.00", "person_amount": "25.00"}

    reasons = {r["reason_code"]: r for r in out["by_reason"]}
    assert set(reasons) == {"R100", "R110", "R300"}
    assert compared(reasons["R100"]) == (
        amounts(3, "227.50", "204.75", "22.75"),
        amounts(4, "320.00", "272.00", "48.00"),
        amounts(1, "92.50", "67.25", "25.25"),
        3,  # v1, v2 and i1 (now paid in full)
    )
    assert compared(reasons["R110"]) == (
        amounts(1, "80.00", "55.00", "25.00"),
        amounts(0, "0.00", "0.00", "0.00"),
        amounts(-1, "-80.00", "-55.00", "-25.00"),
        0,
    )
    assert compared(reasons["R300"]) == (
        amounts(1, "65.00", "0.00", "0.00", "65.00"),
        amounts(1, "70.00", "0.00", "0.00", "70.00"),
        amounts(0, "5.00", "0.00", "0.00", "5.00"),
        1,
    )
    assert reasons["R110"]["title"].startswith("fund share limited by the per-day cap")
    assert reasons["R100"]["posted"] is None  # posted lines are not split by reason

    funds = {f["fund"]: f for f in out["by_fund"]}
    assert funds["employee_ltc"]["difference"]["fund_amount"] == "11.25"
    assert funds["resident_ltc"]["difference"]["fund_amount"] == "1.00"
    assert funds["resident_ltc"]["posted"] == {"fund_amount": "55.00", "person_amount": "25.00"}
    forms = {f["service_form"]: f for f in out["by_service_form"]}
    assert compared(forms["home_visit"]) == compared(providers[A])
    assert compared(forms["institutional"]) == compared(providers[B])

    replay = await backtest(h, body, **{"Idempotency-Key": "bt-1"})
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.json() == out
    assert await snapshot(h) == before


async def test_a_year_cap_counts_the_earlier_months_of_each_side(harness: Any) -> None:
    h = harness
    await seed(h)
    capped = proposal(h, "2026-02-01", change=year_cap)  # 100.00 a year for grade 3 home visits
    body = {"region_code": "320900", "from_period": "2026-02", "to_period": "2026-03"}
    out = (await backtest(h, {**body, "proposed": capped})).json()
    # February: v0 58.50 (room 41.50 left). March: v1 87.75 → 41.50 (R112), v2 58.50 → 0.00
    a = {p["provider_id"]: p for p in out["by_provider"]}[A]
    assert (a["baseline"]["fund_amount"], a["proposed"]["fund_amount"]) == ("204.75", "100.00")
    assert a["difference"]["person_amount"] == "104.75"
    r112 = {r["reason_code"]: r for r in out["by_reason"]}["R112"]
    assert (r112["proposed"]["lines"], r112["proposed"]["fund_amount"]) == (2, "41.50")

    # March alone, once February is settled: February's paid 58.50 comes from the claims
    await h.month_end(period="2026-02")
    march = {**body, "from_period": "2026-03", "proposed": capped}
    alone = (await backtest(h, march)).json()
    a = {p["provider_id"]: p for p in alone["by_provider"]}[A]
    assert (a["baseline"]["fund_amount"], a["proposed"]["fund_amount"]) == ("146.25", "41.50")
    assert alone["settled_periods"] == [] and alone["totals"]["posted"] is None


async def test_a_back_test_beyond_the_line_bound_is_refused(harness: Any, monkeypatch: Any) -> None:
    from ltci_settlement.service_layer import backtest as service

    h = harness
    await seed(h)
    monkeypatch.setattr(
        service, "MAX_LINES", 6
    )  # rows read: February 1 visit + 2 plans, March 4 + 2
    body = {"region_code": "320900", "from_period": "2026-02", "to_period": "2026-03"}
    response = await backtest(h, {**body, "proposed": proposal(h)})
    assert (response.status_code, response.json()["type"]) == (
        422,
        "/problems/backtest_too_large",
    )
    assert "by 2026-03" in response.json()["detail"]
    march = await backtest(h, {**body, "from_period": "2026-03", "proposed": proposal(h)})
    assert march.status_code == 200
