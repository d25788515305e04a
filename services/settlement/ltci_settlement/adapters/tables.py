"""The settlement service's tables (its own database; nobody else reads them).

Money is stored as whole fen in BIGINT columns (``*_fen``): exact on PostgreSQL and SQLite
alike, and ``SUM`` stays exact. Read models are built from other services' events only.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
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
BigId = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER only

# --- read models (event-carried state transfer) ---------------------------------------------

insured_persons = Table(
    "insured_persons",
    metadata,
    Column("person_id", String(36), primary_key=True),
    Column("region_code", String(6), nullable=False),
    Column("scheme", String(20), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("birth_date", Date, nullable=False),
    Column("sex", String(1), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

membership_periods = Table(
    "membership_periods",
    metadata,
    Column("person_id", String(36), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("scheme", String(20), nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("valid_until", Date, nullable=True),
)

eligibilities = Table(
    "eligibilities",
    metadata,
    Column("eligibility_id", String(36), primary_key=True),
    Column("person_id", String(36), nullable=False, index=True),
    Column("region_code", String(6), nullable=False),
    Column("grade", Integer, nullable=True),
    Column("valid_from", Date, nullable=True),
    Column("valid_until", Date, nullable=True),
    Column("ended_on", Date, nullable=True),
)

assessments = Table(
    "assessments",
    metadata,
    Column("assessment_id", String(36), primary_key=True),
    Column("person_id", String(36), nullable=False),
    Column("region_code", String(6), nullable=False, index=True),
    Column("grade", Integer, nullable=False),
    Column("assessed_on", Date, nullable=False),
    Column("fee_fen", BigInteger, nullable=False),
    Column("fee_fund_share_fen", BigInteger, nullable=False),
    Column("policy_version", String(80), nullable=False),
    Column("event_id", String(64), nullable=False),
)

care_plans = Table(
    "care_plans",
    metadata,
    Column("plan_id", String(36), primary_key=True),
    Column("person_id", String(36), nullable=False),
    Column("provider_id", String(36), nullable=False),
    Column("region_code", String(6), nullable=False, index=True),
    Column("service_form", String(30), nullable=False),
    Column("package_code", String(40), nullable=False),
    Column("grade", Integer, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
    Column("event_id", String(64), nullable=False),
)

family_care_certifications = Table(  # read model: certified months of family care
    "family_care_certifications",
    metadata,
    Column("certification_id", String(36), primary_key=True),
    Column("plan_id", String(36), nullable=False),
    Column("person_id", String(36), nullable=False),
    Column("period", String(7), nullable=False),
    Column("care_days", Integer, nullable=False),
    Column("event_id", String(64), nullable=False),
    UniqueConstraint("plan_id", "period"),
)

stays = Table(
    "stays",
    metadata,
    Column("stay_id", String(36), primary_key=True),
    Column("person_id", String(36), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("admitted_on", Date, nullable=False),
    Column("discharged_on", Date, nullable=True),
)

visits = Table(
    "visits",
    metadata,
    Column("visit_id", String(36), primary_key=True),
    Column("provider_id", String(36), nullable=False),
    Column("person_id", String(36), nullable=False),
    Column("caregiver_id", String(36), nullable=False),
    Column("plan_id", String(36), nullable=True),
    Column("region_code", String(6), nullable=False),
    Column("division_code", String(6), nullable=False),
    Column("service_form", String(30), nullable=False),
    Column("service_date", Date, nullable=False),
    Column("begin_at", DateTime(timezone=True), nullable=False),
    Column("end_at", DateTime(timezone=True), nullable=False),
    Column("items", JSON, nullable=False),
    Column("verified", Boolean, nullable=False),
    Column("exceptions", JSON, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("event_id", String(64), nullable=False),
    Index("ix_visits_region_code_service_date", "region_code", "service_date"),
)

visit_voids = Table(
    "visit_voids",
    metadata,
    Column("visit_id", String(36), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("voided_at", DateTime(timezone=True), nullable=False),
    Column("event_id", String(64), nullable=False),
)

rentals = Table(
    "rentals",
    metadata,
    Column("rental_id", String(36), primary_key=True),
    Column("person_id", String(36), nullable=False, index=True),
    Column("provider_id", String(36), nullable=False),
    Column("device_code", String(40), nullable=False),
    Column("status", String(10), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
    Column("daily_rate_fen", BigInteger, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("event_id", String(64), nullable=False),
)

# --- claims -----------------------------------------------------------------------------------

claims = Table(
    "claims",
    metadata,
    Column("claim_id", String(36), primary_key=True),
    Column("region_code", String(6), nullable=False),
    Column("provider_id", String(36), nullable=False),
    Column("period", String(7), nullable=False),
    Column("status", String(20), nullable=False),
    Column("line_count", Integer, nullable=False),
    Column("pending_count", Integer, nullable=False),
    Column("held_count", Integer, nullable=False),
    Column("billed_fen", BigInteger, nullable=False),
    Column("fund_fen", BigInteger, nullable=False),
    Column("person_fen", BigInteger, nullable=False),
    Column("denied_fen", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("region_code", "period", "provider_id"),
)

claim_lines = Table(
    "claim_lines",
    metadata,
    Column("line_id", String(36), primary_key=True),
    Column("claim_id", String(36), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("person_id", String(36), nullable=False),
    Column("source_kind", String(10), nullable=False),
    Column("source_key", String(80), nullable=False),
    Column("source_revision", Integer, nullable=False),
    Column("visit_id", String(36), nullable=True),
    Column("source_event_id", String(64), nullable=True),
    Column("service_form", String(30), nullable=False),
    Column("unit", String(10), nullable=False),
    Column("units", String(20), nullable=False),
    Column("service_date", Date, nullable=False),
    Column("rate_fen", BigInteger, nullable=False),
    Column("billed_fen", BigInteger, nullable=False),
    Column("fund_fen", BigInteger, nullable=False),
    Column("person_fen", BigInteger, nullable=False),
    Column("denied_fen", BigInteger, nullable=False),
    Column("fund", String(30), nullable=True),
    Column("payee", String(10), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("reason_code", String(8), nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("explanation", Text, nullable=False),
    Column("policy_version", String(80), nullable=True),
    Column("assumed", Boolean, nullable=False),
    Column("sampled", Boolean, nullable=False),
    Column("review_status", String(10), nullable=False),
    Column("review_reason", Text, nullable=True),
    Column("active", Boolean, nullable=False),
    Column("entry_id", String(36), nullable=True),
    Column("reversal_entry_id", String(36), nullable=True),
    Column("run_id", String(36), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("claim_id", "line_no"),
    Index("ix_claim_lines_person_id_service_date", "person_id", "service_date"),
    Index("ix_claim_lines_source_key", "source_key"),
)

# --- the fund ledger (double-entry, append-only) ----------------------------------------------

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("entry_id", String(36), primary_key=True),
    Column("region_code", String(6), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("source_key", String(120), nullable=False, unique=True),
    Column("period", String(7), nullable=False),
    Column("event_id", String(64), nullable=True),
    Column("claim_id", String(36), nullable=True),
    Column("run_id", String(36), nullable=True),
    Column("reverses_entry_id", String(36), nullable=True),
    Column("memo", Text, nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False),
    Index("ix_journal_entries_region_code_period", "region_code", "period"),
)

postings = Table(
    "postings",
    metadata,
    Column("posting_id", BigId, primary_key=True, autoincrement=True),
    Column("entry_id", String(36), nullable=False, index=True),
    Column("region_code", String(6), nullable=False),
    Column("period", String(7), nullable=False),
    Column("fund", String(30), nullable=False),
    Column("account", String(40), nullable=False),
    Column("party", String(50), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),  # debit positive, credit negative
    Column("claim_line_id", String(36), nullable=True),
    Column("visit_id", String(36), nullable=True),
    Column("event_id", String(64), nullable=True),
    Index("ix_postings_region_code_fund_account", "region_code", "fund", "account"),
    Index("ix_postings_party", "party"),
)

# --- month-end runs and statements ------------------------------------------------------------

period_locks = Table(
    "period_locks",
    metadata,
    Column("region_code", String(6), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("runs", Integer, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", String(36), primary_key=True),
    Column("region_code", String(6), nullable=False),
    Column("period", String(7), nullable=False),
    Column("status", String(12), nullable=False),
    Column("persons_total", Integer, nullable=False),
    Column("persons_done", Integer, nullable=False),
    Column("lines_created", Integer, nullable=False),
    Column("lines_pending", Integer, nullable=False),
    Column("lines_reversed", Integer, nullable=False),
    Column("entries_created", Integer, nullable=False),
    Column("statements_issued", Integer, nullable=False),
    Column("error", Text, nullable=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Index("ix_runs_region_code_period", "region_code", "period"),
)

statements = Table(
    "statements",
    metadata,
    Column("statement_id", String(36), primary_key=True),
    Column("region_code", String(6), nullable=False),
    Column("provider_id", String(36), nullable=False),
    Column("period", String(7), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("payable_fen", BigInteger, nullable=False),
    Column("holdback_fen", BigInteger, nullable=False),
    Column("person_fen", BigInteger, nullable=False),
    Column("line_count", Integer, nullable=False),
    Column("ledger_hash", String(64), nullable=False),
    Column("run_id", String(36), nullable=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("region_code", "provider_id", "period", "revision"),
)

# --- one-stop medical-assistance settlement (一站式结算) ------------------------------------

assistance_assignments = Table(  # read model: every category a person held (enrollment's events)
    "assistance_assignments",
    metadata,
    Column("assignment_id", String(64), primary_key=True),
    Column("person_id", String(36), nullable=False, index=True),
    Column("region_code", String(6), nullable=False),
    Column("category", String(40), nullable=False),
    Column("recipient_class", Integer, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=True),
    Column("revoked_on", Date, nullable=True),
    Column("event_id", String(64), nullable=False),
)

medical_providers = Table(  # designated medical institutions (定点医疗机构) settling one-stop
    "medical_providers",
    metadata,
    Column("hospital_id", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("region_code", String(6), nullable=False, index=True),
    Column("designated", Boolean, nullable=False),
    Column("designated_from", Date, nullable=True),
    Column("designated_until", Date, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

_COUNTER_COLUMNS = (
    "basic_deductible_inpatient",
    "basic_deductible_chronic_outpatient",
    "basic_deductible_general_outpatient",
    "basic_paid_inpatient",
    "basic_paid_chronic_outpatient",
    "basic_paid_general_outpatient",
    "critical_illness_deductible",
    "critical_illness_paid",
    "assistance_deductible",
    "assistance_paid",
    "assistance_general_outpatient_paid",
    "total_billed",
    "self_pay",
)

onestop_counters = Table(  # year-to-date counters per person and year (locked per settlement)
    "onestop_counters",
    metadata,
    Column("person_id", String(36), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("region_code", String(6), nullable=False),
    *(Column(f"{name}_fen", BigInteger, nullable=False) for name in _COUNTER_COLUMNS),
    Column("bills", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

onestop_settlements = Table(
    "onestop_settlements",
    metadata,
    Column("settlement_id", String(36), primary_key=True),
    Column("hospital_id", String(40), nullable=False),
    Column("bill_id", String(64), nullable=False),
    Column("person_id", String(36), nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("year", Integer, nullable=False),
    Column("period", String(7), nullable=False),
    Column("care_kind", String(20), nullable=False),
    Column("service_from", Date, nullable=False),
    Column("service_to", Date, nullable=False),
    Column("recipient_class", Integer, nullable=True),
    Column("recipient_category", String(40), nullable=True),
    Column("total_fen", BigInteger, nullable=False),
    Column("basic_fen", BigInteger, nullable=False),
    Column("critical_illness_fen", BigInteger, nullable=False),
    Column("assistance_fen", BigInteger, nullable=False),
    Column("patient_fen", BigInteger, nullable=False),
    Column("assistance_reason", String(40), nullable=True),
    Column("request_hash", String(64), nullable=False),
    Column("delta", JSON, nullable=False),
    Column("response", JSON, nullable=False),
    Column("policy_version", String(80), nullable=False),
    Column("status", String(10), nullable=False),
    Column("entry_id", String(36), nullable=False),
    Column("reversal_entry_id", String(36), nullable=True),
    Column("cancelled_on", Date, nullable=True),
    Column("cancel_reason", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("hospital_id", "bill_id"),
    Index("ix_onestop_settlements_region_code_period", "region_code", "period"),
    Index("ix_onestop_settlements_person_id_year", "person_id", "year"),
)

high_cost_alerts = Table(  # high-cost patient monitoring (高额费用患者预警), one per person-year
    "high_cost_alerts",
    metadata,
    Column("alert_id", String(36), primary_key=True),
    Column("person_id", String(36), nullable=False),
    Column("year", Integer, nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("threshold_fen", BigInteger, nullable=False),
    Column("self_pay_fen", BigInteger, nullable=False),
    Column("settlement_id", String(36), nullable=False),
    Column("status", String(12), nullable=False),
    Column("note", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("followed_up_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("person_id", "year"),
    Index("ix_high_cost_alerts_region_code_status", "region_code", "status"),
)

# --- provider payments and the quality holdback (支付批次, 质量保证金) ----------------------

payment_batches = Table(
    "payment_batches",
    metadata,
    Column("batch_id", String(36), primary_key=True),
    Column("region_code", String(6), nullable=False),
    Column("period", String(7), nullable=False),
    Column("status", String(12), nullable=False),  # sent | closed (every item answered)
    Column("provider_ids", JSON, nullable=True),  # the providers asked for (null: all)
    Column("item_count", Integer, nullable=False),
    Column("total_fen", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Index("ix_payment_batches_region_code_period", "region_code", "period"),
)

payment_items = Table(
    "payment_items",
    metadata,
    Column("item_id", String(36), primary_key=True),
    Column("batch_id", String(36), nullable=False),
    Column("item_no", Integer, nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("period", String(7), nullable=False),
    Column("provider_id", String(36), nullable=False),
    Column("fund", String(30), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("status", String(10), nullable=False),  # sent | paid | failed
    Column("failure_reason", Text, nullable=True),
    Column("bank_reference", String(64), nullable=True),
    Column("entry_id", String(36), nullable=False),
    Column("reversal_entry_id", String(36), nullable=True),
    Column("answered_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("batch_id", "item_no"),
    Index("ix_payment_items_region_code_period", "region_code", "period"),
    Index("ix_payment_items_provider_id_period", "provider_id", "period"),
)

provider_scorecards = Table(  # read model: scorecards issued by care delivery (ScorecardIssued)
    "provider_scorecards",
    metadata,
    Column("provider_id", String(64), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("region_code", String(6), nullable=False),
    Column("score", String(6), nullable=False),  # decimal text, 0.00-100.00
    Column("policy_version", String(80), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("event_id", String(64), nullable=False),
)

holdback_releases = Table(  # release_id: stable id of (region, period, provider, fund, sequence)
    "holdback_releases",
    metadata,
    Column("release_id", String(36), primary_key=True),
    Column("region_code", String(6), nullable=False),
    Column("period", String(7), nullable=False),
    Column("provider_id", String(36), nullable=False),
    Column("fund", String(30), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("score", String(6), nullable=False),
    Column("release_share", String(8), nullable=False),
    Column("withheld_fen", BigInteger, nullable=False),
    Column("released_fen", BigInteger, nullable=False),
    Column("forfeited_fen", BigInteger, nullable=False),
    Column("policy_version", String(80), nullable=False),
    Column("entry_id", String(36), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_holdback_releases_region_code_period", "region_code", "period"),
)
