"""Queries on providers, their agreements, caregivers and who works for whom."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_care_delivery.adapters.tables import agreements, caregivers, employments, providers
from ltci_shared.pagination import Rows, fetch_page


def _one(row: Any) -> dict[str, Any] | None:
    return dict(row._mapping) if row else None


class ProviderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, provider_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
        query = select(providers).where(providers.c.provider_id == provider_id)
        if for_update:
            query = query.with_for_update()
        return _one((await self._session.execute(query)).first())

    async def by_uscc(self, uscc: str) -> dict[str, Any] | None:
        query = select(providers).where(providers.c.uscc == uscc)
        return _one((await self._session.execute(query)).first())

    async def existing(self, provider_ids: Collection[str]) -> set[str]:
        query = select(providers.c.provider_id).where(
            providers.c.provider_id.in_(list(provider_ids))
        )
        return set((await self._session.execute(query)).scalars())

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(providers.insert().values(**values))

    async def update(self, provider_id: str, values: dict[str, Any]) -> None:
        await self._session.execute(
            update(providers).where(providers.c.provider_id == provider_id).values(**values)
        )

    async def search(
        self,
        *,
        status: str | None,
        cursor: str | None,
        limit: int,
        region_code: str | None = None,
        region_codes: Collection[str] | None = None,
    ) -> Rows:
        query = select(providers)
        if status is not None:
            query = query.where(providers.c.status == status)
        if region_code is not None:
            query = query.where(providers.c.region_code == region_code)
        if region_codes is not None:
            query = query.where(providers.c.region_code.in_(list(region_codes)))
        return await fetch_page(
            self._session, query, providers.c.provider_id, limit=limit, cursor=cursor
        )

    async def add_agreement(self, values: dict[str, Any]) -> None:
        await self._session.execute(agreements.insert().values(**values))

    async def agreements(self, provider_id: str) -> list[dict[str, Any]]:
        query = (
            select(agreements)
            .where(agreements.c.provider_id == provider_id)
            .order_by(agreements.c.valid_from)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def covering_agreement(
        self, provider_id: str, day: date, form: str
    ) -> dict[str, Any] | None:
        for agreement in await self.agreements(provider_id):
            if (
                agreement["valid_from"] <= day <= agreement["valid_until"]
                and form in (agreement["forms"])
            ):
                return agreement
        return None


class CaregiverRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, caregiver_id: str) -> dict[str, Any] | None:
        query = select(caregivers).where(caregivers.c.caregiver_id == caregiver_id)
        return _one((await self._session.execute(query)).first())

    async def by_lookup_hash(self, lookup_hash: str) -> dict[str, Any] | None:
        query = select(caregivers).where(caregivers.c.resident_id_hash == lookup_hash)
        return _one((await self._session.execute(query)).first())

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(caregivers.insert().values(**values))

    async def update(self, caregiver_id: str, values: dict[str, Any]) -> None:
        await self._session.execute(
            update(caregivers).where(caregivers.c.caregiver_id == caregiver_id).values(**values)
        )

    async def add_employments(self, rows: list[dict[str, Any]]) -> None:
        await self._session.execute(employments.insert(), rows)

    async def provider_ids(self, caregiver_id: str) -> list[str]:
        query = (
            select(employments.c.provider_id)
            .where(employments.c.caregiver_id == caregiver_id)
            .order_by(employments.c.created_at, employments.c.provider_id)
        )
        return list((await self._session.execute(query)).scalars())

    async def employments(self, caregiver_id: str) -> list[dict[str, Any]]:
        e = employments.c
        query = (
            select(e.provider_id, e.since, e.until, e.end_reason)
            .where(e.caregiver_id == caregiver_id)
            .order_by(e.created_at, e.provider_id)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def update_employment(
        self, caregiver_id: str, provider_id: str, values: dict[str, Any]
    ) -> None:
        e = employments.c
        await self._session.execute(
            update(employments)
            .where(e.caregiver_id == caregiver_id, e.provider_id == provider_id)
            .values(**values)
        )

    async def search(self, *, provider_id: str | None, cursor: str | None, limit: int) -> Rows:
        query = select(caregivers)
        if provider_id is not None:
            query = query.where(
                caregivers.c.caregiver_id.in_(
                    select(employments.c.caregiver_id).where(
                        employments.c.provider_id == provider_id
                    )
                )
            )
        return await fetch_page(
            self._session, query, caregivers.c.caregiver_id, limit=limit, cursor=cursor
        )
