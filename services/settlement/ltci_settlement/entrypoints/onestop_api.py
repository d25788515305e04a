"""HTTP routes of the one-stop medical-assistance settlement (一站式结算): the settlement call,
cancellation, hospitals, high-cost alerts, statistics and statements."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse

from ltci_settlement.adapters.onestop_repository import OneStopRepository
from ltci_settlement.adapters.policy import pack_region
from ltci_settlement.domain.onestop import OneStopNotConfigured
from ltci_settlement.domain.onestop_commands import (
    HOSPITAL_ID,
    CancelSettlement,
    FollowUpAlert,
    RegisterHospital,
    SettleBill,
)
from ltci_settlement.entrypoints import onestop_schemas as s
from ltci_settlement.service_layer import onestop, onestop_reports
from ltci_settlement.service_layer.onestop_context import (
    OutsideInsurance,
    ServiceInFuture,
    UnknownHospital,
    UnknownPerson,
)
from ltci_settlement.service_layer.onestop_documents import settlement_view
from ltci_shared.errors import problem_responses
from ltci_shared.idempotency import run_idempotent
from ltci_shared.pagination import Cursor, InvalidCursor, Limit
from ltci_shared.policy import PolicyNotInForce
from ltci_shared.policy.assistance import CareKind
from ltci_shared.uow import UnitOfWork
from ltci_shared.web import FastJSONResponse, RuntimeDep

router = APIRouter(prefix="/medical-assistance", tags=["one-stop settlement"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
RegionQ = Annotated[str | None, Query(pattern=r"^\d{6}$")]
PeriodQ = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
YearQ = Annotated[int, Query(ge=2000, le=2100)]
HospitalPath = Annotated[str, Path(pattern=HOSPITAL_ID)]


@router.post(
    "/settlements",
    status_code=201,
    response_model=s.SettlementView,
    responses=problem_responses(
        UnknownPerson,
        UnknownHospital,
        OutsideInsurance,
        ServiceInFuture,
        onestop.BillConflict,
        onestop.BillCancelled,
        OneStopNotConfigured,
        PolicyNotInForce,
    ),
)
async def settle_bill(
    cmd: SettleBill, request: Request, rt: RuntimeDep, key: IdempotencyKey = None
) -> Any:
    """Settle a hospital bill at discharge in one call: basic insurance, then critical-illness
    insurance, then medical assistance, each on what the previous left, with the person's
    year-to-date deductibles and caps. The same bill again gets the same answer (header
    `Idempotent-Replayed: true`); the same bill id with other content is a 409."""
    book = request.app.state.policy_book
    replayed = False

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        nonlocal replayed
        done = await onestop.settle_bill(uow, book, cmd)
        replayed = done.replayed
        return 201, done.body

    stored = await run_idempotent(
        rt.uow,
        rt.idempotency,
        scope="POST /medical-assistance/settlements",
        key=key,
        body=cmd.model_dump(mode="json"),
        use_case=use_case,
    )
    headers = {"Idempotent-Replayed": "true"} if stored.replayed or replayed else None
    return FastJSONResponse(stored.body, status_code=stored.status_code, headers=headers)


@router.get(
    "/settlements", response_model=s.SettlementPage, responses=problem_responses(InvalidCursor)
)
async def list_settlements(
    rt: RuntimeDep,
    region_code: RegionQ = None,
    period: PeriodQ = None,
    hospital_id: str | None = None,
    person_id: str | None = None,
    status: Annotated[str | None, Query(pattern="^(settled|cancelled)$")] = None,
    recipient_class: Annotated[int | None, Query(ge=1, le=9)] = None,
    care_kind: CareKind | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Settlements by discharge date, filtered, cursor-paginated."""
    filters = {
        "region_code": pack_region(region_code) if region_code else None,
        "period": period,
        "hospital_id": hospital_id,
        "person_id": person_id,
        "status": status,
        "recipient_class": recipient_class,
        "care_kind": care_kind,
    }
    async with rt.uow() as uow:
        page = await OneStopRepository(uow.session).settlements(filters, cursor, limit)
    return {"items": [settlement_view(r) for r in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/settlements/{settlement_id}",
    response_model=s.SettlementView,
    responses=problem_responses(onestop.SettlementNotFound),
)
async def get_settlement(settlement_id: str, rt: RuntimeDep) -> Any:
    """One settlement's answer, as first given, with its current status."""
    async with rt.uow() as uow:
        row = await OneStopRepository(uow.session).settlement(settlement_id)
    if row is None:
        raise onestop.SettlementNotFound(f"no settlement {settlement_id}")
    return settlement_view(row)


@router.post(
    "/settlements/{settlement_id}/cancel",
    response_model=s.SettlementView,
    responses=problem_responses(onestop.SettlementNotFound, onestop.InvalidCancellation),
)
async def cancel_settlement(
    settlement_id: str, cmd: CancelSettlement, rt: RuntimeDep, key: IdempotencyKey = None
) -> Any:
    """Cancel (refund) a settlement: its ledger entry is reversed in the month of
    `cancelled_on` and the person's counters are given back. Cancelling twice changes nothing."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        return 200, await onestop.cancel_settlement(uow, settlement_id, cmd)

    stored = await run_idempotent(
        rt.uow,
        rt.idempotency,
        scope=f"POST /medical-assistance/settlements/{settlement_id}/cancel",
        key=key,
        body=cmd.model_dump(mode="json"),
        use_case=use_case,
    )
    return JSONResponse(stored.body, status_code=stored.status_code)


@router.put(
    "/hospitals/{hospital_id}", response_model=s.HospitalView, responses=problem_responses()
)
async def register_hospital(
    hospital_id: HospitalPath, cmd: RegisterHospital, rt: RuntimeDep
) -> Any:
    """Register or update a medical institution and its designation (定点) window."""
    async with rt.uow() as uow:
        values = await onestop.register_hospital(uow, hospital_id, cmd)
        await uow.commit()
    return values


@router.get("/hospitals", response_model=s.HospitalPage, responses=problem_responses(InvalidCursor))
async def list_hospitals(
    rt: RuntimeDep,
    region_code: RegionQ = None,
    designated: bool | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Registered hospitals, filtered by region and designation, cursor-paginated."""
    filters = {"region_code": region_code, "designated": designated}
    async with rt.uow() as uow:
        page = await OneStopRepository(uow.session).hospitals(filters, cursor, limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/hospitals/{hospital_id}/statement",
    response_model=s.HospitalStatement,
    responses=problem_responses(),
)
async def hospital_statement(
    hospital_id: HospitalPath,
    rt: RuntimeDep,
    period: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")],
) -> Any:
    """The hospital's one-stop statement for a month: payable by fund and patients' share,
    from the ledger (cancellations posted in the month are netted)."""
    async with rt.uow() as uow:
        return await onestop_reports.hospital_statement(uow, hospital_id, period)


@router.get(
    "/persons/{person_id}/counters",
    response_model=s.PersonCounters,
    responses=problem_responses(),
)
async def person_counters(person_id: str, rt: RuntimeDep, year: YearQ) -> Any:
    """A person's year-to-date counters (zero before the first bill of the year)."""
    async with rt.uow() as uow:
        return await onestop_reports.person_counters(uow, person_id, year)


@router.get(
    "/high-cost-alerts", response_model=s.AlertPage, responses=problem_responses(InvalidCursor)
)
async def list_alerts(
    rt: RuntimeDep,
    region_code: RegionQ = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    status: Annotated[str | None, Query(pattern="^(open|followed_up)$")] = None,
    person_id: str | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """High-cost patients (year-to-date self-pay above the region's line) for follow-up."""
    filters = {
        "region_code": pack_region(region_code) if region_code else None,
        "year": year,
        "status": status,
        "person_id": person_id,
    }
    async with rt.uow() as uow:
        page = await OneStopRepository(uow.session).alerts(filters, cursor, limit)
    return {"items": [s.AlertView.of(r) for r in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/high-cost-alerts/{alert_id}/follow-up",
    response_model=s.AlertView,
    responses=problem_responses(onestop.AlertNotFound),
)
async def follow_up_alert(
    alert_id: str, cmd: FollowUpAlert, rt: RuntimeDep, key: IdempotencyKey = None
) -> Any:
    """Record the follow-up of a high-cost alert (note and time)."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        row = await onestop.follow_up_alert(uow, alert_id, cmd)
        return 200, s.AlertView.of(row).model_dump(mode="json")

    stored = await run_idempotent(
        rt.uow,
        rt.idempotency,
        scope=f"POST /medical-assistance/high-cost-alerts/{alert_id}/follow-up",
        key=key,
        body=cmd.model_dump(mode="json"),
        use_case=use_case,
    )
    return JSONResponse(stored.body, status_code=stored.status_code)


@router.get("/statistics", response_model=s.Statistics, responses=problem_responses())
async def statistics(
    rt: RuntimeDep, region_code: Annotated[str, Query(pattern=r"^\d{6}$")], year: YearQ
) -> Any:
    """Counts and amounts of settled bills by month and recipient class (dashboard)."""
    async with rt.uow() as uow:
        return await onestop_reports.statistics(uow, region_code, year)
