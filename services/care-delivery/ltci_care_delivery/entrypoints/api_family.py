"""HTTP routes for family care (亲情照护): family caregivers and monthly certifications."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ltci_care_delivery.adapters.family import CertificationRepository, FamilyCaregiverRepository
from ltci_care_delivery.domain import errors as e
from ltci_care_delivery.domain.care_commands import (
    PERIOD,
    CertifyFamilyCare,
    RegisterFamilyCaregiver,
    RenewFamilyTraining,
)
from ltci_care_delivery.entrypoints.common import (
    Book,
    Cipher,
    Cursor,
    IdempotencyKey,
    Limit,
    Page,
    idempotent,
    today,
)
from ltci_care_delivery.entrypoints.views_quality import (
    CertificationView,
    FamilyCaregiverView,
    dump,
)
from ltci_care_delivery.service_layer import family_care
from ltci_shared.errors import problem_responses
from ltci_shared.uow import UnitOfWork
from ltci_shared.web import RuntimeDep

router = APIRouter(tags=["family care"])
Id = Annotated[str | None, Query(max_length=64)]


@router.post(
    "/family-caregivers",
    status_code=201,
    response_model=FamilyCaregiverView,
    responses=problem_responses(e.PersonNotKnown, e.FamilyCaregiverAlreadyRegistered),
)
async def register_family_caregiver(
    cmd: RegisterFamilyCaregiver,
    rt: RuntimeDep,
    request: Request,
    pii: Cipher,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Register a trained family caregiver for a person (real name; ID only shown masked)."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        return 201, dump(FamilyCaregiverView, await family_care.register(uow, cmd, pii))

    return await idempotent(rt, request, key, cmd, use_case)


@router.post(
    "/family-caregivers/{family_caregiver_id}/training",
    response_model=FamilyCaregiverView,
    responses=problem_responses(e.FamilyCaregiverNotFound),
)
async def renew_family_training(
    family_caregiver_id: str,
    cmd: RenewFamilyTraining,
    rt: RuntimeDep,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Record a renewed training (certificate number and validity)."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        row = await family_care.renew_training(uow, family_caregiver_id, cmd)
        return 200, dump(FamilyCaregiverView, row)

    return await idempotent(rt, request, key, cmd, use_case)


@router.get(
    "/family-caregivers/{family_caregiver_id}",
    response_model=FamilyCaregiverView,
    responses=problem_responses(e.FamilyCaregiverNotFound),
)
async def get_family_caregiver(family_caregiver_id: str, rt: RuntimeDep) -> Any:
    async with rt.uow() as uow:
        return dump(FamilyCaregiverView, await family_care.get(uow, family_caregiver_id))


@router.get(
    "/family-caregivers",
    response_model=Page[FamilyCaregiverView],
    responses=problem_responses(),
)
async def list_family_caregivers(
    rt: RuntimeDep, person_id: Id = None, limit: Limit = 50, cursor: Cursor = None
) -> Any:
    """Family caregivers, optionally of one person; oldest first."""
    async with rt.uow() as uow:
        items, nxt = await FamilyCaregiverRepository(uow.session).search(
            person_id=person_id, cursor=cursor, limit=limit
        )
    return {"items": [dump(FamilyCaregiverView, x) for x in items], "next_cursor": nxt}


@router.post(
    "/care-plans/{plan_id}/family-care-certifications",
    status_code=201,
    response_model=CertificationView,
    responses=problem_responses(
        e.PlanNotFound,
        e.NotFamilyCarePlan,
        e.FamilyCaregiverRequired,
        e.FamilyCarePeriodNotOver,
        e.FamilyCareAlreadyCertified,
        e.NothingToCertify,
        e.CareDaysExceedCovered,
    ),
)
async def certify_family_care(
    plan_id: str,
    cmd: CertifyFamilyCare,
    rt: RuntimeDep,
    request: Request,
    book: Book,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Certify a finished month of family care; only days inside the plan and the caregiver's
    training validity, outside hospital or institutional stays, count. Publishes
    FamilyCareCertified, on which settlement pays the flat allowance. Once per plan and month."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        row = await family_care.certify(uow, plan_id, cmd, book, today())
        return 201, dump(CertificationView, row)

    return await idempotent(rt, request, key, cmd, use_case)


@router.get(
    "/family-care-certifications",
    response_model=Page[CertificationView],
    responses=problem_responses(),
)
async def list_certifications(
    rt: RuntimeDep,
    plan_id: Id = None,
    person_id: Id = None,
    provider_id: Id = None,
    period: Annotated[str | None, Query(pattern=PERIOD)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Family-care certifications, filtered; oldest first."""
    filters = {"plan_id": plan_id, "person_id": person_id, "provider_id": provider_id}
    async with rt.uow() as uow:
        items, nxt = await CertificationRepository(uow.session).search(
            {**filters, "period": period}, cursor, limit
        )
    return {"items": [dump(CertificationView, x) for x in items], "next_cursor": nxt}
