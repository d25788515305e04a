"""Set-based aggregate queries for provider scorecards and the dashboard (never per row)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_care_delivery.adapters.tables import ratings, visit_exceptions, visits

v, e, r = visits.c, visit_exceptions.c, ratings.c


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def visits_by_status(
        self, provider_ids: Collection[str], month: str
    ) -> dict[str, dict[str, Any]]:
        """provider → {status: count, "persons": n, "caregivers": n} for the month."""
        out: dict[str, dict[str, Any]] = {p: {} for p in provider_ids}
        if not provider_ids:
            return out
        where = (v.provider_id.in_(list(provider_ids)), v.service_month == month)
        query = select(v.provider_id, v.status, func.count()).where(*where)
        for provider_id, status, n in await self._session.execute(
            query.group_by(v.provider_id, v.status)
        ):
            out[provider_id][status] = int(n)
        people = select(
            v.provider_id, func.count(distinct(v.person_id)), func.count(distinct(v.caregiver_id))
        ).where(*where)
        for provider_id, persons, caregivers in await self._session.execute(
            people.group_by(v.provider_id)
        ):
            out[provider_id].update(persons=int(persons), caregivers=int(caregivers))
        return out

    async def exceptions_by_code(
        self, provider_ids: Collection[str], month: str
    ) -> dict[str, list[tuple[str, str, int]]]:
        """provider → [(code, status, count)] for exceptions raised on the month's visits."""
        out: dict[str, list[tuple[str, str, int]]] = {p: [] for p in provider_ids}
        if not provider_ids:
            return out
        query = (
            select(v.provider_id, e.code, e.status, func.count())
            .join(visits, v.visit_id == e.visit_id)
            .where(v.provider_id.in_(list(provider_ids)), v.service_month == month)
            .group_by(v.provider_id, e.code, e.status)
        )
        for provider_id, code, status, n in await self._session.execute(query):
            out[provider_id].append((code, status, int(n)))
        return out

    async def flagged_visits(self, provider_ids: Collection[str], month: str) -> dict[str, int]:
        """provider → visits of the month that raised at least one exception on arrival."""
        if not provider_ids:
            return {}
        query = (
            select(v.provider_id, func.count(distinct(e.visit_id)))
            .join(visits, v.visit_id == e.visit_id)
            .where(v.provider_id.in_(list(provider_ids)), v.service_month == month)
            .group_by(v.provider_id)
        )
        return {p: int(n) for p, n in await self._session.execute(query)}

    async def ratings_summary(
        self, provider_ids: Collection[str], month: str
    ) -> dict[str, tuple[int, int, int]]:
        """provider → (ratings, sum of scores, complaints) for the month."""
        if not provider_ids:
            return {}
        query = (
            select(r.provider_id, func.count(), func.sum(r.score), func.count(r.complaint_code))
            .where(r.provider_id.in_(list(provider_ids)), r.period == month)
            .group_by(r.provider_id)
        )
        return {
            p: (int(n), int(total or 0), int(complaints))
            for p, n, total, complaints in await self._session.execute(query)
        }

    async def visits_per_day(
        self, regions: Collection[str] | None, first: date, last: date
    ) -> list[tuple[date, str, int]]:
        """(service date, status, visits) in the range, for the regions (None: all)."""
        query = select(v.service_date, v.status, func.count()).where(
            v.service_date >= first, v.service_date <= last
        )
        if regions is not None:
            query = query.where(v.region_code.in_(list(regions)))
        rows = await self._session.execute(query.group_by(v.service_date, v.status))
        return [(d, s, int(n)) for d, s, n in rows]

    async def flagged_per_day(
        self, regions: Collection[str] | None, first: date, last: date
    ) -> dict[date, int]:
        query = (
            select(v.service_date, func.count(distinct(e.visit_id)))
            .join(visits, v.visit_id == e.visit_id)
            .where(v.service_date >= first, v.service_date <= last)
        )
        if regions is not None:
            query = query.where(v.region_code.in_(list(regions)))
        return {d: int(n) for d, n in await self._session.execute(query.group_by(v.service_date))}

    async def open_queue(
        self, regions: Collection[str] | None, provider_id: str | None
    ) -> list[tuple[str, bool, int]]:
        """(code, refusing, count) of the exceptions still open, most frequent first."""
        n = func.count().label("n")
        query = select(e.code, e.refused, n).where(e.status == "open")
        if provider_id is not None:
            query = query.where(e.provider_id == provider_id)
        if regions is not None:
            query = query.join(visits, v.visit_id == e.visit_id).where(
                v.region_code.in_(list(regions))
            )
        query = query.group_by(e.code, e.refused).order_by(n.desc(), e.code)
        return [
            (code, bool(refused), int(c)) for code, refused, c in await self._session.execute(query)
        ]
