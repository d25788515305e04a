"""Queries on eligibility windows (待遇资格期)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_assessment.adapters.tables import eligibilities
from ltci_shared.pagination import Rows, fetch_page

t = eligibilities


def _open_on(day: date) -> Any:
    """Windows covering ``day``: started, not past valid_until, not ended before it."""
    return and_(
        t.c.valid_from <= day,
        t.c.valid_until >= day,
        or_(t.c.ended_on.is_(None), t.c.ended_on >= day),
    )


class EligibilityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(t.insert().values(**values))

    async def get(self, eligibility_id: str) -> dict[str, Any] | None:
        row = (
            await self._session.execute(select(t).where(t.c.eligibility_id == eligibility_id))
        ).first()
        return dict(row._mapping) if row else None

    async def update(self, eligibility_id: str, values: dict[str, Any]) -> None:
        await self._session.execute(
            update(t).where(t.c.eligibility_id == eligibility_id).values(**values)
        )

    async def open_for_person(self, person_id: str) -> list[dict[str, Any]]:
        """Windows not ended early (they may still lie in the future or have run out)."""
        query = (
            select(t)
            .where(t.c.person_id == person_id, t.c.ended_on.is_(None))
            .order_by(t.c.eligibility_id)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def open_on(self, person_id: str, day: date) -> dict[str, Any] | None:
        query = (
            select(t).where(t.c.person_id == person_id, _open_on(day)).order_by(t.c.eligibility_id)
        )
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def due_for_review(
        self, *, until_on_or_before: date, as_of: date, limit: int
    ) -> list[dict[str, Any]]:
        query = (
            select(t)
            .where(_open_on(as_of), t.c.valid_until <= until_on_or_before)
            .order_by(t.c.eligibility_id)
            .limit(limit)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def search(
        self,
        *,
        person_id: str | None,
        region_code: str | None,
        active_on: date | None,
        limit: int,
        cursor: str | None,
    ) -> Rows:
        query = select(t)
        if person_id is not None:
            query = query.where(t.c.person_id == person_id)
        if region_code is not None:
            query = query.where(t.c.region_code == region_code)
        if active_on is not None:
            query = query.where(_open_on(active_on))
        return await fetch_page(
            self._session, query, t.c.eligibility_id, limit=limit, cursor=cursor
        )
