"""Queries of the one-stop medical-assistance settlement: hospitals, the assistance read model,
per-person year counters (locked per settlement), settlements, high-cost alerts, statistics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    CompoundSelect,
    Date,
    Insert,
    Integer,
    Select,
    String,
    Update,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_settlement.adapters.tables import (
    assistance_assignments,
    high_cost_alerts,
    journal_entries,
    medical_providers,
    membership_periods,
    onestop_counters,
    onestop_settlements,
    postings,
)
from ltci_settlement.domain.onestop import Counters
from ltci_shared.money import from_fen, to_fen
from ltci_shared.pagination import Rows, fetch_page

Row = dict[str, Any]


def counters_of(row: Mapping[Any, Any]) -> Counters:
    values: dict[str, Any] = {
        n: from_fen(int(row[f"{n}_fen"])) for n in Counters.names() if n != "bills"
    }
    return Counters(**values, bills=int(row["bills"]))


def counter_columns(counters: Counters) -> Row:
    out: Row = {f"{n}_fen": to_fen(getattr(counters, n)) for n in Counters.names() if n != "bills"}
    out["bills"] = counters.bills
    return out


@dataclass(frozen=True)
class BillFacts:
    """What the settlement call reads before it locks anything."""

    settled: bool  # a settlement of this hospital's bill id exists (a replay, or a conflict)
    hospital: Row | None
    periods: list[Row]  # the person's membership periods, oldest first
    held: list[Row]  # the assistance categories the person holds on the service's last day


class OneStopRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- hospitals and the person's facts -------------------------------------------------
    async def hospital(self, hospital_id: str) -> Row | None:
        t = medical_providers
        row = (await self._session.execute(select(t).where(t.c.hospital_id == hospital_id))).first()
        return dict(row._mapping) if row else None

    async def save_hospital(self, values: Row) -> None:
        t = medical_providers
        done = await self._session.execute(
            update(t).where(t.c.hospital_id == values["hospital_id"]).values(**values)
        )
        if done.rowcount == 0:  # type: ignore[attr-defined]
            await self._session.execute(t.insert().values(**values))

    async def hospitals(self, filters: Row, cursor: str | None, limit: int) -> Rows:
        t = medical_providers
        query = _filtered(select(t), t, filters)
        return await fetch_page(self._session, query, t.c.hospital_id, limit=limit, cursor=cursor)

    async def bill_facts(
        self, person_id: str, hospital_id: str, bill_id: str, day: date
    ) -> BillFacts:
        """Whether the bill is settled already, the hospital, the person's membership periods
        and the categories held on ``day``, in one round trip (the settlement call's hot
        path)."""
        params = {"person_id": person_id, "hospital_id": hospital_id, "bill_id": bill_id}
        rows = [
            r._mapping for r in await self._session.execute(_BILL_FACTS, {**params, "day": day})
        ]
        return BillFacts(
            settled=any(r["kind"] == "s" for r in rows),
            hospital=_hospital_of(rows),
            periods=_memberships_of(rows),
            held=_assignments_of(rows),
        )

    async def replace_assignments(self, person_id: str, rows: Iterable[Row]) -> None:
        t = assistance_assignments
        await self._session.execute(delete(t).where(t.c.person_id == person_id))
        values = list(rows)
        if values:
            await self._session.execute(t.insert(), values)

    # --- year counters (one row per person and year, locked for the settlement) ------------
    async def lock_counters(
        self, person_id: str, year: int, region_code: str, now: datetime
    ) -> Counters:
        """The person's counters for the year, row-locked until the transaction ends:
        concurrent bills of one person queue here. One upsert ... RETURNING: the year's first
        bill creates the row; otherwise the row is touched (``updated_at``), which locks it
        and returns its latest committed values (a concurrent creator waits on its key)."""
        fresh = {
            "person_id": person_id,
            "year": year,
            "region_code": region_code,
            **_ZERO_COUNTERS,
            "updated_at": now,
        }
        statement = _LOCK_COUNTERS[self._dialect() == "postgresql"]
        return counters_of((await self._session.execute(statement, fresh)).one()._mapping)

    async def save_counters(
        self, person_id: str, year: int, counters: Counters, now: datetime
    ) -> None:
        values = {**counter_columns(counters), "updated_at": now}
        await self._session.execute(
            _SAVE_COUNTERS, {**values, "key_person_id": person_id, "key_year": year}
        )

    async def counters(self, person_id: str, year: int) -> Counters | None:
        t = onestop_counters
        query = select(t).where(t.c.person_id == person_id, t.c.year == year)
        row = (await self._session.execute(query)).first()
        return counters_of(dict(row._mapping)) if row else None

    # --- settlements --------------------------------------------------------------------
    async def by_bill(self, hospital_id: str, bill_id: str) -> Row | None:
        params = {"hospital_id": hospital_id, "bill_id": bill_id}
        row = (await self._session.execute(_BY_BILL, params)).first()
        return dict(row._mapping) if row else None

    async def settlement(self, settlement_id: str, *, lock: bool = False) -> Row | None:
        t = onestop_settlements
        query = select(t).where(t.c.settlement_id == settlement_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def add_settlement(self, values: Row) -> bool:
        """Insert the settlement unless its bill is already settled; True when inserted."""
        statement = _ADD_SETTLEMENT[self._dialect() == "postgresql"]
        return (await self._session.execute(statement, values)).first() is not None

    async def mark_cancelled(self, settlement_id: str, values: Row) -> None:
        t = onestop_settlements
        await self._session.execute(
            update(t).where(t.c.settlement_id == settlement_id).values(status="cancelled", **values)
        )

    async def settlements(self, filters: Row, cursor: str | None, limit: int) -> Rows:
        """By discharge date (service_to), then id."""
        t = onestop_settlements
        query = _filtered(select(t), t, filters)
        order = (t.c.service_to, t.c.settlement_id)
        return await fetch_page(self._session, query, order, limit=limit, cursor=cursor)

    # --- high-cost alerts -----------------------------------------------------------------
    async def add_alert_once(self, values: Row) -> bool:
        """Insert the person-year's alert unless one exists; True when inserted."""
        insert = pg_insert if self._dialect() == "postgresql" else sqlite_insert
        done = await self._session.execute(
            insert(high_cost_alerts).values(**values).on_conflict_do_nothing()
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def alert(self, alert_id: str) -> Row | None:
        t = high_cost_alerts
        row = (await self._session.execute(select(t).where(t.c.alert_id == alert_id))).first()
        return dict(row._mapping) if row else None

    async def follow_up(self, alert_id: str, note: str, now: datetime) -> None:
        t = high_cost_alerts
        await self._session.execute(
            update(t)
            .where(t.c.alert_id == alert_id)
            .values(status="followed_up", note=note, followed_up_at=now)
        )

    async def alerts(self, filters: Row, cursor: str | None, limit: int) -> Rows:
        t = high_cost_alerts
        query = _filtered(select(t), t, filters)
        order = (t.c.created_at, t.c.alert_id)
        return await fetch_page(self._session, query, order, limit=limit, cursor=cursor)

    async def open_alert_count(self, region_code: str, year: int) -> int:
        t = high_cost_alerts
        query = select(func.count()).where(
            t.c.region_code == region_code, t.c.year == year, t.c.status == "open"
        )
        return int((await self._session.execute(query)).scalar() or 0)

    # --- dashboard and statements ---------------------------------------------------------
    async def statistics(self, region_code: str, year: int) -> list[Row]:
        """Settled bills by month and recipient class: counts and amounts (fen)."""
        t = onestop_settlements
        sums = [
            func.sum(t.c[f"{name}_fen"]).label(name)
            for name in ("total", "basic", "critical_illness", "assistance", "patient")
        ]
        query = (
            select(
                t.c.period,
                t.c.recipient_class,
                func.count().label("settlements"),
                func.count(func.distinct(t.c.person_id)).label("persons"),
                *sums,
            )
            .where(t.c.region_code == region_code, t.c.year == year, t.c.status == "settled")
            .group_by(t.c.period, t.c.recipient_class)
            .order_by(
                t.c.period, case((t.c.recipient_class.is_(None), 99), else_=t.c.recipient_class)
            )
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def hospital_postings(self, party: str, period: str) -> list[Row]:
        """A hospital's one-stop postings of a period, summed by fund and account (fen)."""
        p, e = postings, journal_entries
        query = (
            select(p.c.fund, p.c.account, func.sum(p.c.amount_fen).label("amount"))
            .join(e, e.c.entry_id == p.c.entry_id)
            .where(p.c.party == party, p.c.period == period, e.c.source_key.like("%onestop:%"))
            .group_by(p.c.fund, p.c.account)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def hospital_counts(self, hospital_id: str, period: str) -> Row:
        t = onestop_settlements
        query = select(
            func.count().label("settled"),
            func.coalesce(func.sum(case((t.c.status == "cancelled", 1), else_=0)), 0).label(
                "cancelled"
            ),
        ).where(t.c.hospital_id == hospital_id, t.c.period == period)
        row = (await self._session.execute(query)).one()
        return dict(row._mapping)

    def _dialect(self) -> str:
        return self._session.get_bind().dialect.name


def _active_on(t: Any, day: Any) -> list[ColumnElement[bool]]:
    return [
        t.c.valid_from <= day,
        or_(t.c.valid_until.is_(None), t.c.valid_until >= day),
        or_(t.c.revoked_on.is_(None), t.c.revoked_on > day),
    ]


# --- the settlement call's statements, built once: only their parameters change per call ----
def _bill_facts_query() -> CompoundSelect[Any]:
    m, a, h, s = membership_periods, assistance_assignments, medical_providers, onestop_settlements
    text, day_t = String(), Date()
    person, day = bindparam("person_id", type_=text), bindparam("day", type_=day_t)
    return union_all(
        select(
            literal("m").label("kind"),
            m.c.valid_from.label("d1"),
            m.c.valid_until.label("d2"),
            cast(null(), day_t).label("d3"),
            m.c.region_code.label("s1"),
            cast(null(), Integer).label("i1"),
            cast(null(), Boolean).label("b1"),
        ).where(m.c.person_id == person),
        select(
            literal("a"),
            a.c.valid_from,
            a.c.valid_until,
            a.c.revoked_on,
            a.c.category,
            a.c.recipient_class,
            cast(null(), Boolean),
        ).where(a.c.person_id == person, *_active_on(a, day)),
        select(
            literal("h"),
            h.c.designated_from,
            h.c.designated_until,
            cast(null(), day_t),
            cast(h.c.region_code, text),
            cast(null(), Integer),
            h.c.designated,
        ).where(h.c.hospital_id == bindparam("hospital_id")),
        select(
            literal("s"),
            cast(null(), day_t),
            cast(null(), day_t),
            cast(null(), day_t),
            cast(s.c.settlement_id, text),
            cast(null(), Integer),
            cast(null(), Boolean),
        ).where(s.c.hospital_id == bindparam("hospital_id"), s.c.bill_id == bindparam("bill_id")),
    )


def _lock_counters(dialect_insert: Any) -> Insert:
    t = onestop_counters
    stmt = dialect_insert(t)
    upsert: Insert = stmt.on_conflict_do_update(
        index_elements=[t.c.person_id, t.c.year], set_={"updated_at": stmt.excluded.updated_at}
    ).returning(*t.c)
    return upsert


def _add_settlement(dialect_insert: Any) -> Insert:
    t = onestop_settlements
    insert: Insert = dialect_insert(t).on_conflict_do_nothing().returning(t.c.settlement_id)
    return insert


_BILL_FACTS = _bill_facts_query()
_BY_BILL: Select[Any] = select(onestop_settlements).where(
    onestop_settlements.c.hospital_id == bindparam("hospital_id"),
    onestop_settlements.c.bill_id == bindparam("bill_id"),
)
_ZERO_COUNTERS = counter_columns(Counters())
_LOCK_COUNTERS = {True: _lock_counters(pg_insert), False: _lock_counters(sqlite_insert)}
_SAVE_COUNTERS: Update = update(onestop_counters).where(  # SET: the parameters' columns
    onestop_counters.c.person_id == bindparam("key_person_id"),
    onestop_counters.c.year == bindparam("key_year"),
)
_ADD_SETTLEMENT = {True: _add_settlement(pg_insert), False: _add_settlement(sqlite_insert)}


def _hospital_of(rows: list[Any]) -> Row | None:
    for r in rows:
        if r["kind"] == "h":
            return {
                "region_code": r["s1"],
                "designated": bool(r["b1"]),
                "designated_from": r["d1"],
                "designated_until": r["d2"],
            }
    return None


def _memberships_of(rows: list[Any]) -> list[Row]:
    found = [
        {"valid_from": r["d1"], "valid_until": r["d2"], "region_code": r["s1"]}
        for r in rows
        if r["kind"] == "m"
    ]
    return sorted(found, key=lambda p: p["valid_from"])


def _assignments_of(rows: list[Any]) -> list[Row]:
    return [
        {"category": r["s1"], "recipient_class": int(r["i1"]), "valid_from": r["d1"]}
        for r in rows
        if r["kind"] == "a"
    ]


def _filtered(query: Any, table: Any, filters: Row) -> Any:
    conditions: list[ColumnElement[bool]] = [
        table.c[key] == value for key, value in filters.items() if value is not None
    ]
    return query.where(and_(*conditions)) if conditions else query
