"""The care-delivery service's tables (its own database; nobody else reads them).

Read models (``persons``, ``eligibilities``) are fed by other services' events; the rest is
owned here. Keep this file and ``migrations/versions/0002_care_delivery.py`` identical.
"""

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ltci_shared.db import new_metadata
from ltci_shared.idempotency import idempotency_table
from ltci_shared.messaging.tables import messaging_tables

metadata = new_metadata()
platform = messaging_tables(metadata)
idempotency = idempotency_table(metadata)

ID = 64  # our uuids, and other services' ids

persons = Table(
    "persons",
    metadata,
    Column("person_id", String(ID), primary_key=True),
    Column("region_code", String(6), nullable=False),
    Column("home_latitude", Float, nullable=True),
    Column("home_longitude", Float, nullable=True),
    Column("version", Integer, nullable=False),
    Column("died_on", Date, nullable=True),
    Column("enrollment_ended_on", Date, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

eligibilities = Table(
    "eligibilities",
    metadata,
    Column("eligibility_id", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False, index=True),
    Column("region_code", String(6), nullable=False),
    Column("grade", Integer, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("end_reason", String(40), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

providers = Table(
    "providers",
    metadata,
    Column("provider_id", String(ID), primary_key=True),
    Column("uscc", String(18), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("admission_route", String(20), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("level", Integer, nullable=True),
    Column("suspended_since", Date, nullable=True),
    Column("terminated_on", Date, nullable=True),
    Column("status_reason", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

agreements = Table(
    "agreements",
    metadata,
    Column("agreement_id", String(ID), primary_key=True),
    Column("provider_id", String(ID), ForeignKey("providers.provider_id"), nullable=False),
    Column("agreement_no", String(60), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("forms", JSON, nullable=False),
    Column("service_area", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_agreements_provider_id", "provider_id"),
)

caregivers = Table(
    "caregivers",
    metadata,
    Column("caregiver_id", String(ID), primary_key=True),
    Column("resident_id_hash", String(64), nullable=False, unique=True),
    Column("resident_id_encrypted", String(200), nullable=False),
    Column("resident_id_masked", String(18), nullable=False),
    Column("name", String(100), nullable=False),
    Column("certificate_no", String(60), nullable=False),
    Column("certificate_valid_from", Date, nullable=False),
    Column("certificate_valid_until", Date, nullable=False),
    Column("star_level", Integer, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

employments = Table(
    "caregiver_providers",
    metadata,
    Column("caregiver_id", String(ID), ForeignKey("caregivers.caregiver_id"), nullable=False),
    Column("provider_id", String(ID), ForeignKey("providers.provider_id"), nullable=False),
    Column("since", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("until", Date, nullable=True),  # last working day for the provider (0003)
    Column("end_reason", String(40), nullable=True),
    PrimaryKeyConstraint("caregiver_id", "provider_id"),
    Index("ix_caregiver_providers_provider_id", "provider_id"),
)

care_plans = Table(
    "care_plans",
    metadata,
    Column("plan_id", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False, index=True),
    Column("provider_id", String(ID), ForeignKey("providers.provider_id"), nullable=False),
    Column("eligibility_id", String(ID), nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("service_form", String(20), nullable=False),
    Column("package_code", String(40), nullable=False),
    Column("grade", Integer, nullable=False),
    Column("items", JSON, nullable=False),
    Column("visits_per_month", Integer, nullable=True),
    Column("hours_per_month", Integer, nullable=True),
    Column("min_minutes_per_visit", Integer, nullable=True),
    Column("quotas_by_grade", JSON, nullable=False),  # {"4": [visits, hours]}: for re-grading
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
    Column("status", String(20), nullable=False),
    Column("paused_since", Date, nullable=True),
    Column("end_reason", String(40), nullable=True),
    Column("policy_version", String(60), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("family_caregiver_id", String(ID), nullable=True),  # family_care plans (0003)
)

stays = Table(
    "stays",
    metadata,
    Column("stay_id", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("facility", String(200), nullable=True),
    Column("admitted_on", Date, nullable=False),
    Column("discharged_on", Date, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

device_rentals = Table(
    "device_rentals",
    metadata,
    Column("rental_id", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False, index=True),
    Column("provider_id", String(ID), ForeignKey("providers.provider_id"), nullable=False),
    Column("device_code", String(40), nullable=False),
    Column("category", String(40), nullable=False),
    Column("daily_rate", String(20), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
    Column("status", String(20), nullable=False),
    Column("policy_version", String(60), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

visits = Table(
    "visits",
    metadata,
    Column("visit_id", String(ID), primary_key=True),
    Column("provider_id", String(ID), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("person_id", String(ID), nullable=False),
    Column("caregiver_id", String(ID), nullable=False),
    Column("plan_id", String(ID), nullable=True),
    Column("region_code", String(6), nullable=False),
    Column("service_form", String(20), nullable=False),
    Column("service_date", Date, nullable=False),
    Column("service_month", String(7), nullable=False),
    Column("begin_at", DateTime(timezone=True), nullable=False),
    Column("end_at", DateTime(timezone=True), nullable=True),
    Column("duration_minutes", Integer, nullable=False),
    Column("items", JSON, nullable=False),
    Column("check_in", JSON, nullable=False),
    Column("check_out", JSON, nullable=True),
    Column("distance_meters", Integer, nullable=True),
    Column("status", String(20), nullable=False),
    Column("exceptions", JSON, nullable=False),
    Column("policy_version", String(60), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("provider_id", "external_id"),
    Index("ix_visits_caregiver_id_service_date", "caregiver_id", "service_date"),
    Index("ix_visits_plan_id_service_month", "plan_id", "service_month"),
    Index("ix_visits_person_id", "person_id"),
    Index("ix_visits_provider_id_service_month", "provider_id", "service_month"),
    Index("ix_visits_region_code_service_date", "region_code", "service_date"),
)

visit_exceptions = Table(
    "visit_exceptions",
    metadata,
    Column("exception_id", String(ID), primary_key=True),
    Column("visit_id", String(ID), ForeignKey("visits.visit_id"), nullable=False, index=True),
    Column("provider_id", String(ID), nullable=False),
    Column("code", String(40), nullable=False),
    Column("refused", Integer, nullable=False),  # 1: refused rule (cannot be overridden)
    Column("status", String(20), nullable=False),
    Column("resolution_code", String(40), nullable=True),
    Column("resolved_by", String(100), nullable=True),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_visit_exceptions_provider_id_status", "provider_id", "status"),
)

visit_audit = Table(
    "visit_audit",
    metadata,
    Column("audit_id", String(ID), primary_key=True),
    Column("visit_id", String(ID), ForeignKey("visits.visit_id"), nullable=False, index=True),
    Column("actor", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("reason_code", String(40), nullable=False),
    Column("note", Text, nullable=True),
    Column("before", JSON, nullable=False),
    Column("after", JSON, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# --- 0003: family care, ratings ------------------------------------------------------------

family_caregivers = Table(
    "family_caregivers",
    metadata,
    Column("family_caregiver_id", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False, index=True),
    Column("resident_id_hash", String(64), nullable=False),
    Column("resident_id_encrypted", String(200), nullable=False),
    Column("resident_id_masked", String(18), nullable=False),
    Column("name", String(100), nullable=False),
    Column("relationship", String(20), nullable=False),
    Column("training_certificate_no", String(60), nullable=False),
    Column("trained_on", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("person_id", "resident_id_hash"),
)

family_care_certifications = Table(
    "family_care_certifications",
    metadata,
    Column("certification_id", String(ID), primary_key=True),
    Column("plan_id", String(ID), ForeignKey("care_plans.plan_id"), nullable=False),
    Column("person_id", String(ID), nullable=False, index=True),
    Column("provider_id", String(ID), nullable=False),
    Column("family_caregiver_id", String(ID), nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("period", String(7), nullable=False),
    Column("care_days", Integer, nullable=False),
    Column("days_covered", Integer, nullable=False),
    Column("confirmation", String(30), nullable=False),
    Column("certified_by", String(100), nullable=False),
    Column("note", Text, nullable=True),
    Column("policy_version", String(60), nullable=False),
    Column("certified_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("plan_id", "period"),
)

ratings = Table(
    "ratings",
    metadata,
    Column("rating_id", String(ID), primary_key=True),
    Column("provider_id", String(ID), nullable=False),
    Column("person_id", String(ID), nullable=False),
    Column("visit_id", String(ID), nullable=True),
    Column("period", String(7), nullable=False),
    Column("scope_key", String(140), nullable=False),  # "visit:<id>" or "month:<person>"
    Column("score", Integer, nullable=False),
    Column("complaint_code", String(40), nullable=True),
    Column("comment", Text, nullable=True),
    Column("rated_by", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("provider_id", "period", "scope_key"),
)

issued_scorecards = Table(  # a provider's month frozen with its score (服务质量考核), once
    "issued_scorecards",
    metadata,
    Column("provider_id", String(ID), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("region_code", String(6), nullable=False),
    Column("score", String(6), nullable=False),  # decimal text, 0.00-100.00
    Column("weights", JSON, nullable=False),
    Column("card", JSON, nullable=False),  # the scorecard's figures as frozen
    Column("policy_version", String(60), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
)
