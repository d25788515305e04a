"""Commands of the one-stop settlement (the request bodies): settle a bill, cancel it, register
a designated hospital, follow up a high-cost alert."""

from __future__ import annotations

from datetime import date
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ltci_shared.money import NonNegativeMoney, PositiveMoney
from ltci_shared.policy.assistance import CareKind

HospitalId = str
HOSPITAL_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$"
WORKED_EXAMPLE: dict[str, Any] = {
    "person_id": "6c1f7a8e-2b1d-4c55-9d0a-3f2e1b7c9a10",
    "hospital_id": "H320402001",
    "bill_id": "ZY2026-000123",
    "care_kind": "inpatient",
    "referred": False,
    "total": "100000.00",
    "in_policy": "90000.00",
    "out_of_policy": "10000.00",
    "service_from": "2026-03-02",
    "service_to": "2026-03-20",
}


class SettleBill(BaseModel):
    """A hospital's bill at discharge, settled in one call through all three layers."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"examples": [WORKED_EXAMPLE]}
    )

    person_id: str = Field(min_length=1, max_length=36, description="insured person (internal id)")
    hospital_id: HospitalId = Field(pattern=HOSPITAL_ID, description="the settling hospital")
    bill_id: str = Field(min_length=1, max_length=64, description="the hospital's bill number")
    care_kind: CareKind
    referred: bool = Field(default=False, description="referred (转诊) for out-of-area care")
    total: PositiveMoney
    in_policy: NonNegativeMoney = Field(description="in-policy (政策范围内) part of the bill")
    out_of_policy: NonNegativeMoney
    service_from: date
    service_to: date = Field(description="discharge (or visit) date; decides year and class")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.in_policy > self.total:
            raise ValueError("in_policy is above total")
        if self.in_policy + self.out_of_policy != self.total:
            raise ValueError("in_policy plus out_of_policy must equal total")
        if self.service_to < self.service_from:
            raise ValueError("service_to is before service_from")
        return self


class CancelSettlement(BaseModel):
    """Cancel (refund) a settlement: its postings are reversed and the counters restored."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "退费重结: bill corrected", "cancelled_on": "2026-03-25"}]
        },
    )

    reason: str = Field(min_length=1, max_length=500)
    cancelled_on: date | None = Field(default=None, description="defaults to today")


class RegisterHospital(BaseModel):
    """A medical institution settling one-stop bills, with its designation (定点) window."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "常州市第一人民医院",
                    "region_code": "320402",
                    "designated": True,
                    "designated_from": "2022-01-01",
                    "designated_until": None,
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=200)
    region_code: str = Field(pattern=r"^\d{6}$", description="city or county code")
    designated: bool
    designated_from: date | None = None
    designated_until: date | None = None

    @model_validator(mode="after")
    def _window(self) -> Self:
        start, end = self.designated_from, self.designated_until
        if start and end and end < start:
            raise ValueError("designated_until is before designated_from")
        return self


class FollowUpAlert(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"note": "街道已上门核实, 转因病致贫认定"}]},
    )

    note: str = Field(min_length=1, max_length=2000)
