"""HTTP routes for assistance categories, fund collection, receipts and dashboard counts."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ltci_enrollment.adapters.collection_repo import CollectionRepository
from ltci_enrollment.adapters.repository import AssistanceRepository, MembershipRepository
from ltci_enrollment.domain.commands import (
    AssignCategory,
    RecordDonation,
    RecordReceipt,
    RevokeCategory,
    SettlePayer,
    StartCollectionRun,
)
from ltci_enrollment.entrypoints.common import DepsDep, IdempotencyKey, idempotent
from ltci_enrollment.entrypoints.views import (
    AssignmentView,
    CategoriesView,
    ChargePage,
    ChargeView,
    Counts,
    ReceiptView,
    RunPage,
    RunView,
    SettlementView,
    SummaryLine,
    dump,
)
from ltci_enrollment.service_layer import assistance, collection
from ltci_enrollment.service_layer.deps import UnknownRegion
from ltci_shared.errors import NotFound, problem_responses
from ltci_shared.pagination import Cursor, Limit
from ltci_shared.policy import PolicyNotInForce
from ltci_shared.uow import UnitOfWork
from ltci_shared.web import RuntimeDep

router = APIRouter()
Region = Annotated[str, Query(pattern=r"^\d{6}$")]
Year = Annotated[int, Query(ge=2000, le=2100)]


@router.post(
    "/persons/{person_id}/assistance-categories",
    status_code=201,
    response_model=AssignmentView,
    tags=["assistance"],
    responses=problem_responses(
        NotFound, assistance.UnknownCategory, assistance.CategoryOverlap, PolicyNotInForce
    ),
)
async def assign_category(
    person_id: str, cmd: AssignCategory, rt: RuntimeDep, deps: DepsDep, key: IdempotencyKey = None
) -> Any:
    """Assign a medical-assistance category (the list is the region's policy data). Without
    `valid_until` the category's policy validity applies (e.g. 因病致贫 12 months)."""

    async def use_case(uow: UnitOfWork) -> Any:
        new = await assistance.assign_category(uow, person_id, cmd, deps)
        return dump(AssignmentView, {**new.__dict__, "source": cmd.source})

    return await idempotent(
        rt,
        scope=f"POST /persons/{person_id}/assistance-categories",
        key=key,
        body=cmd.model_dump(mode="json"),
        status=201,
        use_case=use_case,
    )


@router.post(
    "/persons/{person_id}/assistance-categories/{assignment_id}/revoke",
    response_model=AssignmentView,
    tags=["assistance"],
    responses=problem_responses(NotFound, assistance.AssignmentNotActive),
)
async def revoke_category(
    person_id: str,
    assignment_id: str,
    cmd: RevokeCategory,
    rt: RuntimeDep,
    key: IdempotencyKey = None,
) -> Any:
    """Revoke a category from a date (it no longer applies from `revoked_on`)."""

    async def use_case(uow: UnitOfWork) -> Any:
        revoked = await assistance.revoke_category(uow, person_id, assignment_id, cmd)
        return dump(AssignmentView, revoked.__dict__)

    return await idempotent(
        rt,
        scope=f"POST /persons/{person_id}/assistance-categories/{assignment_id}/revoke",
        key=key,
        body=cmd.model_dump(mode="json"),
        status=200,
        use_case=use_case,
    )


@router.get(
    "/persons/{person_id}/assistance-categories",
    response_model=CategoriesView,
    tags=["assistance"],
    responses=problem_responses(NotFound),
)
async def person_categories(
    person_id: str, rt: RuntimeDep, on: Annotated[date | None, Query()] = None
) -> Any:
    """Categories held, those active on `on` (default today) and the one that applies: the
    highest class, once."""
    async with rt.uow() as uow:
        return dump(
            CategoriesView, await assistance.categories_of(uow, person_id, on or date.today())
        )


def _tasks(request: Request) -> set[asyncio.Task[None]]:
    tasks: set[asyncio.Task[None]] = request.app.state.background
    return tasks


@router.post(
    "/collection-runs",
    status_code=202,
    response_model=RunView,
    tags=["contributions"],
    responses=problem_responses(
        collection.CollectionRunInProgress, UnknownRegion, PolicyNotInForce
    ),
)
async def start_collection_run(
    cmd: StartCollectionRun,
    request: Request,
    rt: RuntimeDep,
    deps: DepsDep,
    as_of: Annotated[
        date | None, Query(description="members insured on this day; default 1 January")
    ] = None,
    wait: Annotated[bool, Query(description="answer only when the run has finished")] = False,
) -> Any:
    """Compute what each payer owes for each member insured in the region on `as_of`, by the
    contribution policy in force then. Runs in chunks with progress on `GET
    /collection-runs/{id}`; rerunning never charges twice (charges are unique per year,
    person, payer and fund). Answers 202 at once unless `wait=true`."""
    day = as_of or date(cmd.year, 1, 1)
    async with rt.uow() as uow:
        run = await collection.start_run(uow, cmd, deps, day)
        await uow.commit()
    work = collection.execute_run(rt.uow, run["run_id"], deps, day)
    if wait:
        await work
    else:
        task = asyncio.create_task(work)
        _tasks(request).add(task)
        task.add_done_callback(_tasks(request).discard)
    async with rt.uow() as uow:
        current = await CollectionRepository(uow.session).run(run["run_id"])
    return JSONResponse(dump(RunView, current), status_code=200 if wait else 202)


@router.get("/collection-runs", response_model=RunPage, tags=["contributions"])
async def list_runs(rt: RuntimeDep, limit: Limit = 50, cursor: Cursor = None) -> Any:
    """Collection runs with their status and progress."""
    async with rt.uow() as uow:
        page = await CollectionRepository(uow.session).runs(cursor=cursor, limit=limit)
    return {"items": [dump(RunView, r) for r in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/collection-runs/{run_id}",
    response_model=RunView,
    tags=["contributions"],
    responses=problem_responses(NotFound),
)
async def get_run(run_id: str, rt: RuntimeDep) -> Any:
    """A run's status and progress (members done of total, charges created or existing)."""
    async with rt.uow() as uow:
        run = await CollectionRepository(uow.session).run(run_id)
    if run is None:
        raise NotFound(f"no collection run {run_id}")
    return dump(RunView, run)


@router.get("/contributions/charges", response_model=ChargePage, tags=["contributions"])
async def arrears(
    rt: RuntimeDep,
    region_code: Region,
    year: Year,
    payer: Annotated[str | None, Query(max_length=30)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Outstanding charges (arrears) of a region and year, optionally for one payer."""
    async with rt.uow() as uow:
        page = await CollectionRepository(uow.session).arrears_page(
            region_code, year, payer, cursor=cursor, limit=limit
        )
    return {"items": [dump(ChargeView, r) for r in page.items], "next_cursor": page.next_cursor}


@router.get("/persons/{person_id}/charges", response_model=list[ChargeView], tags=["contributions"])
async def person_charges(person_id: str, rt: RuntimeDep) -> Any:
    """Every charge of one person, by year, payer and fund, with what was received."""
    async with rt.uow() as uow:
        return [
            dump(ChargeView, r)
            for r in await CollectionRepository(uow.session).charges_of(person_id)
        ]


@router.get("/contributions/summary", response_model=list[SummaryLine], tags=["contributions"])
async def contribution_summary(rt: RuntimeDep, region_code: Region, year: Year) -> Any:
    """Due, received and outstanding by payer and fund."""
    async with rt.uow() as uow:
        return [dump(SummaryLine, r) for r in await collection.summary(uow, region_code, year)]


@router.post(
    "/contributions/receipts",
    status_code=201,
    response_model=ReceiptView,
    tags=["contributions"],
    responses=problem_responses(NotFound, collection.Overpayment, collection.ReferenceReused),
)
async def record_receipt(
    cmd: RecordReceipt, rt: RuntimeDep, deps: DepsDep, key: IdempotencyKey = None
) -> Any:
    """Money received against one charge; posts ContributionPosted (fund income). The same
    reference with the same charge and amount is recorded once."""

    async def use_case(uow: UnitOfWork) -> Any:
        return dump(ReceiptView, await collection.record_receipt(uow, cmd, deps))

    return await idempotent(
        rt,
        scope="POST /contributions/receipts",
        key=key,
        body=cmd.model_dump(mode="json"),
        status=201,
        use_case=use_case,
    )


@router.post(
    "/contributions/settlements",
    response_model=SettlementView,
    tags=["contributions"],
    responses=problem_responses(UnknownRegion),
)
async def settle_payer(
    cmd: SettlePayer, rt: RuntimeDep, deps: DepsDep, key: IdempotencyKey = None
) -> Any:
    """One transfer from a payer (employer, fiscal subsidy, pooled-fund transfer, assistance
    subsidy) paying all its outstanding charges; one ContributionPosted per fund."""

    async def use_case(uow: UnitOfWork) -> Any:
        return await collection.settle_payer(uow, cmd, deps)

    return await idempotent(
        rt,
        scope="POST /contributions/settlements",
        key=key,
        body=cmd.model_dump(mode="json"),
        status=200,
        use_case=use_case,
    )


@router.post(
    "/contributions/donations",
    status_code=201,
    response_model=ReceiptView,
    tags=["contributions"],
    responses=problem_responses(collection.ReferenceReused, UnknownRegion),
)
async def record_donation(
    cmd: RecordDonation, rt: RuntimeDep, deps: DepsDep, key: IdempotencyKey = None
) -> Any:
    """A donation to a fund (no member); posts ContributionPosted with payer donation."""

    async def use_case(uow: UnitOfWork) -> Any:
        return dump(ReceiptView, await collection.record_donation(uow, cmd, deps))

    return await idempotent(
        rt,
        scope="POST /contributions/donations",
        key=key,
        body=cmd.model_dump(mode="json"),
        status=201,
        use_case=use_case,
    )


@router.get("/stats/counts", response_model=Counts, tags=["dashboard"])
async def counts(rt: RuntimeDep, as_of: Annotated[date | None, Query()] = None) -> Any:
    """Persons insured by scheme and region, and assistance recipients by category, on `as_of`."""
    day = as_of or date.today()
    async with rt.uow() as uow:
        by_scheme = await MembershipRepository(uow.session).counts_by_scheme_and_region(day)
        by_category = await AssistanceRepository(uow.session).counts_by_category(day)
    return {"as_of": day, "by_scheme_and_region": by_scheme, "by_category": by_category}
