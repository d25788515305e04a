"""Alembic environment of the enrollment service."""

from ltci_enrollment.adapters.tables import metadata
from ltci_shared.migrations import run_migrations

run_migrations(metadata)
