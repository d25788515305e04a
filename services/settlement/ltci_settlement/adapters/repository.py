"""Queries on settlement's read models (built from other services' events only)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_settlement.adapters.tables import (
    assessments,
    care_plans,
    eligibilities,
    family_care_certifications,
    insured_persons,
    membership_periods,
    rentals,
    stays,
    visit_voids,
    visits,
)

Row = dict[str, Any]
_CHUNK = 5000


async def _upsert(session: AsyncSession, table: Table, keys: Sequence[str], values: Row) -> None:
    """Update the row with these key values, or insert it (portable: PostgreSQL and SQLite)."""
    where = and_(*(table.c[k] == values[k] for k in keys))
    updated = await session.execute(update(table).where(where).values(**values))
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        await session.execute(table.insert().values(**values))


@lru_cache(maxsize=2)
def _visit_upsert(dialect: str) -> Any:
    """The visit upsert statement (built once per dialect; rows are its parameters)."""
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(visits)
    replaced: dict[str, Any] = {
        c.name: statement.excluded[c.name]
        for c in visits.columns
        if c.name not in ("visit_id", "revision")
    }
    replaced["revision"] = visits.c.revision + 1
    return statement.on_conflict_do_update(index_elements=["visit_id"], set_=replaced)


def _rounds(rows: Sequence[Row], key: str) -> list[list[Row]]:
    """Rows split so no key repeats within a round: a key's k-th row goes in round k, and
    each row is given ``revision`` 1 (the value when it inserts)."""
    rounds: list[list[Row]] = []
    seen: dict[Any, int] = {}
    for row in rows:
        k = seen.get(row[key], 0)
        seen[row[key]] = k + 1
        if k == len(rounds):
            rounds.append([])
        rounds[k].append({**row, "revision": 1})
    return rounds


class InsuredPersonRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, person_id: str) -> Row | None:
        query = select(insured_persons).where(insured_persons.c.person_id == person_id)
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def upsert(self, values: Row) -> None:
        await _upsert(self._session, insured_persons, ["person_id"], values)

    async def end(self, person_id: str, ended_on: Any, updated_at: Any) -> None:
        t = insured_persons
        await self._session.execute(
            update(t)
            .where(t.c.person_id == person_id)
            .values(ended_on=ended_on, updated_at=updated_at)
        )


class ReadModelRepository:
    """Memberships, eligibility, assessments, plans, stays, visits and rentals."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- writes (one event each) --------------------------------------------------------
    async def add_membership(self, values: Row) -> None:
        t = membership_periods
        found = await self._session.execute(
            select(t.c.person_id).where(
                t.c.person_id == values["person_id"], t.c.valid_from == values["valid_from"]
            )
        )
        if found.first() is None:
            await self._session.execute(t.insert().values(**values))

    async def end_membership(self, person_id: str, scheme: str, ended_on: date) -> None:
        t = membership_periods
        await self._session.execute(
            update(t)
            .where(
                t.c.person_id == person_id,
                t.c.scheme == scheme,
                t.c.valid_from <= ended_on,
                or_(t.c.valid_until.is_(None), t.c.valid_until > ended_on),
            )
            .values(valid_until=ended_on)
        )

    async def replace_memberships(self, person_id: str, periods: Iterable[Row]) -> None:
        t = membership_periods
        await self._session.execute(delete(t).where(t.c.person_id == person_id))
        rows = [{"person_id": person_id, **p} for p in periods]
        if rows:
            await self._session.execute(t.insert(), rows)

    async def upsert_eligibility(self, values: Row) -> None:
        await _upsert(self._session, eligibilities, ["eligibility_id"], values)

    async def regrade_eligibility(self, eligibility_id: str, new_window: Row) -> None:
        t = eligibilities
        day_before = new_window["valid_from"] - timedelta(days=1)
        family = or_(
            t.c.eligibility_id == eligibility_id, t.c.eligibility_id.like(f"{eligibility_id}@%")
        )
        await self._session.execute(
            update(t)
            .where(family, t.c.eligibility_id != new_window["eligibility_id"])
            .where(or_(t.c.valid_until.is_(None), t.c.valid_until > day_before))
            .values(valid_until=day_before)
        )
        await _upsert(self._session, t, ["eligibility_id"], new_window)

    async def end_plan(self, plan_id: str, ended_on: date) -> None:
        t = care_plans
        await self._session.execute(
            update(t).where(t.c.plan_id == plan_id).values(ends_on=ended_on)
        )

    async def end_eligibility(self, values: Row) -> None:
        t = eligibilities
        eid = values["eligibility_id"]
        done = await self._session.execute(
            update(t)
            .where(or_(t.c.eligibility_id == eid, t.c.eligibility_id.like(f"{eid}@%")))
            .values(ended_on=values["ended_on"])
        )
        if done.rowcount == 0:  # type: ignore[attr-defined]  # revoked before granted arrived
            await self._session.execute(t.insert().values(grade=None, **values))

    async def upsert(self, table: Table, key: str, values: Row) -> None:
        await _upsert(self._session, table, [key], values)

    async def upsert_visit(self, values: Row) -> None:
        await self.upsert_visits([values])

    async def upsert_visits(self, rows: Sequence[Row]) -> None:
        """Each visit logged or corrected, in order: inserted as revision 1, or replacing the
        state as the next revision (INSERT ... ON CONFLICT DO UPDATE, on PostgreSQL and SQLite
        alike), the rows executed as the parameters of one prepared statement. A visit that
        comes k times is in the k-th round, so it gets k successive revisions in its events'
        order even where a driver folds a round into one multi-row INSERT (which PostgreSQL
        refuses when a key repeats)."""
        statement = _visit_upsert(self._session.get_bind().dialect.name)
        for round_rows in _rounds(rows, "visit_id"):
            await self._session.execute(statement, round_rows)

    async def void_visit(self, values: Row) -> None:
        await _upsert(self._session, visit_voids, ["visit_id"], values)

    async def upsert_rental(self, values: Row) -> None:
        found = await self._session.execute(
            select(rentals.c.revision).where(rentals.c.rental_id == values["rental_id"])
        )
        revision = found.scalar()
        values = {**values, "revision": 1 if revision is None else revision + 1}
        await _upsert(self._session, rentals, ["rental_id"], values)

    # --- reads for a month-end run ------------------------------------------------------
    async def visits_in(self, regions: Sequence[str], first: date, last: date) -> list[Row]:
        """The period's visits in the region (county codes included), voids excluded."""
        voided = select(visit_voids.c.visit_id)
        query = (
            select(visits)
            .where(
                visits.c.region_code.in_(regions),
                visits.c.service_date.between(first, last),
                visits.c.visit_id.not_in(voided),
            )
            .order_by(visits.c.person_id, visits.c.service_date, visits.c.visit_id)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def plans_in(self, regions: Sequence[str], first: date, last: date) -> list[Row]:
        t = care_plans
        query = select(t).where(
            t.c.region_code.in_(regions),
            t.c.starts_on <= last,
            or_(t.c.ends_on.is_(None), t.c.ends_on >= first),
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def certified_days(self, plan_ids: Iterable[str], period: str) -> dict[str, int]:
        """Certified family-care days of each plan in ``period`` (plans without: absent)."""
        t = family_care_certifications
        ids = list(plan_ids)
        if not ids:
            return {}
        query = select(t.c.plan_id, t.c.care_days).where(t.c.plan_id.in_(ids), t.c.period == period)
        return {r.plan_id: int(r.care_days) for r in await self._session.execute(query)}

    async def plans_by_id(self, plan_ids: Iterable[str]) -> dict[str, Row]:
        rows = await self._by_keys(care_plans, care_plans.c.plan_id, plan_ids)
        return {r["plan_id"]: r for r in rows}

    async def rentals_overlapping(self, first: date, last: date) -> list[Row]:
        t = rentals
        query = select(t).where(
            t.c.starts_on <= last, or_(t.c.ends_on.is_(None), t.c.ends_on >= first)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def facts_rows(self, person_ids: Iterable[str]) -> tuple[list[Row], list[Row], list[Row]]:
        ids = list(person_ids)
        return (
            await self._by_keys(membership_periods, membership_periods.c.person_id, ids),
            await self._by_keys(eligibilities, eligibilities.c.person_id, ids),
            await self._by_keys(stays, stays.c.person_id, ids),
        )

    async def memberships_of(self, person_ids: Iterable[str]) -> list[Row]:
        return await self._by_keys(membership_periods, membership_periods.c.person_id, person_ids)

    async def assessments_in(self, regions: Sequence[str], first: date, last: date) -> list[Row]:
        t = assessments
        query = select(t).where(t.c.region_code.in_(regions), t.c.assessed_on.between(first, last))
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def _by_keys(self, table: Table, column: Any, keys: Iterable[str]) -> list[Row]:
        keys = sorted(set(keys))
        out: list[Row] = []
        for i in range(0, len(keys), _CHUNK):
            query = select(table).where(column.in_(keys[i : i + _CHUNK]))
            out.extend(dict(r._mapping) for r in await self._session.execute(query))
        return out
