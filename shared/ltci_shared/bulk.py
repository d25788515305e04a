"""Bulk inserts inside the session's transaction: COPY on PostgreSQL for many rows, an
executemany INSERT elsewhere (SQLite, small batches). Same rows either way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, Table
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_shared.uow import copy_connection, is_postgresql

COPY_FROM = 50  # rows from which a bulk insert goes by COPY on PostgreSQL
_BATCH = 5000  # rows per executemany statement


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


async def insert_many(
    session: AsyncSession,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    copy_from: int = COPY_FROM,
) -> None:
    """Insert ``rows`` (dicts with the same keys). Columns missing from the rows take their
    defaults (an autoincrement id, for example); JSON columns are encoded for COPY."""
    if not rows:
        return
    if len(rows) < copy_from or not is_postgresql(session):
        for i in range(0, len(rows), _BATCH):
            await session.execute(table.insert(), list(rows[i : i + _BATCH]))
        return
    keys = rows[0].keys()
    columns = [c.name for c in table.columns if c.name in keys]
    encode = {c.name for c in table.columns if isinstance(c.type, JSON)}
    records = [tuple(_json(row[c]) if c in encode else row[c] for c in columns) for row in rows]
    driver = await copy_connection(session)
    await driver.copy_records_to_table(table.name, records=records, columns=columns)
