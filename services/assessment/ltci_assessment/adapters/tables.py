"""The assessment service's tables (its own database; nobody else reads them)."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from ltci_shared.db import new_metadata
from ltci_shared.idempotency import idempotency_table
from ltci_shared.messaging.tables import messaging_tables

metadata = new_metadata()
platform = messaging_tables(metadata)
idempotency = idempotency_table(metadata)

# --- read model of insured persons (from enrollment's events) ---------------------------

persons = Table(
    "persons",
    metadata,
    Column("person_id", String(64), primary_key=True),
    Column("region_code", String(6), nullable=False),
    Column("scheme", String(20), nullable=True),
    Column("birth_date", Date, nullable=True),
    Column("sex", String(1), nullable=True),
    Column("died_on", Date, nullable=True),
    Column("master_version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

membership_periods = Table(
    "membership_periods",
    metadata,
    Column("person_id", String(64), nullable=False),
    Column("idx", Integer, nullable=False),
    Column("scheme", String(20), nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=True),
    Column("end_reason", String(30), nullable=True),
    PrimaryKeyConstraint("person_id", "idx"),
)

# --- registry of assessment organisations and assessors ---------------------------------

organisations = Table(
    "organisations",
    metadata,
    Column("organisation_id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("uscc", String(18), nullable=True, unique=True),
    Column("region_code", String(6), nullable=False),
    Column("pack_code", String(6), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

assessors = Table(
    "assessors",
    metadata,
    Column("assessor_id", String(36), primary_key=True),
    Column(
        "organisation_id",
        String(36),
        ForeignKey("organisations.organisation_id"),
        nullable=False,
        index=True,
    ),
    Column("name", String(100), nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("pack_code", String(6), nullable=False, index=True),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=True),
    Column("employer_provider_id", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

assessor_qualifications = Table(
    "assessor_qualifications",
    metadata,
    Column("assessor_id", String(36), ForeignKey("assessors.assessor_id"), nullable=False),
    Column("qualification", String(30), nullable=False),
    PrimaryKeyConstraint("assessor_id", "qualification"),
)

# --- applications, their history, assessments, evidence, objections --------------------

applications = Table(
    "applications",
    metadata,
    Column("application_id", String(36), primary_key=True),
    Column("person_id", String(64), nullable=False, index=True),
    Column("region_code", String(6), nullable=False),
    Column("pack_code", String(6), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("eligibility_id", String(36), nullable=True),
    Column("status", String(20), nullable=False, index=True),
    Column("round", String(10), nullable=True),
    Column("applied_on", Date, nullable=False),
    Column("disability_onset", Date, nullable=False),
    Column("self_assessment", JSON, nullable=False),
    Column("provider_ids", JSON, nullable=False),
    Column("scheduled_on", Date, nullable=True),
    Column("deadline", Date, nullable=True),
    Column("notice_starts_on", Date, nullable=True),
    Column("notice_until", Date, nullable=True),
    Column("objection_until", Date, nullable=True),
    Column("final_due_on", Date, nullable=True),
    Column("final_on", Date, nullable=True),
    Column("grade", Integer, nullable=True),
    Column("eligible", Boolean, nullable=True),
    Column("deciding_assessment_id", String(36), nullable=True),
    Column("fee", String(20), nullable=True),
    Column("fee_fund_share", String(20), nullable=True),
    Column("policy_version", String(60), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Index("ix_applications_status_final_due_on", applications.c.status, applications.c.final_due_on)

transitions = Table(
    "transitions",
    metadata,
    Column("transition_id", String(36), primary_key=True),
    Column(
        "application_id",
        String(36),
        ForeignKey("applications.application_id"),
        nullable=False,
        index=True,
    ),
    Column("from_status", String(20), nullable=True),
    Column("to_status", String(20), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("reason", Text, nullable=False),
    Column("details", JSON, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

assignments = Table(
    "assignments",
    metadata,
    Column("application_id", String(36), ForeignKey("applications.application_id"), nullable=False),
    Column("round", String(10), nullable=False),
    Column("assessor_id", String(36), ForeignKey("assessors.assessor_id"), nullable=False),
    Column("assigned_on", Date, nullable=False),
    PrimaryKeyConstraint("application_id", "round", "assessor_id"),
)

assessments = Table(
    "assessments",
    metadata,
    Column("assessment_id", String(36), primary_key=True),
    Column(
        "application_id",
        String(36),
        ForeignKey("applications.application_id"),
        nullable=False,
        index=True,
    ),
    Column("round", String(10), nullable=False),
    Column("instrument", String(20), nullable=False),
    Column("assessed_on", Date, nullable=False),
    Column("assessor_ids", JSON, nullable=False),
    Column("scores", JSON, nullable=False),
    Column("result", JSON, nullable=False),
    Column("grade", Integer, nullable=False),
    Column("policy_version", String(60), nullable=False),
    Column("recorded_by", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

evidence = Table(
    "evidence",
    metadata,
    Column("evidence_id", String(36), primary_key=True),
    Column(
        "application_id",
        String(36),
        ForeignKey("applications.application_id"),
        nullable=False,
        index=True,
    ),
    Column("assessment_id", String(36), nullable=True),
    Column("kind", String(20), nullable=False),
    Column("uri", String(500), nullable=False),
    Column("sha256", String(64), nullable=True),
    Column("description", String(500), nullable=True),
    Column("added_by", String(100), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

objections = Table(
    "objections",
    metadata,
    Column("objection_id", String(36), primary_key=True),
    Column(
        "application_id",
        String(36),
        ForeignKey("applications.application_id"),
        nullable=False,
        index=True,
    ),
    Column("filed_on", Date, nullable=False),
    Column("filed_by", String(100), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# --- eligibility windows ----------------------------------------------------------------

eligibilities = Table(
    "eligibilities",
    metadata,
    Column("eligibility_id", String(36), primary_key=True),
    Column("person_id", String(64), nullable=False, index=True),
    Column("region_code", String(6), nullable=False),
    Column("grade", Integer, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("end_reason", String(30), nullable=True),
    Column("application_id", String(36), nullable=False),
    Column("assessment_id", String(36), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
