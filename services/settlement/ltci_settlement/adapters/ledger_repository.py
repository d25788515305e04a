"""The fund ledger's queries: append-only entries and postings; balances are sums of postings
(no balance row to update, so concurrent postings to one fund account never contend)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Insert, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_settlement.adapters.tables import journal_entries, postings
from ltci_settlement.domain.ledger import JournalEntry, Posting, check_balanced
from ltci_settlement.domain.payments import MOVEMENTS
from ltci_shared.bulk import COPY_FROM, insert_many
from ltci_shared.money import from_fen, to_fen
from ltci_shared.pagination import Rows, fetch_page
from ltci_shared.uow import is_postgresql

Row = dict[str, Any]
_BATCH = 5000
_STATEMENT_ACCOUNTS = {
    "provider_payable": "payable",
    "holdback": "holdback",
    "owed_to_provider": "person",
}


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def post(self, entries: Sequence[JournalEntry]) -> int:
        """Append balanced entries (each checked again here); returns how many were written.

        An entry whose ``source_key`` is already posted is skipped, so posting is idempotent.
        A few entries (a one-stop bill, a payment) go in by one INSERT ... ON CONFLICT DO
        NOTHING RETURNING; many (a month-end run) are checked first, then copied.
        """
        for made in entries:
            check_balanced(made)
        if not entries:
            return 0
        now = datetime.now(UTC)
        if len(entries) < COPY_FROM:
            fresh = await self._insert_new_heads(entries, now)
        else:
            posted = await self.posted_keys([e.source_key for e in entries])
            fresh = [e for e in entries if e.source_key not in posted]
            head = [_entry_row(e, now) for e in fresh]
            await insert_many(self._session, journal_entries, head)
        lines = [_posting_row(e, p) for e in fresh for p in e.postings]
        await insert_many(self._session, postings, lines)
        return len(fresh)

    async def _insert_new_heads(
        self, entries: Sequence[JournalEntry], now: datetime
    ) -> list[JournalEntry]:
        """Write the heads of the entries not yet posted; the entries written."""
        statement = _NEW_HEADS[is_postgresql(self._session)]
        rows = [_entry_row(e, now) for e in entries]
        written = {r[0] for r in await self._session.execute(statement, rows)}
        return [e for e in entries if e.source_key in written]

    async def posted_keys(self, keys: Iterable[str]) -> set[str]:
        wanted = sorted(set(keys))
        found: set[str] = set()
        t = journal_entries
        for i in range(0, len(wanted), _BATCH):
            query = select(t.c.source_key).where(t.c.source_key.in_(wanted[i : i + _BATCH]))
            found.update(r[0] for r in await self._session.execute(query))
        return found

    async def postings_of_line(self, line_id: str, entry_id: str) -> list[Posting]:
        t = postings
        query = select(t).where(t.c.entry_id == entry_id, t.c.claim_line_id == line_id)
        return [_posting(dict(r._mapping)) for r in await self._session.execute(query)]

    async def trial_balance(self, region_code: str, period: str | None) -> list[Row]:
        """Net and debit/credit totals per fund and account (to a period's end if given)."""
        t = postings
        query = (
            select(
                t.c.fund,
                t.c.account,
                func.coalesce(func.sum(t.c.amount_fen), 0).label("net"),
                func.coalesce(func.sum(_pos(t.c.amount_fen)), 0).label("debits"),
                func.coalesce(func.sum(_neg(t.c.amount_fen)), 0).label("credits"),
            )
            .where(t.c.region_code == region_code)
            .group_by(t.c.fund, t.c.account)
            .order_by(t.c.fund, t.c.account)
        )
        if period is not None:
            query = query.where(t.c.period <= period)
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def balance(
        self, region_code: str, fund: str, account: str, party: str | None, period: str | None
    ) -> Decimal:
        t = postings
        query = select(func.coalesce(func.sum(t.c.amount_fen), 0)).where(
            t.c.region_code == region_code, t.c.fund == fund, t.c.account == account
        )
        if party is not None:
            query = query.where(t.c.party == party)
        if period is not None:
            query = query.where(t.c.period == period)
        return from_fen(int((await self._session.execute(query)).scalar() or 0))

    async def provider_totals(self, region_code: str, period: str) -> dict[str, dict[str, int]]:
        """Per provider, fen credited for a period: payable, holdback, owed by individuals (as
        posted: payments and holdback releases do not change what the period owed). One
        grouped query for every provider of the period."""
        t, e = postings, journal_entries
        query = (
            select(t.c.party, t.c.account, func.sum(t.c.amount_fen))
            .join(e, e.c.entry_id == t.c.entry_id)
            .where(
                t.c.region_code == region_code,
                t.c.period == period,
                t.c.account.in_(_STATEMENT_ACCOUNTS),
                e.c.kind.not_in(MOVEMENTS),
            )
            .group_by(t.c.party, t.c.account)
        )
        out: dict[str, dict[str, int]] = {}
        for party, account, total in await self._session.execute(query):
            sums = out.setdefault(party, {"payable": 0, "holdback": 0, "person": 0})
            sums[_STATEMENT_ACCOUNTS[account]] = -int(total)
        return out

    async def content_hash(self, region_code: str, period: str | None = None) -> str:
        """A hash of the region's postings by content (rebuilding gives the same hash)."""
        e, t = journal_entries, postings
        query = (
            select(
                e.c.source_key, t.c.fund, t.c.account, t.c.party, t.c.amount_fen, t.c.claim_line_id
            )
            .join(e, e.c.entry_id == t.c.entry_id)
            .where(t.c.region_code == region_code)
            .order_by(
                e.c.source_key, t.c.fund, t.c.account, t.c.party, t.c.claim_line_id, t.c.amount_fen
            )
        )
        if period is not None:
            query = query.where(t.c.period == period)
        digest = hashlib.sha256()
        for row in await self._session.execute(query):
            digest.update("|".join(str(v) for v in row).encode() + b"\n")
        return digest.hexdigest()

    async def entries(self, filters: Row, cursor: str | None, limit: int) -> tuple[Rows, list[Row]]:
        """A page of entries (ordered by id) with their postings, for the list endpoint."""
        e = journal_entries
        query = select(e)
        for key in ("region_code", "period", "kind", "claim_id", "run_id"):
            if filters.get(key) is not None:
                query = query.where(e.c[key] == filters[key])
        page = await fetch_page(self._session, query, e.c.entry_id, limit=limit, cursor=cursor)
        ids = [r["entry_id"] for r in page.items]
        lines = await self._session.execute(
            select(postings).where(postings.c.entry_id.in_(ids)).order_by(postings.c.posting_id)
        )
        return page, [dict(r._mapping) for r in lines]


def _new_heads(dialect_insert: Any) -> Insert:
    t = journal_entries
    insert: Insert = (
        dialect_insert(t)
        .on_conflict_do_nothing(index_elements=[t.c.source_key])
        .returning(t.c.source_key)
    )
    return insert


_NEW_HEADS = {True: _new_heads(pg_insert), False: _new_heads(sqlite_insert)}


def _pos(column: Any) -> Any:
    return case((column > 0, column), else_=0)


def _neg(column: Any) -> Any:
    return case((column < 0, -column), else_=0)


def _entry_row(e: JournalEntry, now: datetime) -> Row:
    return {
        "entry_id": e.entry_id,
        "region_code": e.region_code,
        "kind": e.kind,
        "source_key": e.source_key,
        "period": e.period,
        "event_id": e.event_id,
        "claim_id": e.claim_id,
        "run_id": e.run_id,
        "reverses_entry_id": e.reverses_entry_id,
        "memo": e.memo,
        "posted_at": now,
    }


def _posting_row(e: JournalEntry, p: Posting) -> Row:
    return {
        "entry_id": e.entry_id,
        "region_code": e.region_code,
        "period": e.period,
        "fund": p.fund,
        "account": p.account,
        "party": p.party,
        "amount_fen": to_fen(p.amount),
        "claim_line_id": p.claim_line_id,
        "visit_id": p.visit_id,
        "event_id": p.event_id,
    }


def _posting(row: Row) -> Posting:
    return Posting(
        fund=row["fund"],
        account=row["account"],
        party=row["party"],
        amount=from_fen(int(row["amount_fen"])),
        claim_line_id=row["claim_line_id"],
        visit_id=row["visit_id"],
        event_id=row["event_id"],
    )
