"""The one-stop layer arithmetic, pure: the worked example of domain.md §4 to the fen, the tilt
for the named classes only, deductibles and caps across bills, the separate general-outpatient
cap, scope exclusions, the year rule, and the parts always adding up to the bill."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal as D

import pytest

from ltci_settlement.domain.ledger import entry
from ltci_settlement.domain.onestop import (
    Bill,
    Counters,
    OneStopNotConfigured,
    Scope,
    exclusions,
    settle,
    year_of,
)
from ltci_settlement.domain.onestop_ledger import onestop_postings, premium_subsidy_postings
from ltci_shared.policy import PolicyBook
from ltci_shared.policy.assistance import AssistancePolicy

CHANGZHOU = PolicyBook.load().in_force("320400", AssistancePolicy, date(2026, 3, 1))
IN_AREA = Scope(recipient_class=2, out_of_area=False, referred=False, designated=True)


def scope(cls: int | None = 2, **kw: bool) -> Scope:
    values = {"out_of_area": False, "referred": False, "designated": True, **kw}
    return Scope(recipient_class=cls, **values)


def bill(in_policy: str, out: str = "0.00", kind: str = "inpatient") -> Bill:
    return Bill(kind, D(in_policy) + D(out), D(in_policy), D(out))  # type: ignore[arg-type]


def paid(result: object) -> list[D]:
    return [layer.paid for layer in result.layers]  # type: ignore[attr-defined]


def run(bills: list[Bill], sc: Scope = IN_AREA) -> tuple[list[list[D]], Counters]:
    counters, out = Counters(), []
    for b in bills:
        result = settle(CHANGZHOU, b, counters, sc)
        counters = counters.plus(result.delta)
        out.append(paid(result))
    return out, counters


def test_the_worked_example_of_domain_md_to_the_fen() -> None:
    result = settle(CHANGZHOU, bill("90000.00", "10000.00"), Counters(), IN_AREA)
    basic, ci, assist = result.layers
    assert (basic.deductible_applied, basic.ratio, basic.paid, basic.left) == (
        D("1000.00"),
        D("0.60"),
        D("53400.00"),
        D("36600.00"),
    )
    assert (ci.deductible, ci.ratio, ci.paid, ci.left, ci.tilted) == (
        D("7500.00"),
        D("0.65"),
        D("18915.00"),
        D("17685.00"),
        True,
    )
    assert (assist.ratio, assist.paid, assist.left) == (D("0.80"), D("14148.00"), D("3537.00"))
    assert result.patient_total == D("13537.00")
    assert result.funds_total == D("86463.00")
    assert result.delta.self_pay == D("13537.00") and result.delta.bills == 1


@pytest.mark.parametrize(
    ("cls", "ci_paid", "assisted"),
    [
        (1, D("18915.00"), D("14148.00")),  # 特困: tilted
        (2, D("18915.00"), D("14148.00")),  # 低保: tilted
        (3, D("12960.00"), D("18912.00")),  # (36600 − 15000) × 60%; (23640) × 80%
        (4, D("12960.00"), D("18912.00")),
        (None, D("12960.00"), D("0.00")),  # no category: no assistance
    ],
)
def test_every_class_tilt_only_where_the_policy_names_it(
    cls: int | None, ci_paid: D, assisted: D
) -> None:
    result = settle(CHANGZHOU, bill("90000.00", "10000.00"), Counters(), scope(cls))
    assert paid(result) == [D("53400.00"), ci_paid, assisted]
    assert result.layers[1].tilted is (cls in (1, 2))
    assert result.funds_total + result.patient_total == D("100000.00")
    if cls is None:
        assert result.layers[2].reason == "not_a_recipient"


def test_deductibles_are_used_once_a_year_and_the_second_bill_pays_on_everything() -> None:
    results, counters = run([bill("5000.00"), bill("5000.00")])
    assert results[0][0] == D("2400.00")  # (5000 − 1000) × 60%
    assert results[1][0] == D("3000.00")  # deductible already used
    assert counters.basic_deductible_inpatient == D("1000.00")
    # critical illness: 7,500 tilted deductible consumed across the two bills' leftovers
    assert counters.critical_illness_deductible == D("2600.00") + D("2000.00")


def test_the_assistance_cap_is_reached_and_exceeded_across_several_bills() -> None:
    # Each bill leaves far more than the 150,000 shared inpatient/chronic cap can absorb.
    bills = [
        bill("400000.00"),
        bill("300000.00", kind="chronic_outpatient"),
        bill("200000.00"),
        bill("400000.00"),
        bill("100000.00"),
    ]
    results, counters = run(bills, scope(3))
    assisted = [r[2] for r in results]
    assert assisted[:4] == [D("58592.00"), D("38400.00"), D("44608.00"), D("8400.00")]
    assert sum(assisted) == D("150000.00")
    assert assisted[-1] == D("0.00")
    assert counters.assistance_paid == D("150000.00")
    last = settle(CHANGZHOU, bill("1000.00"), counters, scope(3))
    assert last.layers[2].paid == 0 and last.layers[2].reason == "annual_cap_reached"
    assert last.layers[2].cap_left_before == D("0.00")


def test_basic_and_critical_illness_caps_bind_without_the_tilt() -> None:
    results, counters = run([bill("1500000.00"), bill("100000.00")], scope(3))
    assert counters.basic_paid_inpatient == D("300000.00")
    assert results[1][0] == D("0.00")
    assert counters.critical_illness_paid == D("400000.00")


def test_the_tilt_lifts_the_critical_illness_cap() -> None:
    _, counters = run([bill("1500000.00")], scope(1))
    assert counters.critical_illness_paid > D("400000.00")


def test_general_outpatient_has_its_own_cap_and_ratio() -> None:
    bills = [bill("1500.00", kind="general_outpatient") for _ in range(4)]
    results, counters = run(bills)
    assert results[0] == [D("750.00"), D("0.00"), D("600.00")]  # 50%; no CI; 80% of 750
    assert [r[2] for r in results] == [D("600.00"), D("400.00"), D("0.00"), D("0.00")]
    assert counters.assistance_general_outpatient_paid == D("1000.00")
    assert counters.assistance_paid == D("0.00")  # the inpatient cap is untouched
    inpatient = settle(CHANGZHOU, bill("90000.00", "10000.00"), counters, IN_AREA)
    assert inpatient.layers[2].paid == D("14148.00")


def test_unreferred_out_of_area_or_non_designated_care_is_not_assisted() -> None:
    away = settle(CHANGZHOU, bill("90000.00"), Counters(), scope(out_of_area=True))
    assert away.layers[2].paid == 0 and away.layers[2].reason == "out_of_area_unreferred"
    assert away.layers[0].paid == D("53400.00")  # the basic layer is not excluded here
    assert away.patient_total == D("36600.00") - D("18915.00")
    referred = settle(
        CHANGZHOU, bill("90000.00"), Counters(), scope(out_of_area=True, referred=True)
    )
    assert referred.layers[2].paid == D("14148.00")
    other = settle(CHANGZHOU, bill("90000.00"), Counters(), scope(designated=False))
    assert other.layers[2].reason == "non_designated_provider"
    assert other.delta.assistance_paid == 0


def test_exclusions_follow_the_policy_scope_rules() -> None:
    strict = CHANGZHOU.model_copy(
        update={
            "scope": CHANGZHOU.scope.model_copy(
                update={"non_designated_provider": ["basic", "critical_illness", "assistance"]}
            )
        }
    )
    assert exclusions(strict, scope(designated=False)) == {
        "basic": "non_designated_provider",
        "critical_illness": "non_designated_provider",
        "assistance": "non_designated_provider",
    }
    result = settle(strict, bill("1000.00", "50.00"), Counters(), scope(designated=False))
    assert result.funds_total == 0 and result.patient_total == D("1050.00")


def test_a_region_without_basic_parameters_is_refused() -> None:
    yancheng = PolicyBook.load().in_force("320900", AssistancePolicy, date(2026, 3, 1))
    with pytest.raises(OneStopNotConfigured):
        settle(yancheng, bill("100.00"), Counters(), IN_AREA)


def test_the_year_follows_the_region_rule() -> None:
    assert year_of(CHANGZHOU, date(2025, 12, 31)) == 2025
    assert year_of(CHANGZHOU, date(2026, 1, 1)) == 2026
    july = CHANGZHOU.model_copy(
        update={"year_reset": "insurance_year", "insurance_year_start_month": 7}
    )
    assert year_of(july, date(2026, 6, 30)) == 2025
    assert year_of(july, date(2026, 7, 1)) == 2026


def test_parts_always_add_up_and_counters_never_pass_a_cap() -> None:
    rng = random.Random(7)
    for cls in (1, 2, 3, 4, None):
        counters = Counters()
        for _ in range(60):
            kind = rng.choice(["inpatient", "chronic_outpatient", "general_outpatient"])
            inside = D(rng.randint(0, 5_000_000)) / 100
            outside = D(rng.randint(0, 500_000)) / 100
            result = settle(CHANGZHOU, bill(str(inside), str(outside), kind), counters, scope(cls))
            assert result.funds_total + result.patient_total == inside + outside
            assert all(layer.paid >= 0 and layer.left >= 0 for layer in result.layers)
            counters = counters.plus(result.delta)
        assert counters.assistance_paid <= D("150000.00")
        assert counters.assistance_general_outpatient_paid <= D("1000.00")
        assert counters.plus(counters, sign=-1) == Counters()


def test_settlement_postings_balance_per_fund_and_the_subsidy_hits_the_assistance_fund() -> None:
    result = settle(CHANGZHOU, bill("90000.00", "10000.00"), Counters(), IN_AREA)
    funds = [(layer.fund, layer.paid) for layer in result.layers]
    made = entry(
        region_code="320400",
        kind="onestop",
        source_key="onestop:s1",
        period="2026-03",
        memo="m",
        postings=onestop_postings("s1", "p1", "H1", funds, result.patient_total),
    )
    payable = {p.fund: -p.amount for p in made.postings if p.account == "provider_payable"}
    assert payable == {
        "basic_medical": D("53400.00"),
        "critical_illness": D("18915.00"),
        "medical_assistance": D("14148.00"),
    }
    subsidy = premium_subsidy_postings("basic_medical", "assistance_subsidy", "p1", D("380"), "e")
    assert {(p.fund, p.account, p.amount) for p in subsidy} == {
        ("medical_assistance", "premium_subsidy_expense", D("380")),
        ("medical_assistance", "bank", D("-380")),
    }
    assert premium_subsidy_postings("basic_medical", "individual", "p1", D("380"), "e") == []
