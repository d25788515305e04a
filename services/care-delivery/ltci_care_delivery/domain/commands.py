"""Commands for providers, caregivers, care plans, stays and device rentals (imperative, frozen)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ltci_shared.events.contracts import ServiceForm
from ltci_shared.ids import ResidentIdStr
from ltci_shared.uscc import UsccStr

Region = str
REGION = Field(pattern=r"^\d{6}$", description="administrative division code")
CODE = r"^[a-z0-9_]{2,40}$"


def _cmd(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra={"examples": list(examples)},
    )


class _Period(BaseModel):
    @model_validator(mode="after")
    def _ordered(self) -> _Period:
        start, end = getattr(self, "valid_from", None), getattr(self, "valid_until", None)
        if start is not None and end is not None and end < start:
            raise ValueError("valid_until is before valid_from")
        return self


class AdmitProvider(BaseModel):
    """Admit a provider (定点护理服务机构): by filing if already designated, else a capacity review."""

    model_config = _cmd(
        {
            "uscc": "91320900MA1XY1234W",
            "name": "盐城市康宁护理院",
            "region_code": "320900",
            "kind": "elderly_care",
            "admission_route": "filing",
        }
    )
    uscc: UsccStr = Field(description="统一社会信用代码")
    name: str = Field(min_length=1, max_length=200)
    region_code: Region = REGION
    kind: Literal["medical", "elderly_care", "home_care"]
    admission_route: Literal["filing", "capacity_review"]


class ReviewProvider(BaseModel):
    """Record the outcome of a capacity review (能力评估)."""

    model_config = _cmd({"decision": "approved", "reviewer": "tpa:pingan/u-12"})
    decision: Literal["approved", "rejected"]
    reviewer: str = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=1000)


class SignAgreement(_Period):
    """Sign a service agreement (服务协议): validity, the forms it covers and its service area."""

    model_config = _cmd(
        {
            "agreement_no": "YC-LTC-2026-001",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
            "forms": ["home_visit", "institutional"],
            "service_area": ["320902", "320903"],
        }
    )
    agreement_no: str = Field(min_length=1, max_length=60)
    valid_from: date
    valid_until: date
    forms: list[ServiceForm] = Field(min_length=1, max_length=5)
    service_area: list[str] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _codes(self) -> SignAgreement:
        if any(len(c) != 6 or not c.isascii() or not c.isdigit() for c in self.service_area):
            raise ValueError("service_area holds 6-digit division codes")
        return self


class GradeProvider(BaseModel):
    """Set the provider's grade (机构等级评定), 1 (lowest) to 5."""

    model_config = _cmd({"level": 4, "assessed_by": "tpa:pingan/u-12"})
    level: int = Field(ge=1, le=5)
    assessed_by: str = Field(min_length=1, max_length=100)


class ChangeProviderStatus(BaseModel):
    """Suspend, reinstate or terminate a provider from a date, with a reason code."""

    model_config = _cmd({"action": "suspend", "effective_on": "2026-03-01", "reason_code": "audit"})
    action: Literal["suspend", "reinstate", "terminate"]
    effective_on: date
    reason_code: str = Field(pattern=CODE)


class RegisterCaregiver(_Period):
    """Register a caregiver under real name (实名): the resident ID is stored protected."""

    model_config = _cmd(
        {
            "resident_id": "11010519491231002X",
            "name": "李护理",
            "certificate_no": "HL-2024-0001",
            "valid_from": "2024-01-01",
            "valid_until": "2027-12-31",
            "star_level": 3,
            "provider_ids": ["0193a4c2-7b1e-7c4e-9f0a-1b2c3d4e5f60"],
        }
    )
    resident_id: ResidentIdStr = Field(description="居民身份证号码, 18 characters (GB 11643)")
    name: str = Field(min_length=1, max_length=100)
    certificate_no: str = Field(min_length=1, max_length=60)
    valid_from: date
    valid_until: date
    star_level: int | None = Field(default=None, ge=1, le=5, description="护理员星级")
    provider_ids: list[str] = Field(min_length=1, max_length=20)


class AddEmployment(BaseModel):
    """Record that a caregiver (also) works for a provider."""

    model_config = _cmd({"provider_id": "0193a4c2-7b1e-7c4e-9f0a-1b2c3d4e5f60"})
    provider_id: str = Field(min_length=1, max_length=64)
    since: date | None = None


class UpdateCertification(_Period):
    """Renew a caregiver's certificate or change the star level."""

    model_config = _cmd(
        {
            "certificate_no": "HL-2027-0042",
            "valid_from": "2027-01-01",
            "valid_until": "2030-12-31",
            "star_level": 4,
        }
    )
    certificate_no: str = Field(min_length=1, max_length=60)
    valid_from: date
    valid_until: date
    star_level: int | None = Field(default=None, ge=1, le=5)


class CreateCarePlan(BaseModel):
    """Arrange care for an eligible person with a provider, from a policy package."""

    model_config = _cmd(
        {
            "person_id": "0193a4c2-0000-7000-8000-000000000001",
            "provider_id": "0193a4c2-7b1e-7c4e-9f0a-1b2c3d4e5f60",
            "service_form": "home_visit",
            "package_code": "YC-HV-STD",
            "starts_on": "2026-02-01",
        }
    )
    person_id: str = Field(min_length=1, max_length=64)
    provider_id: str = Field(min_length=1, max_length=64)
    service_form: ServiceForm
    package_code: str = Field(min_length=1, max_length=40)
    starts_on: date
    ends_on: date | None = None
    family_caregiver_id: str | None = Field(
        default=None, min_length=1, max_length=64, description="family_care plans only (亲情照护人)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> CreateCarePlan:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class EndCarePlan(BaseModel):
    model_config = _cmd({"ended_on": "2026-06-30"})
    ended_on: date


class ReportStay(BaseModel):
    """Report a hospital or institutional stay (admission, and discharge when known)."""

    model_config = _cmd(
        {
            "person_id": "0193a4c2-0000-7000-8000-000000000001",
            "kind": "hospital",
            "facility": "盐城市第一人民医院",
            "admitted_on": "2026-03-10",
        }
    )
    person_id: str = Field(min_length=1, max_length=64)
    kind: Literal["hospital", "institution"]
    facility: str | None = Field(default=None, max_length=200)
    admitted_on: date
    discharged_on: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ReportStay:
        if self.discharged_on is not None and self.discharged_on < self.admitted_on:
            raise ValueError("discharged_on is before admitted_on")
        return self


class DischargeStay(BaseModel):
    model_config = _cmd({"discharged_on": "2026-03-20"})
    discharged_on: date


class StartDeviceRental(BaseModel):
    """Rent an assistive device (辅具租赁) from the region's catalogue."""

    model_config = _cmd(
        {
            "person_id": "0193a4c2-0000-7000-8000-000000000001",
            "provider_id": "0193a4c2-7b1e-7c4e-9f0a-1b2c3d4e5f60",
            "device_code": "DEV-BED-E",
            "starts_on": "2026-02-01",
        }
    )
    person_id: str = Field(min_length=1, max_length=64)
    provider_id: str = Field(min_length=1, max_length=64)
    device_code: str = Field(min_length=1, max_length=40)
    starts_on: date


class EndDeviceRental(BaseModel):
    model_config = _cmd({"ends_on": "2026-06-30"})
    ends_on: date


class EndEmployment(BaseModel):
    """End a caregiver's work for one provider (last working day, with a reason code)."""

    model_config = _cmd({"until": "2026-06-30", "reason_code": "resigned"})
    until: date
    reason_code: str = Field(pattern=CODE)
