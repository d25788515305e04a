"""Policy section ``assistance``: medical-assistance recipient categories and the one-stop
settlement layers (basic insurance, critical-illness insurance, assistance by class)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from ltci_shared.money import NonNegativeMoney
from ltci_shared.policy.base import Ratio, SectionVersion, Strict

CareKind = Literal["inpatient", "chronic_outpatient", "general_outpatient"]


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


class CriticalIllnessTilt(Strict):
    """Critical-illness insurance tilted for the poorest classes (deductible halved, +5 points)."""

    classes: list[int] = Field(min_length=1)
    deductible_factor: Ratio
    ratio_bonus: Ratio
    no_cap: bool = True


class AssistanceClass(Strict):
    recipient_class: int = Field(ge=1, le=9)
    deductible: NonNegativeMoney
    ratio: Ratio


class AssistancePolicy(SectionVersion):
    section: ClassVar[str] = "assistance"
    categories: list[Category] = Field(min_length=1)
    basic: dict[CareKind, LayerParameters] = Field(default_factory=dict)
    critical_illness: LayerParameters | None = None
    critical_illness_tilt: CriticalIllnessTilt | None = None
    classes: list[AssistanceClass] = Field(default_factory=list)
    inpatient_chronic_annual_cap: NonNegativeMoney | None = None
    general_outpatient_annual_cap: NonNegativeMoney | None = None
    general_outpatient_ratio: Ratio | None = None
    high_cost_self_pay_threshold: NonNegativeMoney | None = None
    year_reset: Literal["calendar"] = "calendar"

    @model_validator(mode="after")
    def _check(self) -> AssistancePolicy:
        codes = [c.code for c in self.categories]
        if len(set(codes)) != len(codes):
            raise ValueError("category codes must be unique")
        known = {c.recipient_class for c in self.categories}
        for cls in self.classes:
            if cls.recipient_class not in known:
                raise ValueError(f"classes: no category has class {cls.recipient_class}")
        return self

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)
