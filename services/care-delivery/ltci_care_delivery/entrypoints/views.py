"""Response models of the care-delivery API (resident IDs only ever masked)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


def _view(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="ignore", json_schema_extra={"examples": list(examples)})


PID = "0193a4c2-7b1e-7c4e-9f0a-1b2c3d4e5f60"
PERSON = "0193a4c2-0000-7000-8000-000000000001"


class ProviderView(BaseModel):
    model_config = _view(
        {
            "provider_id": PID,
            "uscc": "91320900MA1XY1234W",
            "name": "盐城市康宁护理院",
            "region_code": "320900",
            "kind": "elderly_care",
            "admission_route": "filing",
            "status": "active",
            "level": 4,
            "suspended_since": None,
            "terminated_on": None,
        }
    )
    provider_id: str
    uscc: str
    name: str
    region_code: str
    kind: str
    admission_route: str
    status: Literal["under_review", "rejected", "admitted", "active", "suspended", "terminated"]
    level: int | None
    suspended_since: date | None
    terminated_on: date | None


class AgreementView(BaseModel):
    model_config = _view(
        {
            "agreement_id": "0193a4c2-7b1e-7c4e-9f0a-1b2c3d4e5f61",
            "provider_id": PID,
            "agreement_no": "YC-LTC-2026-001",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
            "forms": ["home_visit"],
            "service_area": ["320902"],
        }
    )
    agreement_id: str
    provider_id: str
    agreement_no: str
    valid_from: date
    valid_until: date
    forms: list[str]
    service_area: list[str]


class EmploymentView(BaseModel):
    model_config = _view(
        {"provider_id": PID, "since": "2024-01-01", "until": None, "end_reason": None}
    )
    provider_id: str
    since: date
    until: date | None = None
    end_reason: str | None = None


class CaregiverView(BaseModel):
    model_config = _view(
        {
            "caregiver_id": "0193a4c2-0000-7000-8000-0000000000c1",
            "resident_id_masked": "110***********002X",
            "name": "李护理",
            "certificate_no": "HL-2024-0001",
            "certificate_valid_from": "2024-01-01",
            "certificate_valid_until": "2027-12-31",
            "star_level": 3,
            "provider_ids": [PID],
            "employments": [{"provider_id": PID, "since": "2024-01-01", "until": None}],
        }
    )
    caregiver_id: str
    resident_id_masked: str
    name: str
    certificate_no: str
    certificate_valid_from: date
    certificate_valid_until: date
    star_level: int | None
    provider_ids: list[str] = []  # the providers it works for now
    employments: list[EmploymentView] = []


class PlanView(BaseModel):
    model_config = _view(
        {
            "plan_id": "0193a4c2-0000-7000-8000-0000000000a1",
            "person_id": PERSON,
            "provider_id": PID,
            "service_form": "home_visit",
            "package_code": "YC-HV-STD",
            "grade": 4,
            "items": ["ADL01", "ADL02"],
            "visits_per_month": 20,
            "hours_per_month": 20,
            "min_minutes_per_visit": 30,
            "starts_on": "2026-02-01",
            "ends_on": "2027-01-31",
            "status": "active",
            "paused_since": None,
            "end_reason": None,
            "policy_version": "320900/benefits@2022-07-01",
            "family_caregiver_id": None,
        }
    )
    plan_id: str
    person_id: str
    provider_id: str
    service_form: str
    package_code: str
    grade: int
    items: list[str]
    visits_per_month: int | None
    hours_per_month: int | None
    min_minutes_per_visit: int | None
    starts_on: date
    ends_on: date | None
    status: Literal["active", "paused", "ended"]
    paused_since: date | None
    end_reason: str | None
    policy_version: str
    family_caregiver_id: str | None = None


class StayView(BaseModel):
    model_config = _view(
        {
            "stay_id": "0193a4c2-0000-7000-8000-0000000000b1",
            "person_id": PERSON,
            "kind": "hospital",
            "facility": "盐城市第一人民医院",
            "admitted_on": "2026-03-10",
            "discharged_on": None,
        }
    )
    stay_id: str
    person_id: str
    kind: str
    facility: str | None
    admitted_on: date
    discharged_on: date | None


class RentalView(BaseModel):
    model_config = _view(
        {
            "rental_id": "0193a4c2-0000-7000-8000-0000000000d1",
            "person_id": PERSON,
            "provider_id": PID,
            "device_code": "DEV-BED-E",
            "category": "bed",
            "daily_rate": "11.00",
            "starts_on": "2026-02-01",
            "ends_on": None,
            "status": "active",
        }
    )
    rental_id: str
    person_id: str
    provider_id: str
    device_code: str
    category: str
    daily_rate: str
    starts_on: date
    ends_on: date | None
    status: Literal["active", "ended"]


VisitStatus = Literal["verified", "pending", "refused", "rejected", "voided"]


VISIT_EXAMPLE: dict[str, Any] = {
    "visit_id": "0193a4c2-0000-7000-8000-0000000000e1",
    "provider_id": PID,
    "external_id": "HIS-2026-000123",
    "person_id": PERSON,
    "caregiver_id": "0193a4c2-0000-7000-8000-0000000000c1",
    "plan_id": "0193a4c2-0000-7000-8000-0000000000a1",
    "service_form": "home_visit",
    "service_date": "2026-03-02",
    "begin_at": "2026-03-02T01:00:00Z",
    "end_at": "2026-03-02T02:05:00Z",
    "duration_minutes": 65,
    "items": ["ADL01", "ADL02"],
    "distance_meters": 12,
    "status": "pending",
    "exceptions": ["face_match_low"],
    "policy_version": "320900/benefits@2022-07-01",
}


class VisitView(BaseModel):
    model_config = _view(VISIT_EXAMPLE)
    visit_id: str
    provider_id: str
    external_id: str
    person_id: str
    caregiver_id: str
    plan_id: str | None
    service_form: str
    service_date: date
    begin_at: datetime
    end_at: datetime | None
    duration_minutes: int
    items: list[str]
    distance_meters: int | None
    status: VisitStatus
    exceptions: list[str]
    policy_version: str


class VisitOutcome(BaseModel):
    model_config = _view({"outcome": "accepted", "visit": VISIT_EXAMPLE})
    outcome: Literal["accepted", "duplicate"]
    visit: VisitView


class ItemError(BaseModel):
    code: str
    message: str
    loc: list[str | int] | None = None


class BatchItem(BaseModel):
    index: int
    external_id: str | None
    outcome: Literal["accepted", "duplicate", "rejected"]
    visit_id: str | None = None
    status: VisitStatus | None = None
    exceptions: list[str] = []
    errors: list[ItemError] = []


class BatchResult(BaseModel):
    model_config = _view(
        {
            "accepted": 1,
            "duplicates": 0,
            "rejected": 1,
            "items": [
                {
                    "index": 0,
                    "external_id": "HIS-2026-000123",
                    "outcome": "accepted",
                    "visit_id": "0193a4c2-0000-7000-8000-0000000000e1",
                    "status": "verified",
                    "exceptions": [],
                    "errors": [],
                },
                {
                    "index": 1,
                    "external_id": "HIS-2026-000124",
                    "outcome": "rejected",
                    "errors": [
                        {"code": "unknown_caregiver", "message": "no caregiver with this id"}
                    ],
                },
            ],
        }
    )
    accepted: int
    duplicates: int
    rejected: int
    items: list[BatchItem]


class ExceptionView(BaseModel):
    model_config = _view(
        {
            "exception_id": "0193a4c2-0000-7000-8000-0000000000f1",
            "visit_id": "0193a4c2-0000-7000-8000-0000000000e1",
            "provider_id": PID,
            "code": "face_match_low",
            "refused": False,
            "status": "open",
            "resolution_code": None,
            "resolved_by": None,
            "resolved_at": None,
            "created_at": "2026-03-02T02:06:00Z",
        }
    )
    exception_id: str
    visit_id: str
    provider_id: str
    code: str
    refused: bool
    status: Literal["open", "accepted", "rejected", "superseded"]
    resolution_code: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    created_at: datetime
    external_id: str | None = None
    person_id: str | None = None
    service_date: date | None = None
    visit_status: VisitStatus | None = None


class ResolutionOutcome(BaseModel):
    exception_id: str
    outcome: Literal["resolved", "already_resolved", "not_overridable", "not_found"]
    visit_status: VisitStatus | None = None


class ResolutionBatchResult(BaseModel):
    model_config = _view(
        {
            "resolved": 1,
            "unresolved": 1,
            "items": [
                {
                    "exception_id": "0193a4c2-0000-7000-8000-0000000000f1",
                    "outcome": "resolved",
                    "visit_status": "verified",
                },
                {"exception_id": "0193a4c2-0000-7000-8000-0000000000f2", "outcome": "not_found"},
            ],
        }
    )
    resolved: int
    unresolved: int
    items: list[ResolutionOutcome]


class AuditView(BaseModel):
    audit_id: str
    visit_id: str
    actor: str
    action: str
    reason_code: str
    note: str | None
    before: dict[str, Any]
    after: dict[str, Any]
    at: datetime


class VisitDetail(VisitView):
    exception_queue: list[ExceptionView]
    audit: list[AuditView]


def dump(model: type[BaseModel], row: dict[str, Any]) -> dict[str, Any]:
    return model.model_validate(row).model_dump(mode="json")
