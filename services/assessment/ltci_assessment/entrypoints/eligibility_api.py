"""HTTP routes of eligibility windows, the insured-person read model and the explicit jobs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from ltci_assessment import views as v
from ltci_assessment.adapters.eligibility_repo import EligibilityRepository
from ltci_assessment.entrypoints.common import Book, Cursor, IdempotencyKey, Limit, idempotent_post
from ltci_assessment.service_layer import assessing, eligibility, queries
from ltci_assessment.service_layer.queries import page_of
from ltci_shared.errors import NotFound, problem_responses
from ltci_shared.uow import UnitOfWork
from ltci_shared.web import RuntimeDep

router = APIRouter()
AsOf = Annotated[date, Query(description="the day the job runs for (YYYY-MM-DD)")]
JobLimit = Annotated[int, Query(ge=1, le=1000, description="at most this many per run")]


@router.get("/eligibilities", response_model=v.EligibilityPage, tags=["eligibility"])
async def list_eligibilities(
    rt: RuntimeDep,
    person_id: str | None = None,
    region_code: str | None = None,
    active_on: date | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Eligibility windows; ``active_on`` keeps those covering that day."""
    async with rt.uow() as uow:
        page = await EligibilityRepository(uow.session).search(
            person_id=person_id, region_code=region_code, active_on=active_on,
            limit=limit, cursor=cursor,
        )  # fmt: skip
    return page_of(v.EligibilityView, page)


@router.get(
    "/eligibilities/{eligibility_id}",
    response_model=v.EligibilityView,
    responses=problem_responses(NotFound),
    tags=["eligibility"],
)
async def get_eligibility(eligibility_id: str, rt: RuntimeDep) -> Any:
    async with rt.uow() as uow:
        return await queries.eligibility_view(uow, eligibility_id)


@router.get(
    "/assessments/{assessment_id}",
    response_model=v.AssessmentView,
    responses=problem_responses(NotFound),
    tags=["applications"],
)
async def get_assessment(assessment_id: str, rt: RuntimeDep) -> Any:
    async with rt.uow() as uow:
        return await queries.assessment_view(uow, assessment_id)


@router.get(
    "/persons/{person_id}",
    response_model=v.PersonView,
    responses=problem_responses(NotFound),
    tags=["read models"],
)
async def get_person(person_id: str, rt: RuntimeDep, on: date | None = None) -> Any:
    """What this service learned of a person from enrollment's events, and whether they are
    insured on ``on`` (default today)."""
    async with rt.uow() as uow:
        return await queries.person_view(uow, person_id, on or datetime.now(UTC).date())


@router.post("/jobs/close-notices", response_model=v.JobResult, tags=["jobs"])
async def close_notices(
    rt: RuntimeDep, book: Book, as_of: AsOf, limit: JobLimit = 500, key: IdempotencyKey = None
) -> Any:
    """Make final every result whose public notice and objection window ended before
    ``as_of`` (no timer runs it: a scheduler calls this daily). Publishes AssessmentCompleted
    and, where eligible, EligibilityGranted (or EligibilityChanged / EligibilityRevoked)."""

    async def use_case(uow: UnitOfWork) -> v.JobResult:
        done, more = await assessing.close_notices(uow, book, as_of, limit)
        return v.JobResult(as_of=as_of, application_ids=done, more=more)

    body = {"as_of": as_of.isoformat(), "limit": limit}
    return await idempotent_post(
        rt, scope="POST /jobs/close-notices", key=key, body=body, use_case=use_case, status=200
    )


@router.post("/jobs/schedule-reviews", response_model=v.JobResult, tags=["jobs"])
async def schedule_reviews(
    rt: RuntimeDep, book: Book, as_of: AsOf, limit: JobLimit = 500, key: IdempotencyKey = None
) -> Any:
    """Open a review application (accepted, to be scheduled) for every window open on
    ``as_of`` that expires within the region's ``review_lead_days``."""

    async def use_case(uow: UnitOfWork) -> v.JobResult:
        created = await eligibility.schedule_reviews(uow, book, as_of, limit)
        return v.JobResult(as_of=as_of, application_ids=created, more=len(created) >= limit)

    body = {"as_of": as_of.isoformat(), "limit": limit}
    return await idempotent_post(
        rt, scope="POST /jobs/schedule-reviews", key=key, body=body, use_case=use_case, status=200
    )
