"""Read models the API returns (response bodies with OpenAPI examples)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from ltci_assessment.domain.commands import NATIONAL_EXAMPLE_SCORES
from ltci_shared.pagination import Page

APP_ID = "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"
PERSON_ID = "6f1c2d4e-0000-4000-8000-000000000001"
RESULT_EXAMPLE = {
    "instrument": "national_2021",
    "grade": 4,
    "grade_name": "severe II",
    "group_scores": {"adl": 20, "cognition": 8, "perception": 9},
    "group_levels": {"adl": 3, "cognition": 2, "perception": 1},
    "group_level_names": {"adl": "severe", "cognition": "moderate", "perception": "mild"},
    "matrix_cell": {"adl_level": 3, "worse_other_level": 2},
    "band": None,
    "policy_version": "320900/assessment@2022-07-01",
    "assumed": ["national_2021.cognition_bands"],
}


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class PeriodView(BaseModel):
    scheme: str
    region_code: str
    valid_from: date
    valid_until: date | None
    end_reason: str | None


class PersonView(BaseModel):
    """The assessment service's view of an insured person, built from enrollment's events."""

    model_config = _examples(
        {
            "person_id": PERSON_ID,
            "region_code": "320902",
            "scheme": "resident",
            "died_on": None,
            "periods": [
                {"scheme": "resident", "region_code": "320902", "valid_from": "2023-01-01",
                 "valid_until": None, "end_reason": None}
            ],
            "insured_on": "2025-03-03",
            "insured": True,
        }
    )  # fmt: skip

    person_id: str
    region_code: str
    scheme: str | None
    died_on: date | None
    periods: list[PeriodView]
    insured_on: date
    insured: bool


class OrganisationView(BaseModel):
    model_config = _examples(
        {
            "organisation_id": APP_ID,
            "name": "盐城市康宁评估中心",
            "uscc": "52320900MJ1234567T",
            "region_code": "320900",
            "valid_from": "2024-01-01",
            "valid_until": None,
        }
    )

    organisation_id: str
    name: str
    uscc: str | None
    region_code: str
    valid_from: date
    valid_until: date | None


class AssessorView(BaseModel):
    model_config = _examples(
        {
            "assessor_id": APP_ID,
            "organisation_id": APP_ID,
            "name": "王医生",
            "region_code": "320902",
            "qualifications": ["expert_panel", "national_2021"],
            "valid_from": "2024-01-01",
            "valid_until": "2026-12-31",
            "employer_provider_id": None,
        }
    )

    assessor_id: str
    organisation_id: str
    name: str
    region_code: str
    qualifications: list[str]
    valid_from: date
    valid_until: date | None
    employer_provider_id: str | None


class NoticeView(BaseModel):
    starts_on: date
    notice_until: date
    objection_until: date
    final_due_on: date


class ObjectionView(BaseModel):
    objection_id: str
    filed_on: date
    filed_by: str
    reason: str


class ApplicationView(BaseModel):
    """An application with where it stands, who assesses it and, once final, its outcome."""

    model_config = _examples(
        {
            "application_id": APP_ID,
            "person_id": PERSON_ID,
            "region_code": "320902",
            "kind": "initial",
            "eligibility_id": None,
            "status": "final",
            "round": "onsite",
            "applied_on": "2025-03-03",
            "disability_onset": "2024-06-01",
            "self_assessment": {"instrument": "national_2021", "scores": NATIONAL_EXAMPLE_SCORES},
            "provider_ids": ["prov-42"],
            "scheduled_on": "2025-03-05",
            "deadline": "2025-03-26",
            "assessors": {"onsite": ["a-1", "a-2"]},
            "notice": {
                "starts_on": "2025-03-12",
                "notice_until": "2025-03-18",
                "objection_until": "2025-03-18",
                "final_due_on": "2025-03-19",
            },
            "objections": [],
            "final_on": "2025-03-19",
            "grade": 4,
            "eligible": True,
            "deciding_assessment_id": APP_ID,
            "fee": "300.00",
            "fee_fund_share": "150.00",
            "policy_version": "320900/assessment@2022-07-01",
            "created_at": "2025-03-03T08:00:00Z",
            "updated_at": "2025-03-19T00:00:05Z",
        }
    )

    application_id: str
    person_id: str
    region_code: str
    kind: str
    eligibility_id: str | None
    status: str
    round: str | None
    applied_on: date
    disability_onset: date
    self_assessment: dict[str, Any]
    provider_ids: list[str]
    scheduled_on: date | None
    deadline: date | None
    assessors: dict[str, list[str]]
    notice: NoticeView | None
    objections: list[ObjectionView]
    final_on: date | None
    grade: int | None
    eligible: bool | None
    deciding_assessment_id: str | None
    fee: str | None
    fee_fund_share: str | None
    policy_version: str | None
    created_at: datetime
    updated_at: datetime


class TransitionView(BaseModel):
    model_config = _examples(
        {
            "transition_id": APP_ID,
            "from_status": "accepted",
            "to_status": "scheduled",
            "actor": "clerk-17",
            "reason": "on-site assessment scheduled",
            "details": {"assessor_ids": ["a-1", "a-2"], "pool_size": 9, "deadline": "2025-03-26"},
            "at": "2025-03-05T09:12:00Z",
        }
    )

    transition_id: str
    from_status: str | None
    to_status: str
    actor: str
    reason: str
    details: dict[str, Any] | None
    at: datetime


class AssessmentView(BaseModel):
    """A recorded assessment and its self-explaining result."""

    model_config = _examples(
        {
            "assessment_id": APP_ID,
            "application_id": APP_ID,
            "round": "onsite",
            "instrument": "national_2021",
            "assessed_on": "2025-03-10",
            "assessor_ids": ["a-1", "a-2"],
            "scores": NATIONAL_EXAMPLE_SCORES,
            "result": RESULT_EXAMPLE,
            "grade": 4,
            "policy_version": "320900/assessment@2022-07-01",
            "recorded_by": "a-1",
        }
    )

    assessment_id: str
    application_id: str
    round: str
    instrument: str
    assessed_on: date
    assessor_ids: list[str]
    scores: dict[str, int]
    result: dict[str, Any]
    grade: int
    policy_version: str
    recorded_by: str


class EvidenceView(BaseModel):
    model_config = _examples(
        {
            "evidence_id": APP_ID,
            "application_id": APP_ID,
            "assessment_id": None,
            "kind": "document",
            "uri": "dms://records/2025/0001.pdf",
            "sha256": None,
            "description": "discharge summary",
            "added_by": "clerk-17",
            "added_at": "2025-03-03T08:05:00Z",
        }
    )

    evidence_id: str
    application_id: str
    assessment_id: str | None
    kind: str
    uri: str
    sha256: str | None
    description: str | None
    added_by: str
    added_at: datetime


class EligibilityView(BaseModel):
    model_config = _examples(
        {
            "eligibility_id": APP_ID,
            "person_id": PERSON_ID,
            "region_code": "320902",
            "grade": 4,
            "valid_from": "2025-03-19",
            "valid_until": "2027-03-18",
            "ended_on": None,
            "end_reason": None,
            "application_id": APP_ID,
            "assessment_id": APP_ID,
        }
    )

    eligibility_id: str
    person_id: str
    region_code: str
    grade: int
    valid_from: date
    valid_until: date
    ended_on: date | None
    end_reason: str | None
    application_id: str
    assessment_id: str


class JobResult(BaseModel):
    """What a job run did; ``more`` says another run is needed for the rest."""

    model_config = _examples({"as_of": "2025-03-19", "application_ids": [APP_ID], "more": False})

    as_of: date
    application_ids: list[str]
    more: bool


ApplicationPage = Page[ApplicationView]
TransitionPage = Page[TransitionView]
EvidencePage = Page[EvidenceView]
OrganisationPage = Page[OrganisationView]
AssessorPage = Page[AssessorView]
EligibilityPage = Page[EligibilityView]
