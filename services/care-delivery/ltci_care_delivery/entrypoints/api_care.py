"""HTTP routes for care plans, hospital/institutional stays and device rentals."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ltci_care_delivery.adapters.plans import PlanRepository, RentalRepository, StayRepository
from ltci_care_delivery.domain import errors as e
from ltci_care_delivery.domain.commands import (
    CreateCarePlan,
    DischargeStay,
    EndCarePlan,
    EndDeviceRental,
    ReportStay,
    StartDeviceRental,
)
from ltci_care_delivery.entrypoints.common import (
    Book,
    Cursor,
    IdempotencyKey,
    Limit,
    Page,
    idempotent,
    today,
)
from ltci_care_delivery.entrypoints.views import PlanView, RentalView, StayView, dump
from ltci_care_delivery.service_layer import devices, plans, stays
from ltci_shared.errors import problem_responses
from ltci_shared.policy import PolicyNotInForce
from ltci_shared.uow import UnitOfWork
from ltci_shared.web import RuntimeDep

router = APIRouter()
Id = Annotated[str | None, Query(max_length=64)]


@router.post(
    "/care-plans",
    tags=["care plans"],
    status_code=201,
    response_model=PlanView,
    responses=problem_responses(
        e.PersonNotKnown,
        e.PersonNotEligible,
        e.UnknownPackage,
        e.AgreementNotCovering,
        e.InstitutionalPlanExists,
        e.FamilyCaregiverRequired,
        e.FamilyCaregiverNotFound,
        e.FamilyCaregiverNotCertified,
        PolicyNotInForce,
    ),
)
async def create_plan(
    cmd: CreateCarePlan, rt: RuntimeDep, request: Request, book: Book, key: IdempotencyKey = None
) -> JSONResponse:
    """Arrange care for an eligible person; quotas come from the package by the person's grade.
    Publishes CarePlanActivated. At most one institutional plan at a time. A family-care plan
    (亲情照护) names a family caregiver of the person whose training is valid on its first day."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        return 201, dump(PlanView, await plans.create_plan(uow, cmd, book, today()))

    return await idempotent(rt, request, key, cmd, use_case)


@router.post(
    "/care-plans/{plan_id}/end",
    tags=["care plans"],
    response_model=PlanView,
    responses=problem_responses(e.PlanNotFound, e.PlanAlreadyEnded),
)
async def end_plan(
    plan_id: str, cmd: EndCarePlan, rt: RuntimeDep, request: Request, key: IdempotencyKey = None
) -> JSONResponse:
    """Close a plan on a date. Publishes CarePlanEnded."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        return 200, dump(PlanView, await plans.end_plan(uow, plan_id, cmd.ended_on))

    return await idempotent(rt, request, key, cmd, use_case)


@router.get(
    "/care-plans/{plan_id}",
    tags=["care plans"],
    response_model=PlanView,
    responses=problem_responses(e.PlanNotFound),
)
async def get_plan(plan_id: str, rt: RuntimeDep) -> Any:
    async with rt.uow() as uow:
        plan = await PlanRepository(uow.session).get(plan_id)
    if plan is None:
        raise e.PlanNotFound(f"no care plan {plan_id}")
    return dump(PlanView, plan)


@router.get(
    "/care-plans", tags=["care plans"], response_model=Page[PlanView], responses=problem_responses()
)
async def list_plans(
    rt: RuntimeDep,
    person_id: Id = None,
    provider_id: Id = None,
    status: Annotated[str | None, Query(pattern="^(active|paused|ended)$")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    async with rt.uow() as uow:
        items, nxt = await PlanRepository(uow.session).search(
            person_id=person_id,
            provider_id=provider_id,
            status=status,
            cursor=cursor,
            limit=limit,
        )
    return {"items": [dump(PlanView, p) for p in items], "next_cursor": nxt}


@router.post(
    "/stays",
    tags=["stays"],
    status_code=201,
    response_model=StayView,
    responses=problem_responses(e.PersonNotKnown, e.StayOverlaps),
)
async def report_stay(
    cmd: ReportStay, rt: RuntimeDep, request: Request, book: Book, key: IdempotencyKey = None
) -> JSONResponse:
    """Report a hospital or institutional admission; home plans pause while it lasts.
    Publishes StayReported."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        return 201, dump(StayView, await stays.report_stay(uow, cmd, book, today()))

    return await idempotent(rt, request, key, cmd, use_case)


@router.post(
    "/stays/{stay_id}/discharge",
    tags=["stays"],
    response_model=StayView,
    responses=problem_responses(e.StayNotFound, e.StayAlreadyDischarged, e.StayOverlaps),
)
async def discharge_stay(
    stay_id: str,
    cmd: DischargeStay,
    rt: RuntimeDep,
    request: Request,
    book: Book,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Report the discharge; paused home plans resume. Publishes StayReported."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        stay = await stays.discharge_stay(uow, stay_id, cmd.discharged_on, book, today())
        return 200, dump(StayView, stay)

    return await idempotent(rt, request, key, cmd, use_case)


@router.get("/stays", tags=["stays"], response_model=Page[StayView], responses=problem_responses())
async def list_stays(
    rt: RuntimeDep, person_id: Id = None, limit: Limit = 50, cursor: Cursor = None
) -> Any:
    async with rt.uow() as uow:
        items, nxt = await StayRepository(uow.session).search(
            person_id=person_id, cursor=cursor, limit=limit
        )
    return {"items": [dump(StayView, s) for s in items], "next_cursor": nxt}


@router.post(
    "/device-rentals",
    tags=["device rentals"],
    status_code=201,
    response_model=RentalView,
    responses=problem_responses(
        e.PersonNotKnown, e.PersonNotEligible, e.UnknownDevice, e.DeviceCategoryTaken
    ),
)
async def start_rental(
    cmd: StartDeviceRental,
    rt: RuntimeDep,
    request: Request,
    book: Book,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Rent a catalogue device; one per category. Publishes DeviceRentalChanged (started)."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        return 201, dump(RentalView, await devices.start_rental(uow, cmd, book))

    return await idempotent(rt, request, key, cmd, use_case)


@router.post(
    "/device-rentals/{rental_id}/end",
    tags=["device rentals"],
    response_model=RentalView,
    responses=problem_responses(e.RentalNotFound, e.RentalAlreadyEnded, e.DeviceMinimumTerm),
)
async def end_rental(
    rental_id: str,
    cmd: EndDeviceRental,
    rt: RuntimeDep,
    request: Request,
    book: Book,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """End a rental after its minimum term. Publishes DeviceRentalChanged (ended)."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        return 200, dump(RentalView, await devices.end_rental(uow, rental_id, cmd.ends_on, book))

    return await idempotent(rt, request, key, cmd, use_case)


@router.get(
    "/device-rentals",
    tags=["device rentals"],
    response_model=Page[RentalView],
    responses=problem_responses(),
)
async def list_rentals(
    rt: RuntimeDep,
    person_id: Id = None,
    status: Annotated[str | None, Query(pattern="^(active|ended)$")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    async with rt.uow() as uow:
        items, nxt = await RentalRepository(uow.session).search(
            person_id=person_id, status=status, cursor=cursor, limit=limit
        )
    return {"items": [dump(RentalView, r) for r in items], "next_cursor": nxt}
