"""Queries on the insured-persons read model (persons and their membership periods)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_assessment.adapters.tables import membership_periods, persons
from ltci_assessment.domain.membership import Period


class PersonRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, person_id: str) -> dict[str, Any] | None:
        row = (
            await self._session.execute(select(persons).where(persons.c.person_id == person_id))
        ).first()
        return dict(row._mapping) if row else None

    async def get_for_update(self, person_id: str) -> dict[str, Any] | None:
        """The person row, locked until commit (serialises one person's applications)."""
        query = select(persons).where(persons.c.person_id == person_id).with_for_update()
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def upsert(self, person_id: str, values: dict[str, Any], at: datetime) -> None:
        changed = await self._session.execute(
            update(persons).where(persons.c.person_id == person_id).values(**values, updated_at=at)
        )
        if changed.rowcount == 0:  # type: ignore[attr-defined]
            values = {"master_version": 0, **values}
            await self._session.execute(
                persons.insert().values(person_id=person_id, updated_at=at, **values)
            )

    async def periods(self, person_id: str) -> list[Period]:
        t = membership_periods
        rows = await self._session.execute(
            select(t).where(t.c.person_id == person_id).order_by(t.c.idx)
        )
        return [Period(r.scheme, r.region_code, r.valid_from, r.valid_until) for r in rows]

    async def period_rows(self, person_id: str) -> list[dict[str, Any]]:
        t = membership_periods
        rows = await self._session.execute(
            select(t).where(t.c.person_id == person_id).order_by(t.c.idx)
        )
        return [dict(r._mapping) for r in rows]

    async def replace_periods(self, person_id: str, periods: list[dict[str, Any]]) -> None:
        t = membership_periods
        await self._session.execute(delete(t).where(t.c.person_id == person_id))
        if periods:
            await self._session.execute(
                t.insert(),
                [{"person_id": person_id, "idx": i, **p} for i, p in enumerate(periods)],
            )

    async def close_open_periods(self, person_id: str, last_day: date, reason: str) -> None:
        t = membership_periods
        await self._session.execute(
            update(t)
            .where(t.c.person_id == person_id, t.c.valid_until.is_(None))
            .values(valid_until=last_day, end_reason=reason)
        )
