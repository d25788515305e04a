"""HTTP routes for insured persons and their membership: parse, call a handler, map the result."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from ltci_enrollment.adapters.repository import MembershipRepository, PersonRepository
from ltci_enrollment.domain import membership as membership_rules
from ltci_enrollment.domain.commands import (
    ChangeMembership,
    EnrollPerson,
    RecordDeath,
    UpdatePerson,
)
from ltci_enrollment.entrypoints.common import Actor, DepsDep, IdempotencyKey, idempotent
from ltci_enrollment.entrypoints.views import (
    CoverageView,
    PeriodView,
    PersonPage,
    PersonView,
    VersionView,
    dump,
)
from ltci_enrollment.service_layer import membership, persons
from ltci_enrollment.service_layer.deps import UnknownRegion
from ltci_shared.errors import NotFound, problem_responses
from ltci_shared.pagination import Cursor, Limit
from ltci_shared.uow import UnitOfWork
from ltci_shared.web import RuntimeDep

router = APIRouter(tags=["persons"])
RegionQuery = Annotated[str | None, Query(pattern=r"^\d{6}$", description="city or division")]


async def _person_view(uow: UnitOfWork, person: dict[str, Any]) -> dict[str, Any]:
    periods = await MembershipRepository(uow.session).periods(person["person_id"])
    return dump(PersonView, {**person, "memberships": [p.__dict__ for p in periods]})


@router.post(
    "/persons",
    status_code=201,
    response_model=PersonView,
    responses=problem_responses(
        persons.PersonAlreadyEnrolled, persons.ResidentIdMismatch, UnknownRegion
    ),
)
async def enroll_person(
    cmd: EnrollPerson,
    rt: RuntimeDep,
    deps: DepsDep,
    key: IdempotencyKey = None,
    actor: Actor = "unknown",
) -> Any:
    """Enroll an insured person with the first membership period. The resident ID is stored
    encrypted with a keyed-hash look-up and only ever shown masked. The same resident ID twice
    is a 409 `person_already_enrolled` naming the existing `person_id`."""

    async def use_case(uow: UnitOfWork) -> Any:
        return await _person_view(uow, await persons.enroll_person(uow, cmd, deps, actor))

    return await idempotent(
        rt,
        scope="POST /persons",
        key=key,
        body=cmd.model_dump(mode="json"),
        status=201,
        use_case=use_case,
    )


@router.get("/persons", response_model=PersonPage)
async def list_persons(
    rt: RuntimeDep,
    region_code: RegionQuery = None,
    scheme: Annotated[str | None, Query(pattern="^(employee|resident)$")] = None,
    category: Annotated[str | None, Query(max_length=40, description="assistance category")] = None,
    as_of: Annotated[
        date | None, Query(description="for scheme and category; default today")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Insured persons by person id, filtered by region (a city code includes its divisions),
    scheme and assistance category held on `as_of`."""
    async with rt.uow() as uow:
        page = await PersonRepository(uow.session).page(
            cursor=cursor,
            limit=limit,
            region_code=region_code,
            scheme=scheme,
            category=category,
            as_of=as_of or date.today(),
        )
    return {"items": [dump(PersonView, r) for r in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/persons/{person_id}", response_model=PersonView, responses=problem_responses(NotFound)
)
async def get_person(person_id: str, rt: RuntimeDep) -> Any:
    """One insured person with the membership history; resident ID and phones masked."""
    async with rt.uow() as uow:
        person = await persons.load_person(PersonRepository(uow.session), person_id, lock=False)
        return await _person_view(uow, person)


@router.patch(
    "/persons/{person_id}",
    response_model=PersonView,
    responses=problem_responses(NotFound, UnknownRegion),
)
async def update_person(
    person_id: str,
    cmd: UpdatePerson,
    rt: RuntimeDep,
    deps: DepsDep,
    key: IdempotencyKey = None,
    actor: Actor = "unknown",
) -> Any:
    """Change master data. Each change is a new version (who, when, why); a change of region,
    address or home location is published as PersonUpdated."""

    async def use_case(uow: UnitOfWork) -> Any:
        return await _person_view(
            uow, await persons.update_person(uow, person_id, cmd, deps, actor)
        )

    return await idempotent(
        rt,
        scope=f"PATCH /persons/{person_id}",
        key=key,
        body=cmd.model_dump(mode="json", exclude_unset=True),
        status=200,
        use_case=use_case,
    )


@router.get(
    "/persons/{person_id}/versions",
    response_model=list[VersionView],
    responses=problem_responses(NotFound),
)
async def person_versions(person_id: str, rt: RuntimeDep) -> Any:
    """The history of master-data changes, oldest first (phones masked)."""
    async with rt.uow() as uow:
        repo = PersonRepository(uow.session)
        await persons.load_person(repo, person_id, lock=False)
        return [dump(VersionView, v) for v in await repo.versions(person_id)]


@router.post(
    "/persons/{person_id}/death",
    response_model=PersonView,
    responses=problem_responses(NotFound, persons.PersonDeceased),
)
async def record_death(
    person_id: str,
    cmd: RecordDeath,
    rt: RuntimeDep,
    deps: DepsDep,
    key: IdempotencyKey = None,
    actor: Actor = "unknown",
) -> Any:
    """Record a death: the open membership period ends on that day (EnrollmentEnded, reason
    death), and the other services end eligibility and plans at once."""

    async def use_case(uow: UnitOfWork) -> Any:
        return await _person_view(uow, await persons.record_death(uow, person_id, cmd, deps, actor))

    return await idempotent(
        rt,
        scope=f"POST /persons/{person_id}/death",
        key=key,
        body=cmd.model_dump(mode="json"),
        status=200,
        use_case=use_case,
    )


@router.post(
    "/persons/{person_id}/membership",
    response_model=list[PeriodView],
    responses=problem_responses(
        NotFound,
        membership_rules.MembershipOverlap,
        membership_rules.NoOpenMembership,
        membership_rules.InvalidMembershipChange,
        membership.MembershipChangeAlreadyApplied,
        UnknownRegion,
    ),
)
async def change_membership(
    person_id: str,
    cmd: ChangeMembership,
    rt: RuntimeDep,
    deps: DepsDep,
    key: IdempotencyKey = None,
) -> Any:
    """Start, change scheme, move region or end membership. History is kept and periods never
    overlap; the whole history is published as MembershipChanged."""

    async def use_case(uow: UnitOfWork) -> Any:
        periods = await membership.change_membership(uow, person_id, cmd, deps)
        return [dump(PeriodView, p.__dict__) for p in periods]

    return await idempotent(
        rt,
        scope=f"POST /persons/{person_id}/membership",
        key=key,
        body=cmd.model_dump(mode="json"),
        status=200,
        use_case=use_case,
    )


@router.get(
    "/persons/{person_id}/coverage",
    response_model=CoverageView,
    responses=problem_responses(NotFound),
)
async def coverage(
    person_id: str, rt: RuntimeDep, on: Annotated[date, Query(description="the date asked about")]
) -> Any:
    """Was this person insured on date `on`, under which scheme and in which region."""
    async with rt.uow() as uow:
        return dump(CoverageView, await membership.coverage(uow, person_id, on))
