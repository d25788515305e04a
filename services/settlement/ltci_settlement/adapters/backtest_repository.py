"""Read-only queries of a back-test: which months were settled and what the ledger holds for
their claim lines (fund and individual shares per month and provider)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_settlement.adapters.tables import claim_lines, claims, postings, runs

Row = dict[str, Any]
FUND_SHARE, PERSON_SHARE = "benefit_expense", "due_from_individual"


class BacktestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def settled_periods(self, region_code: str, periods: Sequence[str]) -> set[str]:
        """The periods with a completed month-end run in the region."""
        query = (
            select(runs.c.period)
            .distinct()
            .where(
                runs.c.region_code == region_code,
                runs.c.period.in_(list(periods)),
                runs.c.status == "completed",
            )
        )
        return {r[0] for r in await self._session.execute(query)}

    async def posted(self, region_code: str, periods: Sequence[str]) -> list[Row]:
        """Net fen posted for the periods' claim lines (reversals included) by period,
        provider, the line's fund and service form: ``fund_fen`` (benefit expense) and
        ``person_fen`` (due from individuals)."""
        account, line = postings.c.account, claim_lines.c
        keys = (claims.c.period, claims.c.provider_id, line.fund, line.service_form, account)
        query = (
            select(*keys, func.sum(postings.c.amount_fen).label("fen"))
            .select_from(
                postings.join(claim_lines, claim_lines.c.line_id == postings.c.claim_line_id).join(
                    claims, claims.c.claim_id == claim_lines.c.claim_id
                )
            )
            .where(
                claims.c.region_code == region_code,
                claims.c.period.in_(list(periods)),
                account.in_([FUND_SHARE, PERSON_SHARE]),
            )
            .group_by(*keys)
        )
        return [
            {
                "period": r.period,
                "provider_id": r.provider_id,
                "fund": r.fund,
                "service_form": r.service_form,
                "fund_fen": int(r.fen) if r.account == FUND_SHARE else 0,
                "person_fen": int(r.fen) if r.account == PERSON_SHARE else 0,
            }
            for r in await self._session.execute(query)
        ]
