"""Closing a period: assessment fees posted, provider statements (结算单) issued from the
ledger, adjudicated claims announced. A statement is reissued (a new revision) only when the
provider's figures changed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from ltci_settlement.adapters.claims_repository import ClaimRepository
from ltci_settlement.adapters.ledger_repository import LedgerRepository
from ltci_settlement.adapters.repository import ReadModelRepository
from ltci_settlement.domain.facts import Period, PersonFacts, group_by_person
from ltci_settlement.domain.ledger import assessment_fee_postings, entry, stable_id
from ltci_settlement.service_layer.settle import RunScope
from ltci_shared.events.contracts import ClaimAdjudicated, StatementIssued
from ltci_shared.money import from_fen
from ltci_shared.policy import PolicyBook
from ltci_shared.uow import UnitOfWork

Row = dict[str, Any]


async def post_assessment_fees(uow: UnitOfWork, book: PolicyBook, scope: RunScope) -> int:
    """The period's assessment fees: the fund's share and the applicant's; waits for the
    person's membership (the fund) if it is not known yet."""
    period = Period.parse(scope.period)
    regions = [scope.region_code, *book.regions[scope.region_code].divisions]
    repo = ReadModelRepository(uow.session)
    rows = await repo.assessments_in(regions, period.first, period.last)
    members = group_by_person(await repo.memberships_of({r["person_id"] for r in rows}))
    entries = []
    for a in rows:
        fund = PersonFacts(tuple(members.get(a["person_id"], ()))).fund_on(a["assessed_on"])
        if fund is None or a["fee_fen"] == 0:
            continue
        postings = assessment_fee_postings(
            fund,
            a["person_id"],
            from_fen(a["fee_fen"]),
            from_fen(a["fee_fund_share_fen"]),
            a["event_id"],
        )
        entries.append(
            entry(
                region_code=scope.region_code,
                kind="assessment_fee",
                source_key=f"assessment:{a['assessment_id']}",
                period=scope.period,
                memo=f"assessment {a['assessment_id']} fee ({a['policy_version']})",
                postings=postings,
                event_id=a["event_id"],
                run_id=scope.run_id,
            )
        )
    return await LedgerRepository(uow.session).post(entries)


async def issue_statements(uow: UnitOfWork, scope: RunScope, touched: Iterable[str]) -> int:
    """A statement per provider whose figures changed; ClaimAdjudicated for touched claims."""
    repo, ledger = ClaimRepository(uow.session), LedgerRepository(uow.session)
    claims = await repo.claims_of(await repo.claim_ids_of(scope.region_code, scope.period))
    touched = set(touched)
    issued = 0
    all_totals = await ledger.provider_totals(scope.region_code, scope.period)
    latest = await repo.last_statements(scope.region_code, scope.period)
    for claim in sorted(claims, key=lambda c: c["provider_id"]):
        if claim["claim_id"] in touched:
            uow.record(_adjudicated(claim))
        totals = all_totals.get(claim["provider_id"], {"payable": 0, "holdback": 0, "person": 0})
        digest = _digest(totals, claim)
        last = latest.get(claim["provider_id"])
        if last is not None and last["ledger_hash"] == digest:
            continue
        revision = 1 if last is None else last["revision"] + 1
        row = {
            "statement_id": stable_id("statement", claim["claim_id"], str(revision)),
            "region_code": scope.region_code,
            "provider_id": claim["provider_id"],
            "period": scope.period,
            "revision": revision,
            "payable_fen": totals["payable"],
            "holdback_fen": totals["holdback"],
            "person_fen": totals["person"],
            "line_count": claim["line_count"],
            "ledger_hash": digest,
            "run_id": scope.run_id,
            "issued_at": datetime.now(UTC),
        }
        await repo.add_statement(row)
        uow.record(
            StatementIssued(
                statement_id=row["statement_id"],
                provider_id=claim["provider_id"],
                period=scope.period,
                amount_payable=from_fen(max(totals["payable"], 0)),
            )
        )
        issued += 1
    return issued


def _digest(totals: dict[str, int], claim: Row) -> str:
    text = "|".join(
        str(v)
        for v in (
            totals["payable"],
            totals["holdback"],
            totals["person"],
            claim["line_count"],
            claim["fund_fen"],
            claim["person_fen"],
            claim["held_count"],
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _adjudicated(claim: Row) -> ClaimAdjudicated:
    return ClaimAdjudicated(
        claim_id=claim["claim_id"],
        provider_id=claim["provider_id"],
        region_code=claim["region_code"],
        period=claim["period"],
        approved_total=from_fen(claim["fund_fen"]),
        person_total=from_fen(claim["person_fen"]),
        line_count=claim["line_count"],
    )


async def statement_with_lines(uow: UnitOfWork, statement_id: str) -> tuple[Row, list[Row]] | None:
    """A statement and the current lines of its provider's claim for the period (None: no
    such statement). The CSV and the printable page show these."""
    repo = ClaimRepository(uow.session)
    row = await repo.get_statement(statement_id)
    if row is None:
        return None
    filters = {
        "region_code": row["region_code"],
        "period": row["period"],
        "provider_id": row["provider_id"],
    }
    claims = await repo.list_claims(filters, None, 1)
    return row, await repo.lines_of_claims([c["claim_id"] for c in claims.items])
