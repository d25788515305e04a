"""HTTP routes for providers and caregivers: parse, call a handler, map the result."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ltci_care_delivery.adapters.registry import CaregiverRepository, ProviderRepository
from ltci_care_delivery.domain import errors as e
from ltci_care_delivery.domain.commands import (
    AddEmployment,
    AdmitProvider,
    ChangeProviderStatus,
    EndEmployment,
    GradeProvider,
    RegisterCaregiver,
    ReviewProvider,
    SignAgreement,
    UpdateCertification,
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
from ltci_care_delivery.entrypoints.views import AgreementView, CaregiverView, ProviderView, dump
from ltci_care_delivery.service_layer import caregivers, providers
from ltci_shared.errors import problem_responses
from ltci_shared.uow import UnitOfWork
from ltci_shared.web import RuntimeDep

providers_router = APIRouter(tags=["providers"])
caregivers_router = APIRouter(tags=["caregivers"])
ProviderStatus = Annotated[
    str | None,
    Query(pattern="^(under_review|rejected|admitted|active|suspended|terminated)$"),
]


@providers_router.post(
    "/providers",
    status_code=201,
    response_model=ProviderView,
    responses=problem_responses(e.ProviderAlreadyAdmitted, e.AreaOutsideRegion),
)
async def admit_provider(
    cmd: AdmitProvider, rt: RuntimeDep, request: Request, book: Book, key: IdempotencyKey = None
) -> JSONResponse:
    """Admit a provider by filing (already designated: admitted at once) or capacity review."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        return 201, dump(ProviderView, await providers.admit_provider(uow, cmd, book))

    return await idempotent(rt, request, key, cmd, use_case)


@providers_router.post(
    "/providers/{provider_id}/review",
    response_model=ProviderView,
    responses=problem_responses(e.ProviderNotFound, e.ProviderStateConflict),
)
async def review_provider(
    provider_id: str,
    cmd: ReviewProvider,
    rt: RuntimeDep,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Record the capacity review: approved admits the provider, rejected closes the file."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        return 200, dump(ProviderView, await providers.review_provider(uow, provider_id, cmd))

    return await idempotent(rt, request, key, cmd, use_case)


@providers_router.post(
    "/providers/{provider_id}/agreements",
    status_code=201,
    response_model=AgreementView,
    responses=problem_responses(
        e.ProviderNotFound, e.ProviderStateConflict, e.AreaOutsideRegion, e.FormNotInPolicy
    ),
)
async def sign_agreement(
    provider_id: str,
    cmd: SignAgreement,
    rt: RuntimeDep,
    request: Request,
    book: Book,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Sign a service agreement: validity dates, forms it may deliver, service area."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        agreement = await providers.sign_agreement(uow, provider_id, cmd, book)
        return 201, dump(AgreementView, agreement)

    return await idempotent(rt, request, key, cmd, use_case)


@providers_router.post(
    "/providers/{provider_id}/grade",
    response_model=ProviderView,
    responses=problem_responses(e.ProviderNotFound),
)
async def grade_provider(
    provider_id: str,
    cmd: GradeProvider,
    rt: RuntimeDep,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Set the provider's grade (1 to 5)."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        return 200, dump(ProviderView, await providers.grade_provider(uow, provider_id, cmd))

    return await idempotent(rt, request, key, cmd, use_case)


@providers_router.post(
    "/providers/{provider_id}/status",
    response_model=ProviderView,
    responses=problem_responses(e.ProviderNotFound, e.ProviderStateConflict),
)
async def change_provider_status(
    provider_id: str,
    cmd: ChangeProviderStatus,
    rt: RuntimeDep,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Suspend, reinstate or terminate; termination ends the provider's open care plans."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        return 200, dump(ProviderView, await providers.change_status(uow, provider_id, cmd))

    return await idempotent(rt, request, key, cmd, use_case)


@providers_router.get(
    "/providers/{provider_id}",
    response_model=ProviderView,
    responses=problem_responses(e.ProviderNotFound),
)
async def get_provider(provider_id: str, rt: RuntimeDep) -> Any:
    async with rt.uow() as uow:
        provider = await ProviderRepository(uow.session).get(provider_id)
    if provider is None:
        raise e.ProviderNotFound(f"no provider {provider_id}")
    return dump(ProviderView, provider)


@providers_router.get(
    "/providers/{provider_id}/agreements",
    response_model=list[AgreementView],
    responses=problem_responses(e.ProviderNotFound),
)
async def list_agreements(provider_id: str, rt: RuntimeDep) -> Any:
    """The provider's agreements, oldest first."""
    async with rt.uow() as uow:
        repo = ProviderRepository(uow.session)
        if await repo.get(provider_id) is None:
            raise e.ProviderNotFound(f"no provider {provider_id}")
        return [dump(AgreementView, a) for a in await repo.agreements(provider_id)]


@providers_router.get(
    "/providers", response_model=Page[ProviderView], responses=problem_responses()
)
async def list_providers(
    rt: RuntimeDep,
    status: ProviderStatus = None,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Providers, filtered by status and region, oldest first."""
    async with rt.uow() as uow:
        items, nxt = await ProviderRepository(uow.session).search(
            status=status, region_code=region_code, cursor=cursor, limit=limit
        )
    return {"items": [dump(ProviderView, p) for p in items], "next_cursor": nxt}


@caregivers_router.post(
    "/caregivers",
    status_code=201,
    response_model=CaregiverView,
    responses=problem_responses(e.CaregiverAlreadyRegistered, e.ProviderNotFound),
)
async def register_caregiver(
    cmd: RegisterCaregiver,
    rt: RuntimeDep,
    request: Request,
    pii: Cipher,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Register a caregiver under real name; the resident ID is only ever shown masked."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        caregiver = await caregivers.register_caregiver(uow, cmd, pii, today())
        return 201, dump(CaregiverView, caregiver)

    return await idempotent(rt, request, key, cmd, use_case)


@caregivers_router.post(
    "/caregivers/{caregiver_id}/providers",
    response_model=CaregiverView,
    responses=problem_responses(e.CaregiverNotFound, e.ProviderNotFound),
)
async def add_employment(
    caregiver_id: str,
    cmd: AddEmployment,
    rt: RuntimeDep,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Record that the caregiver (also) works for a provider."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        caregiver = await caregivers.add_employment(uow, caregiver_id, cmd, today())
        return 200, dump(CaregiverView, caregiver)

    return await idempotent(rt, request, key, cmd, use_case)


@caregivers_router.post(
    "/caregivers/{caregiver_id}/providers/{provider_id}/end",
    response_model=CaregiverView,
    responses=problem_responses(
        e.CaregiverNotFound, e.EmploymentNotFound, e.EmploymentAlreadyEnded
    ),
)
async def end_employment(
    caregiver_id: str,
    provider_id: str,
    cmd: EndEmployment,
    rt: RuntimeDep,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """End the caregiver's work for one provider: visits it posts for days after ``until``
    are rejected (``caregiver_not_with_provider``). Adding the provider again reopens it."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        caregiver = await caregivers.end_employment(uow, caregiver_id, provider_id, cmd)
        return 200, dump(CaregiverView, caregiver)

    return await idempotent(rt, request, key, cmd, use_case)


@caregivers_router.post(
    "/caregivers/{caregiver_id}/certification",
    response_model=CaregiverView,
    responses=problem_responses(e.CaregiverNotFound),
)
async def update_certification(
    caregiver_id: str,
    cmd: UpdateCertification,
    rt: RuntimeDep,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Renew the caregiver's certificate or change the star level."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        caregiver = await caregivers.update_certification(uow, caregiver_id, cmd)
        return 200, dump(CaregiverView, caregiver)

    return await idempotent(rt, request, key, cmd, use_case)


@caregivers_router.get(
    "/caregivers/{caregiver_id}",
    response_model=CaregiverView,
    responses=problem_responses(e.CaregiverNotFound),
)
async def get_caregiver(caregiver_id: str, rt: RuntimeDep) -> Any:
    async with rt.uow() as uow:
        return dump(CaregiverView, await caregivers.caregiver_view(uow, caregiver_id))


@caregivers_router.get(
    "/caregivers", response_model=Page[CaregiverView], responses=problem_responses()
)
async def list_caregivers(
    rt: RuntimeDep,
    provider_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Caregivers, optionally only those working for a provider."""
    async with rt.uow() as uow:
        items, nxt = await CaregiverRepository(uow.session).search(
            provider_id=provider_id, cursor=cursor, limit=limit
        )
    return {"items": [dump(CaregiverView, c) for c in items], "next_cursor": nxt}
