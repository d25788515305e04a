"""Queries on settlement's read models."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_settlement.adapters.tables import insured_persons


class InsuredPersonRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, person_id: str) -> dict[str, Any] | None:
        query = select(insured_persons).where(insured_persons.c.person_id == person_id)
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def upsert(self, values: dict[str, Any]) -> None:
        t = insured_persons
        updated = await self._session.execute(
            update(t).where(t.c.person_id == values["person_id"]).values(**values)
        )
        if updated.rowcount == 0:  # type: ignore[attr-defined]
            await self._session.execute(t.insert().values(**values))

    async def end(self, person_id: str, ended_on: Any, updated_at: Any) -> None:
        t = insured_persons
        await self._session.execute(
            update(t)
            .where(t.c.person_id == person_id)
            .values(ended_on=ended_on, updated_at=updated_at)
        )
