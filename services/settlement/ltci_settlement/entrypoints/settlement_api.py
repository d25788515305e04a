"""HTTP routes of settlement: month-end runs, claims and TPA review, ledger, statements."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response

from ltci_settlement.adapters.claims_repository import ClaimRepository
from ltci_settlement.adapters.ledger_repository import LedgerRepository
from ltci_settlement.domain.facts import InvalidPeriod, Period
from ltci_settlement.entrypoints import schemas as s
from ltci_settlement.service_layer import month_end, review
from ltci_settlement.service_layer.statements import statement_with_lines
from ltci_shared.errors import Conflict, NotFound, problem_responses
from ltci_shared.idempotency import run_idempotent
from ltci_shared.pagination import InvalidCursor
from ltci_shared.web import RuntimeDep

router = APIRouter()
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
Limit = Annotated[int, Query(ge=1, le=500)]
PeriodQ = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")]
RegionQ = Annotated[str | None, Query(pattern=r"^\d{6}$")]


@router.post(
    "/runs/month-end",
    tags=["month-end"],
    status_code=201,
    response_model=s.RunView,
    responses=problem_responses(month_end.UnknownRegion, InvalidPeriod, Conflict),
)
async def run_month_end(
    body: s.MonthEndRequest, request: Request, rt: RuntimeDep, key: IdempotencyKey = None
) -> Any:
    """Settle a region's month: adjudicate, post, issue statements. A rerun creates no new
    entry unless events arrived since; the same Idempotency-Key returns the same run."""
    book = request.app.state.policy_book

    async def use_case(uow: Any) -> tuple[int, Any]:
        run = await month_end.start_month_end(uow, book, body.region_code, body.period)
        return 201, {"run_id": run["run_id"]}

    stored = await run_idempotent(
        rt.uow,
        rt.idempotency,
        scope="POST /runs/month-end",
        key=key,
        body=body.model_dump(mode="json"),
        use_case=use_case,
    )
    run_id = stored.body["run_id"]
    async with rt.uow() as uow:
        run = await ClaimRepository(uow.session).get_run(run_id)
    if not stored.replayed and run is not None and run["status"] == "running":
        await month_end.execute_month_end(rt.uow, book, request.app.state.settings, run)
    async with rt.uow() as uow:
        run = await ClaimRepository(uow.session).get_run(run_id)
    headers = {"Idempotent-Replayed": "true"} if stored.replayed else None
    return JSONResponse(
        s.RunView.model_validate(run).model_dump(mode="json"), status_code=201, headers=headers
    )


@router.get(
    "/runs/{run_id}",
    tags=["month-end"],
    response_model=s.RunView,
    responses=problem_responses(NotFound),
)
async def get_run(run_id: str, rt: RuntimeDep) -> Any:
    """A run's status and counts (persons done, lines, entries, statements)."""
    async with rt.uow() as uow:
        run = await ClaimRepository(uow.session).get_run(run_id)
    if run is None:
        raise NotFound(f"no run {run_id}")
    return run


@router.get(
    "/runs",
    tags=["month-end"],
    response_model=s.RunPage,
    responses=problem_responses(InvalidCursor),
)
async def list_runs(
    rt: RuntimeDep,
    region_code: RegionQ = None,
    period: PeriodQ = None,
    status: str | None = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> Any:
    """Runs, newest first, filtered, cursor-paginated."""
    filters = {"region_code": region_code, "period": period, "status": status}
    async with rt.uow() as uow:
        page = await ClaimRepository(uow.session).list_runs(filters, cursor, limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/claims",
    tags=["claims"],
    response_model=s.ClaimPage,
    responses=problem_responses(InvalidCursor),
)
async def list_claims(
    rt: RuntimeDep,
    region_code: RegionQ = None,
    period: PeriodQ = None,
    provider_id: str | None = None,
    status: str | None = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> Any:
    """Claims (one per provider, region and month), filtered, cursor-paginated."""
    filters = {
        "region_code": region_code,
        "period": period,
        "provider_id": provider_id,
        "status": status,
    }
    async with rt.uow() as uow:
        page = await ClaimRepository(uow.session).list_claims(filters, cursor, limit)
    return {"items": [s.ClaimView.of(r) for r in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/claims/{claim_id}",
    tags=["claims"],
    response_model=s.ClaimView,
    responses=problem_responses(NotFound),
)
async def get_claim(claim_id: str, rt: RuntimeDep) -> Any:
    async with rt.uow() as uow:
        row = await ClaimRepository(uow.session).get_claim(claim_id)
    if row is None:
        raise NotFound(f"no claim {claim_id}")
    return s.ClaimView.of(row)


@router.get(
    "/claims/{claim_id}/lines",
    tags=["claims"],
    response_model=s.LinePage,
    responses=problem_responses(InvalidCursor),
)
async def list_lines(
    claim_id: str,
    rt: RuntimeDep,
    outcome: str | None = None,
    review_status: str | None = None,
    person_id: str | None = None,
    sampled: bool | None = None,
    active: bool | None = None,
    reason_code: str | None = None,
    limit: Limit = 100,
    cursor: str | None = None,
) -> Any:
    """A claim's lines with outcome, reason code and explanation (rule and pack version)."""
    filters = {
        "outcome": outcome,
        "review_status": review_status,
        "person_id": person_id,
        "sampled": sampled,
        "active": active,
        "reason_code": reason_code,
    }
    async with rt.uow() as uow:
        page = await ClaimRepository(uow.session).list_lines(claim_id, filters, cursor, limit)
    return {"items": [s.LineView.of(r) for r in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/claims/{claim_id}/lines/{line_no}/review",
    tags=["claims"],
    response_model=s.LineView,
    responses=problem_responses(NotFound, review.LineNotReviewable, review.InvalidAdjustment),
)
async def review_claim_line(
    claim_id: str,
    line_no: int,
    cmd: review.ReviewLine,
    request: Request,
    rt: RuntimeDep,
    key: IdempotencyKey = None,
) -> Any:
    """Approve, adjust or reject a line (TPA). Adjusting or rejecting reverses the line and
    adds the replacement; approving a held (sampled) line posts it."""
    book = request.app.state.policy_book

    async def use_case(uow: Any) -> tuple[int, Any]:
        line = await review.review_line(uow, book, claim_id, line_no, cmd)
        return 200, s.LineView.of(line).model_dump(mode="json")

    stored = await run_idempotent(
        rt.uow,
        rt.idempotency,
        scope=f"POST /claims/{claim_id}/lines/{line_no}/review",
        key=key,
        body=cmd.model_dump(mode="json"),
        use_case=use_case,
    )
    headers = {"Idempotent-Replayed": "true"} if stored.replayed else None
    return JSONResponse(stored.body, status_code=stored.status_code, headers=headers)


@router.get(
    "/ledger/trial-balance",
    tags=["ledger"],
    response_model=s.TrialBalance,
    responses=problem_responses(InvalidPeriod),
)
async def trial_balance(
    rt: RuntimeDep, region_code: Annotated[str, Query(pattern=r"^\d{6}$")], period: PeriodQ = None
) -> Any:
    """Debits and credits per fund and account (to the end of ``period`` if given); every
    fund's accounts sum to zero."""
    if period is not None:
        Period.parse(period)
    async with rt.uow() as uow:
        ledger = LedgerRepository(uow.session)
        rows = await ledger.trial_balance(region_code, period)
        digest = await ledger.content_hash(region_code)
    out = [
        s.TrialBalanceRow(
            fund=r["fund"],
            account=r["account"],
            debits=s.money(r["debits"]),
            credits=s.money(r["credits"]),
            balance=s.money(r["net"]),
        )
        for r in rows
    ]
    debits = sum((r.debits for r in out), s.money(0))
    credits = sum((r.credits for r in out), s.money(0))
    return s.TrialBalance(
        region_code=region_code,
        period=period,
        rows=out,
        total_debits=debits,
        total_credits=credits,
        balanced=debits == credits,
        ledger_hash=digest,
    )


@router.get("/ledger/balance", tags=["ledger"], response_model=s.AccountBalance)
async def account_balance(
    rt: RuntimeDep,
    region_code: Annotated[str, Query(pattern=r"^\d{6}$")],
    fund: str,
    account: str,
    party: str | None = None,
    period: PeriodQ = None,
) -> Any:
    """An account's balance: the sum of its postings (optionally one party, one period)."""
    async with rt.uow() as uow:
        balance = await LedgerRepository(uow.session).balance(
            region_code, fund, account, party, period
        )
    return s.AccountBalance(
        region_code=region_code,
        fund=fund,
        account=account,
        party=party,
        period=period,
        balance=balance,
    )


@router.get(
    "/ledger/entries",
    tags=["ledger"],
    response_model=s.EntryPage,
    responses=problem_responses(InvalidCursor),
)
async def list_entries(
    rt: RuntimeDep,
    region_code: RegionQ = None,
    period: PeriodQ = None,
    kind: str | None = None,
    claim_id: str | None = None,
    run_id: str | None = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> Any:
    """Journal entries with their postings; each posting names its claim line, visit and event."""
    filters = {
        "region_code": region_code,
        "period": period,
        "kind": kind,
        "claim_id": claim_id,
        "run_id": run_id,
    }
    async with rt.uow() as uow:
        page, postings = await LedgerRepository(uow.session).entries(filters, cursor, limit)
    by_entry: dict[str, list[dict[str, Any]]] = {}
    for p in postings:
        by_entry.setdefault(p["entry_id"], []).append({**p, "amount": s.money(p["amount_fen"])})
    return {
        "items": [{**r, "postings": by_entry.get(r["entry_id"], [])} for r in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/statements",
    tags=["statements"],
    response_model=s.StatementPage,
    responses=problem_responses(InvalidCursor),
)
async def list_statements(
    rt: RuntimeDep,
    region_code: RegionQ = None,
    period: PeriodQ = None,
    provider_id: str | None = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> Any:
    filters = {"region_code": region_code, "period": period, "provider_id": provider_id}
    async with rt.uow() as uow:
        page = await ClaimRepository(uow.session).list_statements(filters, cursor, limit)
    return {"items": [s.StatementView.of(r) for r in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/statements/{statement_id}",
    tags=["statements"],
    response_model=s.StatementView,
    responses=problem_responses(NotFound),
)
async def get_statement(statement_id: str, rt: RuntimeDep) -> Any:
    async with rt.uow() as uow:
        row = await ClaimRepository(uow.session).get_statement(statement_id)
    if row is None:
        raise NotFound(f"no statement {statement_id}")
    return s.StatementView.of(row)


@router.get(
    "/statements/{statement_id}/lines.csv",
    tags=["statements"],
    responses=problem_responses(NotFound),
)
async def statement_csv(statement_id: str, rt: RuntimeDep) -> Response:
    """The statement's claim lines as CSV (current lines of the provider's claim)."""
    async with rt.uow() as uow:
        found = await statement_with_lines(uow, statement_id)
    if found is None:
        raise NotFound(f"no statement {statement_id}")
    _, lines = found
    buffer = io.StringIO()
    fields = [
        "line_no",
        "person_id",
        "visit_id",
        "service_form",
        "service_date",
        "unit",
        "units",
        "rate",
        "billed",
        "fund_amount",
        "person_amount",
        "denied",
        "outcome",
        "reason_code",
        "policy_version",
    ]
    writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for line in lines:
        writer.writerow(s.LineView.of(line).model_dump(mode="json"))
    return Response(buffer.getvalue(), media_type="text/csv")
