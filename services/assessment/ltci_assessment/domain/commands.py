"""Commands of the assessment service (imperative, immutable request bodies with examples)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from ltci_assessment.domain.instruments import Instrument
from ltci_shared.uscc import UsccStr

Actor = Annotated[
    str, Field(min_length=1, max_length=100, description="who acts (staff or system id)")
]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]
RegionCode = Annotated[str, Field(pattern=r"^\d{6}$", description="administrative division code")]
ProviderId = Annotated[str, Field(min_length=1, max_length=64)]
Qualification = Literal["national_2021", "barthel", "expert_panel"]

NATIONAL_EXAMPLE_SCORES = {
    "eating": 5, "dressing": 0, "face_mouth_hygiene": 0, "bowel_control": 5,
    "bladder_control": 5, "toilet_use": 0, "level_walking": 0, "bed_chair_transfer": 5,
    "stairs": 0, "bathing": 0, "time_orientation": 2, "person_orientation": 3,
    "place_orientation": 2, "memory": 1, "vision": 3, "hearing": 3, "communication": 3,
}  # fmt: skip


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra={"examples": list(examples)},
    )


class SelfAssessment(BaseModel):
    """The applicant's self-assessment (自评): item scores (optional) and a statement."""

    model_config = _examples({"instrument": "national_2021", "scores": NATIONAL_EXAMPLE_SCORES})

    instrument: Instrument | None = None
    scores: dict[str, StrictInt] | None = Field(default=None, max_length=40)
    statement: str | None = Field(default=None, max_length=2000)


class SubmitApplication(BaseModel):
    """Apply for a disability assessment (失能评估申请)."""

    model_config = _examples(
        {
            "person_id": "6f1c2d4e-0000-4000-8000-000000000001",
            "applied_on": "2025-03-03",
            "disability_onset": "2024-06-01",
            "self_assessment": {"instrument": "national_2021", "scores": NATIONAL_EXAMPLE_SCORES},
            "actor": "clerk-17",
        }
    )

    person_id: str = Field(min_length=1, max_length=64)
    applied_on: date
    disability_onset: date = Field(description="when the disability began (失能发生日期)")
    self_assessment: SelfAssessment = Field(default_factory=SelfAssessment)
    actor: Actor


class Decide(BaseModel):
    """Accept, reject or withdraw an application; ``reason`` is kept in its history."""

    model_config = _examples({"actor": "clerk-17", "reason": "documents complete"})

    actor: Actor
    reason: Reason


class ScheduleAssessment(BaseModel):
    """Schedule the on-site assessment (or, after an objection, the expert panel's)."""

    model_config = _examples(
        {"actor": "clerk-17", "scheduled_on": "2025-03-05", "provider_ids": ["prov-42"]},
        {
            "actor": "clerk-17",
            "scheduled_on": "2025-03-05",
            "provider_ids": [],
            "assessor_ids": ["a-1", "a-2"],
        },
    )

    actor: Actor
    scheduled_on: date
    provider_ids: list[ProviderId] = Field(
        default_factory=list,
        max_length=20,
        description="the person's care providers: their employees are excluded (conflict)",
    )
    assessor_ids: list[str] | None = Field(
        default=None, max_length=5, description="assign these instead of drawing at random"
    )


class EvidenceRef(BaseModel):
    """A document or photo kept elsewhere, recorded by reference (证明材料)."""

    model_config = _examples(
        {
            "kind": "photo",
            "uri": "s3://ltci-evidence/2025/03/a1b2.jpg",
            "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "description": "bedroom, transfer aid",
        }
    )

    kind: Literal["document", "photo", "video", "other"]
    uri: str = Field(min_length=1, max_length=500)
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    description: str | None = Field(default=None, max_length=500)


class AddEvidence(EvidenceRef):
    model_config = _examples(
        {"actor": "clerk-17", "kind": "document", "uri": "dms://records/2025/0001.pdf"}
    )

    actor: Actor
    assessment_id: str | None = Field(default=None, max_length=36)


class RecordAssessment(BaseModel):
    """Item scores of an assessment by the assigned assessors; graded by the policy in force."""

    model_config = _examples(
        {
            "actor": "a-1",
            "assessed_on": "2025-03-10",
            "assessor_ids": ["a-1", "a-2"],
            "instrument": "national_2021",
            "scores": NATIONAL_EXAMPLE_SCORES,
            "evidence": [{"kind": "photo", "uri": "s3://ltci-evidence/2025/03/a1b2.jpg"}],
        }
    )

    actor: Actor
    assessed_on: date
    assessor_ids: list[str] = Field(min_length=1, max_length=5)
    instrument: Instrument | None = None
    scores: dict[str, StrictInt] = Field(max_length=40)
    evidence: list[EvidenceRef] = Field(default_factory=list, max_length=50)


class StartNotice(BaseModel):
    """Post the result publicly (公示) from ``starts_on``."""

    model_config = _examples({"actor": "clerk-17", "starts_on": "2025-03-12"})

    actor: Actor
    starts_on: date


class FileObjection(BaseModel):
    """An objection (异议) to the posted result, within the objection window."""

    model_config = _examples(
        {"filed_by": "applicant", "filed_on": "2025-03-14", "reason": "cognition under-scored"}
    )

    filed_by: Actor
    filed_on: date
    reason: Reason


class RegisterOrganisation(BaseModel):
    """An assessment organisation (评估机构) admitted for a region."""

    model_config = _examples(
        {
            "name": "盐城市康宁评估中心",
            "uscc": "52320900MJ1234567T",
            "region_code": "320900",
            "valid_from": "2024-01-01",
            "valid_until": "2026-12-31",
        }
    )

    name: str = Field(min_length=1, max_length=200)
    uscc: UsccStr | None = None
    region_code: RegionCode
    valid_from: date
    valid_until: date | None = None


class RegisterAssessor(BaseModel):
    """An assessor (评估员) with qualifications and validity; ``employer_provider_id`` names
    the care provider they also work for, if any (a conflict for that provider's clients)."""

    model_config = _examples(
        {
            "organisation_id": "0193a1b2-0000-7000-8000-000000000001",
            "name": "王医生",
            "region_code": "320902",
            "qualifications": ["national_2021", "expert_panel"],
            "valid_from": "2024-01-01",
            "valid_until": "2026-12-31",
            "employer_provider_id": None,
        }
    )

    organisation_id: str = Field(min_length=1, max_length=36)
    name: str = Field(min_length=1, max_length=100)
    region_code: RegionCode
    qualifications: list[Qualification] = Field(min_length=1, max_length=3)
    valid_from: date
    valid_until: date | None = None
    employer_provider_id: ProviderId | None = None
