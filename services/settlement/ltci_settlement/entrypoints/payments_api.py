"""HTTP routes of provider payments (支付批次), reconciliation (对账) and the quality holdback's
release by scorecard (质量保证金返还)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from ltci_settlement.adapters.payments_repository import PaymentRepository
from ltci_settlement.domain.facts import InvalidPeriod
from ltci_settlement.domain.payment_commands import CreateBatch, RecordResults, ReleaseHoldback
from ltci_settlement.entrypoints import payments_schemas as v
from ltci_settlement.service_layer import holdback, payments
from ltci_settlement.service_layer.month_end import UnknownRegion
from ltci_shared.errors import problem_responses
from ltci_shared.idempotency import run_idempotent
from ltci_shared.pagination import Cursor, InvalidCursor, Limit
from ltci_shared.uow import UnitOfWork
from ltci_shared.web import RuntimeDep

router = APIRouter()
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="retry-safe key for this write"),
]
Region = Annotated[str, Query(pattern=r"^\d{6}$", description="city pack or county code")]
Month = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]
RegionQ = Annotated[str | None, Query(pattern=r"^\d{6}$")]
MonthQ = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")]
IdQ = Annotated[str | None, Query(max_length=64)]
UseCase = Callable[[UnitOfWork], Awaitable[tuple[int, Any]]]
SCOPE_PROBLEMS = (UnknownRegion, InvalidPeriod, payments.PeriodNotSettled)


async def _idempotent(
    rt: Any, scope: str, key: str | None, body: Any, use_case: UseCase
) -> JSONResponse:
    stored = await run_idempotent(
        rt.uow, rt.idempotency, scope=scope, key=key, body=body, use_case=use_case
    )
    headers = {"Idempotent-Replayed": "true"} if stored.replayed else None
    return JSONResponse(stored.body, status_code=stored.status_code, headers=headers)


@router.post(
    "/payments/batches",
    tags=["payments"],
    status_code=201,
    response_model=v.BatchView,
    responses=problem_responses(*SCOPE_PROBLEMS, payments.NothingOutstanding),
)
async def create_batch(
    cmd: CreateBatch, request: Request, rt: RuntimeDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Pay each provider's outstanding payable per fund for a settled month: one item and one
    balanced entry (payable → the fund's bank) per provider and fund. What an earlier batch
    pays (unless it failed) is not outstanding: a batch with nothing left to pay is a 409."""
    book = request.app.state.policy_book

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        batch = await payments.create_batch(uow, book, cmd)
        return 201, v.BatchView.detail(batch).model_dump(mode="json")

    return await _idempotent(
        rt, "POST /payments/batches", key, cmd.model_dump(mode="json"), use_case
    )


@router.post(
    "/payments/batches/{batch_id}/results",
    tags=["payments"],
    response_model=v.BatchView,
    responses=problem_responses(
        payments.BatchNotFound, payments.UnknownPaymentItem, payments.ItemAlreadyAnswered
    ),
)
async def record_results(
    batch_id: str, cmd: RecordResults, rt: RuntimeDep, key: IdempotencyKey = None
) -> JSONResponse:
    """The bank's answer per item: ``paid`` (PaymentRecorded published) or ``failed`` with a
    reason (the item's entry is reversed; the payable is outstanding again)."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        batch = await payments.record_results(uow, batch_id, cmd)
        return 200, v.BatchView.detail(batch).model_dump(mode="json")

    scope = f"POST /payments/batches/{batch_id}/results"
    return await _idempotent(rt, scope, key, cmd.model_dump(mode="json"), use_case)


@router.get(
    "/payments/batches",
    tags=["payments"],
    response_model=v.BatchPage,
    responses=problem_responses(InvalidCursor),
)
async def list_batches(
    rt: RuntimeDep,
    region_code: RegionQ = None,
    period: MonthQ = None,
    status: IdQ = None,
    provider_id: IdQ = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Batches, oldest first; ``provider_id``: batches holding an item of that provider."""
    filters = {"region_code": region_code, "period": period, "status": status}
    async with rt.uow() as uow:
        repo = PaymentRepository(uow.session)
        page = await repo.list_batches({**filters, "provider_id": provider_id}, cursor, limit)
        figures = await repo.figures(r["batch_id"] for r in page.items)
    items = [v.BatchSummary.of(r, figures.get(r["batch_id"], {})) for r in page.items]
    return {"items": items, "next_cursor": page.next_cursor}


@router.get(
    "/payments/batches/{batch_id}",
    tags=["payments"],
    response_model=v.BatchView,
    responses=problem_responses(payments.BatchNotFound),
)
async def get_batch(batch_id: str, rt: RuntimeDep, provider_id: IdQ = None) -> Any:
    """A batch with its items (``provider_id``: that provider's items only, and the figures of
    those; a provider must name itself)."""
    async with rt.uow() as uow:
        repo = PaymentRepository(uow.session)
        batch = await repo.get_batch(batch_id)
        items = await repo.items_of(batch_id, provider_id) if batch else []
    if batch is None or (provider_id is not None and not items):
        raise payments.BatchNotFound(f"no payment batch {batch_id} (for {provider_id})")
    if provider_id is not None:
        batch = {
            **batch,
            "item_count": len(items),
            "total_fen": sum(i["amount_fen"] for i in items),
        }
    return v.BatchView.detail({**batch, "items": items})


@router.get(
    "/payments/items",
    tags=["payments"],
    response_model=v.ItemPage,
    responses=problem_responses(InvalidCursor),
)
async def list_items(
    rt: RuntimeDep,
    region_code: RegionQ = None,
    period: MonthQ = None,
    provider_id: IdQ = None,
    fund: IdQ = None,
    status: IdQ = None,
    batch_id: IdQ = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Batch items across batches (a provider: its own), by batch and item number."""
    filters = {
        "region_code": region_code,
        "period": period,
        "provider_id": provider_id,
        "fund": fund,
        "status": status,
        "batch_id": batch_id,
    }
    async with rt.uow() as uow:
        page = await PaymentRepository(uow.session).list_items(filters, cursor, limit)
    items = [v.PaymentItemView.of(r) for r in page.items]
    return {"items": items, "next_cursor": page.next_cursor}


@router.get(
    "/payments/reconciliation",
    tags=["payments"],
    response_model=v.Reconciliation,
    responses=problem_responses(UnknownRegion, InvalidPeriod),
)
async def reconciliation(
    request: Request, rt: RuntimeDep, region_code: Region, period: Month, provider_id: IdQ = None
) -> Any:
    """Per provider and fund: liabilities posted, holdback withheld, released, forfeited and
    held, paid, in transit, failed, outstanding, and whether they balance to the fen."""
    book = request.app.state.policy_book
    async with rt.uow() as uow:
        body = await payments.reconciliation(uow, book, region_code, period, provider_id)
    return v.Reconciliation.of(body)


@router.post(
    "/holdback/releases",
    tags=["holdback"],
    response_model=v.ReleaseResult,
    responses=problem_responses(*SCOPE_PROBLEMS, holdback.NoReleaseBands),
)
async def release_holdback(
    cmd: ReleaseHoldback, request: Request, rt: RuntimeDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Release each provider's withheld holdback of a settled month by its issued scorecard
    and the pack's release bands: the released share to its payable (paid by a later batch),
    the rest forfeited to the fund. Providers without a scorecard are listed as waiting; a
    rerun releases nothing twice."""
    book = request.app.state.policy_book

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        done = await holdback.release_holdback(uow, book, cmd)
        return 200, v.ReleaseResult.of(done).model_dump(mode="json")

    return await _idempotent(
        rt, "POST /holdback/releases", key, cmd.model_dump(mode="json"), use_case
    )


@router.get(
    "/holdback/releases",
    tags=["holdback"],
    response_model=v.ReleasePage,
    responses=problem_responses(InvalidCursor),
)
async def list_releases(
    rt: RuntimeDep,
    region_code: RegionQ = None,
    period: MonthQ = None,
    provider_id: IdQ = None,
    fund: IdQ = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Holdback releases made, filtered, by release id."""
    filters = {
        "region_code": region_code,
        "period": period,
        "provider_id": provider_id,
        "fund": fund,
    }
    async with rt.uow() as uow:
        page = await PaymentRepository(uow.session).list_releases(filters, cursor, limit)
    return {"items": [v.ReleaseView.of(r) for r in page.items], "next_cursor": page.next_cursor}
