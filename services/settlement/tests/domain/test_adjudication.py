"""Adjudication rules, one test per rule, each on a real pack with hand-computed amounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from ltci_settlement.domain.adjudication import (
    Context,
    LineResult,
    Service,
    Usage,
    adjudicate,
)
from ltci_settlement.domain.reasons import Reason
from ltci_shared.policy import BenefitPolicy, PolicyBook

DAY = date(2026, 3, 2)
BOOK = PolicyBook.load()


def run(region: str, service: Service, ctx: Context, usage: Usage | None = None) -> LineResult:
    policy = BOOK.in_force(region, BenefitPolicy, on=service.service_date)
    result = adjudicate(policy, policy.version_id(region), service, ctx, usage or Usage())
    if result.outcome != "pending":  # every final line splits its billed amount exactly
        assert result.fund_amount + result.person_amount + result.denied == result.billed
    return result


def visit(form: str = "home_visit", minutes: int = 90, **kw: object) -> Service:
    return Service(key="v", kind="visit", form=form, service_date=DAY, minutes=minutes, **kw)  # type: ignore[arg-type]


def rental(days: int, device_code: str, **kw: object) -> Service:
    return Service(
        key="r",
        kind="rental",
        form="device",
        service_date=DAY,
        days=days,
        device_code=device_code,
        **kw,  # type: ignore[arg-type]
    )


GRADE3 = Context(grade=3, fund="employee_ltc")


def amounts(r: LineResult) -> tuple[str, D, D, D, D]:
    return (r.outcome, r.billed, r.fund_amount, r.person_amount, r.denied)


# --- Yancheng 320900 -------------------------------------------------------------------------


def test_hourly_visit_is_rate_times_hours_with_the_fund_ratio() -> None:
    r = run("320900", visit(minutes=90), GRADE3)  # 1.5 h × 65.00 = 97.50; 90% fund
    assert amounts(r) == ("paid", D("97.50"), D("87.75"), D("9.75"), D("0"))
    assert r.reason is Reason.PAID and r.policy_version == "320900/benefits@2022-07-01"
    assert "320900/benefits@2022-07-01" in r.explanation and r.assumed
    assert r.units == D("1.50") and r.unit == "hour"


def test_an_unverified_visit_is_refused_with_its_exceptions() -> None:
    s = visit(verified=False, exceptions=("outside_fence",))
    r = run("320900", s, GRADE3)
    assert amounts(r) == ("rejected", D("97.50"), D("0"), D("0"), D("97.50"))
    assert r.reason is Reason.NOT_VERIFIED and "outside_fence" in r.explanation


def test_home_care_on_a_stay_day_is_refused() -> None:
    r = run("320900", visit(), Context(grade=3, fund="employee_ltc", in_stay=True))
    assert (r.outcome, r.reason, r.fund_amount) == ("rejected", Reason.STAY_DAY, D("0"))


def test_a_grade_the_form_does_not_pay_is_the_persons() -> None:
    r = run("320900", visit(), Context(grade=2, fund="resident_ltc"))
    assert amounts(r) == ("person_pays", D("97.50"), D("0"), D("97.50"), D("0"))
    assert r.reason is Reason.GRADE_NOT_ELIGIBLE


@pytest.mark.parametrize(
    ("ctx", "reason"),
    [
        (Context(grade=None, fund="employee_ltc"), Reason.NO_ELIGIBILITY),
        (Context(grade=3, fund=None), Reason.NO_MEMBERSHIP),
    ],
)
def test_a_line_waits_for_missing_eligibility_or_membership(ctx: Context, reason: Reason) -> None:
    r = run("320900", visit(), ctx)
    assert (r.outcome, r.reason, r.fund_amount, r.person_amount) == ("pending", reason, 0, 0)


def test_out_of_scope_items_go_to_the_person_pro_rata() -> None:
    s = visit(items=("ADL01", "SPA99"), package_code="YC-HV-STD")
    r = run("320900", s, GRADE3)
    # 97.50 split 1:1 → 48.75 in scope (fund 90% = 43.875 → 43.88), 48.75 out of scope
    assert amounts(r) == ("reduced", D("97.50"), D("43.88"), D("53.62"), D("0"))
    assert r.reason is Reason.OUT_OF_SCOPE_ITEMS and "SPA99" in r.explanation


def test_a_visit_shorter_than_the_package_minimum_is_refused() -> None:
    r = run("320900", visit(minutes=20, package_code="YC-HV-STD"), GRADE3)
    assert (r.outcome, r.reason, r.denied) == ("rejected", Reason.BELOW_MINIMUM, D("21.67"))


def test_hours_above_the_monthly_quota_are_refused() -> None:
    usage = Usage()
    usage.units_month["home_visit"] = D(11 * 60)  # grade 3: 12 h a month, 11 used
    r = run("320900", visit(minutes=120), GRADE3, usage)
    # 130.00 billed; 1 h inside the quota (65.00: fund 58.50, person 6.50); 1 h refused
    assert amounts(r) == ("reduced", D("130.00"), D("58.50"), D("6.50"), D("65.00"))
    assert r.reason is Reason.QUOTA_REFUSED
    assert usage.units_month["home_visit"] == D(13 * 60)


def test_institutional_day_is_capped_per_day_and_a_second_record_refused() -> None:
    usage = Usage()
    s = visit(form="institutional", minutes=600)
    r = run("320900", s, GRADE3, usage)  # 80.00 × 70% = 56.00, capped at 50.00
    assert amounts(r) == ("reduced", D("80.00"), D("50.00"), D("30.00"), D("0"))
    assert r.reason is Reason.CAP_DAY
    again = run("320900", s, GRADE3, usage)
    assert (again.outcome, again.reason) == ("rejected", Reason.DUPLICATE_DAY)


def test_family_care_is_flat_cash_paid_to_the_person() -> None:
    s = Service(key="plan-1", kind="plan", form="family_care", service_date=DAY, days=30)
    r = run("320900", s, GRADE3)
    assert amounts(r) == ("paid", D("450.00"), D("450.00"), D("0"), D("0"))
    assert r.payee == "person"


def test_device_rental_ratio_and_annual_cap() -> None:
    s = rental(31, "DEV-BED-E")
    r = run("320900", s, GRADE3)  # 31 × 11.00 = 341.00; 85% = 289.85
    assert amounts(r) == ("paid", D("341.00"), D("289.85"), D("51.15"), D("0"))
    usage = Usage()
    usage.fund_year["device"] = D("4900.00")
    capped = run("320900", s, GRADE3, usage)
    assert amounts(capped) == ("reduced", D("341.00"), D("100.00"), D("241.00"), D("0"))
    assert capped.reason is Reason.DEVICE_CAP_YEAR


def test_an_unknown_device_is_the_persons_at_the_rental_rate() -> None:
    s = rental(10, "GOLD-BED", device_rate=D("20.00"))
    r = run("320900", s, GRADE3)
    assert amounts(r) == ("person_pays", D("200.00"), D("0"), D("200.00"), D("0"))


def test_a_form_the_region_does_not_pay_is_the_persons() -> None:
    r = run("320900", visit(form="home_self_care"), GRADE3)
    assert (r.outcome, r.reason) == ("person_pays", Reason.FORM_NOT_PAID)


def test_no_policy_in_force_refuses_the_line() -> None:
    r = adjudicate(None, None, visit(), GRADE3, Usage())
    assert (r.outcome, r.reason) == ("rejected", Reason.NO_POLICY)


# --- Changchun 220100 -----------------------------------------------------------------------


def test_changchun_monthly_cap() -> None:
    usage = Usage()
    usage.fund_month["home_visit"] = D("620.00")  # grade 3 cap 648.00 a month
    r = run("220100", visit(minutes=60), GRADE3, usage)  # 60.00; fund 54.00 → 28.00
    assert amounts(r) == ("reduced", D("60.00"), D("28.00"), D("32.00"), D("0"))
    assert r.reason is Reason.CAP_MONTH


def test_changchun_home_care_pauses_during_a_stay() -> None:
    r = run("220100", visit(minutes=60), Context(grade=4, fund="resident_ltc", in_stay=True))
    assert r.reason is Reason.STAY_DAY


# --- Jincheng 140500: standards by severe grade ------------------------------------------------


def test_jincheng_self_care_rate_differs_by_grade() -> None:
    s = Service(key="p", kind="plan", form="home_self_care", service_date=DAY, days=30)
    assert run("140500", s, Context(grade=4, fund="employee_ltc")).fund_amount == D("750.00")
    assert run("140500", s, Context(grade=5, fund="employee_ltc")).fund_amount == D("900.00")


def test_jincheng_institutional_cap_by_grade() -> None:
    inst = visit(form="institutional")
    assert amounts(run("140500", inst, Context(grade=5, fund="employee_ltc"))) == (
        "paid",
        D("100.00"),
        D("70.00"),
        D("30.00"),
        D("0"),
    )
    assert amounts(run("140500", inst, GRADE3)) == (
        "reduced",
        D("80.00"),
        D("50.00"),
        D("30.00"),
        D("0"),
    )


def test_jincheng_combined_form_only_for_grades_4_and_5() -> None:
    r = run("140500", visit(form="home_combined"), GRADE3)
    assert r.reason is Reason.GRADE_NOT_ELIGIBLE
    ok = run("140500", visit(form="home_combined"), Context(grade=4, fund="employee_ltc"))
    assert amounts(ok) == ("paid", D("80.00"), D("72.00"), D("8.00"), D("0"))


# --- Tengzhou 370481: published ratios and caps -------------------------------------------------


def test_tengzhou_medical_special_care_by_hospital_level() -> None:
    s = visit(form="medical_special_care")
    level1 = run("370481", s, Context(grade=4, fund="employee_ltc", provider_level=1))
    assert amounts(level1) == ("reduced", D("150.00"), D("80.00"), D("70.00"), D("0"))
    level3 = run("370481", s, Context(grade=4, fund="employee_ltc", provider_level=3))
    assert amounts(level3) == ("paid", D("150.00"), D("105.00"), D("45.00"), D("0"))
    unknown = run("370481", s, Context(grade=4, fund="employee_ltc"))
    assert (unknown.outcome, unknown.reason) == ("pending", Reason.NO_PROVIDER_LEVEL)


def test_tengzhou_home_visits_capped_45_a_day_across_visits() -> None:
    usage = Usage()
    first = run("370481", visit(), GRADE3, usage)  # 60.00 × 90% = 54.00 → 45.00
    assert amounts(first) == ("reduced", D("60.00"), D("45.00"), D("15.00"), D("0"))
    second = run("370481", visit(), GRADE3, usage)
    assert amounts(second) == ("person_pays", D("60.00"), D("0"), D("60.00"), D("0"))


def test_tengzhou_self_care_flat_30_a_day() -> None:
    s = Service(key="p", kind="plan", form="home_self_care", service_date=DAY, days=31)
    assert run("370481", s, GRADE3).fund_amount == D("930.00")


# --- Shanghai 310000 ---------------------------------------------------------------------------


def test_shanghai_hour_is_58_50_fund_and_6_50_person() -> None:
    r = run("310000", visit(minutes=60), Context(grade=3, fund="resident_ltc"))
    assert amounts(r) == ("paid", D("65.00"), D("58.50"), D("6.50"), D("0"))


def test_shanghai_hours_above_the_quota_are_the_persons() -> None:
    usage = Usage()
    usage.units_month["home_visit"] = D(13 * 60)  # grade 1: 13 h a month
    r = run("310000", visit(minutes=60), Context(grade=1, fund="resident_ltc"), usage)
    assert amounts(r) == ("person_pays", D("65.00"), D("0"), D("65.00"), D("0"))
    assert Reason.QUOTA_PERSON in r.reasons


# --- Suzhou 320500 and Changzhou 320400 --------------------------------------------------------


def test_suzhou_device_85_percent() -> None:
    s = rental(30, "SZ-DEV-WALKER")
    r = run("320500", s, GRADE3)  # 30 × 4.00 = 120.00; 85% = 102.00
    assert amounts(r) == ("paid", D("120.00"), D("102.00"), D("18.00"), D("0"))
    assert not r.assumed  # the device figures are published


def test_changzhou_day_then_month_cap() -> None:
    usage = Usage()
    usage.fund_month["institutional"] = D("1480.00")
    r = run("320400", visit(form="institutional"), GRADE3, usage)
    # 85.00 × 70% = 59.50 → day cap 50.00 → month room 20.00; person 65.00
    assert amounts(r) == ("reduced", D("85.00"), D("20.00"), D("65.00"), D("0"))
    assert r.reasons == (Reason.PAID, Reason.CAP_DAY, Reason.CAP_MONTH)
