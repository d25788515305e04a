"""Dashboard aggregates: fund figures by month equal the ledger's own trial balance; persons in
care by grade and service form from the care-plan read model; regions and periods checked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

from ltci_shared.events.contracts import CarePlanEnded

from ..support import contribution, eligible, person, plan, visit

FIGURES = ("income", "expenses", "liabilities", "outstanding", "cash", "balance")


async def _seed(h: Any) -> None:
    await h.feed(
        person("p1", "employee"),
        person("p2", "resident"),
        person("p3", "employee"),
        *(eligible(pid, grade) for pid, grade in (("p1", 3), ("p2", 4), ("p3", 3))),
        contribution("c1", "employee_ltc", "200.00", posted_on=date(2026, 1, 15)),
        contribution("c2", "employee_ltc", "1000.00", posted_on=date(2026, 3, 1)),
        contribution("c3", "resident_ltc", "500.00", posted_on=date(2026, 3, 2)),
        plan("p1", "home_visit", "YC-HV-STD", grade=3, region="320902"),
        plan("p2", "family_care", "YC-FAMILY", grade=4, region="320903"),
        plan("p3", "home_visit", "YC-HV-STD", grade=3, region="320902"),
        CarePlanEnded(
            plan_id="plan-p3",
            person_id="p3",
            provider_id="prov-a",
            service_form="home_visit",
            ended_on=date(2026, 2, 28),
            reason="closed",
        ),
        visit("v1", "p1", 2, 90),
        visit("v2", "p1", 3, 90),
    )
    run = await h.month_end()
    assert run["status"] == "completed" and run["entries_created"] >= 1


async def _get(h: Any, path: str, **params: Any) -> Any:
    response = await h.client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _trial(tb: dict[str, Any], fund: str) -> dict[str, D]:
    """The figures a fund's trial balance gives, to compare with the stats' cumulative ones."""
    rows = [r for r in tb["rows"] if r["fund"] == fund]

    def total(test: Any) -> D:
        return sum((D(r["balance"]) for r in rows if test(r["account"])), D(0))

    income = -total(lambda a: a.endswith("_income"))
    expenses = total(lambda a: a.endswith("_expense"))
    outstanding = -total(lambda a: a.endswith("_payable") or a == "holdback")
    cash = total(lambda a: a == "bank")
    return {"income": income, "expenses": expenses, "outstanding": outstanding, "cash": cash}


async def test_fund_months_add_up_to_the_trial_balance(harness: Any) -> None:
    h = harness
    await _seed(h)
    stats = await _get(
        h, "/stats/funds", region_code="320900", **{"from": "2026-01", "to": "2026-03"}
    )
    assert stats["period_from"] == "2026-01" and stats["period_to"] == "2026-03"
    rows = {(r["fund"], r["period"]): r for r in stats["items"]}
    assert sorted(rows) == [
        ("employee_ltc", "2026-01"),
        ("employee_ltc", "2026-03"),
        ("resident_ltc", "2026-03"),
    ], "one row per fund and month with postings; the individuals book is not a fund"
    january = rows[("employee_ltc", "2026-01")]
    assert (january["income"], january["expenses"], january["balance"]) == (
        "200.00",
        "0.00",
        "200.00",
    )
    march = rows[("employee_ltc", "2026-03")]
    assert march["income"] == "1000.00" and D(march["expenses"]) > 0
    assert D(march["liabilities"]) == D(march["expenses"]), "benefits owed, not yet paid"
    tb = await _get(h, "/ledger/trial-balance", region_code="320900", period="2026-03")
    for fund in ("employee_ltc", "resident_ltc"):
        last = rows[(fund, "2026-03")]
        trial = _trial(tb, fund)
        assert (D(last["outstanding"]), D(last["cash"])) == (trial["outstanding"], trial["cash"])
        monthly_expenses = sum((D(r["expenses"]) for (f, _), r in rows.items() if f == fund), D(0))
        assert monthly_expenses == trial["expenses"]
        cumulative_income = sum((D(r["income"]) for (f, _), r in rows.items() if f == fund), D(0))
        assert cumulative_income == trial["income"]
        assert D(last["balance"]) == trial["income"] - trial["expenses"]
        assert D(last["balance"]) == D(last["cash"]) - D(last["outstanding"])


async def test_fund_months_keep_the_balance_from_earlier_months_and_filter_regions(
    harness: Any,
) -> None:
    h = harness
    await _seed(h)
    march = await _get(
        h, "/stats/funds", region_code="320900", **{"from": "2026-03", "to": "2026-03"}
    )
    employee = next(r for r in march["items"] if r["fund"] == "employee_ltc")
    assert employee["income"] == "1000.00"
    assert D(employee["balance"]) == D("1200.00") - D(employee["expenses"]), "January counts"
    province = await _get(
        h, "/stats/funds", region_code="320000", **{"from": "2026-01", "to": "2026-03"}
    )
    assert len(province["items"]) == 3, "a province covers its cities"
    assert (await _get(h, "/stats/funds", region_code="320500", to="2026-03"))["items"] == []
    everywhere = await _get(h, "/stats/funds", to="2026-03")
    assert everywhere["region_code"] is None and everywhere["period_from"] == "2025-04"
    assert {r["region_code"] for r in everywhere["items"]} == {"320900"}


async def test_fund_months_refuse_bad_periods(harness: Any) -> None:
    h = harness
    for params in (
        {"from": "2026-04", "to": "2026-03"},
        {"to": "2026-13"},
        {"from": "2000-01", "to": "2026-01"},
    ):
        response = await h.client.get("/stats/funds", params=params)
        assert response.status_code == 422, response.text
        assert response.json()["type"] == "/problems/invalid_period"
    response = await h.client.get("/stats/funds", params={"region_code": "32x900"})
    assert response.status_code == 422


async def test_beneficiaries_in_care_by_grade_and_service_form(harness: Any) -> None:
    h = harness
    await _seed(h)
    on = await _get(h, "/stats/beneficiaries", region_code="320900", as_of="2026-03-15")
    assert on["persons"] == 2, "p3's plan ended in February"
    assert on["items"] == [
        {"grade": 3, "service_form": "home_visit", "persons": 1},
        {"grade": 4, "service_form": "family_care", "persons": 1},
    ]
    february = await _get(h, "/stats/beneficiaries", region_code="320900", as_of="2026-02-28")
    assert february["persons"] == 3 and february["items"][0]["persons"] == 2
    for path in ("/stats/beneficiaries", "/stats/funds"):
        county = await h.client.get(path, params={"region_code": "320903"})
        assert county.status_code == 422, "settlement books by the city's policy region"
        assert county.json()["type"] == "/problems/not_a_policy_region"
        assert "320900" in county.json()["detail"]
    before = await _get(h, "/stats/beneficiaries", as_of="2025-12-31")
    assert (before["persons"], before["items"], before["region_code"]) == (0, [], None)
