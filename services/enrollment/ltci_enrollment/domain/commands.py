"""Commands of the enrollment service (imperative, immutable, unknown fields refused)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ltci_shared.ids import ResidentIdStr
from ltci_shared.money import PositiveMoney

Scheme = Literal["employee", "resident"]
RegionCode = Annotated[
    str, Field(pattern=r"^\d{6}$", description="administrative division code (GB/T 2260)")
]
Phone = Annotated[
    str,
    Field(
        pattern=r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
        description="mainland mobile (11 digits) or landline with area code",
    ),
]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Text100 = Annotated[str, Field(min_length=1, max_length=100)]


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class _Location(_Command):
    @model_validator(mode="after")
    def _both_or_neither(self) -> _Location:
        lat, lon = getattr(self, "home_latitude", None), getattr(self, "home_longitude", None)
        if (lat is None) != (lon is None):
            raise ValueError("give home_latitude and home_longitude together")
        return self


class EnrollPerson(_Location):
    """Enroll an insured person: master data and the first membership period."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "resident_id": "11010519491231002X",
                    "name": "张三",
                    "birth_date": "1949-12-31",
                    "sex": "F",
                    "phone": "13812345678",
                    "region_code": "320902",
                    "address": "盐城市亭湖区解放南路1号",
                    "home_latitude": 33.3479,
                    "home_longitude": 120.1636,
                    "contact_name": "张小三",
                    "contact_phone": "13912345678",
                    "scheme": "resident",
                    "valid_from": "2026-01-01",
                }
            ]
        }
    )

    resident_id: ResidentIdStr = Field(description="居民身份证号码, 18 characters (GB 11643)")
    name: Text100
    birth_date: date | None = Field(
        default=None, description="optional; if given it must match the resident ID"
    )
    sex: Literal["M", "F"] | None = Field(
        default=None, description="optional; if given it must match the resident ID"
    )
    phone: Phone | None = None
    region_code: RegionCode
    address: str | None = Field(default=None, max_length=300)
    home_latitude: Latitude | None = None
    home_longitude: Longitude | None = None
    contact_name: Text100 | None = None
    contact_phone: Phone | None = None
    scheme: Scheme = Field(description="职工医保 (employee) or 居民医保 (resident)")
    valid_from: date


class UpdatePerson(_Location):
    """Change master data; every change is a new version with who, when and why."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "address": "盐城市盐都区世纪大道8号",
                    "home_latitude": 33.3380,
                    "home_longitude": 120.1020,
                    "region_code": "320903",
                    "reason": "moved house (family report 2026-11-20)",
                }
            ]
        }
    )

    name: Text100 | None = None
    phone: Phone | None = None
    region_code: RegionCode | None = None
    address: str | None = Field(default=None, max_length=300)
    home_latitude: Latitude | None = None
    home_longitude: Longitude | None = None
    contact_name: Text100 | None = None
    contact_phone: Phone | None = None
    reason: str = Field(min_length=1, max_length=300)


class ChangeMembership(_Command):
    """Start, change scheme, move region or end a membership period."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"action": "change_scheme", "effective_on": "2026-07-01", "scheme": "employee"},
                {"action": "move_region", "effective_on": "2026-09-01", "region_code": "320400"},
                {"action": "end", "effective_on": "2026-10-31", "end_reason": "moved_away"},
                {
                    "action": "start",
                    "effective_on": "2027-01-01",
                    "scheme": "resident",
                    "region_code": "320902",
                },
            ]
        }
    )

    action: Literal["start", "change_scheme", "move_region", "end"]
    effective_on: date = Field(
        description="first day of the new period; for 'end' the last insured day"
    )
    scheme: Scheme | None = None
    region_code: RegionCode | None = None
    end_reason: Literal["moved_away", "other"] | None = Field(
        default=None, description="for 'end' (a death is recorded with POST /persons/{id}/death)"
    )

    @model_validator(mode="after")
    def _fields_for_action(self) -> ChangeMembership:
        needs = {
            "start": ("scheme", "region_code"),
            "change_scheme": ("scheme",),
            "move_region": ("region_code",),
            "end": ("end_reason",),
        }[self.action]
        if missing := [f for f in needs if getattr(self, f) is None]:
            raise ValueError(f"action {self.action} needs {', '.join(missing)}")
        return self


class RecordDeath(_Command):
    model_config = ConfigDict(json_schema_extra={"examples": [{"died_on": "2026-11-02"}]})

    died_on: date


class AssignCategory(_Command):
    """Assign a medical-assistance category decided by civil affairs (or another source)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "category": "dibao",
                    "valid_from": "2026-01-01",
                    "valid_until": "2026-12-31",
                    "source": "常州市民政局 2026年1月低保名单",
                }
            ]
        }
    )

    category: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    valid_from: date
    valid_until: date | None = None
    source: str = Field(min_length=1, max_length=200, description="the decision and its issuer")

    @model_validator(mode="after")
    def _ordered(self) -> AssignCategory:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


class RevokeCategory(_Command):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"revoked_on": "2026-06-01", "reason": "收入超标"}]}
    )

    revoked_on: date
    reason: str = Field(min_length=1, max_length=200)


class StartCollectionRun(_Command):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"region_code": "320900", "year": 2026}]}
    )

    region_code: RegionCode
    year: int = Field(ge=2000, le=2100)


class RecordReceipt(_Command):
    """Money received against one charge (an individual's premium, one transfer...)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "charge_id": "8f0d6c55-5a8e-4f0e-9c66-0d7c0c6a2b11",
                    "amount": "30.00",
                    "received_on": "2026-01-15",
                    "reference": "TAX-2026-000123",
                }
            ]
        }
    )

    charge_id: str = Field(min_length=1, max_length=36)
    amount: PositiveMoney
    received_on: date
    reference: str = Field(min_length=1, max_length=100, description="unique receipt reference")


class SettlePayer(_Command):
    """One transfer paying every outstanding charge of a payer in a region and year."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "region_code": "320900",
                    "year": 2026,
                    "payer": "fiscal",
                    "received_on": "2026-03-31",
                    "reference": "CZ-2026-Q1-LTC",
                }
            ]
        }
    )

    region_code: RegionCode
    year: int = Field(ge=2000, le=2100)
    payer: Literal["employer", "fiscal", "basic_medical_fund", "assistance_subsidy"]
    received_on: date
    reference: str = Field(min_length=1, max_length=90)


class RecordDonation(_Command):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "region_code": "320900",
                    "fund": "resident_ltc",
                    "year": 2026,
                    "amount": "100000.00",
                    "received_on": "2026-05-20",
                    "reference": "DON-2026-001",
                }
            ]
        }
    )

    region_code: RegionCode
    fund: Literal["employee_ltc", "resident_ltc", "medical_assistance"]
    year: int = Field(ge=2000, le=2100)
    amount: PositiveMoney
    received_on: date
    reference: str = Field(min_length=1, max_length=100)
