"""Queries on issued (frozen) provider scorecards."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_care_delivery.adapters.tables import issued_scorecards


class IssuedScorecardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, provider_id: str, period: str) -> dict[str, Any] | None:
        t = issued_scorecards.c
        query = select(issued_scorecards).where(t.provider_id == provider_id, t.period == period)
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(issued_scorecards.insert().values(**values))
