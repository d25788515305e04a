"""Keyset pagination over time-ordered ids: ``WHERE id > :after ORDER BY id LIMIT n + 1``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Select
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_care_delivery.domain.ids import encode_cursor
from ltci_shared.pagination import keyset_rows


async def page(
    session: AsyncSession, query: Select[Any], id_col: Column[Any], after: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of rows as dicts and the cursor of the next page (None on the last page)."""
    items, more = await keyset_rows(session, query, id_col, after, limit)
    return items, encode_cursor(items[-1][id_col.name]) if more and items else None
