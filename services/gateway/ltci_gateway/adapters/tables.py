"""The gateway service's tables (its own database; nobody else reads them)."""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
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

api_clients = Table(
    "api_clients",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("regions", Text, nullable=False),  # JSON list of region codes (a TPA's tenancy)
    Column("provider_id", String(64), nullable=True),
    Column("secret_hash", String(300), nullable=False),
    Column("rate_per_second", Float, nullable=True),
    Column("burst", Integer, nullable=True),
    Column("disabled", Boolean, nullable=False),
    Column("tokens_not_before", Float, nullable=False),  # epoch seconds: older tokens refused
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("public_key", String(100), nullable=False),
    Column("private_key", Text, nullable=False),  # AES-GCM encrypted with the settings secret
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("activates_at", DateTime(timezone=True), nullable=False),
    # 1 for the first key, one more per rotation: replicas starting or rotating together
    # insert the same generation, one wins (race-free without a lock, PostgreSQL and SQLite).
    Column("generation", Integer, nullable=False),
    UniqueConstraint("generation"),
)

revoked_tokens = Table(
    "revoked_tokens",
    metadata,
    Column("jti", String(64), primary_key=True),
    Column("client_id", String(64), nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=False),
)

rate_buckets = Table(
    "rate_buckets",
    metadata,
    Column("bucket", String(200), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("allowed", Boolean, nullable=False),
)

# Append-only (UPDATE and DELETE are refused by triggers made in the migration).
audit_events = Table(
    "audit_events",
    metadata,
    Column("audit_id", String(40), primary_key=True),  # time-ordered
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("client_id", String(64), nullable=False),
    Column("role", String(20), nullable=False),
    Column("action", String(10), nullable=False),  # read | create | update | delete
    Column("method", String(10), nullable=False),
    Column("service", String(40), nullable=False),
    Column("path", String(500), nullable=False),
    Column("status", Integer, nullable=False),
    Column("outcome", String(10), nullable=False),  # ok | denied | failed
    Column("purpose", String(200), nullable=True),
    Column("request_id", String(100), nullable=True),
    Column("person_ids", Text, nullable=False),  # JSON list, for display
    Index(None, "client_id", "audit_id"),
)

audit_persons = Table(
    "audit_persons",
    metadata,
    Column("person_id", String(64), nullable=False),
    Column("audit_id", String(40), nullable=False),
    PrimaryKeyConstraint("person_id", "audit_id"),
)
