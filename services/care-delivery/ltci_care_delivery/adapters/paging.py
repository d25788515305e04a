"""Keyset pagination over time-ordered ids: ``WHERE id > :after ORDER BY id LIMIT n + 1``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Select
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_care_delivery.domain.ids import encode_cursor


async def page(
    session: AsyncSession, query: Select[Any], id_col: Column[Any], after: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of rows as dicts and the cursor of the next page (None on the last page)."""
    if after is not None:
        query = query.where(id_col > after)
    rows = (await session.execute(query.order_by(id_col).limit(limit + 1))).all()
    items = [dict(r._mapping) for r in rows[:limit]]
    more = len(rows) > limit
    return items, encode_cursor(items[-1][id_col.name]) if more and items else None
