"""Alembic environment of the gateway service."""

from ltci_gateway.adapters.tables import metadata
from ltci_shared.migrations import run_migrations

run_migrations(metadata)
