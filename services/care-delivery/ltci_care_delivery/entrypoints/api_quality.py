"""HTTP routes for service quality: family ratings and complaints, provider scorecards, and the
dashboard's aggregates (visits per day with the exception rate, the open exception queue)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from ltci_care_delivery.adapters.family import RatingRepository
from ltci_care_delivery.adapters.registry import ProviderRepository
from ltci_care_delivery.adapters.stats import StatsRepository
from ltci_care_delivery.domain import errors as e
from ltci_care_delivery.domain.care_commands import PERIOD, RateService
from ltci_care_delivery.entrypoints.common import (
    Book,
    Cursor,
    IdempotencyKey,
    Limit,
    Page,
    idempotent,
    today,
)
from ltci_care_delivery.entrypoints.views_quality import (
    ExceptionQueueCounts,
    IssuedScorecard,
    RatingView,
    Scorecard,
    ScorecardPage,
    VisitsPerDay,
    dump,
)
from ltci_care_delivery.service_layer import quality
from ltci_shared.errors import problem_responses
from ltci_shared.uow import UnitOfWork
from ltci_shared.web import RuntimeDep

router = APIRouter()
Id = Annotated[str | None, Query(max_length=64)]
Period = Annotated[str, Query(pattern=PERIOD, description="YYYY-MM")]
Region = Annotated[str | None, Query(pattern=r"^\d{6}$", description="a city or county code")]


@router.post(
    "/ratings",
    tags=["ratings"],
    status_code=201,
    response_model=RatingView,
    responses=problem_responses(
        e.VisitNotFound,
        e.ProviderNotFound,
        e.PersonNotKnown,
        e.RatingNotAllowed,
        e.AlreadyRated,
        e.InvalidPeriod,
    ),
)
async def rate(
    cmd: RateService, rt: RuntimeDep, request: Request, key: IdempotencyKey = None
) -> JSONResponse:
    """A family's rating (1-5) of a visit, or of its provider for a month; with a
    ``complaint_code`` it counts as a complaint. Once per visit, or per person and month."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        return 201, dump(RatingView, await quality.rate(uow, cmd, today()))

    return await idempotent(rt, request, key, cmd, use_case)


@router.get(
    "/ratings", tags=["ratings"], response_model=Page[RatingView], responses=problem_responses()
)
async def list_ratings(
    rt: RuntimeDep,
    provider_id: Id = None,
    person_id: Id = None,
    visit_id: Id = None,
    period: Annotated[str | None, Query(pattern=PERIOD)] = None,
    complaints_only: bool = False,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Ratings (and complaints), filtered; oldest first."""
    filters = {
        "provider_id": provider_id,
        "person_id": person_id,
        "visit_id": visit_id,
        "period": period,
        "complaints_only": complaints_only,
    }
    async with rt.uow() as uow:
        items, nxt = await RatingRepository(uow.session).search(filters, cursor, limit)
    return {"items": [dump(RatingView, x) for x in items], "next_cursor": nxt}


@router.get(
    "/providers/{provider_id}/scorecard",
    tags=["scorecards"],
    response_model=Scorecard,
    responses=problem_responses(e.ProviderNotFound),
)
async def provider_scorecard(provider_id: str, period: Period, rt: RuntimeDep) -> Any:
    """The provider's scorecard for a month, computed from its visits, exceptions and ratings."""
    async with rt.uow() as uow:
        return dump(Scorecard, await quality.provider_scorecard(uow, provider_id, period))


@router.get(
    "/scorecards", tags=["scorecards"], response_model=ScorecardPage, responses=problem_responses()
)
async def list_scorecards(
    rt: RuntimeDep,
    book: Book,
    period: Period,
    region_code: Region = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Scorecards of every provider (of a region: a city code covers its counties) for a month,
    by provider id."""
    async with rt.uow() as uow:
        providers, nxt = await ProviderRepository(uow.session).search(
            status=None,
            region_codes=quality.regions(book, region_code),
            cursor=cursor,
            limit=limit,
        )
        cards = await quality.scorecards(uow, [p["provider_id"] for p in providers], period)
    return {"period": period, "items": [dump(Scorecard, c) for c in cards], "next_cursor": nxt}


@router.post(
    "/scorecards/{provider_id}/{period}/issue",
    tags=["scorecards"],
    response_model=IssuedScorecard,
    responses=problem_responses(
        e.ProviderNotFound, e.ScorecardPeriodNotOver, e.NoScorecardPolicy, e.NothingToScore
    ),
)
async def issue_scorecard(
    provider_id: Annotated[str, Path(max_length=64)],
    period: Annotated[str, Path(pattern=PERIOD, description="YYYY-MM, a month that is over")],
    rt: RuntimeDep,
    book: Book,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Freeze the provider's month with its score (0-100, weights from the region's benefits
    pack) and publish ScorecardIssued, from which settlement releases the quality holdback.
    Issuing it again returns the same frozen card and publishes nothing."""

    async def use_case(uow: UnitOfWork) -> tuple[int, Any]:
        row = await quality.issue_scorecard(uow, book, provider_id, period, today())
        return 200, dump(IssuedScorecard, row)

    return await idempotent(rt, request, key, None, use_case)


@router.get(
    "/stats/visits-per-day",
    tags=["dashboard"],
    response_model=VisitsPerDay,
    responses=problem_responses(e.InvalidPeriod),
)
async def visits_per_day(
    rt: RuntimeDep,
    book: Book,
    date_from: Annotated[date, Query(alias="from")],
    date_to: Annotated[date, Query(alias="to")],
    region_code: Region = None,
) -> Any:
    """Visits per service date (every day of the range, at most 366) by status, with the
    share that raised an exception on arrival. A city code covers its counties."""
    codes = quality.regions(book, region_code)
    async with rt.uow() as uow:
        items = await quality.visits_per_day(uow, codes, date_from, date_to)
    body = {"region_code": region_code, "date_from": date_from, "date_to": date_to}
    return dump(VisitsPerDay, {**body, "items": items})


@router.get(
    "/stats/exception-queue",
    tags=["dashboard"],
    response_model=ExceptionQueueCounts,
    responses=problem_responses(),
)
async def exception_queue(
    rt: RuntimeDep, book: Book, region_code: Region = None, provider_id: Id = None
) -> Any:
    """Open exceptions counted by exception name, most frequent first."""
    async with rt.uow() as uow:
        counts = await StatsRepository(uow.session).open_queue(
            quality.regions(book, region_code), provider_id
        )
    by_code = [{"code": c, "refused": r, "open": n} for c, r, n in counts]
    return dump(
        ExceptionQueueCounts,
        {
            "region_code": region_code,
            "provider_id": provider_id,
            "total_open": sum(n for _, _, n in counts),
            "by_code": by_code,
        },
    )
