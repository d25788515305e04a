"""The assessment migrations produce exactly the tables the code declares."""

from ltci_assessment.adapters.tables import metadata
from ltci_shared.testing.migrations import migration_drift


async def test_migrations_match_the_metadata_on_postgresql(pg_url: str) -> None:
    assert await migration_drift("ltci_assessment", metadata, pg_url) == []


async def test_migrations_match_the_metadata_on_sqlite(tmp_path: object) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/assessment.db"
    assert await migration_drift("ltci_assessment", metadata, url) == []
