"""Response models for family care, ratings, scorecards and dashboard figures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


def _view(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="ignore", json_schema_extra={"examples": list(examples)})


PID = "0193a4c2-7b1e-7c4e-9f0a-1b2c3d4e5f60"
PERSON = "0193a4c2-0000-7000-8000-000000000001"
FAMILY = "0193a4c2-0000-7000-8000-0000000000f7"


class FamilyCaregiverView(BaseModel):
    model_config = _view(
        {
            "family_caregiver_id": FAMILY,
            "person_id": PERSON,
            "resident_id_masked": "110***********002X",
            "name": "王家属",
            "relationship": "child",
            "training_certificate_no": "QQ-2026-0007",
            "trained_on": "2026-01-15",
            "valid_until": "2027-01-14",
            "status": "active",
        }
    )
    family_caregiver_id: str
    person_id: str
    resident_id_masked: str
    name: str
    relationship: str
    training_certificate_no: str
    trained_on: date
    valid_until: date
    status: Literal["active"]


class CertificationView(BaseModel):
    model_config = _view(
        {
            "certification_id": "0193a4c2-0000-7000-8000-0000000000c9",
            "plan_id": "0193a4c2-0000-7000-8000-0000000000a1",
            "person_id": PERSON,
            "provider_id": PID,
            "family_caregiver_id": FAMILY,
            "region_code": "320902",
            "period": "2026-02",
            "care_days": 28,
            "days_covered": 28,
            "confirmation": "supervisor_visit",
            "certified_by": "provider:kangning/u-3",
            "note": None,
            "policy_version": "320900/benefits@2022-07-01",
            "certified_at": "2026-03-01T02:00:00Z",
        }
    )
    certification_id: str
    plan_id: str
    person_id: str
    provider_id: str
    family_caregiver_id: str
    region_code: str
    period: str
    care_days: int
    days_covered: int
    confirmation: str
    certified_by: str
    note: str | None
    policy_version: str
    certified_at: datetime


class RatingView(BaseModel):
    model_config = _view(
        {
            "rating_id": "0193a4c2-0000-7000-8000-0000000000d9",
            "provider_id": PID,
            "person_id": PERSON,
            "visit_id": None,
            "period": "2026-02",
            "score": 2,
            "complaint_code": "late_arrival",
            "comment": "caregiver often 30 minutes late",
            "rated_by": "family:wang",
            "created_at": "2026-03-01T02:00:00Z",
        }
    )
    rating_id: str
    provider_id: str
    person_id: str
    visit_id: str | None
    period: str
    score: int
    complaint_code: str | None
    comment: str | None
    rated_by: str
    created_at: datetime


SCORECARD_EXAMPLE: dict[str, Any] = {
    "provider_id": PID,
    "period": "2026-02",
    "visits": 1250,
    "verified": 1190,
    "pending": 22,
    "refused": 18,
    "rejected": 12,
    "voided": 8,
    "persons_served": 61,
    "caregivers_active": 14,
    "flagged_visits": 60,
    "exception_rate": "0.0480",
    "on_time_rate": "0.9920",
    "open_exceptions": 22,
    "exceptions_by_code": {"face_match_low": 31, "late_submission": 10, "outside_fence": 19},
    "ratings": 40,
    "average_score": "4.53",
    "complaints": 2,
    "complaint_rate": "0.0500",
}


class Scorecard(BaseModel):
    """A provider's month (服务质量评分卡): visits by status, exceptions, ratings, complaints.
    Rates are decimals (strings) to four places, null when there is nothing to divide by."""

    model_config = _view(SCORECARD_EXAMPLE)
    provider_id: str
    period: str
    visits: int
    verified: int
    pending: int
    refused: int
    rejected: int
    voided: int
    persons_served: int
    caregivers_active: int
    flagged_visits: int
    exception_rate: Decimal | None
    on_time_rate: Decimal | None
    open_exceptions: int
    exceptions_by_code: dict[str, int]
    ratings: int
    average_score: Decimal | None
    complaints: int
    complaint_rate: Decimal | None


class ScorecardPage(BaseModel):
    model_config = _view({"period": "2026-02", "items": [SCORECARD_EXAMPLE], "next_cursor": None})
    period: str
    items: list[Scorecard]
    next_cursor: str | None = None


class IssuedScorecard(BaseModel):
    """A provider's month frozen with its score (服务质量考核), 0-100 to two places: 100 × the
    weighted mean of the card's rates (verified, on time, exception-free, satisfaction as the
    average rating ÷ 5, complaint-free) with the weights of the region's benefits pack."""

    model_config = _view(
        {
            "provider_id": PID,
            "region_code": "320900",
            "period": "2026-02",
            "score": "94.53",
            "weights": {
                "verified_rate": "0.30",
                "on_time_rate": "0.15",
                "exception_free_rate": "0.20",
                "satisfaction": "0.25",
                "complaint_free_rate": "0.10",
            },
            "policy_version": "320900/benefits@2022-07-01",
            "issued_at": "2026-03-03T02:00:00Z",
            "card": SCORECARD_EXAMPLE,
        }
    )
    provider_id: str
    region_code: str
    period: str
    score: str
    weights: dict[str, Decimal]
    policy_version: str
    issued_at: datetime
    card: Scorecard


class DayFigures(BaseModel):
    date: date
    visits: int
    verified: int
    pending: int
    refused: int
    rejected: int
    voided: int
    flagged_visits: int
    exception_rate: Decimal | None


class VisitsPerDay(BaseModel):
    """Visits logged per service date, with the share that raised an exception on arrival."""

    model_config = _view(
        {
            "region_code": "320900",
            "date_from": "2026-03-01",
            "date_to": "2026-03-01",
            "items": [
                {
                    "date": "2026-03-01",
                    "visits": 410,
                    "verified": 388,
                    "pending": 12,
                    "refused": 6,
                    "rejected": 3,
                    "voided": 1,
                    "flagged_visits": 22,
                    "exception_rate": "0.0537",
                }
            ],
        }
    )
    region_code: str | None
    date_from: date
    date_to: date
    items: list[DayFigures]


class QueueCount(BaseModel):
    code: str
    refused: bool
    open: int


class ExceptionQueueCounts(BaseModel):
    """Open exceptions by exception name (the queue reviewers work through)."""

    model_config = _view(
        {
            "region_code": "320900",
            "provider_id": None,
            "total_open": 37,
            "by_code": [
                {"code": "face_match_low", "refused": False, "open": 21},
                {"code": "monthly_quota_exceeded", "refused": True, "open": 16},
            ],
        }
    )
    region_code: str | None
    provider_id: str | None
    total_open: int
    by_code: list[QueueCount]


def dump(model: type[BaseModel], row: dict[str, Any]) -> dict[str, Any]:
    return model.model_validate(row).model_dump(mode="json")
