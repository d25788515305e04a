"""The enrollment migrations produce exactly the tables the code declares."""

from ltci_enrollment.adapters.tables import metadata
from ltci_shared.testing.migrations import migration_drift


async def test_migrations_match_the_metadata_on_postgresql(pg_url: str) -> None:
    assert await migration_drift("ltci_enrollment", metadata, pg_url) == []


async def test_migrations_match_the_metadata_on_sqlite(tmp_path: object) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/enrollment.db"
    assert await migration_drift("ltci_enrollment", metadata, url) == []
