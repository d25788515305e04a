"""Queries on the enrollment tables; handlers never write SQL themselves."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_enrollment.adapters.tables import persons


class PersonRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_lookup_hash(self, lookup_hash: str) -> dict[str, Any] | None:
        row = (
            await self._session.execute(
                select(persons).where(persons.c.resident_id_hash == lookup_hash)
            )
        ).first()
        return dict(row._mapping) if row else None

    async def get(self, person_id: str) -> dict[str, Any] | None:
        row = (
            await self._session.execute(select(persons).where(persons.c.person_id == person_id))
        ).first()
        return dict(row._mapping) if row else None

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(persons.insert().values(**values))
