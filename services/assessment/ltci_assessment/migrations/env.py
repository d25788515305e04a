"""Alembic environment of the assessment service."""

from ltci_assessment.adapters.tables import metadata
from ltci_shared.migrations import run_migrations

run_migrations(metadata)
