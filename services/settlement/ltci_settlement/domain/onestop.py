"""One-stop medical-assistance settlement (一站式结算) as pure arithmetic: basic insurance,
critical-illness insurance (大病保险), then medical assistance (医疗救助), strictly in order,
each on the in-policy self-pay the previous left, with year-to-date counters per person.

Every layer: ``deductible applied = min(deductible left this year, base)``, ``computed =
round_half_up((base - deductible applied) x ratio)``, ``paid = min(computed, cap left)``.
Amounts are exact to the fen; the layers and the patient's share add up to the bill.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal

from ltci_shared.errors import Conflict
from ltci_shared.money import round_half_up
from ltci_shared.policy.assistance import AssistancePolicy, CareKind, Layer

ZERO = Decimal("0.00")
ONE = Decimal(1)
IN_AREA_KINDS: tuple[CareKind, ...] = ("inpatient", "chronic_outpatient")


class OneStopNotConfigured(Conflict):
    name = "onestop_not_configured"
    title = "The region's policy has no one-stop parameters for this care"


@dataclass(frozen=True)
class Counters:
    """Year-to-date counters of one person (每人每年累计): deductibles used, paid, self-pay."""

    basic_deductible_inpatient: Decimal = ZERO
    basic_deductible_chronic_outpatient: Decimal = ZERO
    basic_deductible_general_outpatient: Decimal = ZERO
    basic_paid_inpatient: Decimal = ZERO
    basic_paid_chronic_outpatient: Decimal = ZERO
    basic_paid_general_outpatient: Decimal = ZERO
    critical_illness_deductible: Decimal = ZERO
    critical_illness_paid: Decimal = ZERO
    assistance_deductible: Decimal = ZERO
    assistance_paid: Decimal = ZERO  # inpatient and chronic outpatient (one shared cap)
    assistance_general_outpatient_paid: Decimal = ZERO
    total_billed: Decimal = ZERO
    self_pay: Decimal = ZERO  # what the patient paid: in-policy remainder plus out-of-policy
    bills: int = 0

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return _COUNTER_NAMES

    def plus(self, delta: Counters, sign: int = 1) -> Counters:
        values = {n: getattr(self, n) + sign * getattr(delta, n) for n in _COUNTER_NAMES}
        return Counters(**values)

    def as_dict(self) -> dict[str, Decimal | int]:
        return {n: getattr(self, n) for n in _COUNTER_NAMES}


_COUNTER_NAMES = tuple(f.name for f in fields(Counters))  # the fields, looked up once


@dataclass(frozen=True)
class Bill:
    care_kind: CareKind
    total: Decimal
    in_policy: Decimal
    out_of_policy: Decimal


@dataclass(frozen=True)
class Scope:
    """Who the person is and where the care was: the class that applies (highest, once)."""

    recipient_class: int | None
    out_of_area: bool
    referred: bool
    designated: bool


@dataclass(frozen=True)
class LayerResult:
    layer: Layer
    fund: str
    base: Decimal
    deductible: Decimal
    deductible_applied: Decimal
    ratio: Decimal
    annual_cap: Decimal | None
    cap_left_before: Decimal | None
    computed: Decimal
    paid: Decimal
    capped: bool
    left: Decimal
    tilted: bool
    rule: str
    reason: str | None = None


@dataclass(frozen=True)
class OneStopResult:
    layers: tuple[LayerResult, ...]
    patient_in_policy: Decimal
    patient_out_of_policy: Decimal
    patient_total: Decimal
    funds_total: Decimal
    delta: Counters
    assumed: tuple[str, ...]


@dataclass(frozen=True)
class _Terms:
    deductible: Decimal
    deductible_used: Decimal
    ratio: Decimal
    cap: Decimal | None
    cap_used: Decimal


def year_of(policy: AssistancePolicy, day: date) -> int:
    """The counter year a day falls in by the region's rule (a calendar or insurance year,
    named by the calendar year it starts in)."""
    start = policy.insurance_year_start_month if policy.year_reset == "insurance_year" else 1
    return day.year if day.month >= start else day.year - 1


def exclusions(policy: AssistancePolicy, scope: Scope) -> dict[Layer, str]:
    """Layers that pay nothing for this care, with the reason (from the policy's scope rules)."""
    out: dict[Layer, str] = {}
    if not scope.designated:
        for layer in policy.scope.non_designated_provider:
            out[layer] = "non_designated_provider"
    if scope.out_of_area and not scope.referred:
        for layer in policy.scope.unreferred_out_of_area:
            out.setdefault(layer, "out_of_area_unreferred")
    return out


def settle(policy: AssistancePolicy, bill: Bill, counters: Counters, scope: Scope) -> OneStopResult:
    """The three layers in order for one bill, given the person's counters before it."""
    excluded = exclusions(policy, scope)
    basic = _basic(policy, bill, counters, excluded.get("basic"))
    ci = _critical_illness(policy, bill.care_kind, basic.left, counters, scope, excluded)
    assist = _assistance(policy, bill.care_kind, ci.left, counters, scope, excluded)
    patient_in = assist.left
    patient = patient_in + bill.out_of_policy
    funds = basic.paid + ci.paid + assist.paid
    if funds + patient != bill.total:  # a bug, never a result
        raise AssertionError("one-stop parts do not add up to the bill")
    kind = bill.care_kind
    general = kind == "general_outpatient"
    delta = replace(
        Counters(),
        **{f"basic_deductible_{kind}": basic.deductible_applied, f"basic_paid_{kind}": basic.paid},
        critical_illness_deductible=ci.deductible_applied,
        critical_illness_paid=ci.paid,
        assistance_deductible=assist.deductible_applied,
        assistance_paid=ZERO if general else assist.paid,
        assistance_general_outpatient_paid=assist.paid if general else ZERO,
        total_billed=bill.total,
        self_pay=patient,
        bills=1,
    )
    return OneStopResult(
        layers=(basic, ci, assist),
        patient_in_policy=patient_in,
        patient_out_of_policy=bill.out_of_policy,
        patient_total=patient,
        funds_total=funds,
        delta=delta,
        assumed=_assumed(policy, kind),
    )


def _basic(
    policy: AssistancePolicy, bill: Bill, counters: Counters, excluded: str | None
) -> LayerResult:
    params = policy.basic.get(bill.care_kind)
    if params is None:
        raise OneStopNotConfigured(f"no basic-insurance parameters for {bill.care_kind}")
    terms = _Terms(
        params.deductible,
        getattr(counters, f"basic_deductible_{bill.care_kind}"),
        params.ratio,
        params.annual_cap,
        getattr(counters, f"basic_paid_{bill.care_kind}"),
    )
    rule = f"basic.{bill.care_kind}"
    if excluded:
        return _nothing("basic", "basic_medical", bill.in_policy, terms, rule, excluded)
    return _apply("basic", "basic_medical", bill.in_policy, terms, rule)


def _critical_illness(
    policy: AssistancePolicy,
    kind: CareKind,
    base: Decimal,
    counters: Counters,
    scope: Scope,
    excluded: Mapping[Layer, str],
) -> LayerResult:
    params = policy.critical_illness
    tilt = policy.critical_illness_tilt
    tilted = bool(tilt and scope.recipient_class in tilt.classes)
    if params is None:
        terms = _Terms(ZERO, ZERO, ZERO, None, ZERO)
        return _nothing(
            "critical_illness", "critical_illness", base, terms, "critical_illness", "not_insured"
        )
    deductible, ratio, cap = params.deductible, params.ratio, params.annual_cap
    if tilt and tilted:
        deductible = round_half_up(deductible * tilt.deductible_factor)
        ratio = min(ONE, ratio + tilt.ratio_bonus)
        cap = None if tilt.no_cap else cap
    terms = _Terms(
        deductible, counters.critical_illness_deductible, ratio, cap, counters.critical_illness_paid
    )
    rule = "critical_illness_tilt" if tilted else "critical_illness"
    reason = excluded.get("critical_illness")
    if reason is None and kind not in params.care_kinds:
        reason = "care_kind_not_covered"
    if reason:
        return _nothing("critical_illness", "critical_illness", base, terms, rule, reason, tilted)
    return _apply("critical_illness", "critical_illness", base, terms, rule, tilted)


def _assistance(
    policy: AssistancePolicy,
    kind: CareKind,
    base: Decimal,
    counters: Counters,
    scope: Scope,
    excluded: Mapping[Layer, str],
) -> LayerResult:
    cls = None if scope.recipient_class is None else policy.assistance_class(scope.recipient_class)
    fund = "medical_assistance"
    if cls is None:
        why = "not_a_recipient" if scope.recipient_class is None else "class_not_assisted"
        return _nothing(
            "assistance", fund, base, _Terms(ZERO, ZERO, ZERO, None, ZERO), "assistance", why
        )
    if kind == "general_outpatient":
        ratio = cls.general_outpatient_ratio or policy.general_outpatient_ratio or cls.ratio
        cap = _lower(cls.general_outpatient_annual_cap, policy.general_outpatient_annual_cap)
        terms = _Terms(ZERO, ZERO, ratio, cap, counters.assistance_general_outpatient_paid)
        rule = f"assistance.class_{cls.recipient_class}.general_outpatient"
    else:
        cap = _lower(cls.annual_cap, policy.inpatient_chronic_annual_cap)
        terms = _Terms(
            cls.deductible, counters.assistance_deductible, cls.ratio, cap, counters.assistance_paid
        )
        rule = f"assistance.class_{cls.recipient_class}"
    if reason := excluded.get("assistance"):
        return _nothing("assistance", fund, base, terms, rule, reason)
    return _apply("assistance", fund, base, terms, rule)


def _apply(
    layer: Layer, fund: str, base: Decimal, t: _Terms, rule: str, tilted: bool = False
) -> LayerResult:
    applied = min(max(t.deductible - t.deductible_used, ZERO), base)
    computed = round_half_up((base - applied) * t.ratio)
    cap_left = None if t.cap is None else max(t.cap - t.cap_used, ZERO)
    paid = computed if cap_left is None else min(computed, cap_left)
    return LayerResult(
        layer=layer,
        fund=fund,
        base=base,
        deductible=t.deductible,
        deductible_applied=applied,
        ratio=t.ratio,
        annual_cap=t.cap,
        cap_left_before=cap_left,
        computed=computed,
        paid=paid,
        capped=paid < computed,
        left=base - paid,
        tilted=tilted,
        rule=rule,
        reason="annual_cap_reached" if paid < computed else None,
    )


def _nothing(
    layer: Layer, fund: str, base: Decimal, t: _Terms, rule: str, reason: str, tilted: bool = False
) -> LayerResult:
    cap_left = None if t.cap is None else max(t.cap - t.cap_used, ZERO)
    return LayerResult(
        layer=layer,
        fund=fund,
        base=base,
        deductible=t.deductible,
        deductible_applied=ZERO,
        ratio=t.ratio,
        annual_cap=t.cap,
        cap_left_before=cap_left,
        computed=ZERO,
        paid=ZERO,
        capped=False,
        left=base,
        tilted=tilted,
        rule=rule,
        reason=reason,
    )


def _lower(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    present = [v for v in (a, b) if v is not None]
    return min(present) if present else None


def _assumed(policy: AssistancePolicy, kind: CareKind) -> tuple[str, ...]:
    """The pack's assumed values this settlement relied on (shown with the result)."""

    def used(path: str) -> bool:
        head, _, rest = path.partition(".")
        if head == "basic":
            return rest == "" or rest.split(".")[0] == kind
        return head != "categories"

    return tuple(a for a in policy.assumed if used(a))
