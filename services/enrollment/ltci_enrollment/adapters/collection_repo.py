"""Queries on collection runs, contribution charges and receipts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_enrollment.adapters.repository import region_filter
from ltci_enrollment.adapters.tables import (
    collection_runs,
    contribution_charges,
    contribution_receipts,
)
from ltci_shared.pagination import Rows, fetch_page

c = contribution_charges.c


class CollectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_run(self, values: dict[str, Any]) -> None:
        await self._session.execute(collection_runs.insert().values(**values))

    async def run(self, run_id: str) -> dict[str, Any] | None:
        query = select(collection_runs).where(collection_runs.c.run_id == run_id)
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def running(self, region_code: str, year: int) -> dict[str, Any] | None:
        r = collection_runs.c
        query = select(collection_runs).where(
            r.region_code == region_code, r.year == year, r.status == "running"
        )
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def runs(self, *, cursor: str | None, limit: int) -> Rows:
        run_id = collection_runs.c.run_id
        query = select(collection_runs)
        return await fetch_page(self._session, query, run_id, limit=limit, cursor=cursor)

    async def update_run(self, run_id: str, **values: Any) -> None:
        await self._session.execute(
            update(collection_runs).where(collection_runs.c.run_id == run_id).values(**values)
        )

    async def existing_keys(self, year: int, person_ids: list[str]) -> set[tuple[str, str, str]]:
        query = select(c.person_id, c.payer, c.fund).where(
            c.year == year, c.person_id.in_(person_ids)
        )
        return {(r.person_id, r.payer, r.fund) for r in await self._session.execute(query)}

    async def add_charges(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self._session.execute(contribution_charges.insert(), rows)

    async def charge(self, charge_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        query = select(contribution_charges).where(c.charge_id == charge_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def outstanding(
        self, region_code: str, year: int, payer: str | None
    ) -> list[dict[str, Any]]:
        query = self._outstanding_query(region_code, year, payer).with_for_update()
        return [dict(r._mapping) for r in await self._session.execute(query)]

    def _outstanding_query(self, region_code: str, year: int, payer: str | None) -> Select[Any]:
        query = select(contribution_charges).where(
            region_filter(c.region_code, region_code), c.year == year, c.received < c.amount
        )
        if payer is not None:
            query = query.where(c.payer == payer)
        return query

    async def arrears_page(
        self, region_code: str, year: int, payer: str | None, *, cursor: str | None, limit: int
    ) -> Rows:
        query = self._outstanding_query(region_code, year, payer)
        return await fetch_page(self._session, query, c.charge_id, limit=limit, cursor=cursor)

    async def charges_of(self, person_id: str) -> list[dict[str, Any]]:
        query = (
            select(contribution_charges)
            .where(c.person_id == person_id)
            .order_by(c.year, c.payer, c.fund)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def add_received(self, charge_id: str, amount: Decimal) -> None:
        await self._session.execute(
            update(contribution_charges)
            .where(c.charge_id == charge_id)
            .values(received=c.received + amount)
        )

    async def mark_paid(self, charge_ids: list[str]) -> None:
        await self._session.execute(
            update(contribution_charges)
            .where(c.charge_id.in_(charge_ids))
            .values(received=c.amount)
        )

    async def receipt_by_reference(self, reference: str) -> dict[str, Any] | None:
        query = select(contribution_receipts).where(contribution_receipts.c.reference == reference)
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def references_like(self, prefix: str) -> int:
        query = select(func.count()).where(contribution_receipts.c.reference.like(prefix + "%"))
        return int((await self._session.execute(query)).scalar_one())

    async def add_receipts(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self._session.execute(contribution_receipts.insert(), rows)

    async def summary(self, region_code: str, year: int) -> list[dict[str, Any]]:
        query = (
            select(
                c.payer,
                c.fund,
                func.count().label("charges"),
                func.sum(c.amount).label("due"),
                func.sum(c.received).label("received"),
            )
            .where(region_filter(c.region_code, region_code), c.year == year)
            .group_by(c.payer, c.fund)
            .order_by(c.payer, c.fund)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]
