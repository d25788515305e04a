"""Keyset pagination over a time-ordered id column, with the platform's opaque cursors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Select
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_shared.errors import InvalidInput
from ltci_shared.pagination import decode_cursor, encode_cursor, keyset_rows


@dataclass(frozen=True)
class Rows:
    items: list[dict[str, Any]]
    next_cursor: str | None


async def fetch_page(
    session: AsyncSession,
    query: Select[Any],
    id_column: Column[Any],
    *,
    limit: int,
    cursor: str | None,
) -> Rows:
    """Rows of ``query`` after ``cursor`` in id order, at most ``limit`` of them."""
    key = decode_cursor(cursor, 1)
    if key is not None and not isinstance(key[0], str):
        raise InvalidInput("the cursor is not one this service issued")
    items, more = await keyset_rows(session, query, id_column, key[0] if key else None, limit)
    return Rows(items, encode_cursor(items[-1][id_column.name]) if more else None)
