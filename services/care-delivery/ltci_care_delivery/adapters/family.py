"""Queries on family caregivers, family-care certifications and satisfaction ratings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_care_delivery.adapters.tables import (
    family_care_certifications,
    family_caregivers,
    ratings,
)
from ltci_shared.pagination import Rows, fetch_page

fc, cert, r = family_caregivers.c, family_care_certifications.c, ratings.c


def _one(row: Any) -> dict[str, Any] | None:
    return dict(row._mapping) if row else None


class FamilyCaregiverRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, family_caregiver_id: str) -> dict[str, Any] | None:
        query = select(family_caregivers).where(fc.family_caregiver_id == family_caregiver_id)
        return _one((await self._session.execute(query)).first())

    async def of_person_by_hash(self, person_id: str, lookup_hash: str) -> dict[str, Any] | None:
        query = select(family_caregivers).where(
            fc.person_id == person_id, fc.resident_id_hash == lookup_hash
        )
        return _one((await self._session.execute(query)).first())

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(family_caregivers.insert().values(**values))

    async def update(self, family_caregiver_id: str, values: dict[str, Any]) -> None:
        await self._session.execute(
            update(family_caregivers)
            .where(fc.family_caregiver_id == family_caregiver_id)
            .values(**values)
        )

    async def search(self, *, person_id: str | None, cursor: str | None, limit: int) -> Rows:
        query = select(family_caregivers)
        if person_id is not None:
            query = query.where(fc.person_id == person_id)
        return await fetch_page(
            self._session, query, fc.family_caregiver_id, limit=limit, cursor=cursor
        )


class CertificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_plan_period(self, plan_id: str, period: str) -> dict[str, Any] | None:
        query = select(family_care_certifications).where(
            cert.plan_id == plan_id, cert.period == period
        )
        return _one((await self._session.execute(query)).first())

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(family_care_certifications.insert().values(**values))

    async def search(self, filters: dict[str, Any], cursor: str | None, limit: int) -> Rows:
        query = select(family_care_certifications)
        for name in ("plan_id", "person_id", "provider_id", "period"):
            if filters.get(name) is not None:
                query = query.where(cert[name] == filters[name])
        return await fetch_page(
            self._session, query, cert.certification_id, limit=limit, cursor=cursor
        )


class RatingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_scope(
        self, provider_id: str, period: str, scope_key: str
    ) -> dict[str, Any] | None:
        query = select(ratings).where(
            r.provider_id == provider_id, r.period == period, r.scope_key == scope_key
        )
        return _one((await self._session.execute(query)).first())

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(ratings.insert().values(**values))

    async def search(self, filters: dict[str, Any], cursor: str | None, limit: int) -> Rows:
        query = select(ratings)
        for name in ("provider_id", "person_id", "visit_id", "period"):
            if filters.get(name) is not None:
                query = query.where(r[name] == filters[name])
        if filters.get("complaints_only"):
            query = query.where(r.complaint_code.is_not(None))
        return await fetch_page(self._session, query, r.rating_id, limit=limit, cursor=cursor)
