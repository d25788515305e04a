"""Queries on CSV imports and their per-row error reports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_enrollment.adapters.tables import import_errors, imports
from ltci_shared.pagination import Rows, fetch_page


class ImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(imports.insert().values(**values))

    async def get(self, import_id: str) -> dict[str, Any] | None:
        row = (
            await self._session.execute(select(imports).where(imports.c.import_id == import_id))
        ).first()
        return dict(row._mapping) if row else None

    async def page(self, *, cursor: str | None, limit: int) -> Rows:
        return await fetch_page(
            self._session, select(imports), imports.c.import_id, limit=limit, cursor=cursor
        )

    async def progress(self, import_id: str, **values: Any) -> None:
        await self._session.execute(
            update(imports).where(imports.c.import_id == import_id).values(**values)
        )

    async def add_errors(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self._session.execute(import_errors.insert(), rows)

    async def errors(self, import_id: str, *, cursor: str | None, limit: int) -> Rows:
        e = import_errors.c
        query = select(e.row_number, e.error, e.detail).where(e.import_id == import_id)
        return await fetch_page(self._session, query, e.row_number, limit=limit, cursor=cursor)
