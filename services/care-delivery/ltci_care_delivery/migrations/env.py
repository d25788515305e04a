"""Alembic environment of the care-delivery service."""

from ltci_care_delivery.adapters.tables import metadata
from ltci_shared.migrations import run_migrations

run_migrations(metadata)
