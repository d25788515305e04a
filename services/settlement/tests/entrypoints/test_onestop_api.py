"""The one-stop settlement call over HTTP: the worked example to the fen (PostgreSQL and the
embedded SQLite), the answer as OpenAPI documents it, every class, the highest class once,
scope refusals, idempotent replay, bad input that changes nothing, lists and pagination."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy import func, select

from ltci_settlement.adapters.tables import onestop_settlements, postings
from ltci_settlement.entrypoints.onestop_examples import WORKED_EXAMPLE_ANSWER
from ltci_settlement.entrypoints.onestop_schemas import SettlementView

OneStop = Any  # the harness of conftest.py (tests reach its helpers through the fixture)


async def test_the_worked_example_comes_out_to_the_fen(onestop_any: OneStop) -> None:
    h = onestop_any
    await h.person("p-dibao", ("dibao", 2))
    answer = await h.settle()
    assert [layer["paid"] for layer in answer["layers"]] == ["53400.00", "18915.00", "14148.00"]
    assert [layer["layer"] for layer in answer["layers"]] == [
        "basic",
        "critical_illness",
        "assistance",
    ]
    assert answer["patient_total"] == "13537.00"
    assert answer["funds_total"] == "86463.00"
    assert D(answer["funds_total"]) + D(answer["patient_total"]) == D(answer["total"])
    assert answer["recipient_class"] == 2 and answer["recipient_category"] == "dibao"
    assert answer["layers"][1]["deductible"] == "7500.00" and answer["layers"][1]["tilted"]
    assert answer["policy_version"] == "320400/assistance@2022-01-01"
    assert answer["counters_before"]["self_pay"] == "0.00"
    assert answer["counters_after"]["self_pay"] == "13537.00"
    assert answer["counters_after"]["critical_illness_deductible"] == "7500.00"
    assert await h.unbalanced_funds() == []
    SettlementView.model_validate(answer)
    moving = {"settlement_id", "person_id", "bill_id", "journal_entry_id", "settled_at"}
    assert {k: v for k, v in answer.items() if k not in moving} == {
        k: v for k, v in WORKED_EXAMPLE_ANSWER.items() if k not in moving
    }


async def test_the_openapi_entry_documents_the_call_with_the_worked_example(
    onestop: OneStop,
) -> None:
    spec = (await onestop.client.get("/openapi.json")).json()
    op = spec["paths"]["/medical-assistance/settlements"]["post"]
    assert {"201", "404", "409", "422"} <= set(op["responses"])
    answer = spec["components"]["schemas"]["SettlementView"]["examples"][0]
    assert answer["assistance_paid"] == "14148.00" and answer["patient_total"] == "13537.00"
    request = spec["components"]["schemas"]["SettleBill"]["examples"][0]
    assert (request["total"], request["in_policy"]) == ("100000.00", "90000.00")


@pytest.mark.parametrize(
    ("category", "cls", "ci", "assistance"),
    [
        ("tekun", 1, "18915.00", "14148.00"),
        ("dibao", 2, "18915.00", "14148.00"),
        ("dibao_edge", 3, "12960.00", "18912.00"),
        ("expenditure_hardship", 4, "12960.00", "18912.00"),
    ],
)
async def test_every_class(
    onestop: OneStop, category: str, cls: int, ci: str, assistance: str
) -> None:
    await onestop.person("p-x", (category, cls))
    answer = await onestop.settle(person_id="p-x")
    assert (answer["critical_illness_paid"], answer["assistance_paid"]) == (ci, assistance)
    assert answer["recipient_class"] == cls


async def test_the_highest_class_applies_once(onestop: OneStop) -> None:
    await onestop.person("p-many", ("dibao_edge", 3), ("tekun", 1), ("dibao", 2))
    answer = await onestop.settle(person_id="p-many")
    assert (answer["recipient_class"], answer["recipient_category"]) == (1, "tekun")
    assert answer["assistance_paid"] == "14148.00"  # once, not once per category
    assert answer["funds_total"] == "86463.00"


async def test_a_category_not_active_on_the_discharge_date_does_not_count(
    onestop: OneStop,
) -> None:
    await onestop.person("p-ended", ("dibao", 2), until=date(2026, 2, 28))
    answer = await onestop.settle(person_id="p-ended")
    assert answer["recipient_class"] is None
    assert answer["assistance_paid"] == "0.00"
    assert answer["not_assisted_reason"] == "not_a_recipient"
    assert answer["critical_illness_paid"] == "12960.00"  # no tilt either


async def test_unreferred_out_of_area_or_undesignated_care_is_not_assisted(
    onestop: OneStop,
) -> None:
    await onestop.person("p-dibao", ("dibao", 2))
    away = await onestop.settle(hospital_id=onestop.AWAY, bill_id="SH-1")
    assert away["out_of_area"] and away["assistance_paid"] == "0.00"
    assert away["not_assisted_reason"] == "out_of_area_unreferred"
    assert "without a referral" in away["layers"][2]["explanation"]
    assert away["basic_paid"] == "53400.00"
    referred = await onestop.settle(hospital_id=onestop.AWAY, bill_id="SH-2", referred=True)
    assert referred["assistance_paid"] != "0.00"
    other = await onestop.settle(hospital_id=onestop.UNDESIGNATED, bill_id="X-1")
    assert other["not_assisted_reason"] == "non_designated_provider"
    counters = await onestop.counters("p-dibao")
    assert counters["assistance_paid"] == referred["assistance_paid"]


async def test_the_same_bill_again_gets_the_same_answer_and_counts_once(onestop: OneStop) -> None:
    await onestop.person("p-dibao", ("dibao", 2))
    first = await onestop.settle()
    again = await onestop.client.post("/medical-assistance/settlements", json=onestop.bill())
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first
    assert (await onestop.counters("p-dibao"))["bills"] == 1
    changed = await onestop.client.post(
        "/medical-assistance/settlements",
        json=onestop.bill(total="100001.00", out_of_policy="10001.00"),
    )
    assert changed.status_code == 409 and changed.json()["type"] == "/problems/bill_conflict"
    assert (await onestop.counters("p-dibao"))["self_pay"] == "13537.00"
    keyed = {"Idempotency-Key": "k-1"}
    a = await onestop.client.post(
        "/medical-assistance/settlements", json=onestop.bill(bill_id="B2"), headers=keyed
    )
    b = await onestop.client.post(
        "/medical-assistance/settlements", json=onestop.bill(bill_id="B2"), headers=keyed
    )
    assert a.status_code == b.status_code == 201 and a.json() == b.json()
    assert (await onestop.counters("p-dibao"))["bills"] == 2


@pytest.mark.parametrize(
    ("overrides", "status", "problem"),
    [
        ({"in_policy": "100001.00", "out_of_policy": "0.00"}, 422, "invalid_input"),
        ({"out_of_policy": "9999.99"}, 422, "invalid_input"),  # parts do not add up
        ({"total": 100000.5}, 422, "invalid_input"),  # a float
        ({"in_policy": "-1.00"}, 422, "invalid_input"),
        ({"total": "NaN"}, 422, "invalid_input"),
        ({"care_kind": "dental"}, 422, "invalid_input"),
        ({"service_from": "2026-03-21"}, 422, "invalid_input"),  # ends before it starts
        ({"fund_share": "1.00"}, 422, "invalid_input"),  # no mass assignment
        ({"person_id": "p-nobody"}, 404, "unknown_person"),
        ({"hospital_id": "H999"}, 404, "unknown_hospital"),
        ({"service_from": "2023-12-20"}, 422, "outside_insurance"),
        ({"service_to": "2099-01-01"}, 422, "service_in_future"),
    ],
)
async def test_bad_input_gets_a_clear_error_and_changes_nothing(
    onestop: OneStop, overrides: dict[str, Any], status: int, problem: str
) -> None:
    await onestop.person("p-dibao", ("dibao", 2))
    response = await onestop.client.post(
        "/medical-assistance/settlements", json=onestop.bill(**overrides)
    )
    assert response.status_code == status, response.text
    assert response.json()["type"] == f"/problems/{problem}"
    assert "100000.5" not in response.text
    async with onestop.sessionmaker() as session:
        settled = (
            await session.execute(select(func.count()).select_from(onestop_settlements))
        ).scalar()
        posted = (await session.execute(select(func.count()).select_from(postings))).scalar()
    assert (settled, posted) == (0, 0)
    assert (await onestop.counters("p-dibao"))["bills"] == 0


async def test_lists_filter_and_paginate(onestop: OneStop) -> None:
    await onestop.person("p-dibao", ("dibao", 2))
    await onestop.person("p-plain")
    for i in range(5):
        await onestop.settle(
            bill_id=f"A{i}", total="100.00", in_policy="100.00", out_of_policy="0.00"
        )
    await onestop.settle(person_id="p-plain", bill_id="P1")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"person_id": "p-dibao", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await onestop.client.get("/medical-assistance/settlements", params=params)).json()
        seen += [item["bill_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == [f"A{i}" for i in range(5)]
    none_class = await onestop.client.get(
        "/medical-assistance/settlements", params={"region_code": "320400", "recipient_class": 2}
    )
    assert len(none_class.json()["items"]) == 5
    bad = await onestop.client.get("/medical-assistance/settlements", params={"cursor": "zz"})
    assert bad.status_code == 422
    huge = await onestop.client.get("/medical-assistance/settlements", params={"limit": 10_000})
    assert huge.status_code == 422
    hospitals = await onestop.client.get(
        "/medical-assistance/hospitals", params={"designated": True}
    )
    assert [h["hospital_id"] for h in hospitals.json()["items"]] == ["H310101001", "H320402001"]
    one = await onestop.client.get(
        f"/medical-assistance/settlements/{page['items'][0]['settlement_id']}"
    )
    assert one.status_code == 200
    missing = await onestop.client.get("/medical-assistance/settlements/nope")
    assert missing.status_code == 404
