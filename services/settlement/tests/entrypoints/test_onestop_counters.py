"""Year-to-date counters on the real PostgreSQL: caps reached across bills, concurrent bills of
one person never sharing a cap, cancellation restoring the counters with a ledger reversal,
the year boundary, high-cost alerts, statistics by class and the hospital statement."""

from __future__ import annotations

import asyncio
import itertools
from datetime import date
from decimal import Decimal as D
from typing import Any

OneStop = Any  # the harness of conftest.py


async def test_caps_are_reached_and_exceeded_across_several_bills(onestop: OneStop) -> None:
    await onestop.person("p-edge", ("dibao_edge", 3))
    assisted = []
    for i, kind in enumerate(["inpatient", "chronic_outpatient", "inpatient", "inpatient"]):
        answer = await onestop.settle(
            person_id="p-edge",
            bill_id=f"CAP-{i}",
            care_kind=kind,
            total="400000.00",
            in_policy="400000.00",
            out_of_policy="0.00",
        )
        assisted.append(D(answer["assistance_paid"]))
    assert sum(assisted) == D("150000.00")  # Changzhou: 50% of the 300,000 basic maximum
    assert answer["layers"][2]["reason"] == "annual_cap_reached"
    counters = await onestop.counters("p-edge")
    assert counters["assistance_paid"] == "150000.00"
    assert counters["critical_illness_paid"] == "400000.00"
    outpatient = await onestop.settle(
        person_id="p-edge",
        bill_id="GO-1",
        care_kind="general_outpatient",
        total="3000.00",
        in_policy="3000.00",
        out_of_policy="0.00",
    )
    assert outpatient["assistance_paid"] == "1000.00"  # its own 1,000 cap, still untouched
    assert (await onestop.counters("p-edge"))["assistance_general_outpatient_paid"] == "1000.00"


async def test_concurrent_bills_of_one_person_never_share_a_cap(onestop_any: OneStop) -> None:
    onestop = onestop_any  # PostgreSQL (row lock) and the embedded SQLite (one writer)
    await onestop.person("p-edge", ("dibao_edge", 3))
    bills = [
        onestop.bill(
            person_id="p-edge",
            bill_id=f"RACE-{i}",
            total="400000.00",
            in_policy="400000.00",
            out_of_policy="0.00",
        )
        for i in range(6)
    ]
    responses = await asyncio.gather(
        *(onestop.client.post("/medical-assistance/settlements", json=b) for b in bills)
    )
    assert [r.status_code for r in responses] == [201] * 6
    answers = sorted((r.json() for r in responses), key=lambda a: a["counters_before"]["bills"])
    assert sum(D(a["assistance_paid"]) for a in answers) == D("150000.00")
    assert sum(D(a["basic_paid"]) for a in answers) == D("300000.00")
    for earlier, later in itertools.pairwise(answers):  # one after another
        assert later["counters_before"] == earlier["counters_after"]
    assert await onestop.counters("p-edge") == answers[-1]["counters_after"]
    assert await onestop.unbalanced_funds() == []


async def test_the_same_bill_sent_twice_at_once_is_settled_once(onestop: OneStop) -> None:
    await onestop.person("p-dibao", ("dibao", 2))
    body = onestop.bill()
    responses = await asyncio.gather(
        *(onestop.client.post("/medical-assistance/settlements", json=body) for _ in range(4))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["settlement_id"] for r in responses}) == 1
    assert (await onestop.counters("p-dibao"))["bills"] == 1


async def test_cancellation_reverses_the_entry_and_restores_the_counters(onestop: OneStop) -> None:
    await onestop.person("p-dibao", ("dibao", 2))
    first = await onestop.settle(bill_id="R-1")
    second = await onestop.settle(
        bill_id="R-2", total="2000.00", in_policy="2000.00", out_of_policy="0.00"
    )
    url = f"/medical-assistance/settlements/{first['settlement_id']}/cancel"
    early = await onestop.client.post(url, json={"reason": "x", "cancelled_on": "2026-02-01"})
    assert early.status_code == 422 and early.json()["type"] == "/problems/invalid_cancellation"
    assert (await onestop.counters("p-dibao")) == second["counters_after"]
    body = {"reason": "退费", "cancelled_on": "2026-03-25"}
    cancelled = await onestop.client.post(url, json=body)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["reversal_entry_id"]
    counters = await onestop.counters("p-dibao")
    assert counters == _minus(second["counters_after"], first["counters_after"])
    assert counters["basic_deductible_inpatient"] == "0.00" and counters["bills"] == 1
    again = await onestop.client.post(url, json=body)
    assert again.json() == cancelled.json()
    assert (await onestop.counters("p-dibao")) == counters
    replay = await onestop.client.post(
        "/medical-assistance/settlements", json=onestop.bill(bill_id="R-1")
    )
    assert replay.status_code == 409 and replay.json()["type"] == "/problems/bill_cancelled"
    assert await onestop.unbalanced_funds() == []
    statement = await onestop.client.get(
        f"/medical-assistance/hospitals/{onestop.HOSPITAL}/statement", params={"period": "2026-03"}
    )
    assert statement.json()["funds_total"] == second["funds_total"]
    assert statement.json()["patients_total"] == second["patient_total"]
    assert (statement.json()["bills"], statement.json()["cancelled"]) == (2, 1)
    missing = await onestop.client.post(
        "/medical-assistance/settlements/none/cancel", json={"reason": "x"}
    )
    assert missing.status_code == 404


async def test_a_cancelled_bill_frees_the_cap_for_the_next(onestop: OneStop) -> None:
    await onestop.person("p-edge", ("dibao_edge", 3))
    big = {"total": "900000.00", "in_policy": "900000.00", "out_of_policy": "0.00"}
    first = await onestop.settle(person_id="p-edge", bill_id="F-1", **big)
    assert first["assistance_paid"] == "150000.00"
    blocked = await onestop.settle(person_id="p-edge", bill_id="F-2", **big)
    assert blocked["assistance_paid"] == "0.00"
    await onestop.client.post(
        f"/medical-assistance/settlements/{first['settlement_id']}/cancel", json={"reason": "退费"}
    )
    await onestop.client.post(
        f"/medical-assistance/settlements/{blocked['settlement_id']}/cancel",
        json={"reason": "退费"},
    )
    assert (await onestop.counters("p-edge"))["assistance_paid"] == "0.00"
    again = await onestop.settle(person_id="p-edge", bill_id="F-3", **big)
    assert again == {**again, "assistance_paid": "150000.00", "basic_paid": first["basic_paid"]}


async def test_a_new_year_starts_the_counters_again(onestop: OneStop) -> None:
    await onestop.person("p-dibao", ("dibao", 2))
    december = await onestop.settle(
        bill_id="Y-1", service_from="2025-12-20", service_to="2025-12-31"
    )
    january = await onestop.settle(
        bill_id="Y-2", service_from="2026-01-02", service_to="2026-01-05"
    )
    assert (december["year"], january["year"]) == (2025, 2026)
    assert december["basic_paid"] == january["basic_paid"] == "53400.00"  # deductible again
    assert january["counters_before"]["bills"] == 0
    across = await onestop.settle(bill_id="Y-3", service_from="2025-12-28", service_to="2026-01-03")
    assert across["year"] == 2026 and across["basic_paid"] == "54000.00"  # counted at discharge
    assert (await onestop.counters("p-dibao", 2025))["bills"] == 1
    assert (await onestop.counters("p-dibao", 2026))["bills"] == 2


async def test_high_cost_patients_are_warned_listed_and_followed_up(onestop: OneStop) -> None:
    await onestop.person("p-plain")
    first = await onestop.settle(person_id="p-plain", bill_id="H-1")
    assert first["patient_total"] == "33640.00" and first["warnings"] == []
    second = await onestop.settle(person_id="p-plain", bill_id="H-2")
    assert second["counters_after"]["self_pay"] == "58040.00"
    assert [(w["code"], w["new_alert"]) for w in second["warnings"]] == [
        ("high_cost_self_pay", True)
    ]
    third = await onestop.settle(person_id="p-plain", bill_id="H-3")
    assert third["warnings"][0]["new_alert"] is False
    listed = (
        await onestop.client.get(
            "/medical-assistance/high-cost-alerts",
            params={"region_code": "320400", "status": "open"},
        )
    ).json()["items"]
    assert [(a["person_id"], a["threshold"], a["self_pay_at_alert"]) for a in listed] == [
        ("p-plain", "49000.00", "58040.00")
    ]
    done = await onestop.client.post(
        f"/medical-assistance/high-cost-alerts/{listed[0]['alert_id']}/follow-up",
        json={"note": "visited"},
    )
    assert done.status_code == 200 and done.json()["status"] == "followed_up"
    stats = (
        await onestop.client.get(
            "/medical-assistance/statistics", params={"region_code": "320402", "year": 2026}
        )
    ).json()
    assert stats["open_alerts"] == 0


async def test_statistics_count_and_sum_by_month_and_class(onestop: OneStop) -> None:
    await onestop.person("p-dibao", ("dibao", 2))
    await onestop.person("p-tekun", ("tekun", 1))
    await onestop.person("p-plain")
    await onestop.settle(bill_id="S-1")
    await onestop.settle(bill_id="S-2", service_from="2026-04-01", service_to="2026-04-03")
    await onestop.settle(person_id="p-tekun", bill_id="S-3")
    await onestop.settle(person_id="p-plain", bill_id="S-4")
    cancelled = await onestop.settle(person_id="p-plain", bill_id="S-5")
    await onestop.client.post(
        f"/medical-assistance/settlements/{cancelled['settlement_id']}/cancel",
        json={"reason": "x"},
    )
    stats = (
        await onestop.client.get(
            "/medical-assistance/statistics", params={"region_code": "320400", "year": 2026}
        )
    ).json()
    rows = {(r["period"], r["recipient_class"]): r for r in stats["rows"]}
    assert set(rows) == {("2026-03", 1), ("2026-03", 2), ("2026-03", None), ("2026-04", 2)}
    assert rows[("2026-03", 2)]["assistance"] == "14148.00"
    assert rows[("2026-03", None)]["settlements"] == 1  # the cancelled one is left out
    assert rows[("2026-03", None)]["assistance"] == "0.00"
    assert rows[("2026-04", 2)]["settlements"] == 1
    assert sum(r["settlements"] for r in stats["rows"]) == 4
    assert date(2026, 3, 1).year == stats["year"]


def _minus(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {k: a[k] - b[k] if k == "bills" else str(D(a[k]) - D(b[k])) for k in a}


async def test_many_concurrent_postings_to_one_fund_account_lose_nothing(
    onestop: OneStop,
) -> None:
    """quality.md's fault "many concurrent postings to one fund account": 30 persons' bills
    at once all post to the same fund accounts; every entry balances and each account's
    balance is exactly the sum of what the 30 answers paid (no balance row to contend on)."""
    people = [f"p-crowd-{i}" for i in range(30)]
    for pid in people:
        await onestop.person(pid, ("dibao", 2))
    bills = [onestop.bill(person_id=pid, bill_id=f"CROWD-{pid}") for pid in people]
    responses = await asyncio.gather(
        *(onestop.client.post("/medical-assistance/settlements", json=b) for b in bills)
    )
    assert [r.status_code for r in responses] == [201] * 30
    answers = [r.json() for r in responses]
    assert all(D(a["basic_paid"]) > 0 and D(a["assistance_paid"]) > 0 for a in answers)
    assert await onestop.unbalanced_funds() == []
    for fund, paid in (
        ("basic_medical", "basic_paid"),
        ("medical_assistance", "assistance_paid"),
        ("critical_illness", "critical_illness_paid"),
    ):
        balance = await onestop.client.get(
            "/ledger/balance",
            params={"region_code": "320400", "fund": fund, "account": "benefit_expense"},
        )
        assert balance.status_code == 200, balance.text
        assert D(balance.json()["balance"]) == sum(D(a[paid]) for a in answers), fund
    assert sum(D(a["assistance_paid"]) for a in answers) == 30 * D(answers[0]["assistance_paid"])
