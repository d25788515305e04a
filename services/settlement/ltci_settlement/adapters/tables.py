"""The settlement service's tables (its own database; nobody else reads them)."""

from sqlalchemy import Column, Date, DateTime, String, Table

from ltci_shared.db import new_metadata
from ltci_shared.idempotency import idempotency_table
from ltci_shared.messaging.tables import messaging_tables

metadata = new_metadata()
platform = messaging_tables(metadata)
idempotency = idempotency_table(metadata)

# Read model built from enrollment's events (event-carried state transfer).
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
