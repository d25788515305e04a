"""Bulk inserts inside the session's transaction: COPY on PostgreSQL for many rows, an
executemany INSERT elsewhere (SQLite, small batches). Same rows either way."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from orjson import dumps
from sqlalchemy import JSON, Column, Table
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_shared.uow import copy_connection, is_postgresql

COPY_FROM = 50  # rows from which a bulk insert goes by COPY on PostgreSQL
_BATCH = 5000  # rows per executemany statement


async def insert_many(
    session: AsyncSession,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    copy_from: int = COPY_FROM,
) -> None:
    """Insert ``rows`` (dicts with the same keys). Columns missing from the rows take their
    defaults (an autoincrement id, for example); JSON columns are encoded for COPY (where a
    None is SQL NULL; the INSERT writes JSON null, read back as None too)."""
    if not rows:
        return
    if len(rows) < copy_from or not is_postgresql(session):
        for i in range(0, len(rows), _BATCH):
            await session.execute(table.insert(), list(rows[i : i + _BATCH]))
        return
    keys = rows[0].keys()
    present = [c for c in table.columns if c.name in keys]
    columns = [c.name for c in present]
    driver = await copy_connection(session)
    await driver.copy_records_to_table(table.name, records=_records(rows, present), columns=columns)


def _records(rows: Sequence[dict[str, Any]], columns: Sequence[Column[Any]]) -> list[Any]:
    """The rows as tuples in ``columns`` order, JSON columns encoded (one pass per row)."""
    get = itemgetter(*(c.name for c in columns))
    if len(columns) == 1:
        return [(get(row),) for row in rows]
    encoded = [i for i, c in enumerate(columns) if isinstance(c.type, JSON)]
    if not encoded:
        return [get(row) for row in rows]
    records = []
    for row in rows:
        values = list(get(row))
        for i in encoded:
            value = values[i]
            if value is not None:
                values[i] = dumps(value).decode()
        records.append(tuple(values))
    return records
