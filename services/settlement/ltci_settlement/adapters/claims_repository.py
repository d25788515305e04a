"""Queries on claims, claim lines, month-end runs and provider statements."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_settlement.adapters.tables import claim_lines, claims, period_locks, runs, statements
from ltci_shared.bulk import insert_many
from ltci_shared.pagination import Rows, fetch_page

Row = dict[str, Any]
_BATCH = 5000
_COUNTERS = (
    "persons_done",
    "lines_created",
    "lines_pending",
    "lines_reversed",
    "entries_created",
    "statements_issued",
)


def _now() -> datetime:
    return datetime.now(UTC)


class ClaimRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- runs -------------------------------------------------------------------------------
    async def lock_period(self, region_code: str, period: str) -> None:
        """Serialise runs of one region and period (a row lock on PostgreSQL)."""
        t = period_locks
        where = and_(t.c.region_code == region_code, t.c.period == period)
        found = await self._session.execute(select(t.c.runs).where(where).with_for_update())
        if found.first() is None:
            await self._session.execute(
                t.insert().values(region_code=region_code, period=period, runs=0)
            )
            await self._session.execute(select(t.c.runs).where(where).with_for_update())

    async def add_run(self, row: Row) -> None:
        await self._session.execute(runs.insert().values(**row))

    async def count_run(self, run_id: str, **increments: int) -> None:
        values = {k: runs.c[k] + v for k, v in increments.items() if k in _COUNTERS and v}
        if values:
            await self._session.execute(
                update(runs).where(runs.c.run_id == run_id).values(**values)
            )

    async def set_run(self, run_id: str, **values: Any) -> None:
        await self._session.execute(update(runs).where(runs.c.run_id == run_id).values(**values))

    async def get_run(self, run_id: str) -> Row | None:
        row = (await self._session.execute(select(runs).where(runs.c.run_id == run_id))).first()
        return dict(row._mapping) if row else None

    async def list_runs(self, filters: Row, cursor: str | None, limit: int) -> Rows:
        """Newest first."""
        query = select(runs)
        for key in ("region_code", "period", "status"):
            if filters.get(key) is not None:
                query = query.where(runs.c[key] == filters[key])
        order = (runs.c.started_at, runs.c.run_id)
        return await fetch_page(
            self._session, query, order, limit=limit, cursor=cursor, descending=True
        )

    # --- claims and lines ------------------------------------------------------------------------
    async def ensure_claims(self, rows: Sequence[Row]) -> None:
        ids = [r["claim_id"] for r in rows]
        found = await self._session.execute(
            select(claims.c.claim_id).where(claims.c.claim_id.in_(ids))
        )
        have = {r[0] for r in found}
        fresh = [
            {
                **r,
                "status": "open",
                "line_count": 0,
                "pending_count": 0,
                "held_count": 0,
                "billed_fen": 0,
                "fund_fen": 0,
                "person_fen": 0,
                "denied_fen": 0,
                "created_at": _now(),
                "updated_at": _now(),
            }
            for r in rows
            if r["claim_id"] not in have
        ]
        if fresh:
            await self._session.execute(claims.insert(), fresh)

    async def active_lines(self, claim_ids: Iterable[str], person_ids: Iterable[str]) -> list[Row]:
        t = claim_lines
        people = sorted(set(person_ids))
        out: list[Row] = []
        for i in range(0, len(people), _BATCH):
            query = select(t).where(
                t.c.active.is_(True),
                t.c.claim_id.in_(sorted(set(claim_ids))),
                t.c.person_id.in_(people[i : i + _BATCH]),
            )
            out.extend(dict(r._mapping) for r in await self._session.execute(query))
        return out

    async def claim_ids_of(self, region_code: str, period: str) -> list[str]:
        query = select(claims.c.claim_id).where(
            claims.c.region_code == region_code, claims.c.period == period
        )
        return [r[0] for r in await self._session.execute(query)]

    async def persons_with_lines(self, claim_ids: Sequence[str]) -> set[str]:
        t = claim_lines
        query = (
            select(t.c.person_id)
            .distinct()
            .where(t.c.active.is_(True), t.c.claim_id.in_(claim_ids))
        )
        return {r[0] for r in await self._session.execute(query)}

    async def year_usage(self, person_ids: Iterable[str], year: int, before: str) -> list[Row]:
        """Fund fen already paid this year (earlier periods) per person and form."""
        t, c = claim_lines, claims
        people = sorted(set(person_ids))
        out: list[Row] = []
        for i in range(0, len(people), _BATCH):
            query = (
                select(t.c.person_id, t.c.service_form, func.sum(t.c.fund_fen).label("fund_fen"))
                .join(c, c.c.claim_id == t.c.claim_id)
                .where(
                    t.c.active.is_(True),
                    t.c.person_id.in_(people[i : i + _BATCH]),
                    c.c.period >= f"{year:04d}-01",
                    c.c.period < before,
                )
                .group_by(t.c.person_id, t.c.service_form)
            )
            out.extend(dict(r._mapping) for r in await self._session.execute(query))
        return out

    async def max_line_nos(self, claim_ids: Iterable[str]) -> dict[str, int]:
        t = claim_lines
        query = (
            select(t.c.claim_id, func.max(t.c.line_no))
            .where(t.c.claim_id.in_(sorted(set(claim_ids))))
            .group_by(t.c.claim_id)
        )
        return {r[0]: int(r[1]) for r in await self._session.execute(query)}

    async def insert_lines(self, rows: Sequence[Row]) -> None:
        await insert_many(self._session, claim_lines, rows)

    async def update_line(self, line_id: str, **values: Any) -> None:
        t = claim_lines
        await self._session.execute(update(t).where(t.c.line_id == line_id).values(**values))

    async def mark_posted(self, entry_by_line: dict[str, str]) -> None:
        """Record each line's journal entry: one executemany, not one statement a line."""
        if not entry_by_line:
            return
        t = claim_lines
        statement = (
            update(t)
            .where(t.c.line_id == bindparam("b_line"))
            .values(entry_id=bindparam("b_entry"))
        )
        params = [{"b_line": line, "b_entry": entry} for line, entry in entry_by_line.items()]
        connection = await self._session.connection()
        await connection.execute(statement, params)

    async def refresh_totals(self, claim_ids: Iterable[str]) -> None:
        """Recompute each claim's cached totals from its active lines: one grouped query and
        one executemany update, however many claims."""
        wanted = sorted(set(claim_ids))
        if not wanted:
            return
        t = claim_lines
        query = (
            select(
                t.c.claim_id,
                func.count(),
                func.coalesce(func.sum(case((t.c.outcome == "pending", 1), else_=0)), 0),
                func.coalesce(func.sum(case((t.c.review_status == "held", 1), else_=0)), 0),
                func.coalesce(func.sum(t.c.billed_fen), 0),
                func.coalesce(func.sum(t.c.fund_fen), 0),
                func.coalesce(func.sum(t.c.person_fen), 0),
                func.coalesce(func.sum(t.c.denied_fen), 0),
            )
            .where(t.c.claim_id.in_(wanted), t.c.active.is_(True))
            .group_by(t.c.claim_id)
        )
        found = {row[0]: tuple(row[1:]) for row in await self._session.execute(query)}
        now, params = _now(), []
        for claim_id in wanted:
            n, pending, held, billed, fund, person, denied = found.get(claim_id, (0,) * 7)
            params.append(
                {
                    "b_claim": claim_id,
                    "line_count": n,
                    "pending_count": pending,
                    "held_count": held,
                    "billed_fen": billed,
                    "fund_fen": fund,
                    "person_fen": person,
                    "denied_fen": denied,
                    "status": "pending_review" if held else ("adjudicated" if n else "open"),
                    "updated_at": now,
                }
            )
        statement = update(claims).where(claims.c.claim_id == bindparam("b_claim"))
        connection = await self._session.connection()
        await connection.execute(statement, params)

    async def add_to_totals(self, deltas: dict[str, dict[str, int]]) -> None:
        """Add each claim's line deltas to its cached totals (lines added minus lines taken
        out, as the caller knows them): no scan of the claim's lines, however many."""
        if not deltas:
            return
        c = claims.c
        held = c.held_count + bindparam("d_held")
        lines = c.line_count + bindparam("d_lines")
        statement = (
            update(claims)
            .where(c.claim_id == bindparam("b_claim"))
            .values(
                line_count=lines,
                pending_count=c.pending_count + bindparam("d_pending"),
                held_count=held,
                billed_fen=c.billed_fen + bindparam("d_billed"),
                fund_fen=c.fund_fen + bindparam("d_fund"),
                person_fen=c.person_fen + bindparam("d_person"),
                denied_fen=c.denied_fen + bindparam("d_denied"),
                status=case((held > 0, "pending_review"), (lines > 0, "adjudicated"), else_="open"),
                updated_at=_now(),
            )
        )
        params = [
            {"b_claim": claim_id, **{f"d_{k}": v for k, v in d.items()}}
            for claim_id, d in sorted(deltas.items())
        ]
        connection = await self._session.connection()
        await connection.execute(statement, params)

    async def get_claim(self, claim_id: str) -> Row | None:
        row = (
            await self._session.execute(select(claims).where(claims.c.claim_id == claim_id))
        ).first()
        return dict(row._mapping) if row else None

    async def claims_of(self, claim_ids: Iterable[str]) -> list[Row]:
        query = select(claims).where(claims.c.claim_id.in_(sorted(set(claim_ids))))
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def list_claims(self, filters: Row, cursor: str | None, limit: int) -> Rows:
        c = claims
        query = select(c)
        for key in ("region_code", "period", "provider_id", "status"):
            if filters.get(key) is not None:
                query = query.where(c.c[key] == filters[key])
        order = (c.c.period, c.c.claim_id)
        return await fetch_page(self._session, query, order, limit=limit, cursor=cursor)

    async def get_line(self, claim_id: str, line_no: int) -> Row | None:
        t = claim_lines
        query = select(t).where(t.c.claim_id == claim_id, t.c.line_no == line_no)
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def list_lines(self, claim_id: str, filters: Row, cursor: str | None, limit: int) -> Rows:
        t = claim_lines
        query = select(t).where(t.c.claim_id == claim_id)
        for key in ("outcome", "review_status", "person_id", "sampled", "active", "reason_code"):
            if filters.get(key) is not None:
                query = query.where(t.c[key] == filters[key])
        return await fetch_page(self._session, query, t.c.line_no, limit=limit, cursor=cursor)

    async def lines_of_claims(self, claim_ids: Sequence[str]) -> list[Row]:
        t = claim_lines
        query = (
            select(t)
            .where(t.c.claim_id.in_(claim_ids), t.c.active.is_(True))
            .order_by(t.c.claim_id, t.c.line_no)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    # --- statements -----------------------------------------------------------------------------
    async def last_statements(self, region_code: str, period: str) -> dict[str, Row]:
        """Each provider's latest statement revision for a period, in one query."""
        s = statements
        query = (
            select(s)
            .where(s.c.region_code == region_code, s.c.period == period)
            .order_by(s.c.provider_id, s.c.revision)
        )
        return {r.provider_id: dict(r._mapping) for r in await self._session.execute(query)}

    async def add_statement(self, row: Row) -> None:
        await self._session.execute(statements.insert().values(**row))

    async def get_statement(self, statement_id: str) -> Row | None:
        s = statements
        row = (
            await self._session.execute(select(s).where(s.c.statement_id == statement_id))
        ).first()
        return dict(row._mapping) if row else None

    async def list_statements(self, filters: Row, cursor: str | None, limit: int) -> Rows:
        s = statements
        query = select(s)
        for key in ("region_code", "period", "provider_id"):
            if filters.get(key) is not None:
                query = query.where(s.c[key] == filters[key])
        order = (s.c.period, s.c.statement_id)
        return await fetch_page(self._session, query, order, limit=limit, cursor=cursor)
