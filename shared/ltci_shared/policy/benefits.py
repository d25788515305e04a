"""Policy section ``benefits``: service forms with unit, rate, fund ratio, caps and quotas by
grade; the item catalogue and service packages; devices; visit verification; holdback."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from ltci_shared.money import NonNegativeMoney
from ltci_shared.policy.base import Grade, Ratio, SectionVersion, Strict

ServiceForm = Literal[
    "institutional", "home_visit", "home_self_care", "home_combined", "family_care"
]
Unit = Literal["day", "visit", "hour", "month"]


class Caps(Strict):
    """Fund-paid caps; a missing cap is no cap."""

    per_day: NonNegativeMoney | None = None
    per_month: NonNegativeMoney | None = None
    per_year: NonNegativeMoney | None = None


class FormRule(Strict):
    """How one service form is paid: ``rate`` per ``unit``, the fund's share, caps by grade."""

    form: ServiceForm
    unit: Unit
    rate: NonNegativeMoney
    fund_ratio: Ratio
    eligible_grades: list[Grade] = Field(min_length=1)
    rate_by_grade: dict[Grade, NonNegativeMoney] = Field(default_factory=dict)
    caps_by_grade: dict[Grade, Caps] = Field(default_factory=dict)
    quota_per_month_by_grade: dict[Grade, int] = Field(
        default_factory=dict, description="units (visits, hours, days) a month"
    )
    paused_during_stay: bool = Field(
        default=False, description="no payment on hospital or institutional stay days"
    )
    flat_cash: bool = Field(default=False, description="paid to the person (self/family care)")

    def rate_for(self, grade: int) -> NonNegativeMoney:
        return self.rate_by_grade.get(grade, self.rate)


class Item(Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$")
    name: str = Field(min_length=1)
    forms: list[ServiceForm] = Field(min_length=1)
    minutes: int | None = Field(default=None, ge=1, description="standard duration")
    medical: bool = False


class Package(Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$")
    name: str = Field(min_length=1)
    form: ServiceForm
    items: list[str] = Field(min_length=1)
    visits_per_month_by_grade: dict[Grade, int] = Field(default_factory=dict)
    hours_per_month_by_grade: dict[Grade, int] = Field(default_factory=dict)
    min_minutes_per_visit: int | None = Field(default=None, ge=1)


class Device(Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$")
    name: str = Field(min_length=1)
    category: str = Field(min_length=1)
    daily_rate: NonNegativeMoney


class DevicePolicy(Strict):
    fund_ratio: Ratio
    annual_cap: NonNegativeMoney
    min_term_days: int = Field(ge=0)
    one_per_category: bool = True
    catalogue: list[Device] = Field(min_length=1)


class VisitVerification(Strict):
    fence_meters: int = Field(ge=1)
    face_match_threshold: Ratio
    max_visit_minutes: int = Field(ge=1)
    max_caregiver_hours_per_day: int = Field(ge=1, le=24)
    late_submission_days: int = Field(ge=0)


class BenefitPolicy(SectionVersion):
    section: ClassVar[str] = "benefits"
    forms: list[FormRule] = Field(min_length=1)
    items: list[Item] = Field(default_factory=list)
    packages: list[Package] = Field(default_factory=list)
    devices: DevicePolicy | None = None
    family_care_allowance_per_month: NonNegativeMoney | None = None
    quality_holdback_share: Ratio = Field(default=0)  # type: ignore[assignment]
    visit_verification: VisitVerification

    @model_validator(mode="after")
    def _check(self) -> BenefitPolicy:
        forms = [f.form for f in self.forms]
        if len(set(forms)) != len(forms):
            raise ValueError("each service form appears once")
        item_codes = {i.code for i in self.items}
        for p in self.packages:
            if p.form not in forms:
                raise ValueError(f"package {p.code}: form {p.form} is not paid by this policy")
            if missing := [c for c in p.items if c not in item_codes]:
                raise ValueError(f"package {p.code}: unknown items {missing}")
        return self

    def form(self, name: str) -> FormRule | None:
        return next((f for f in self.forms if f.form == name), None)

    def package(self, code: str) -> Package | None:
        return next((p for p in self.packages if p.code == code), None)
