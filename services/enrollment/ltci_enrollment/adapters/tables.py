"""The enrollment service's tables (its own database; nobody else reads them)."""

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
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
MONEY = Numeric(15, 2)

persons = Table(
    "persons",
    metadata,
    Column("person_id", String(36), primary_key=True),
    Column("resident_id_hash", String(64), nullable=False, unique=True),
    Column("resident_id_encrypted", String(200), nullable=False),
    Column("resident_id_masked", String(18), nullable=False),
    Column("name", String(100), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("sex", String(1), nullable=False),
    Column("region_code", String(6), nullable=False, index=True),
    Column("phone_encrypted", String(200)),
    Column("phone_masked", String(20)),
    Column("address", String(300)),
    Column("home_latitude", Numeric(9, 6)),
    Column("home_longitude", Numeric(9, 6)),
    Column("contact_name", String(100)),
    Column("contact_phone_encrypted", String(200)),
    Column("contact_phone_masked", String(20)),
    Column("died_on", Date),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True)),
)

person_versions = Table(
    "person_versions",
    metadata,
    Column("person_id", String(36), ForeignKey("persons.person_id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("changed_by", String(100), nullable=False),
    Column("reason", String(300), nullable=False),
    Column("changes", JSON, nullable=False),  # field -> {"old": masked, "new": masked}
)

memberships = Table(
    "memberships",
    metadata,
    Column("membership_id", String(36), primary_key=True),
    Column("person_id", String(36), ForeignKey("persons.person_id"), nullable=False),
    Column("scheme", String(20), nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date),  # last insured day; NULL while open
    Column("end_reason", String(20)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("person_id", "valid_from"),
    Index("ix_memberships_region_scheme", "region_code", "scheme"),
)

assistance_assignments = Table(
    "assistance_assignments",
    metadata,
    Column("assignment_id", String(36), primary_key=True),
    Column("person_id", String(36), ForeignKey("persons.person_id"), nullable=False, index=True),
    Column("category", String(40), nullable=False),
    Column("recipient_class", Integer, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date),
    Column("revoked_on", Date),
    Column("source", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("person_id", "category", "valid_from"),
)

collection_runs = Table(
    "collection_runs",
    metadata,
    Column("run_id", String(36), primary_key=True),
    Column("region_code", String(6), nullable=False),
    Column("year", Integer, nullable=False),
    Column("status", String(20), nullable=False),  # running | completed | failed
    Column("policy_version", String(60), nullable=False),
    Column("members_total", Integer, nullable=False, server_default="0"),
    Column("members_done", Integer, nullable=False, server_default="0"),
    Column("charges_created", Integer, nullable=False, server_default="0"),
    Column("charges_existing", Integer, nullable=False, server_default="0"),
    Column("error", Text),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
)

contribution_charges = Table(
    "contribution_charges",
    metadata,
    Column("charge_id", String(36), primary_key=True),
    Column("person_id", String(36), ForeignKey("persons.person_id"), nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("year", Integer, nullable=False),
    Column("scheme", String(20), nullable=False),
    Column("payer", String(30), nullable=False),
    Column("fund", String(30), nullable=False),
    Column("channel", String(30), nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("received", MONEY, nullable=False, server_default="0"),
    Column("policy_version", String(60), nullable=False),
    Column("run_id", String(36), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("year", "person_id", "payer", "fund"),
    Index("ix_contribution_charges_region_year", "region_code", "year", "payer"),
)

contribution_receipts = Table(
    "contribution_receipts",
    metadata,
    Column("receipt_id", String(36), primary_key=True),
    Column("charge_id", String(36), ForeignKey("contribution_charges.charge_id")),
    Column("person_id", String(36)),
    Column("region_code", String(6), nullable=False),
    Column("year", Integer, nullable=False),
    Column("payer", String(30), nullable=False),
    Column("fund", String(30), nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("received_on", Date, nullable=False),
    Column("reference", String(100), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

imports = Table(
    "imports",
    metadata,
    Column("import_id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),  # persons | memberships | assistance
    Column("filename", String(200)),
    Column("status", String(20), nullable=False),  # running | completed | failed
    Column("rows_done", Integer, nullable=False, server_default="0"),
    Column("rows_ok", Integer, nullable=False, server_default="0"),
    Column("rows_duplicate", Integer, nullable=False, server_default="0"),
    Column("rows_failed", Integer, nullable=False, server_default="0"),
    Column("error", Text),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
)

import_errors = Table(
    "import_errors",
    metadata,
    Column("import_id", String(36), ForeignKey("imports.import_id"), primary_key=True),
    Column("row_number", Integer, primary_key=True),
    Column("error", String(60), nullable=False),
    Column("detail", String(500), nullable=False),
)
