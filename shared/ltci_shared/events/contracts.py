"""The platform's integration-event contracts, one class per event type and version.

Changing a contract in a backward-incompatible way (removing or retyping a field, making a
new field required, dropping an enum value) fails ``shared/tests/events/test_compatibility.py``;
publish a new type or version instead. Regenerate the committed JSON Schemas with
``uv run python -m ltci_shared.events.schemas --write``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from ltci_shared.events.base import IntegrationEvent
from ltci_shared.money import Money, NonNegativeMoney, PositiveMoney

Id = str
RegionCode = str
Scheme = Literal["employee", "resident"]  # 职工医保 / 居民医保
Fund = Literal[
    "employee_ltc", "resident_ltc", "medical_assistance", "basic_medical", "critical_illness"
]
ServiceForm = Literal[
    "institutional",
    "home_visit",
    "home_self_care",
    "home_combined",
    "family_care",
    "medical_special_care",  # 医疗专护 in a hospital ward (Tengzhou)
]


# --- enrollment -------------------------------------------------------------------------


class _Enrollment(IntegrationEvent):
    producer: ClassVar[str] = "enrollment"


class PersonEnrolled(_Enrollment):
    """A person's membership period in basic (and so care) insurance began."""

    person_id: Id
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    scheme: Scheme
    valid_from: date
    birth_date: date
    sex: Literal["M", "F"]
    home_latitude: float | None = Field(default=None, ge=-90, le=90)
    home_longitude: float | None = Field(default=None, ge=-180, le=180)


class PersonUpdated(_Enrollment):
    """A person's master data changed (the fields other services use: region, home location)."""

    person_id: Id
    version: int = Field(ge=1)
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    home_latitude: float | None = Field(default=None, ge=-90, le=90)
    home_longitude: float | None = Field(default=None, ge=-180, le=180)
    changed_fields: list[str]
    died_on: date | None = None


class MembershipPeriod(BaseModel):
    """One period of membership in a basic-insurance scheme (and so in care insurance)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    scheme: Scheme
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    valid_from: date
    valid_until: date | None = None  # last insured day; None while open
    end_reason: Literal["death", "moved_away", "scheme_change", "region_move", "other"] | None = (
        None
    )


class MembershipChanged(_Enrollment):
    """A person's membership history changed; carries the whole history, oldest first."""

    person_id: Id
    change: Literal["started", "scheme_change", "region_move", "ended", "reopened"]
    effective_on: date
    periods: list[MembershipPeriod]


class EnrollmentEnded(_Enrollment):
    """A membership period ended (death, moving away, a scheme change)."""

    person_id: Id
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    scheme: Scheme
    ended_on: date
    reason: Literal["death", "moved_away", "scheme_change", "other"]


class ContributionPosted(_Enrollment):
    """Money collected into a fund, by payer (individual, employer, fiscal subsidy, ...)."""

    key_field: ClassVar[str] = "contribution_id"
    contribution_id: Id
    person_id: Id | None = None
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    fund: Fund
    payer: Literal[
        "individual", "employer", "fiscal", "basic_medical_fund", "donation", "assistance_subsidy"
    ]
    year: int = Field(ge=2000, le=2100)
    amount: Money
    posted_on: date


class AssistanceAssignment(BaseModel):
    """One medical-assistance category held by a person for a period."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    assignment_id: Id
    category: str
    recipient_class: int = Field(ge=1, description="1 is the highest (特困)")
    valid_from: date
    valid_until: date | None = None
    revoked_on: date | None = None


class AssistanceCategoryChanged(_Enrollment):
    """A person's medical-assistance recipient classes (特困, 低保, ...) changed.

    ``categories`` are those in force from ``valid_from``; ``assignments`` is the whole
    history; ``highest_category``/``highest_class`` is the one that applies (class 1 highest).
    """

    person_id: Id
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    categories: list[str]
    valid_from: date
    valid_until: date | None = None
    assignments: list[AssistanceAssignment] = Field(default_factory=list)
    highest_category: str | None = None
    highest_class: int | None = Field(default=None, ge=1)


# --- assessment -------------------------------------------------------------------------


class _Assessment(IntegrationEvent):
    producer: ClassVar[str] = "assessment"


class AssessmentCompleted(_Assessment):
    """A final disability grade (0-5) was decided for a person."""

    assessment_id: Id
    application_id: Id
    person_id: Id
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    instrument: Literal["national_2021", "barthel"]
    grade: int = Field(ge=0, le=5)
    assessed_on: date
    policy_version: str
    fee: NonNegativeMoney
    fee_fund_share: NonNegativeMoney


class EligibilityGranted(_Assessment):
    """A person is eligible for benefits at a grade within a window."""

    eligibility_id: Id
    person_id: Id
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    grade: int = Field(ge=0, le=5)
    valid_from: date
    valid_until: date


class EligibilityRevoked(_Assessment):
    """An eligibility window ended early (review, death, end of enrollment)."""

    eligibility_id: Id
    person_id: Id
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    ended_on: date
    reason: Literal["review", "death", "enrollment_ended", "objection", "other"]


class EligibilityChanged(_Assessment):
    """An open eligibility window was re-graded or renewed by a later final assessment
    (a periodic review or a re-assessment): from ``effective_from`` the grade is ``grade``
    and the window runs until ``valid_until``."""

    eligibility_id: Id
    person_id: Id
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    grade: int = Field(ge=0, le=5)
    previous_grade: int = Field(ge=0, le=5)
    effective_from: date
    valid_until: date
    reason: Literal["review", "reassessment"]


# --- care-delivery ----------------------------------------------------------------------


class _CareDelivery(IntegrationEvent):
    producer: ClassVar[str] = "care-delivery"


class ServiceVisitLogged(_CareDelivery):
    """A visit was recorded and verified (or flagged with named exceptions)."""

    visit_id: Id
    provider_id: Id
    person_id: Id
    caregiver_id: Id
    plan_id: Id | None = None
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    service_form: ServiceForm
    service_date: date
    begin_at: datetime
    end_at: datetime
    items: list[str]
    verified: bool
    exceptions: list[str] = Field(default_factory=list)
    duration_minutes: int | None = Field(
        default=None, ge=0, description="0 when check-out is missing (end_at then equals begin_at)"
    )
    external_visit_id: str | None = None


class VisitCorrected(_CareDelivery):
    """A logged visit changed after review: exceptions resolved, or its record corrected.

    Carries the visit's whole state after the change; settlement replaces what it held and
    reverses anything it paid on the earlier state.
    """

    visit_id: Id
    provider_id: Id
    person_id: Id
    caregiver_id: Id
    plan_id: Id | None = None
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    service_form: ServiceForm
    service_date: date
    begin_at: datetime
    end_at: datetime
    duration_minutes: int = Field(ge=0)
    items: list[str]
    verified: bool
    exceptions: list[str] = Field(default_factory=list)
    reason_code: str
    corrected_at: datetime


class VisitVoided(_CareDelivery):
    """A previously logged visit was voided (settlement reverses what it paid)."""

    visit_id: Id
    provider_id: Id
    person_id: Id
    reason: str
    voided_at: datetime


class CarePlanActivated(_CareDelivery):
    """A care plan for an eligible person with a provider became active."""

    plan_id: Id
    person_id: Id
    provider_id: Id
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    service_form: ServiceForm
    package_code: str
    grade: int = Field(ge=0, le=5)
    starts_on: date
    ends_on: date | None = None


class CarePlanEnded(_CareDelivery):
    """A care plan ended (eligibility ended, the provider left, or it was closed)."""

    plan_id: Id
    person_id: Id
    provider_id: Id
    service_form: ServiceForm
    ended_on: date
    reason: Literal[
        "eligibility_revoked", "enrollment_ended", "death", "provider_terminated", "closed"
    ]


class StayReported(_CareDelivery):
    """A hospital or institutional stay began or ended (home care pauses during it)."""

    stay_id: Id
    person_id: Id
    kind: Literal["hospital", "institution"]
    admitted_on: date
    discharged_on: date | None = None


class DeviceRentalChanged(_CareDelivery):
    """An assistive-device rental started, changed or ended."""

    rental_id: Id
    person_id: Id
    provider_id: Id
    device_code: str
    status: Literal["started", "changed", "ended"]
    starts_on: date
    ends_on: date | None = None
    daily_rate: NonNegativeMoney


class FamilyCareCertified(_CareDelivery):
    """A month of family care (亲情照护) under a family-care plan was certified as given.

    Settlement pays the flat family-care allowance on it: ``care_days`` of the month's
    ``days_in_period`` were certified (days outside the plan, in a hospital or institutional
    stay, or outside the family caregiver's training validity are never counted).
    """

    certification_id: Id
    plan_id: Id
    person_id: Id
    provider_id: Id
    family_caregiver_id: Id
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    period: str = Field(pattern=r"^\d{4}-\d{2}$")
    care_days: int = Field(ge=1, le=31)
    days_covered: int = Field(ge=1, le=31, description="days the plan could be paid this month")
    days_in_period: int = Field(ge=28, le=31)
    certified_at: datetime
    policy_version: str


class ScorecardIssued(_CareDelivery):
    """A provider's monthly scorecard (服务质量考核) was frozen with its score, 0-100 (a decimal
    string to two places, computed with the weights of the region's benefits pack). Issued once
    per provider and month; settlement releases the quality holdback by it. No personal data."""

    key_field: ClassVar[str] = "provider_id"
    provider_id: Id
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    period: str = Field(pattern=r"^\d{4}-\d{2}$")
    score: str = Field(pattern=r"^(100\.00|\d{1,2}\.\d{2})$", examples=["87.50"])
    policy_version: str
    issued_at: datetime


# --- settlement -------------------------------------------------------------------------


class _Settlement(IntegrationEvent):
    producer: ClassVar[str] = "settlement"


class LiabilityPosted(_Settlement):
    """A fund liability to a provider was posted to the ledger."""

    journal_entry_id: Id
    claim_id: Id
    provider_id: Id
    person_id: Id
    fund: Fund
    amount: Money
    period: str = Field(pattern=r"^\d{4}-\d{2}$")


class ClaimAdjudicated(_Settlement):
    """A provider's monthly claim was adjudicated."""

    key_field: ClassVar[str] = "provider_id"
    claim_id: Id
    provider_id: Id
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    period: str = Field(pattern=r"^\d{4}-\d{2}$")
    approved_total: NonNegativeMoney
    person_total: NonNegativeMoney
    line_count: int = Field(ge=0)


class StatementIssued(_Settlement):
    """A provider statement (what the fund owes for a period) was issued."""

    key_field: ClassVar[str] = "provider_id"
    statement_id: Id
    provider_id: Id
    period: str = Field(pattern=r"^\d{4}-\d{2}$")
    amount_payable: NonNegativeMoney


class PaymentRecorded(_Settlement):
    """The bank paid a provider an item of a payment batch (支付批次): the provider's payable
    in one fund for one month, moved from the fund's liabilities to its bank account."""

    key_field: ClassVar[str] = "provider_id"
    batch_id: Id
    item_id: Id
    provider_id: Id
    region_code: RegionCode = Field(pattern=r"^\d{6}$")
    period: str = Field(pattern=r"^\d{4}-\d{2}$")
    fund: Fund
    amount: PositiveMoney
    status: Literal["paid"]
    bank_reference: str | None = None
