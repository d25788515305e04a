"""HTTP routes of the registry: assessment organisations and assessors."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter

from ltci_assessment import views as v
from ltci_assessment.adapters.registry_repo import RegistryRepository
from ltci_assessment.domain import commands as c
from ltci_assessment.domain.errors import OrganisationAlreadyRegistered, UnknownRegion
from ltci_assessment.entrypoints.common import Book, Cursor, IdempotencyKey, Limit, idempotent_post
from ltci_assessment.service_layer import registry
from ltci_assessment.service_layer.queries import page_of
from ltci_shared.errors import NotFound, problem_responses
from ltci_shared.uow import UnitOfWork
from ltci_shared.web import RuntimeDep

router = APIRouter(tags=["registry"])


def _pack(book: Book, region_code: str | None) -> str | None:
    if region_code is None:
        return None
    if not book.knows_region(region_code):
        raise UnknownRegion(f"no policy pack covers region {region_code}")
    return book.region(region_code).code


@router.post(
    "/organisations",
    status_code=201,
    response_model=v.OrganisationView,
    responses=problem_responses(OrganisationAlreadyRegistered, UnknownRegion),
)
async def register_organisation(
    cmd: c.RegisterOrganisation, rt: RuntimeDep, book: Book, key: IdempotencyKey = None
) -> Any:
    """Register an assessment organisation (credit code checked) for a region."""

    async def use_case(uow: UnitOfWork) -> v.OrganisationView:
        return v.OrganisationView.model_validate(
            await registry.register_organisation(uow, book, cmd)
        )

    body = cmd.model_dump(mode="json")
    return await idempotent_post(
        rt, scope="POST /organisations", key=key, body=body, use_case=use_case
    )


@router.get("/organisations", response_model=v.OrganisationPage)
async def list_organisations(
    rt: RuntimeDep, book: Book, region_code: str | None = None, limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:  # fmt: skip
    """Organisations, optionally of one region (a county code finds its city's)."""
    async with rt.uow() as uow:
        page = await RegistryRepository(uow.session).list_organisations(
            pack_code=_pack(book, region_code), limit=limit, cursor=cursor
        )
    return page_of(v.OrganisationView, page)


@router.get(
    "/organisations/{organisation_id}",
    response_model=v.OrganisationView,
    responses=problem_responses(NotFound),
)
async def get_organisation(organisation_id: str, rt: RuntimeDep) -> Any:
    async with rt.uow() as uow:
        found = await RegistryRepository(uow.session).organisation(organisation_id)
    if found is None:
        raise NotFound(f"no organisation {organisation_id}")
    return found


@router.post(
    "/assessors",
    status_code=201,
    response_model=v.AssessorView,
    responses=problem_responses(UnknownRegion),
)
async def register_assessor(
    cmd: c.RegisterAssessor, rt: RuntimeDep, book: Book, key: IdempotencyKey = None
) -> Any:
    """Register an assessor with qualifications (instruments, ``expert_panel``) and validity."""

    async def use_case(uow: UnitOfWork) -> v.AssessorView:
        return v.AssessorView.model_validate(await registry.register_assessor(uow, book, cmd))

    body = cmd.model_dump(mode="json")
    return await idempotent_post(rt, scope="POST /assessors", key=key, body=body, use_case=use_case)


@router.get("/assessors", response_model=v.AssessorPage)
async def list_assessors(
    rt: RuntimeDep,
    book: Book,
    region_code: str | None = None,
    organisation_id: str | None = None,
    qualification: c.Qualification | None = None,
    valid_on: date | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Assessors by region, organisation, qualification and validity on a date."""
    async with rt.uow() as uow:
        page = await RegistryRepository(uow.session).list_assessors(
            pack_code=_pack(book, region_code),
            organisation_id=organisation_id,
            qualification=qualification,
            valid_on=valid_on,
            limit=limit,
            cursor=cursor,
        )
    return page_of(v.AssessorView, page)


@router.get(
    "/assessors/{assessor_id}", response_model=v.AssessorView, responses=problem_responses(NotFound)
)
async def get_assessor(assessor_id: str, rt: RuntimeDep) -> Any:
    async with rt.uow() as uow:
        found = await RegistryRepository(uow.session).assessor(assessor_id)
    if found is None:
        raise NotFound(f"no assessor {assessor_id}")
    return found
