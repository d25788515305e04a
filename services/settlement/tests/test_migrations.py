"""The migrations produce exactly the tables the code declares."""

from typing import Any

from ltci_settlement.adapters.tables import metadata
from ltci_shared.testing.migrations import migration_drift


async def test_migrations_match_the_tables(new_pg_database: Any) -> None:
    assert await migration_drift("ltci_settlement", metadata, await new_pg_database()) == []
