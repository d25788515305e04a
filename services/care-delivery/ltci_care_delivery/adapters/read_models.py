"""Queries on the read models fed by enrollment's and assessment's events."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_care_delivery.adapters.tables import eligibilities, persons


class PersonRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, person_id: str) -> dict[str, Any] | None:
        row = (
            await self._session.execute(select(persons).where(persons.c.person_id == person_id))
        ).first()
        return dict(row._mapping) if row else None

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(persons.insert().values(**values))

    async def update(self, person_id: str, values: dict[str, Any]) -> None:
        await self._session.execute(
            update(persons).where(persons.c.person_id == person_id).values(**values)
        )


class EligibilityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, eligibility_id: str) -> dict[str, Any] | None:
        query = select(eligibilities).where(eligibilities.c.eligibility_id == eligibility_id)
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(eligibilities.insert().values(**values))

    async def update(self, eligibility_id: str, values: dict[str, Any]) -> None:
        await self._session.execute(
            update(eligibilities)
            .where(eligibilities.c.eligibility_id == eligibility_id)
            .values(**values)
        )

    async def covering(self, person_id: str, day: date) -> dict[str, Any] | None:
        """The person's eligibility window in force on ``day`` (not revoked by then)."""
        e = eligibilities.c
        query = (
            select(eligibilities)
            .where(e.person_id == person_id, e.valid_from <= day, e.valid_until >= day)
            .where((e.ended_on.is_(None)) | (e.ended_on >= day))
            .order_by(e.valid_from.desc())
        )
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None
