"""Queries on the registry of assessment organisations and assessors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_assessment.adapters.tables import assessor_qualifications, assessors, organisations
from ltci_shared.pagination import Rows, fetch_page


def _valid_on(table: Any, day: date) -> Any:
    return and_(
        table.c.valid_from <= day, or_(table.c.valid_until.is_(None), table.c.valid_until >= day)
    )


class RegistryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_organisation(self, values: dict[str, Any]) -> None:
        await self._session.execute(organisations.insert().values(**values))

    async def organisation(self, organisation_id: str) -> dict[str, Any] | None:
        query = select(organisations).where(organisations.c.organisation_id == organisation_id)
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def organisation_by_uscc(self, uscc: str) -> dict[str, Any] | None:
        query = select(organisations).where(organisations.c.uscc == uscc)
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def list_organisations(
        self, *, pack_code: str | None, limit: int, cursor: str | None
    ) -> Rows:
        query = select(organisations)
        if pack_code is not None:
            query = query.where(organisations.c.pack_code == pack_code)
        return await fetch_page(
            self._session, query, organisations.c.organisation_id, limit=limit, cursor=cursor
        )

    async def add_assessor(self, values: dict[str, Any], qualifications: Sequence[str]) -> None:
        await self._session.execute(assessors.insert().values(**values))
        await self._session.execute(
            assessor_qualifications.insert(),
            [{"assessor_id": values["assessor_id"], "qualification": q} for q in qualifications],
        )

    async def assessor(self, assessor_id: str) -> dict[str, Any] | None:
        found = await self.assessors_by_id([assessor_id])
        return found[0] if found else None

    async def assessors_by_id(self, ids: list[str]) -> list[dict[str, Any]]:
        rows = await self._session.execute(
            select(assessors).where(assessors.c.assessor_id.in_(ids))
        )
        return await self._with_qualifications([dict(r._mapping) for r in rows])

    async def list_assessors(
        self,
        *,
        pack_code: str | None,
        organisation_id: str | None,
        qualification: str | None,
        valid_on: date | None,
        limit: int,
        cursor: str | None,
    ) -> Rows:
        query = select(assessors)
        if pack_code is not None:
            query = query.where(assessors.c.pack_code == pack_code)
        if organisation_id is not None:
            query = query.where(assessors.c.organisation_id == organisation_id)
        if qualification is not None:
            query = query.where(assessors.c.assessor_id.in_(self._qualified(qualification)))
        if valid_on is not None:
            query = query.where(_valid_on(assessors, valid_on))
        page = await fetch_page(
            self._session, query, assessors.c.assessor_id, limit=limit, cursor=cursor
        )
        return Rows(await self._with_qualifications(page.items), page.next_cursor)

    async def pool(
        self, pack_code: str, qualifications: list[str], on: date
    ) -> list[dict[str, Any]]:
        """Assessors of the region holding every qualification, valid (with their
        organisation) on ``on``, in id order."""
        query = (
            select(assessors)
            .join(organisations, organisations.c.organisation_id == assessors.c.organisation_id)
            .where(
                assessors.c.pack_code == pack_code,
                _valid_on(assessors, on),
                _valid_on(organisations, on),
            )
        )
        for q in qualifications:
            query = query.where(assessors.c.assessor_id.in_(self._qualified(q)))
        rows = await self._session.execute(query.order_by(assessors.c.assessor_id))
        return await self._with_qualifications([dict(r._mapping) for r in rows])

    @staticmethod
    def _qualified(qualification: str) -> Any:
        t = assessor_qualifications
        return select(t.c.assessor_id).where(t.c.qualification == qualification)

    async def _with_qualifications(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not rows:
            return rows
        t = assessor_qualifications
        found = await self._session.execute(
            select(t).where(t.c.assessor_id.in_([r["assessor_id"] for r in rows]))
        )
        quals: dict[str, list[str]] = {}
        for q in found:
            quals.setdefault(q.assessor_id, []).append(q.qualification)
        return [{**r, "qualifications": sorted(quals.get(r["assessor_id"], []))} for r in rows]
