"""Aggregate queries for the operators' dashboard: applications by status and kind, and the
persons whose eligibility window (待遇资格) is in force, by grade."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_assessment.adapters.tables import applications, eligibilities


def in_region(column: Any, code: str) -> Any:
    """``column`` is ``code`` or, as tenancy reads it, inside it (a city ``3209xx`` → ``320900``
    covers its counties, a province ``320000`` its cities)."""
    if code.endswith("0000"):
        return column.like(f"{code[:2]}%")
    if code.endswith("00"):
        return column.like(f"{code[:4]}%")
    return column == code


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def applications(self, region_code: str | None, as_of: date) -> list[dict[str, Any]]:
        """Applications by status and kind; ``overdue``: scheduled, past the assessment
        deadline on ``as_of``."""
        t = applications
        late = and_(t.c.status == "scheduled", t.c.deadline < as_of)
        query = (
            select(
                t.c.status,
                t.c.kind,
                func.count().label("applications"),
                func.coalesce(func.sum(case((late, 1), else_=0)), 0).label("overdue"),
            )
            .group_by(t.c.status, t.c.kind)
            .order_by(t.c.status, t.c.kind)
        )
        if region_code is not None:
            query = query.where(in_region(t.c.region_code, region_code))
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def eligible_by_grade(self, region_code: str | None, on: date) -> list[dict[str, Any]]:
        """Distinct persons with a window covering ``on``, by grade."""
        t = eligibilities
        query = (
            select(t.c.grade, func.count(func.distinct(t.c.person_id)).label("persons"))
            .where(
                t.c.valid_from <= on,
                t.c.valid_until >= on,
                or_(t.c.ended_on.is_(None), t.c.ended_on >= on),
            )
            .group_by(t.c.grade)
            .order_by(t.c.grade)
        )
        if region_code is not None:
            query = query.where(in_region(t.c.region_code, region_code))
        return [dict(r._mapping) for r in await self._session.execute(query)]
