"""Queries on payment batches and their items, the scorecards read model, holdback releases,
and the ledger sums payments and releases are computed from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_settlement.adapters.repository import _upsert
from ltci_settlement.adapters.tables import (
    holdback_releases,
    journal_entries,
    payment_batches,
    payment_items,
    postings,
    provider_scorecards,
    runs,
)
from ltci_settlement.domain.payments import FORFEITED, HOLDBACK, PAYABLE
from ltci_shared.pagination import Rows, fetch_page

Row = dict[str, Any]
HOSPITALS = "hospital:%"  # one-stop hospital payables are settled by the hospital statement


class PaymentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- the ledger ------------------------------------------------------------------------
    async def period_settled(self, region_code: str, period: str) -> bool:
        """Whether a month-end run of the region and period has completed."""
        query = select(
            exists().where(
                runs.c.region_code == region_code,
                runs.c.period == period,
                runs.c.status == "completed",
            )
        )
        return bool((await self._session.execute(query)).scalar())

    async def balances(
        self, region_code: str, period: str, account: str, providers: Sequence[str] | None
    ) -> dict[tuple[str, str], int]:
        """Signed fen of ``account`` per (provider, fund) for the period (care providers)."""
        t = postings
        query = (
            select(t.c.party, t.c.fund, func.sum(t.c.amount_fen))
            .where(
                t.c.region_code == region_code,
                t.c.period == period,
                t.c.account == account,
                t.c.party != "",
                t.c.party.not_like(HOSPITALS),
            )
            .group_by(t.c.party, t.c.fund)
        )
        if providers is not None:
            query = query.where(t.c.party.in_(sorted(set(providers))))
        return {(r[0], r[1]): int(r[2]) for r in await self._session.execute(query)}

    async def ledger_sums(
        self, region_code: str, period: str, provider_id: str | None
    ) -> list[tuple[str, str, str, str, int]]:
        """(provider, fund, entry kind, account, signed fen) of the payable, holdback and
        forfeited accounts, for reconciliation."""
        t, e = postings, journal_entries
        query = (
            select(t.c.party, t.c.fund, e.c.kind, t.c.account, func.sum(t.c.amount_fen))
            .join(e, e.c.entry_id == t.c.entry_id)
            .where(
                t.c.region_code == region_code,
                t.c.period == period,
                t.c.account.in_([PAYABLE, HOLDBACK, FORFEITED]),
                t.c.party != "",
                t.c.party.not_like(HOSPITALS),
            )
            .group_by(t.c.party, t.c.fund, e.c.kind, t.c.account)
        )
        if provider_id is not None:
            query = query.where(t.c.party == provider_id)
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in await self._session.execute(query)]

    async def item_sums(
        self, region_code: str, period: str, provider_id: str | None
    ) -> list[tuple[str, str, str, int]]:
        t = payment_items
        query = (
            select(t.c.provider_id, t.c.fund, t.c.status, func.sum(t.c.amount_fen))
            .where(t.c.region_code == region_code, t.c.period == period)
            .group_by(t.c.provider_id, t.c.fund, t.c.status)
        )
        if provider_id is not None:
            query = query.where(t.c.provider_id == provider_id)
        return [(r[0], r[1], r[2], int(r[3])) for r in await self._session.execute(query)]

    # --- batches and items -------------------------------------------------------------------
    async def add_batch(self, batch: Row, items: Sequence[Row]) -> None:
        await self._session.execute(payment_batches.insert().values(**batch))
        if items:
            await self._session.execute(payment_items.insert(), list(items))

    async def get_batch(self, batch_id: str) -> Row | None:
        t = payment_batches
        row = (await self._session.execute(select(t).where(t.c.batch_id == batch_id))).first()
        return dict(row._mapping) if row else None

    async def items_of(self, batch_id: str, provider_id: str | None = None) -> list[Row]:
        t = payment_items
        query = select(t).where(t.c.batch_id == batch_id).order_by(t.c.item_no)
        if provider_id is not None:
            query = query.where(t.c.provider_id == provider_id)
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def answer_item(self, item_id: str, **values: Any) -> None:
        t = payment_items
        await self._session.execute(update(t).where(t.c.item_id == item_id).values(**values))

    async def set_batch(self, batch_id: str, **values: Any) -> None:
        t = payment_batches
        await self._session.execute(update(t).where(t.c.batch_id == batch_id).values(**values))

    async def figures(self, batch_ids: Iterable[str]) -> dict[str, dict[str, tuple[int, int]]]:
        """Per batch: status → (items, fen)."""
        t = payment_items
        query = (
            select(t.c.batch_id, t.c.status, func.count(), func.sum(t.c.amount_fen))
            .where(t.c.batch_id.in_(sorted(set(batch_ids))))
            .group_by(t.c.batch_id, t.c.status)
        )
        out: dict[str, dict[str, tuple[int, int]]] = {}
        for batch_id, status, n, fen in await self._session.execute(query):
            out.setdefault(batch_id, {})[status] = (int(n), int(fen))
        return out

    async def list_batches(self, filters: Row, cursor: str | None, limit: int) -> Rows:
        t = payment_batches
        query = select(t)
        for key in ("region_code", "period", "status"):
            if filters.get(key) is not None:
                query = query.where(t.c[key] == filters[key])
        if filters.get("provider_id") is not None:
            i = payment_items
            query = query.where(
                exists().where(
                    i.c.batch_id == t.c.batch_id, i.c.provider_id == filters["provider_id"]
                )
            )
        return await fetch_page(self._session, query, t.c.batch_id, limit=limit, cursor=cursor)

    async def list_items(self, filters: Row, cursor: str | None, limit: int) -> Rows:
        t = payment_items
        query = select(t)
        for key in ("region_code", "period", "provider_id", "fund", "status", "batch_id"):
            if filters.get(key) is not None:
                query = query.where(t.c[key] == filters[key])
        order = (t.c.batch_id, t.c.item_no)
        return await fetch_page(self._session, query, order, limit=limit, cursor=cursor)

    # --- scorecards and releases ------------------------------------------------------------
    async def upsert_scorecard(self, values: Row) -> None:
        await _upsert(self._session, provider_scorecards, ["provider_id", "period"], values)

    async def scores(self, provider_ids: Iterable[str], period: str) -> dict[str, Row]:
        t = provider_scorecards
        query = select(t).where(
            t.c.provider_id.in_(sorted(set(provider_ids))), t.c.period == period
        )
        return {r.provider_id: dict(r._mapping) for r in await self._session.execute(query)}

    async def release_counts(self, region_code: str, period: str) -> dict[tuple[str, str], int]:
        t = holdback_releases
        query = (
            select(t.c.provider_id, t.c.fund, func.max(t.c.sequence))
            .where(t.c.region_code == region_code, t.c.period == period)
            .group_by(t.c.provider_id, t.c.fund)
        )
        return {(r[0], r[1]): int(r[2]) for r in await self._session.execute(query)}

    async def add_releases(self, rows: Sequence[Row]) -> None:
        if rows:
            await self._session.execute(holdback_releases.insert(), list(rows))

    async def list_releases(self, filters: Row, cursor: str | None, limit: int) -> Rows:
        t = holdback_releases
        query = select(t)
        for key in ("region_code", "period", "provider_id", "fund"):
            if filters.get(key) is not None:
                query = query.where(t.c[key] == filters[key])
        return await fetch_page(self._session, query, t.c.release_id, limit=limit, cursor=cursor)
