"""HTTP route of back-testing (政策回测): a proposed benefits version over past months, compared
with the pack in force per month, fund, provider, reason code and service form; read-only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from ltci_settlement.domain.backtest import InvalidBacktestRange, InvalidProposal
from ltci_settlement.domain.facts import InvalidPeriod
from ltci_settlement.entrypoints.backtest_schemas import BacktestRequest, BacktestView
from ltci_settlement.service_layer import backtest
from ltci_settlement.service_layer.month_end import UnknownRegion
from ltci_shared.auth import InvalidToken, OutsideTenancy
from ltci_shared.errors import problem_responses
from ltci_shared.idempotency import run_idempotent
from ltci_shared.uow import UnitOfWork
from ltci_shared.web import RuntimeDep

router = APIRouter()
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


@router.post(
    "/what-if/backtests",
    tags=["what-if"],
    response_model=BacktestView,
    responses=problem_responses(
        UnknownRegion,
        InvalidPeriod,
        InvalidBacktestRange,
        InvalidProposal,
        backtest.BacktestTooLarge,
        InvalidToken,
        OutsideTenancy,
    ),
)
async def run_backtest(
    body: BacktestRequest, request: Request, rt: RuntimeDep, key: IdempotencyKey = None
) -> Any:
    """Run a proposed benefits version over past months (at most 12, and at most
    `limits.max_lines` visits, plans and rentals) and compare it with the pack in force,
    recomputed: totals, by month, fund, provider, reason code and service form, to the fen,
    with what the ledger holds for settled months. Writes no claim, journal entry or event.
    An invalid proposal is a 422 listing every error. Synchronous; the same Idempotency-Key
    returns the same report."""
    book = request.app.state.policy_book

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        report = await backtest.run_backtest(
            uow, book, body.region_code, body.from_period, body.to_period, body.proposed
        )
        return 200, BacktestView.of(report, body.label).model_dump(mode="json")

    stored = await run_idempotent(
        rt.uow,
        rt.idempotency,
        scope="POST /what-if/backtests",
        key=key,
        body=body.model_dump(mode="json"),
        use_case=use_case,
    )
    headers = {"Idempotent-Replayed": "true"} if stored.replayed else None
    return JSONResponse(stored.body, status_code=stored.status_code, headers=headers)
