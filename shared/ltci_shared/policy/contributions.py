"""Policy section ``contributions``: who pays what into which fund, per member per year."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from ltci_shared.money import NonNegativeMoney
from ltci_shared.policy.base import SectionVersion, Strict

Payer = Literal["individual", "employer", "fiscal", "basic_medical_fund", "donation"]
Fund = Literal["employee_ltc", "resident_ltc", "basic_medical"]


class ContributionLine(Strict):
    """One payer's yearly amount for one member, optionally only for an age band."""

    payer: Payer
    fund: Fund
    amount: NonNegativeMoney
    channel: Literal[
        "personal_account", "with_resident_premium", "payroll", "budget", "pooled_fund_transfer"
    ]
    age_from: int | None = Field(default=None, ge=0, le=150, description="age reached in the year")
    age_to: int | None = Field(default=None, ge=0, le=150, description="inclusive")

    def applies_to_age(self, age: int) -> bool:
        return (self.age_from is None or age >= self.age_from) and (
            self.age_to is None or age <= self.age_to
        )


class SchemeContributions(Strict):
    """Every payer line for one scheme; the resident basic-medical premium is a line too
    (payer individual, fund basic_medical, channel with_resident_premium)."""

    lines: list[ContributionLine] = Field(min_length=1)


class PremiumSubsidy(Strict):
    """Assistance recipients' individual shares paid by government (payer assistance_subsidy)."""

    categories: list[str] = Field(min_length=1)
    funds: list[Fund] = Field(
        min_length=1, description="funds whose individual lines the government pays instead"
    )


class ContributionPolicy(SectionVersion):
    section: ClassVar[str] = "contributions"
    employee: SchemeContributions | None = None
    resident: SchemeContributions | None = None
    premium_subsidy: PremiumSubsidy | None = None

    @model_validator(mode="after")
    def _check(self) -> ContributionPolicy:
        if self.employee is None and self.resident is None:
            raise ValueError("at least one scheme (employee, resident) must be given")
        for scheme, sc in (("employee", self.employee), ("resident", self.resident)):
            for i, line in enumerate(sc.lines if sc else []):
                if (
                    line.age_from is not None
                    and line.age_to is not None
                    and line.age_from > line.age_to
                ):
                    raise ValueError(f"{scheme}.lines.{i}: age_from is above age_to")
        return self

    def scheme(self, name: str) -> SchemeContributions | None:
        return self.employee if name == "employee" else self.resident
