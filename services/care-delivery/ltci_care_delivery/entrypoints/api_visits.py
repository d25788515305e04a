"""HTTP routes for visits from provider systems, the exception queue, and voiding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from ltci_care_delivery.adapters.visits import VisitRepository
from ltci_care_delivery.domain import errors as e
from ltci_care_delivery.domain.visit_commands import (
    CorrectVisit,
    LogVisit,
    ResolveException,
    ResolveExceptions,
    VisitBatch,
    VoidVisit,
)
from ltci_care_delivery.entrypoints.common import (
    Cursor,
    IdempotencyKey,
    Limit,
    Page,
    idempotent,
)
from ltci_care_delivery.entrypoints.views import (
    BatchResult,
    ExceptionView,
    ResolutionBatchResult,
    VisitDetail,
    VisitOutcome,
    VisitView,
    dump,
)
from ltci_care_delivery.service_layer import corrections, ingest, review
from ltci_care_delivery.service_layer.single_visits import SingleVisit
from ltci_care_delivery.settings import Settings
from ltci_shared.errors import problem_responses
from ltci_shared.idempotency import check_key
from ltci_shared.policy import PolicyBook
from ltci_shared.runtime import ServiceRuntime
from ltci_shared.uow import UnitOfWork
from ltci_shared.web import FastJSONResponse

router = APIRouter(tags=["visits"])
Id = Annotated[str | None, Query(max_length=64)]


# Coroutine dependencies: FastAPI runs a plain ``def`` dependency (``RuntimeDep``, ``Book``,
# ``SettingsDep``) in a worker thread, a hop each; the writes that verify visits take one.
async def _runtime(request: Request) -> ServiceRuntime:
    return request.app.state.runtime


@dataclass(frozen=True)
class Env:
    rt: ServiceRuntime
    book: PolicyBook
    settings: Settings

    @property
    def skew(self) -> timedelta:
        return timedelta(seconds=self.settings.clock_skew_seconds)


async def _env(request: Request) -> Env:
    state = request.app.state
    return Env(state.runtime, state.policy, state.settings)


Runtime = Annotated[ServiceRuntime, Depends(_runtime)]
Verifying = Annotated[Env, Depends(_env)]


def _item(result: ingest.ItemResult) -> dict[str, Any]:
    visit = result.visit or {}
    return {
        "index": result.index,
        "external_id": result.external_id,
        "outcome": result.outcome,
        "visit_id": visit.get("visit_id"),
        "status": visit.get("status"),
        "exceptions": visit.get("exceptions", []),
        "errors": result.errors,
    }


@router.post(
    "/providers/{provider_id}/visits",
    status_code=201,
    response_model=VisitOutcome,
    responses={
        200: {"description": "a duplicate: the visit already stored under this provider visit id"},
        **problem_responses(e.ProviderNotFound, e.VisitRejected, e.VisitIdReused),
    },
)
async def log_visit(
    provider_id: str,
    cmd: LogVisit,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Log one visit, verified on arrival. 201 with the visit (status ``verified``, or
    ``pending``/``refused`` with named exceptions); 200 if the provider's visit id was already
    logged with the same content. Publishes ServiceVisitLogged. Visits arriving at the same
    moment share one transaction; each is answered once its own is stored."""
    check_key(key)
    item = SingleVisit(provider_id, cmd, scope=f"POST {request.url.path}", key=key)
    result = await request.app.state.single_visits.submit(item)
    headers = {"Idempotent-Replayed": "true"} if result.replayed else None
    return FastJSONResponse(result.body, status_code=result.status_code, headers=headers)


def visit_answer(result: ingest.ItemResult) -> tuple[int, Any]:
    """The single-visit route's (status, body) for an ingested item; raises its problem."""
    if result.outcome == "rejected":
        error = result.errors[0]
        if error["code"] == "external_visit_id_reused":
            raise e.VisitIdReused(error["message"])
        raise e.VisitRejected(error["message"], code=error["code"])
    status = 201 if result.outcome == "accepted" else 200
    return status, {"outcome": result.outcome, "visit": dump(VisitView, result.visit or {})}


@router.post(
    "/providers/{provider_id}/visits/batch",
    response_model=BatchResult,
    responses=problem_responses(e.ProviderNotFound, e.PayloadTooLarge),
)
async def log_visit_batch(
    provider_id: str,
    batch: VisitBatch,
    env: Verifying,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Log up to 1,000 visits in one transaction. Each item is reported ``accepted``,
    ``duplicate`` or ``rejected`` (with its errors); a bad item never rejects the others.
    More than 1,000 items is a 422; a body over the size limit a 413."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        parsed, rejected = ingest.parse_items(batch.visits)
        now = datetime.now(UTC)
        done = await ingest.ingest(uow, provider_id, parsed, env.book, now=now, clock_skew=env.skew)
        results = sorted([*done, *rejected], key=lambda r: r.index)
        count = {
            o: sum(r.outcome == o for r in results) for o in ("accepted", "duplicate", "rejected")
        }
        return 200, {
            "accepted": count["accepted"],
            "duplicates": count["duplicate"],
            "rejected": count["rejected"],
            "items": [_item(r) for r in results],
        }

    # without a key the request body is not hashed (nothing to replay)
    return await idempotent(env.rt, request, key, batch if key is not None else None, use_case)


@router.get("/visits", response_model=Page[VisitView], responses=problem_responses())
async def list_visits(
    rt: Runtime,
    provider_id: Id = None,
    person_id: Id = None,
    caregiver_id: Id = None,
    status: Annotated[
        str | None, Query(pattern="^(verified|pending|refused|rejected|voided)$")
    ] = None,
    service_date_from: date | None = None,
    service_date_to: date | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Visits, filtered; oldest first."""
    filters = {
        "provider_id": provider_id,
        "person_id": person_id,
        "caregiver_id": caregiver_id,
        "status": status,
        "service_date_from": service_date_from,
        "service_date_to": service_date_to,
    }
    async with rt.uow() as uow:
        items, nxt = await VisitRepository(uow.session).search(filters, cursor, limit)
    return {"items": [dump(VisitView, v) for v in items], "next_cursor": nxt}


@router.get(
    "/visits/{visit_id}", response_model=VisitDetail, responses=problem_responses(e.VisitNotFound)
)
async def get_visit(visit_id: str, rt: Runtime) -> Any:
    """One visit with its exceptions and its audit trail."""
    async with rt.uow() as uow:
        repo = VisitRepository(uow.session)
        visit = await repo.get(visit_id)
        if visit is None:
            raise e.VisitNotFound(f"no visit {visit_id}")
        queue = await repo.exceptions_of(visit_id)
        audit = await repo.audit_of(visit_id)
    return dump(VisitDetail, {**visit, "exception_queue": queue, "audit": audit})


@router.post(
    "/visits/{visit_id}/void",
    response_model=VisitView,
    responses=problem_responses(e.VisitNotFound, e.VisitStateConflict),
)
async def void_visit(
    visit_id: str, cmd: VoidVisit, rt: Runtime, request: Request, key: IdempotencyKey = None
) -> JSONResponse:
    """Void a visit (audited). Publishes VisitVoided so settlement reverses what it paid."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        return 200, dump(VisitView, await review.void_visit(uow, visit_id, cmd))

    return await idempotent(rt, request, key, cmd, use_case)


@router.post(
    "/visits/{visit_id}/correction",
    response_model=VisitView,
    responses=problem_responses(e.VisitNotFound, e.VisitStateConflict, e.VisitRejected),
)
async def correct_visit(
    visit_id: str,
    cmd: CorrectVisit,
    env: Verifying,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Correct a visit's check-in, check-out or items with a reason code. The visit is
    verified again (open exceptions superseded, new ones raised; those already accepted stay
    accepted), the edit audited (who, before, after, why), and VisitCorrected published with
    the visit's whole new state so settlement replaces what it held."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        visit = await corrections.correct_visit(uow, visit_id, cmd, env.book, env.skew)
        return 200, dump(VisitView, visit)

    return await idempotent(env.rt, request, key, cmd, use_case)


@router.get(
    "/visit-exceptions",
    tags=["exception queue"],
    response_model=Page[ExceptionView],
    responses=problem_responses(),
)
async def list_exceptions(
    rt: Runtime,
    provider_id: Id = None,
    status: Annotated[str | None, Query(pattern="^(open|accepted|rejected|superseded)$")] = "open",
    code: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """The exception queue: unresolved (``open``) exceptions by default, oldest first."""
    filters = {"provider_id": provider_id, "status": status, "code": code}
    async with rt.uow() as uow:
        items, nxt = await VisitRepository(uow.session).list_exceptions(filters, cursor, limit)
    return {"items": [dump(ExceptionView, x) for x in items], "next_cursor": nxt}


@router.post(
    "/visit-exceptions/{exception_id}/resolution",
    tags=["exception queue"],
    response_model=ExceptionView,
    responses=problem_responses(
        e.ExceptionNotFound, e.ExceptionAlreadyResolved, e.ExceptionNotOverridable
    ),
)
async def resolve_exception(
    exception_id: str,
    cmd: ResolveException,
    rt: Runtime,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Accept an exception with a reason code (the visit becomes verified when none is left
    open: VisitCorrected), or reject the visit (VisitVoided). Refusing exceptions (during a
    stay, not in the plan, item not in the package, over quota, no agreement) cannot be
    accepted. Every resolution is audited."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        return 200, dump(ExceptionView, await review.resolve_exception(uow, exception_id, cmd))

    return await idempotent(rt, request, key, cmd, use_case)


@router.post(
    "/visit-exceptions/resolutions",
    tags=["exception queue"],
    response_model=ResolutionBatchResult,
    responses=problem_responses(),
)
async def resolve_exceptions(
    cmd: ResolveExceptions, rt: Runtime, request: Request, key: IdempotencyKey = None
) -> JSONResponse:
    """A reviewer's batch of up to 1,000 decisions on one provider's queue, in one
    transaction: each is applied as ``POST /visit-exceptions/{id}/resolution`` would (audited,
    events published) and gets its own outcome; a decision that cannot apply (another
    provider's exception, already closed, a refusing exception accepted) is reported, not
    fatal."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        return 200, dump(ResolutionBatchResult, await review.resolve_exceptions(uow, cmd))

    return await idempotent(rt, request, key, cmd, use_case)
