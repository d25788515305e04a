"""Commands about family care (亲情照护) and satisfaction ratings (满意度评价)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ltci_shared.ids import ResidentIdStr

PERIOD = r"^[12]\d{3}-(0[1-9]|1[0-2])$"  # a month of the years 1000-2999 (no year 0)
CODE = r"^[a-z0-9_]{2,40}$"
Relationship = Literal[
    "spouse", "child", "child_in_law", "grandchild", "sibling", "other_relative", "other"
]


def _cmd(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra={"examples": list(examples)},
    )


class _Training(BaseModel):
    trained_on: date
    valid_until: date

    @model_validator(mode="after")
    def _ordered(self) -> _Training:
        if self.valid_until < self.trained_on:
            raise ValueError("valid_until is before trained_on")
        return self


class RegisterFamilyCaregiver(_Training):
    """Register a family caregiver (亲情照护人) for one person after the required training.

    The resident ID is stored encrypted, looked up by keyed hash and only ever shown masked."""

    model_config = _cmd(
        {
            "person_id": "0193a4c2-0000-7000-8000-000000000001",
            "resident_id": "11010519491231002X",
            "name": "王家属",
            "relationship": "child",
            "training_certificate_no": "QQ-2026-0007",
            "trained_on": "2026-01-15",
            "valid_until": "2027-01-14",
        }
    )
    person_id: str = Field(min_length=1, max_length=64)
    resident_id: ResidentIdStr = Field(description="居民身份证号码, 18 characters (GB 11643)")
    name: str = Field(min_length=1, max_length=100)
    relationship: Relationship
    training_certificate_no: str = Field(min_length=1, max_length=60, description="培训合格证")


class RenewFamilyTraining(_Training):
    """Record a renewed training of a family caregiver."""

    model_config = _cmd(
        {
            "training_certificate_no": "QQ-2027-0031",
            "trained_on": "2027-01-10",
            "valid_until": "2028-01-09",
        }
    )
    training_certificate_no: str = Field(min_length=1, max_length=60)


class CertifyFamilyCare(BaseModel):
    """Certify that family care was given during a month that is over (月度照护确认).

    ``care_days`` defaults to every day the plan covered (outside stays and the caregiver's
    training validity); a smaller number certifies only those days."""

    model_config = _cmd(
        {
            "period": "2026-02",
            "confirmation": "supervisor_visit",
            "certified_by": "provider:kangning/u-3",
            "note": "home visit on 2026-02-26, family and caregiver present",
        }
    )
    period: str = Field(pattern=PERIOD, description="YYYY-MM")
    care_days: int | None = Field(default=None, ge=1, le=31)
    confirmation: Literal["supervisor_visit", "family_signature", "phone_callback"]
    certified_by: str = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=1000)


class RateService(BaseModel):
    """A family's satisfaction rating (1 to 5) of one visit, or of a provider for a month;
    a ``complaint_code`` makes it a complaint as well."""

    model_config = _cmd(
        {"visit_id": "0193a4c2-0000-7000-8000-0000000000e1", "score": 5, "rated_by": "family:wang"},
        {
            "person_id": "0193a4c2-0000-7000-8000-000000000001",
            "provider_id": "0193a4c2-7b1e-7c4e-9f0a-1b2c3d4e5f60",
            "period": "2026-02",
            "score": 2,
            "complaint_code": "late_arrival",
            "comment": "caregiver often 30 minutes late",
            "rated_by": "family:wang",
        },
    )
    visit_id: str | None = Field(default=None, min_length=1, max_length=64)
    person_id: str | None = Field(default=None, min_length=1, max_length=64)
    provider_id: str | None = Field(default=None, min_length=1, max_length=64)
    period: str | None = Field(default=None, pattern=PERIOD)
    score: int = Field(ge=1, le=5)
    complaint_code: str | None = Field(default=None, pattern=CODE)
    comment: str | None = Field(default=None, max_length=1000)
    rated_by: str = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _scope(self) -> RateService:
        monthly = (self.person_id, self.provider_id, self.period)
        if self.visit_id is not None and any(v is not None for v in monthly):
            raise ValueError("rate either a visit (visit_id) or a month (person, provider, period)")
        if self.visit_id is None and any(v is None for v in monthly):
            raise ValueError("a monthly rating names person_id, provider_id and period")
        return self
