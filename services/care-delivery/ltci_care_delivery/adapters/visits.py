"""Queries on visits, their exceptions and the audit trail; bulk reads and writes for batches."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_care_delivery.adapters.tables import visit_audit, visit_exceptions, visits
from ltci_shared.bulk import insert_many
from ltci_shared.pagination import Rows, fetch_page

COUNTED = ("verified", "pending")  # use a plan's quota
PRESENT = ("verified", "pending", "refused")  # place the caregiver somewhere
_INSERT = visits.insert()


def as_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _visit(row: Any) -> dict[str, Any]:
    visit = dict(row._mapping)
    visit["begin_at"], visit["end_at"] = as_utc(visit["begin_at"]), as_utc(visit["end_at"])
    return visit


class VisitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, visit_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
        query = select(visits).where(visits.c.visit_id == visit_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return _visit(row) if row else None

    async def by_external_ids(
        self, provider_id: str, external_ids: Collection[str]
    ) -> dict[str, dict[str, Any]]:
        query = select(visits).where(
            visits.c.provider_id == provider_id, visits.c.external_id.in_(list(external_ids))
        )
        return {r.external_id: _visit(r) for r in await self._session.execute(query)}

    async def add_many(self, rows: list[dict[str, Any]]) -> None:
        if len(rows) == 1:  # one visit: a plain INSERT (an executemany costs more)
            await self._session.execute(_INSERT, rows[0])
        else:
            await insert_many(self._session, visits, rows)

    async def update(self, visit_id: str, values: dict[str, Any]) -> None:
        await self._session.execute(
            update(visits).where(visits.c.visit_id == visit_id).values(**values)
        )

    async def search(self, filters: dict[str, Any], cursor: str | None, limit: int) -> Rows:
        v, query = visits.c, select(visits)
        for name in ("provider_id", "person_id", "caregiver_id", "status"):
            if filters.get(name) is not None:
                query = query.where(v[name] == filters[name])
        if filters.get("service_date_from") is not None:
            query = query.where(v.service_date >= filters["service_date_from"])
        if filters.get("service_date_to") is not None:
            query = query.where(v.service_date <= filters["service_date_to"])
        return await fetch_page(self._session, query, v.visit_id, limit=limit, cursor=cursor)

    # --- exceptions and audit -------------------------------------------------------------

    async def add_exceptions(self, rows: list[dict[str, Any]]) -> None:
        await insert_many(self._session, visit_exceptions, rows)

    async def exceptions_of(self, visit_id: str) -> list[dict[str, Any]]:
        query = (
            select(visit_exceptions)
            .where(visit_exceptions.c.visit_id == visit_id)
            .order_by(visit_exceptions.c.exception_id)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def get_exception(self, exception_id: str) -> dict[str, Any] | None:
        query = select(visit_exceptions).where(visit_exceptions.c.exception_id == exception_id)
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def close_exceptions(
        self, exception_ids: Collection[str], values: dict[str, Any]
    ) -> None:
        if exception_ids:
            await self._session.execute(
                update(visit_exceptions)
                .where(visit_exceptions.c.exception_id.in_(list(exception_ids)))
                .values(**values)
            )

    async def list_exceptions(
        self, filters: dict[str, Any], cursor: str | None, limit: int
    ) -> Rows:
        e, v = visit_exceptions.c, visits.c
        query = select(
            visit_exceptions,
            v.external_id,
            v.person_id,
            v.caregiver_id,
            v.service_date,
            v.status.label("visit_status"),
        ).join(visits, v.visit_id == e.visit_id)
        for name in ("provider_id", "status", "code"):
            if filters.get(name) is not None:
                query = query.where(e[name] == filters[name])
        return await fetch_page(self._session, query, e.exception_id, limit=limit, cursor=cursor)

    async def add_audit(self, values: dict[str, Any]) -> None:
        await self._session.execute(visit_audit.insert().values(**values))

    async def audit_of(self, visit_id: str) -> list[dict[str, Any]]:
        query = (
            select(visit_audit)
            .where(visit_audit.c.visit_id == visit_id)
            .order_by(visit_audit.c.audit_id)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]
