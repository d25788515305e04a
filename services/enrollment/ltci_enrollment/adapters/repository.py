"""Queries on persons, their versions, membership periods and assistance categories.

Handlers never write SQL themselves; every query of the service lives in an adapter module.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_enrollment.adapters.tables import (
    assistance_assignments,
    memberships,
    person_versions,
    persons,
)
from ltci_enrollment.domain.assistance import Assignment
from ltci_enrollment.domain.membership import Period
from ltci_shared.pagination import Rows, fetch_page


def region_filter(column: Any, code: str) -> Any:
    """A city code (``xxxx00``) matches its divisions too; a division code matches itself."""
    if code.endswith("00"):
        return column.like(code[:4] + "%")
    return column == code


def covering(day: date) -> Any:
    return and_(
        memberships.c.valid_from <= day,
        or_(memberships.c.valid_until.is_(None), memberships.c.valid_until >= day),
    )


def assignment_active(day: date) -> Any:
    a = assistance_assignments.c
    return and_(
        a.valid_from <= day,
        or_(a.valid_until.is_(None), a.valid_until >= day),
        or_(a.revoked_on.is_(None), a.revoked_on > day),
    )


class PersonRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_lookup_hash(self, lookup_hash: str) -> dict[str, Any] | None:
        query = select(persons).where(persons.c.resident_id_hash == lookup_hash)
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def by_lookup_hashes(self, hashes: list[str]) -> dict[str, str]:
        if not hashes:
            return {}
        query = select(persons.c.resident_id_hash, persons.c.person_id).where(
            persons.c.resident_id_hash.in_(hashes)
        )
        return {r.resident_id_hash: r.person_id for r in await self._session.execute(query)}

    async def get(self, person_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        query = select(persons).where(persons.c.person_id == person_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def add_many(self, rows: list[dict[str, Any]], versions: list[dict[str, Any]]) -> None:
        await self._session.execute(persons.insert(), rows)
        await self._session.execute(person_versions.insert(), versions)

    async def update(self, person_id: str, values: dict[str, Any]) -> None:
        await self._session.execute(
            update(persons).where(persons.c.person_id == person_id).values(**values)
        )

    async def add_version(self, values: dict[str, Any]) -> None:
        await self._session.execute(person_versions.insert().values(**values))

    async def versions(self, person_id: str) -> list[dict[str, Any]]:
        query = (
            select(person_versions)
            .where(person_versions.c.person_id == person_id)
            .order_by(person_versions.c.version)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def page(
        self,
        *,
        cursor: str | None,
        limit: int,
        region_code: str | None,
        scheme: str | None,
        category: str | None,
        as_of: date,
    ) -> Rows:
        query: Select[Any] = select(persons)
        if region_code is not None:
            query = query.where(region_filter(persons.c.region_code, region_code))
        if scheme is not None:
            member = select(memberships.c.person_id).where(
                memberships.c.scheme == scheme, covering(as_of)
            )
            query = query.where(persons.c.person_id.in_(member))
        if category is not None:
            holder = select(assistance_assignments.c.person_id).where(
                assistance_assignments.c.category == category, assignment_active(as_of)
            )
            query = query.where(persons.c.person_id.in_(holder))
        return await fetch_page(
            self._session, query, persons.c.person_id, limit=limit, cursor=cursor
        )


class MembershipRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def periods(self, person_id: str) -> list[Period]:
        query = (
            select(memberships)
            .where(memberships.c.person_id == person_id)
            .order_by(memberships.c.valid_from)
        )
        return [
            Period(
                r.membership_id, r.scheme, r.region_code, r.valid_from, r.valid_until, r.end_reason
            )
            for r in await self._session.execute(query)
        ]

    async def add_many(self, periods: list[tuple[str, Period]], now: Any) -> None:
        await self._session.execute(
            memberships.insert(),
            [
                {
                    "membership_id": p.membership_id,
                    "person_id": person_id,
                    "scheme": p.scheme,
                    "region_code": p.region_code,
                    "valid_from": p.valid_from,
                    "valid_until": p.valid_until,
                    "end_reason": p.end_reason,
                    "created_at": now,
                }
                for person_id, p in periods
            ],
        )

    async def save(
        self, person_id: str, before: list[Period], after: list[Period], now: Any
    ) -> None:
        """Write the difference: closed periods updated, new periods inserted."""
        old = {p.membership_id: p for p in before}
        for period in after:
            if period.membership_id not in old:
                await self._session.execute(
                    memberships.insert().values(
                        membership_id=period.membership_id,
                        person_id=person_id,
                        scheme=period.scheme,
                        region_code=period.region_code,
                        valid_from=period.valid_from,
                        valid_until=period.valid_until,
                        end_reason=period.end_reason,
                        created_at=now,
                    )
                )
            elif old[period.membership_id] != period:
                await self._session.execute(
                    update(memberships)
                    .where(memberships.c.membership_id == period.membership_id)
                    .values(valid_until=period.valid_until, end_reason=period.end_reason)
                )

    async def members(
        self, region_code: str, day: date, *, after: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Members insured in the region on ``day`` with their scheme, by person id."""
        query = (
            select(
                memberships.c.person_id,
                memberships.c.scheme,
                memberships.c.region_code,
                persons.c.birth_date,
            )
            .join(persons, persons.c.person_id == memberships.c.person_id)
            .where(region_filter(memberships.c.region_code, region_code), covering(day))
            .order_by(memberships.c.person_id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(memberships.c.person_id > after)
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def count_members(self, region_code: str, day: date) -> int:
        query = select(func.count()).where(
            region_filter(memberships.c.region_code, region_code), covering(day)
        )
        return int((await self._session.execute(query)).scalar_one())

    async def counts_by_scheme_and_region(self, day: date) -> list[dict[str, Any]]:
        query = (
            select(memberships.c.region_code, memberships.c.scheme, func.count().label("persons"))
            .where(covering(day))
            .group_by(memberships.c.region_code, memberships.c.scheme)
            .order_by(memberships.c.region_code, memberships.c.scheme)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]


class AssistanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def for_person(self, person_id: str) -> list[Assignment]:
        a = assistance_assignments.c
        query = (
            select(assistance_assignments)
            .where(a.person_id == person_id)
            .order_by(a.valid_from, a.category)
        )
        return [
            Assignment(
                r.assignment_id,
                r.category,
                r.recipient_class,
                r.valid_from,
                r.valid_until,
                r.revoked_on,
            )
            for r in await self._session.execute(query)
        ]

    async def sources(self, person_id: str) -> dict[str, str]:
        a = assistance_assignments.c
        query = select(a.assignment_id, a.source).where(a.person_id == person_id)
        return {r.assignment_id: r.source for r in await self._session.execute(query)}

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(assistance_assignments.insert().values(**values))

    async def revoke(self, assignment_id: str, revoked_on: date) -> None:
        await self._session.execute(
            update(assistance_assignments)
            .where(assistance_assignments.c.assignment_id == assignment_id)
            .values(revoked_on=revoked_on)
        )

    async def active_categories(self, person_ids: list[str], day: date) -> dict[str, set[str]]:
        a = assistance_assignments.c
        query = select(a.person_id, a.category).where(
            a.person_id.in_(person_ids), assignment_active(day)
        )
        out: dict[str, set[str]] = {}
        for r in await self._session.execute(query):
            out.setdefault(r.person_id, set()).add(r.category)
        return out

    async def counts_by_category(self, day: date) -> list[dict[str, Any]]:
        a = assistance_assignments.c
        query = (
            select(a.category, func.count(func.distinct(a.person_id)).label("persons"))
            .where(assignment_active(day))
            .group_by(a.category)
            .order_by(a.category)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]
