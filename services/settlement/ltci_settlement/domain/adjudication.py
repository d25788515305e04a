"""Claim-line adjudication (理算): pure functions over the benefits policy in force.

A line is one unit of service (a visit, a month of a flat-cash plan's days, a month of a device
rental). ``adjudicate`` returns its outcome, numbered reasons and exact amounts, and updates the
person's running ``Usage`` (quota units and fund amounts by day, month and year) so caps and
quotas apply across the person's lines in service-date order. For every final outcome
``fund + person + denied == billed``; a pending line carries no shares yet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from ltci_settlement.domain.reasons import TITLES, Outcome, Reason
from ltci_shared.money import allocate, round_half_up, split_by_ratio
from ltci_shared.policy.benefits import BenefitPolicy, Caps, FormRule

ZERO = Decimal("0.00")
DEVICE = "device"


@dataclass(frozen=True)
class Service:
    """What was delivered, as the read models know it."""

    key: str
    kind: Literal["visit", "plan", "rental"]
    form: str
    service_date: date
    minutes: int = 0
    days: int = 1
    items: tuple[str, ...] = ()
    verified: bool = True
    exceptions: tuple[str, ...] = ()
    package_code: str | None = None
    device_code: str | None = None
    device_rate: Decimal | None = None


@dataclass(frozen=True)
class Context:
    """What is true of the person on the service date (from the read models)."""

    grade: int | None
    fund: str | None
    in_stay: bool = False
    provider_level: int | None = None
    device_blocked: str | None = None


@dataclass
class Usage:
    """A person's running totals: quota units (minutes for hourly forms) and fund amounts."""

    units_month: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    fund_month: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    fund_year: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    fund_day: dict[tuple[str, date], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    days_paid: set[tuple[str, date]] = field(default_factory=set)


@dataclass(frozen=True)
class LineResult:
    outcome: Outcome
    reason: Reason
    reasons: tuple[Reason, ...]
    explanation: str
    unit: str
    units: Decimal
    rate: Decimal
    billed: Decimal
    fund_amount: Decimal
    person_amount: Decimal
    denied: Decimal
    fund: str | None
    payee: Literal["provider", "person"]
    policy_version: str | None
    assumed: bool


@dataclass
class _Work:
    """Amounts being worked out for one line, with the notes that explain them."""

    billed: Decimal
    covered: Decimal
    fund: Decimal = ZERO
    person: Decimal = ZERO
    denied: Decimal = ZERO
    reasons: list[Reason] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def adjudicate(
    policy: BenefitPolicy | None, version: str | None, s: Service, ctx: Context, usage: Usage
) -> LineResult:
    """Adjudicate one line under ``policy`` (the version in force on the service date)."""
    if policy is None:
        return _final(s, None, None, "rejected", Reason.NO_POLICY, ctx, _units(s, None))
    if s.kind == "rental":
        return _device(policy, version or "", s, ctx, usage)
    rule = policy.form(s.form)
    if rule is None:
        return _final(s, policy, version, "person_pays", Reason.FORM_NOT_PAID, ctx, _units(s, None))
    units = _units(s, rule)
    rate = rule.rate_for(ctx.grade) if ctx.grade is not None else rule.rate
    billed = round_half_up(rate * _measure(s, rule) / _per(rule))
    refusal = _refusal(policy, rule, s, ctx, usage)
    if refusal is not None:
        outcome, reason = refusal
        return _final(s, policy, version, outcome, reason, ctx, units, rate, billed)
    work = _Work(billed=billed, covered=billed)
    _out_of_scope(policy, s, work)
    _quota(rule, s, ctx.grade or 0, usage, work)
    ratio = rule.ratio_for(ctx.provider_level)
    work.fund, rest = split_by_ratio(work.covered, ratio)
    work.person += rest
    work.notes.insert(0, f"{units} {rule.unit} × {rate} = {billed}; fund ratio {ratio}")
    _caps(rule.caps_for(ctx.grade or 0, ctx.provider_level), s, usage, work)
    _use(s, rule, usage, work)
    payee: Literal["provider", "person"] = "person" if rule.flat_cash else "provider"
    return _result(s, policy, version, ctx, units, rate, work, payee)


def _refusal(
    policy: BenefitPolicy, rule: FormRule, s: Service, ctx: Context, usage: Usage
) -> tuple[Outcome, Reason] | None:
    """The first rule that stops the line before any money is shared, if one does."""
    package = policy.package(s.package_code) if s.package_code else None
    checks: list[tuple[bool, Outcome, Reason]] = [
        (not s.verified, "rejected", Reason.NOT_VERIFIED),
        (ctx.fund is None, "pending", Reason.NO_MEMBERSHIP),
        (ctx.grade is None, "pending", Reason.NO_ELIGIBILITY),
        (ctx.grade not in rule.eligible_grades, "person_pays", Reason.GRADE_NOT_ELIGIBLE),
        (ctx.in_stay and rule.paused_during_stay, "rejected", Reason.STAY_DAY),
        (
            s.kind == "visit"
            and package is not None
            and package.min_minutes_per_visit is not None
            and s.minutes < package.min_minutes_per_visit,
            "rejected",
            Reason.BELOW_MINIMUM,
        ),
        (
            rule.needs_provider_level and ctx.provider_level is None,
            "pending",
            Reason.NO_PROVIDER_LEVEL,
        ),
        (
            s.kind == "visit"
            and rule.unit == "day"
            and (s.form, s.service_date) in usage.days_paid,
            "rejected",
            Reason.DUPLICATE_DAY,
        ),
    ]
    return next(((outcome, reason) for hit, outcome, reason in checks if hit), None)


def _units(s: Service, rule: FormRule | None) -> Decimal:
    if rule is None:
        return Decimal(s.days if s.kind != "visit" else 1)
    if rule.unit == "hour" and s.kind == "visit":
        return round_half_up(Decimal(s.minutes) / 60)
    return Decimal(s.days if s.kind != "visit" else 1)


def _measure(s: Service, rule: FormRule) -> Decimal:
    """The quantity the rate applies to: minutes for hourly visits, otherwise units."""
    if rule.unit == "hour" and s.kind == "visit":
        return Decimal(s.minutes)
    return Decimal(s.days if s.kind != "visit" else 1)


def _per(rule: FormRule) -> Decimal:
    return Decimal(60) if rule.unit == "hour" else Decimal(1)


def _out_of_scope(policy: BenefitPolicy, s: Service, work: _Work) -> None:
    """Items outside the catalogue (or the plan's package) are the person's, pro rata."""
    if not s.items:
        return
    allowed = {i.code for i in policy.items if s.form in i.forms}
    package = policy.package(s.package_code) if s.package_code else None
    if package is not None:
        allowed &= set(package.items)
    outside = [code for code in s.items if code not in allowed]
    if not outside:
        return
    inside, out = allocate(
        work.covered, [Decimal(len(s.items) - len(outside)), Decimal(len(outside))]
    )
    work.covered, work.person = inside, work.person + out
    work.reasons.append(Reason.OUT_OF_SCOPE_ITEMS)
    work.notes.append(f"items {', '.join(sorted(outside))} out of scope: {out} to the person")


def _quota(rule: FormRule, s: Service, grade: int, usage: Usage, work: _Work) -> None:
    quota = rule.quota_per_month_by_grade.get(grade)
    this = _measure(s, rule)
    used = usage.units_month[s.form]
    usage.units_month[s.form] = used + this
    if quota is None or work.covered == 0:
        return
    room = max(Decimal(quota) * _per(rule) - used, Decimal(0))
    if this <= room:
        return
    inside, over = allocate(work.covered, [room, this - room])
    work.covered = inside
    if rule.over_quota == "person":
        work.person += over
        work.reasons.append(Reason.QUOTA_PERSON)
    else:
        work.denied += over
        work.reasons.append(Reason.QUOTA_REFUSED)
    work.notes.append(f"monthly quota {quota} {rule.unit}(s) for grade {grade}: {over} over")


def _caps(caps: Caps, s: Service, usage: Usage, work: _Work) -> None:
    days = Decimal(s.days if s.kind != "visit" else 1)
    limits = [
        (caps.per_day, lambda: usage.fund_day[(s.form, s.service_date)], Reason.CAP_DAY, "day"),
        (caps.per_month, lambda: usage.fund_month[s.form], Reason.CAP_MONTH, "month"),
        (caps.per_year, lambda: usage.fund_year[s.form], Reason.CAP_YEAR, "year"),
    ]
    for cap, used, reason, label in limits:
        if cap is None:
            continue
        limit = cap * days if reason is Reason.CAP_DAY and s.kind != "visit" else cap
        room = max(limit - (used() if s.kind == "visit" or label != "day" else ZERO), ZERO)
        if work.fund > room:
            excess = work.fund - room
            work.fund, work.person = room, work.person + excess
            work.reasons.append(reason)
            work.notes.append(f"per-{label} cap {cap}: {excess} moved to the person")


def _use(s: Service, rule: FormRule, usage: Usage, work: _Work) -> None:
    usage.fund_day[(s.form, s.service_date)] += work.fund
    usage.fund_month[s.form] += work.fund
    usage.fund_year[s.form] += work.fund
    if s.kind == "visit" and rule.unit == "day":
        usage.days_paid.add((s.form, s.service_date))


def _device(
    policy: BenefitPolicy, version: str, s: Service, ctx: Context, usage: Usage
) -> LineResult:
    devices = policy.devices
    device = policy.device(s.device_code or "")
    rate = device.daily_rate if device else (s.device_rate or ZERO)
    units = Decimal(s.days)
    billed = round_half_up(rate * units)
    grades = {g for f in policy.forms for g in f.eligible_grades}
    blocked: list[tuple[bool, Outcome, Reason]] = [
        (devices is None or device is None, "person_pays", Reason.DEVICE_NOT_COVERED),
        (ctx.fund is None, "pending", Reason.NO_MEMBERSHIP),
        (ctx.grade is None, "pending", Reason.NO_ELIGIBILITY),
        (ctx.grade not in grades, "person_pays", Reason.GRADE_NOT_ELIGIBLE),
        (ctx.device_blocked is not None, "person_pays", Reason.DEVICE_NOT_COVERED),
    ]
    stop = next(((o, r) for hit, o, r in blocked if hit), None)
    if stop is not None or devices is None:
        outcome, reason = stop or ("person_pays", Reason.DEVICE_NOT_COVERED)
        return _final(s, policy, version, outcome, reason, ctx, units, rate, billed)
    work = _Work(billed=billed, covered=billed)
    work.fund, work.person = split_by_ratio(billed, devices.fund_ratio)
    work.notes.append(f"{units} day × {rate} = {billed}; fund ratio {devices.fund_ratio}")
    room = max(devices.annual_cap - usage.fund_year[DEVICE], ZERO)
    if work.fund > room:
        excess = work.fund - room
        work.fund, work.person = room, work.person + excess
        work.reasons.append(Reason.DEVICE_CAP_YEAR)
        work.notes.append(f"annual device cap {devices.annual_cap}: {excess} to the person")
    usage.fund_year[DEVICE] += work.fund
    return _result(s, policy, version, ctx, units, rate, work, "provider")


def _final(
    s: Service,
    policy: BenefitPolicy | None,
    version: str | None,
    outcome: Outcome,
    reason: Reason,
    ctx: Context,
    units: Decimal,
    rate: Decimal = ZERO,
    billed: Decimal = ZERO,
) -> LineResult:
    """A line stopped by one rule: refused (denied), the person's, or pending."""
    denied = billed if outcome == "rejected" else ZERO
    person = billed if outcome == "person_pays" else ZERO
    detail = (
        f" ({', '.join(s.exceptions)})" if reason is Reason.NOT_VERIFIED and s.exceptions else ""
    )
    text = f"{version or 'no policy'}: {reason.value} {TITLES[reason]}{detail}"
    return LineResult(
        outcome=outcome,
        reason=reason,
        reasons=(reason,),
        explanation=text,
        unit=_unit_name(policy, s),
        units=units,
        rate=rate,
        billed=billed,
        fund_amount=ZERO,
        person_amount=person,
        denied=denied,
        fund=ctx.fund,
        payee="provider",
        policy_version=version,
        assumed=_assumed(policy, s),
    )


def _result(
    s: Service,
    policy: BenefitPolicy,
    version: str | None,
    ctx: Context,
    units: Decimal,
    rate: Decimal,
    work: _Work,
    payee: Literal["provider", "person"],
) -> LineResult:
    reasons = (Reason.PAID, *work.reasons)
    outcome: Outcome = "reduced" if work.reasons else "paid"
    if work.fund == 0 and work.billed > 0:
        outcome = "person_pays" if work.denied == 0 else "rejected"
    primary = work.reasons[-1] if work.reasons else Reason.PAID
    body = "; ".join([*work.notes, f"fund {work.fund}, person {work.person}, denied {work.denied}"])
    assumed = _assumed(policy, s)
    flag = " [figures assumed, no published source]" if assumed else ""
    return LineResult(
        outcome=outcome,
        reason=primary,
        reasons=reasons,
        explanation=f"{version}: {s.form}: {body}{flag}",
        unit=_unit_name(policy, s),
        units=units,
        rate=rate,
        billed=work.billed,
        fund_amount=work.fund,
        person_amount=work.person,
        denied=work.denied,
        fund=ctx.fund,
        payee=payee,
        policy_version=version,
        assumed=assumed,
    )


def _unit_name(policy: BenefitPolicy | None, s: Service) -> str:
    if s.kind == "rental":
        return "day"
    rule = policy.form(s.form) if policy else None
    return rule.unit if rule else ("visit" if s.kind == "visit" else "day")


def _assumed(policy: BenefitPolicy | None, s: Service) -> bool:
    if policy is None:
        return False
    if s.kind == "rental":
        return policy.is_assumed("devices")
    index = next((i for i, f in enumerate(policy.forms) if f.form == s.form), None)
    return index is not None and (
        policy.is_assumed("forms") or any(a.startswith(f"forms.{index}") for a in policy.assumed)
    )
