"""Policy section ``assistance``: medical-assistance recipient categories and the one-stop
settlement layers (basic insurance, critical-illness insurance, assistance by class)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from ltci_shared.money import NonNegativeMoney
from ltci_shared.policy.base import Ratio, SectionVersion, Strict

CareKind = Literal["inpatient", "chronic_outpatient", "general_outpatient"]
Layer = Literal["basic", "critical_illness", "assistance"]
_CI_KINDS: tuple[CareKind, ...] = ("inpatient", "chronic_outpatient")
_ASSISTANCE_ONLY: tuple[Layer, ...] = ("assistance",)


class Category(Strict):
    """A recipient category (特困, 低保, ...); class 1 is the highest."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str = Field(min_length=1)
    recipient_class: int = Field(ge=1, le=9)
    validity_months: int | None = Field(
        default=None, ge=1, description="default validity when the decision gives none"
    )


class LayerParameters(Strict):
    deductible: NonNegativeMoney
    ratio: Ratio
    annual_cap: NonNegativeMoney | None = None


class CriticalIllnessParameters(LayerParameters):
    """Critical-illness insurance (大病保险): one annual deductible and cap over the care kinds
    it covers, applied to the in-policy self-pay left by basic insurance."""

    care_kinds: list[CareKind] = Field(default_factory=lambda: list(_CI_KINDS), min_length=1)


class CriticalIllnessTilt(Strict):
    """Critical-illness insurance tilted for the poorest classes (deductible halved, +5 points)."""

    classes: list[int] = Field(min_length=1)
    deductible_factor: Ratio
    ratio_bonus: Ratio
    no_cap: bool = True


class AssistanceClass(Strict):
    """Assistance for one recipient class: an annual deductible and ratio on inpatient and
    chronic care; optional caps and general-outpatient terms of its own (else the shared ones)."""

    recipient_class: int = Field(ge=1, le=9)
    deductible: NonNegativeMoney
    ratio: Ratio
    annual_cap: NonNegativeMoney | None = Field(
        default=None, description="this class's inpatient+chronic cap (the lower cap applies)"
    )
    general_outpatient_annual_cap: NonNegativeMoney | None = None
    general_outpatient_ratio: Ratio | None = None


class ScopeRules(Strict):
    """Layers that pay nothing for care outside the assisted scope (seeds/004: care at
    designated providers in the insured area, or referred elsewhere; unreferred is not covered)."""

    unreferred_out_of_area: list[Layer] = Field(default_factory=lambda: list(_ASSISTANCE_ONLY))
    non_designated_provider: list[Layer] = Field(default_factory=lambda: list(_ASSISTANCE_ONLY))


class AssistancePolicy(SectionVersion):
    section: ClassVar[str] = "assistance"
    categories: list[Category] = Field(min_length=1)
    basic: dict[CareKind, LayerParameters] = Field(default_factory=dict)
    critical_illness: CriticalIllnessParameters | None = None
    critical_illness_tilt: CriticalIllnessTilt | None = None
    classes: list[AssistanceClass] = Field(default_factory=list)
    inpatient_chronic_annual_cap: NonNegativeMoney | None = None
    general_outpatient_annual_cap: NonNegativeMoney | None = None
    general_outpatient_ratio: Ratio | None = None
    high_cost_self_pay_threshold: NonNegativeMoney | None = Field(
        default=None, description="year-to-date self-pay above which a high-cost alert is raised"
    )
    scope: ScopeRules = Field(default_factory=ScopeRules)
    year_reset: Literal["calendar", "insurance_year"] = Field(
        default="calendar",
        description="when the year-to-date counters start again: 1 January, or the insurance "
        "year's first month",
    )
    insurance_year_start_month: int = Field(default=1, ge=1, le=12)

    @model_validator(mode="after")
    def _check(self) -> AssistancePolicy:
        codes = [c.code for c in self.categories]
        if len(set(codes)) != len(codes):
            raise ValueError("category codes must be unique")
        known = {c.recipient_class for c in self.categories}
        for cls in self.classes:
            if cls.recipient_class not in known:
                raise ValueError(f"classes: no category has class {cls.recipient_class}")
        numbers = [c.recipient_class for c in self.classes]
        if len(set(numbers)) != len(numbers):
            raise ValueError("classes: each recipient class once")
        if self.critical_illness_tilt and not set(self.critical_illness_tilt.classes) <= known:
            raise ValueError("critical_illness_tilt: names a class no category has")
        if self.year_reset == "calendar" and self.insurance_year_start_month != 1:
            raise ValueError("insurance_year_start_month needs year_reset: insurance_year")
        return self

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def assistance_class(self, recipient_class: int) -> AssistanceClass | None:
        return next((c for c in self.classes if c.recipient_class == recipient_class), None)
