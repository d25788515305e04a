"""HTTP routes of applications: submit, decide, schedule, assess, notice, objections, history."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from ltci_assessment import views as v
from ltci_assessment.domain import commands as c
from ltci_assessment.domain import errors as e
from ltci_assessment.domain.grading import InstrumentNotInPolicy, InvalidScores
from ltci_assessment.domain.lifecycle import ApplicationNotOpen, InvalidTransition
from ltci_assessment.entrypoints.common import Book, Cursor, IdempotencyKey, Limit, idempotent_post
from ltci_assessment.service_layer import applications, assessing, queries, scheduling
from ltci_assessment.service_layer.history import ApplicationNotFound
from ltci_shared.errors import problem_responses
from ltci_shared.policy import PolicyNotInForce
from ltci_shared.uow import UnitOfWork
from ltci_shared.web import RuntimeDep

router = APIRouter(tags=["applications"])
CHANGE_ERRORS = (ApplicationNotFound, ApplicationNotOpen, InvalidTransition)
Status = Literal[
    "submitted", "accepted", "rejected", "scheduled", "assessed",
    "on_notice", "objected", "final", "withdrawn",
]  # fmt: skip
Decision = Literal["accept", "reject", "withdraw"]
TARGET = {"accept": "accepted", "reject": "rejected", "withdraw": "withdrawn"}


@router.post(
    "/applications",
    status_code=201,
    response_model=v.ApplicationView,
    responses=problem_responses(
        e.PersonNotInsured, e.ApplicationAlreadyOpen, e.ReapplyTooSoon, PolicyNotInForce
    ),
)
async def submit_application(
    cmd: c.SubmitApplication, rt: RuntimeDep, book: Book, key: IdempotencyKey = None
) -> Any:
    """Apply for an assessment with a self-assessment. Refused (409, nothing stored) when the
    person is not insured on ``applied_on``, has an open application, or a previous
    application was decided within the policy's waiting period."""

    async def use_case(uow: UnitOfWork) -> v.ApplicationView:
        app = await applications.submit(uow, book, cmd)
        return await queries.application_view(uow, app["application_id"])

    body = cmd.model_dump(mode="json")
    return await idempotent_post(
        rt, scope="POST /applications", key=key, body=body, use_case=use_case
    )


@router.get("/applications", response_model=v.ApplicationPage)
async def list_applications(
    rt: RuntimeDep,
    person_id: str | None = None,
    status: Status | None = None,
    kind: Literal["initial", "review"] | None = None,
    region_code: str | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Applications, oldest first, filtered; follow ``next_cursor`` for the next page."""
    filters = {"person_id": person_id, "status": status, "kind": kind, "region_code": region_code}
    async with rt.uow() as uow:
        return await queries.applications_page(uow, filters, limit, cursor)


@router.get(
    "/applications/{application_id}",
    response_model=v.ApplicationView,
    responses=problem_responses(ApplicationNotFound),
)
async def get_application(application_id: str, rt: RuntimeDep) -> Any:
    async with rt.uow() as uow:
        return await queries.application_view(uow, application_id)


@router.get(
    "/applications/{application_id}/transitions",
    response_model=v.TransitionPage,
    responses=problem_responses(ApplicationNotFound),
)
async def list_transitions(
    application_id: str, rt: RuntimeDep, limit: Limit = 50, cursor: Cursor = None
) -> Any:
    """Every step of the application: from, to, who, why, when (and details such as the draw)."""
    async with rt.uow() as uow:
        await queries.application_view(uow, application_id)
        page = await queries.transitions_page(uow, application_id, limit, cursor)
    return page


@router.post(
    "/applications/{application_id}/schedule",
    response_model=v.ApplicationView,
    responses=problem_responses(
        *CHANGE_ERRORS,
        e.NotEnoughAssessors,
        e.AssessorNotQualified,
        e.AssessorConflicted,
        e.AssessorNotDifferent,
    ),
)
async def schedule_assessment(
    application_id: str, cmd: c.ScheduleAssessment, rt: RuntimeDep, book: Book,
    key: IdempotencyKey = None,
) -> Any:  # fmt: skip
    """Assign the policy's number of assessors, drawn at random from the region's qualified and
    valid pool minus those working for the person's care providers (``provider_ids``); after an
    objection, the expert panel is drawn without the on-site assessors. Or name them in
    ``assessor_ids``. The deadline counts the policy's working days."""

    async def use_case(uow: UnitOfWork) -> v.ApplicationView:
        await scheduling.schedule(uow, book, application_id, cmd)
        return await queries.application_view(uow, application_id)

    scope = f"POST /applications/{application_id}/schedule"
    body = cmd.model_dump(mode="json")
    return await idempotent_post(rt, scope=scope, key=key, body=body, use_case=use_case, status=200)


@router.post(
    "/applications/{application_id}/assessments",
    status_code=201,
    response_model=v.AssessmentView,
    responses=problem_responses(
        *CHANGE_ERRORS, e.AssessorsNotAssigned, InvalidScores, InstrumentNotInPolicy
    ),
)
async def record_assessment(
    application_id: str, cmd: c.RecordAssessment, rt: RuntimeDep, book: Book,
    key: IdempotencyKey = None,
) -> Any:  # fmt: skip
    """Record the item scores of the assigned assessors. Every item is checked against its
    allowed points; the grade follows the policy in force on ``assessed_on`` and the result
    explains itself. An expert-panel result is final at once."""

    async def use_case(uow: UnitOfWork) -> v.AssessmentView:
        found = await assessing.record_assessment(uow, book, application_id, cmd)
        return v.AssessmentView.model_validate(found)

    scope = f"POST /applications/{application_id}/assessments"
    body = cmd.model_dump(mode="json")
    return await idempotent_post(rt, scope=scope, key=key, body=body, use_case=use_case)


@router.get(
    "/applications/{application_id}/assessments",
    response_model=list[v.AssessmentView],
    responses=problem_responses(ApplicationNotFound),
)
async def list_assessments(application_id: str, rt: RuntimeDep) -> Any:
    """The application's assessments (on-site, then the expert panel's), at most a few."""
    async with rt.uow() as uow:
        await queries.application_view(uow, application_id)
        return await queries.assessments_of(uow, application_id)


@router.post(
    "/applications/{application_id}/public-notice",
    response_model=v.ApplicationView,
    responses=problem_responses(*CHANGE_ERRORS),
)
async def start_public_notice(
    application_id: str, cmd: c.StartNotice, rt: RuntimeDep, book: Book,
    key: IdempotencyKey = None,
) -> Any:  # fmt: skip
    """Post the on-site result publicly (公示) for the policy's ``public_notice_days``."""

    async def use_case(uow: UnitOfWork) -> v.ApplicationView:
        await applications.start_notice(uow, book, application_id, cmd)
        return await queries.application_view(uow, application_id)

    scope = f"POST /applications/{application_id}/public-notice"
    body = cmd.model_dump(mode="json")
    return await idempotent_post(rt, scope=scope, key=key, body=body, use_case=use_case, status=200)


@router.post(
    "/applications/{application_id}/objections",
    response_model=v.ApplicationView,
    responses=problem_responses(*CHANGE_ERRORS, e.ObjectionWindowClosed),
)
async def file_objection(
    application_id: str, cmd: c.FileObjection, rt: RuntimeDep, key: IdempotencyKey = None
) -> Any:
    """An objection within the window: the case goes to the expert panel (schedule it next)."""

    async def use_case(uow: UnitOfWork) -> v.ApplicationView:
        await applications.file_objection(uow, application_id, cmd)
        return await queries.application_view(uow, application_id)

    scope = f"POST /applications/{application_id}/objections"
    body = cmd.model_dump(mode="json")
    return await idempotent_post(rt, scope=scope, key=key, body=body, use_case=use_case, status=200)


@router.post(
    "/applications/{application_id}/evidence",
    status_code=201,
    response_model=v.EvidenceView,
    responses=problem_responses(ApplicationNotFound),
)
async def add_evidence(
    application_id: str, cmd: c.AddEvidence, rt: RuntimeDep, key: IdempotencyKey = None
) -> Any:
    """Record a document or photo by reference (uri and optional sha256); nothing is uploaded."""

    async def use_case(uow: UnitOfWork) -> v.EvidenceView:
        return v.EvidenceView.model_validate(
            await applications.add_evidence(uow, application_id, cmd)
        )

    scope = f"POST /applications/{application_id}/evidence"
    body = cmd.model_dump(mode="json")
    return await idempotent_post(rt, scope=scope, key=key, body=body, use_case=use_case)


@router.get(
    "/applications/{application_id}/evidence",
    response_model=v.EvidencePage,
    responses=problem_responses(ApplicationNotFound),
)
async def list_evidence(
    application_id: str, rt: RuntimeDep, limit: Limit = 50, cursor: Cursor = None
) -> Any:
    async with rt.uow() as uow:
        await queries.application_view(uow, application_id)
        return await queries.evidence_page(uow, application_id, limit, cursor)


# Declared last: its path would otherwise shadow /schedule, /assessments and the rest.
@router.post(
    "/applications/{application_id}/{decision}",
    response_model=v.ApplicationView,
    responses=problem_responses(*CHANGE_ERRORS),
)
async def decide_application(
    application_id: str,
    decision: Decision,
    cmd: c.Decide,
    rt: RuntimeDep,
    key: IdempotencyKey = None,
) -> Any:
    """Accept (受理) or reject a submitted application, or withdraw one at any open step."""

    async def use_case(uow: UnitOfWork) -> v.ApplicationView:
        await applications.decide(uow, application_id, TARGET[decision], cmd)
        return await queries.application_view(uow, application_id)

    scope = f"POST /applications/{application_id}/{decision}"
    body = cmd.model_dump(mode="json")
    return await idempotent_post(rt, scope=scope, key=key, body=body, use_case=use_case, status=200)
