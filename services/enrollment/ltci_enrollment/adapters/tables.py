"""The enrollment service's tables (its own database; nobody else reads them)."""

from sqlalchemy import Column, Date, DateTime, String, Table

from ltci_shared.db import new_metadata
from ltci_shared.idempotency import idempotency_table
from ltci_shared.messaging.tables import messaging_tables

metadata = new_metadata()
platform = messaging_tables(metadata)
idempotency = idempotency_table(metadata)

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
    Column("region_code", String(6), nullable=False),
    Column("scheme", String(20), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
