"""Alembic environment of the settlement service."""

from ltci_settlement.adapters.tables import metadata
from ltci_shared.migrations import run_migrations

run_migrations(metadata)
