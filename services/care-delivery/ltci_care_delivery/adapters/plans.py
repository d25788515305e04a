"""Queries on care plans, hospital/institutional stays and device rentals."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_care_delivery.adapters.tables import care_plans, device_rentals, stays
from ltci_shared.pagination import Rows, fetch_page

OPEN = ("active", "paused")


def _one(row: Any) -> dict[str, Any] | None:
    return dict(row._mapping) if row else None


class PlanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, plan_id: str) -> dict[str, Any] | None:
        query = select(care_plans).where(care_plans.c.plan_id == plan_id)
        return _one((await self._session.execute(query)).first())

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(care_plans.insert().values(**values))

    async def update(self, plan_id: str, values: dict[str, Any]) -> None:
        await self._session.execute(
            update(care_plans).where(care_plans.c.plan_id == plan_id).values(**values)
        )

    async def open_plans(
        self,
        *,
        person_id: str | None = None,
        provider_id: str | None = None,
        eligibility_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Plans not ended yet, of a person, a provider or an eligibility window."""
        p = care_plans.c
        query = select(care_plans).where(p.status.in_(OPEN)).order_by(p.plan_id)
        if person_id is not None:
            query = query.where(p.person_id == person_id)
        if provider_id is not None:
            query = query.where(p.provider_id == provider_id)
        if eligibility_id is not None:
            query = query.where(p.eligibility_id == eligibility_id)
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def overlapping_institutional(
        self, person_id: str, starts_on: date, ends_on: date | None
    ) -> dict[str, Any] | None:
        p = care_plans.c
        query = select(care_plans).where(
            p.person_id == person_id,
            p.service_form == "institutional",
            p.status.in_(OPEN),
            or_(p.ends_on.is_(None), p.ends_on >= starts_on),
        )
        if ends_on is not None:
            query = query.where(p.starts_on <= ends_on)
        return _one((await self._session.execute(query.limit(1))).first())

    async def of_persons(self, person_ids: Collection[str]) -> list[dict[str, Any]]:
        """Every plan of these persons that is not cancelled (ended plans cover their past)."""
        if not person_ids:
            return []
        query = select(care_plans).where(care_plans.c.person_id.in_(list(person_ids)))
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def search(
        self,
        *,
        person_id: str | None,
        provider_id: str | None,
        status: str | None,
        cursor: str | None,
        limit: int,
    ) -> Rows:
        p, query = care_plans.c, select(care_plans)
        for column, value in (
            (p.person_id, person_id),
            (p.provider_id, provider_id),
            (p.status, status),
        ):
            if value is not None:
                query = query.where(column == value)
        return await fetch_page(self._session, query, p.plan_id, limit=limit, cursor=cursor)


class StayRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, stay_id: str) -> dict[str, Any] | None:
        return _one(
            (await self._session.execute(select(stays).where(stays.c.stay_id == stay_id))).first()
        )

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(stays.insert().values(**values))

    async def update(self, stay_id: str, values: dict[str, Any]) -> None:
        await self._session.execute(
            update(stays).where(stays.c.stay_id == stay_id).values(**values)
        )

    async def overlapping(
        self,
        person_id: str,
        admitted_on: date,
        discharged_on: date | None,
        *,
        besides: str | None = None,
    ) -> dict[str, Any] | None:
        s = stays.c
        query = select(stays).where(
            s.person_id == person_id, or_(s.discharged_on.is_(None), s.discharged_on > admitted_on)
        )
        if discharged_on is not None:
            query = query.where(s.admitted_on < discharged_on)
        if besides is not None:
            query = query.where(s.stay_id != besides)
        return _one((await self._session.execute(query.limit(1))).first())

    async def of_persons(
        self, person_ids: Collection[str]
    ) -> dict[str, list[tuple[date, date | None]]]:
        out: dict[str, list[tuple[date, date | None]]] = {pid: [] for pid in person_ids}
        if not person_ids:
            return out
        query = select(stays.c.person_id, stays.c.admitted_on, stays.c.discharged_on).where(
            stays.c.person_id.in_(list(person_ids))
        )
        for row in await self._session.execute(query):
            out[row.person_id].append((row.admitted_on, row.discharged_on))
        return out

    async def search(self, *, person_id: str | None, cursor: str | None, limit: int) -> Rows:
        query = select(stays)
        if person_id is not None:
            query = query.where(stays.c.person_id == person_id)
        return await fetch_page(self._session, query, stays.c.stay_id, limit=limit, cursor=cursor)


class RentalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, rental_id: str) -> dict[str, Any] | None:
        query = select(device_rentals).where(device_rentals.c.rental_id == rental_id)
        return _one((await self._session.execute(query)).first())

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(device_rentals.insert().values(**values))

    async def update(self, rental_id: str, values: dict[str, Any]) -> None:
        await self._session.execute(
            update(device_rentals).where(device_rentals.c.rental_id == rental_id).values(**values)
        )

    async def active_in_category(self, person_id: str, category: str) -> dict[str, Any] | None:
        r = device_rentals.c
        query = select(device_rentals).where(
            r.person_id == person_id, r.category == category, r.status == "active"
        )
        return _one((await self._session.execute(query.limit(1))).first())

    async def search(
        self, *, person_id: str | None, status: str | None, cursor: str | None, limit: int
    ) -> Rows:
        r, query = device_rentals.c, select(device_rentals)
        if person_id is not None:
            query = query.where(r.person_id == person_id)
        if status is not None:
            query = query.where(r.status == status)
        return await fetch_page(self._session, query, r.rental_id, limit=limit, cursor=cursor)
