"""A check every service's tests run: after ``alembic upgrade head`` the database matches the
service's SQLAlchemy metadata exactly (no table, column, index or constraint drift)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from ltci_shared.db import create_engine
from ltci_shared.migrations import upgrade_async


async def migration_drift(package: str, metadata: MetaData, url: str) -> list[Any]:
    """Upgrade ``url`` to head with ``package``'s migrations; return the differences left."""
    engine = create_engine(url)
    try:
        await upgrade_async(package, engine)

        def diff(connection: Connection) -> list[Any]:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": False}
            )
            return list(compare_metadata(context, metadata))

        async with engine.connect() as connection:
            return await connection.run_sync(diff)
    finally:
        await engine.dispose()
