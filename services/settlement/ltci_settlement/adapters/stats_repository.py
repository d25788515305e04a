"""Aggregate queries for the operators' dashboard: ledger sums by fund and month, and the
beneficiaries in care (from the care-plan read model) by grade and service form."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_settlement.adapters.tables import care_plans, postings


def in_region(column: Any, code: str) -> Any:
    """``column`` is ``code`` or, as tenancy reads it, inside it (a city ``3209xx`` → ``320900``
    covers its divisions, a province ``320000`` its cities)."""
    if code.endswith("0000"):
        return column.like(f"{code[:2]}%")
    if code.endswith("00"):
        return column.like(f"{code[:4]}%")
    return column == code


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ledger_sums(
        self, region_code: str | None, until: str | None
    ) -> list[tuple[str, str, str, str, int]]:
        """Signed fen per (region, fund, period, account), periods up to ``until``."""
        t = postings
        query = (
            select(t.c.region_code, t.c.fund, t.c.period, t.c.account, func.sum(t.c.amount_fen))
            .group_by(t.c.region_code, t.c.fund, t.c.period, t.c.account)
            .order_by(t.c.region_code, t.c.fund, t.c.period, t.c.account)
        )
        if region_code is not None:
            query = query.where(in_region(t.c.region_code, region_code))
        if until is not None:
            query = query.where(t.c.period <= until)
        rows = await self._session.execute(query)
        return [(r[0], r[1], r[2], r[3], int(r[4] or 0)) for r in rows]

    async def in_care(self, region_code: str | None, on: date) -> list[dict[str, Any]]:
        """Persons with an active care plan on ``on``, by grade and service form."""
        t = care_plans
        persons = func.count(func.distinct(t.c.person_id)).label("persons")
        query = (
            select(t.c.grade, t.c.service_form, persons)
            .where(t.c.starts_on <= on, or_(t.c.ends_on.is_(None), t.c.ends_on >= on))
            .group_by(t.c.grade, t.c.service_form)
            .order_by(t.c.grade, t.c.service_form)
        )
        if region_code is not None:
            query = query.where(in_region(t.c.region_code, region_code))
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def persons_in_care(self, region_code: str | None, on: date) -> int:
        """Distinct persons with at least one active care plan on ``on``."""
        t = care_plans
        query = select(func.count(func.distinct(t.c.person_id))).where(
            t.c.starts_on <= on, or_(t.c.ends_on.is_(None), t.c.ends_on >= on)
        )
        if region_code is not None:
            query = query.where(in_region(t.c.region_code, region_code))
        return int((await self._session.execute(query)).scalar() or 0)
