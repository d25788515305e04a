"""Use cases of service quality: family ratings (满意度评价) and complaints, provider scorecards,
and the dashboard's aggregates (visits per day, the open exception queue)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ltci_care_delivery.adapters.family import RatingRepository
from ltci_care_delivery.adapters.plans import PlanRepository
from ltci_care_delivery.adapters.read_models import PersonRepository
from ltci_care_delivery.adapters.registry import ProviderRepository
from ltci_care_delivery.adapters.scorecards import IssuedScorecardRepository
from ltci_care_delivery.adapters.stats import StatsRepository
from ltci_care_delivery.adapters.visits import VisitRepository
from ltci_care_delivery.domain.care_commands import RateService
from ltci_care_delivery.domain.errors import (
    AlreadyRated,
    InvalidPeriod,
    NoScorecardPolicy,
    NothingToScore,
    PersonNotKnown,
    ProviderNotFound,
    RatingNotAllowed,
    ScorecardPeriodNotOver,
    VisitNotFound,
)
from ltci_care_delivery.domain.family_care import Month
from ltci_care_delivery.domain.ids import new_id
from ltci_care_delivery.domain.scorecard import per_day, scorecard, weighted_score
from ltci_shared.events.contracts import ScorecardIssued
from ltci_shared.policy import BenefitPolicy, PolicyBook, PolicyNotInForce
from ltci_shared.uow import UnitOfWork

MAX_DAYS = 366


def regions(book: PolicyBook, code: str | None) -> list[str] | None:
    """A city code stands for itself and its divisions; a county code for itself."""
    if code is None:
        return None
    if not book.knows_region(code):
        return [code]
    city = book.region(code)
    return [city.code, *city.divisions] if code == city.code else [code]


async def _scope(uow: UnitOfWork, cmd: RateService, today: date) -> tuple[str, str, str, str]:
    """(provider, person, period, scope key) of the rating, checked against what happened."""
    if cmd.visit_id is not None:
        visit = await VisitRepository(uow.session).get(cmd.visit_id)
        if visit is None:
            raise VisitNotFound(f"no visit {cmd.visit_id}")
        return (
            visit["provider_id"],
            visit["person_id"],
            visit["service_month"],
            f"visit:{cmd.visit_id}",
        )
    assert cmd.provider_id and cmd.person_id and cmd.period  # the command's validator
    month = Month.parse(cmd.period)
    if month.first > today:
        raise InvalidPeriod(f"{month} has not begun")
    if await ProviderRepository(uow.session).get(cmd.provider_id) is None:
        raise ProviderNotFound(f"no provider {cmd.provider_id}")
    if await PersonRepository(uow.session).get(cmd.person_id) is None:
        raise PersonNotKnown(f"no enrolled person {cmd.person_id} is known to care delivery")
    plans = await PlanRepository(uow.session).of_persons([cmd.person_id])
    served = any(
        p["provider_id"] == cmd.provider_id
        and p["starts_on"] <= month.last
        and (p["ends_on"] is None or p["ends_on"] >= month.first)
        for p in plans
    )
    if not served:
        raise RatingNotAllowed("the provider had no care plan for the person in that month")
    return cmd.provider_id, cmd.person_id, str(month), f"month:{cmd.person_id}"


async def rate(uow: UnitOfWork, cmd: RateService, today: date) -> dict[str, Any]:
    """Record one rating per visit, or per person, provider and month."""
    provider_id, person_id, period, key = await _scope(uow, cmd, today)
    repo = RatingRepository(uow.session)
    if existing := await repo.by_scope(provider_id, period, key):
        raise AlreadyRated("this was already rated", rating_id=existing["rating_id"])
    row = {
        "rating_id": new_id(),
        "provider_id": provider_id,
        "person_id": person_id,
        "visit_id": cmd.visit_id,
        "period": period,
        "scope_key": key,
        **cmd.model_dump(include={"score", "complaint_code", "comment", "rated_by"}),
        "created_at": datetime.now(UTC),
    }
    await repo.add(row)
    return row


async def scorecards(
    uow: UnitOfWork, provider_ids: Sequence[str], period: str
) -> list[dict[str, Any]]:
    """Scorecards of several providers for one month, in a handful of set-based queries."""
    stats = StatsRepository(uow.session)
    by_status = await stats.visits_by_status(provider_ids, period)
    exceptions = await stats.exceptions_by_code(provider_ids, period)
    flagged = await stats.flagged_visits(provider_ids, period)
    rated = await stats.ratings_summary(provider_ids, period)
    return [
        scorecard(
            p, period, by_status[p], exceptions[p], flagged.get(p, 0), rated.get(p, (0, 0, 0))
        )
        for p in provider_ids
    ]


async def provider_scorecard(uow: UnitOfWork, provider_id: str, period: str) -> dict[str, Any]:
    if await ProviderRepository(uow.session).get(provider_id) is None:
        raise ProviderNotFound(f"no provider {provider_id}")
    return (await scorecards(uow, [provider_id], period))[0]


def _weights(book: PolicyBook, region: str, month: Month) -> tuple[dict[str, Decimal], str]:
    try:
        policy = book.in_force(region, BenefitPolicy, month.first)
    except PolicyNotInForce as exc:
        raise NoScorecardPolicy(str(exc)) from None
    version = policy.version_id(book.region(region).code)
    if policy.scorecard is None:
        raise NoScorecardPolicy(f"{version} gives no scorecard weights")
    return {str(m): w for m, w in policy.scorecard.weights.items()}, version


async def issue_scorecard(
    uow: UnitOfWork, book: PolicyBook, provider_id: str, period: str, today: date
) -> dict[str, Any]:
    """Freeze a provider's ended month with its score from the region's pack weights and
    announce it (ScorecardIssued); issuing it again returns the frozen card, announcing
    nothing."""
    repo = IssuedScorecardRepository(uow.session)
    if frozen := await repo.get(provider_id, period):
        return frozen
    provider = await ProviderRepository(uow.session).get(provider_id)
    if provider is None:
        raise ProviderNotFound(f"no provider {provider_id}")
    month = Month.parse(period)
    if month.last >= today:
        raise ScorecardPeriodNotOver(f"{period} is not over: a scorecard is issued after it")
    weights, version = _weights(book, provider["region_code"], month)
    card = (await scorecards(uow, [provider_id], period))[0]
    score = weighted_score(card, weights)
    if score is None:
        raise NothingToScore(f"provider {provider_id} had no visits or ratings in {period}")
    row = {
        "provider_id": provider_id,
        "period": period,
        "region_code": provider["region_code"],
        "score": f"{score:.2f}",
        "weights": {m: str(w) for m, w in weights.items()},
        "card": jsonable(card),
        "policy_version": version,
        "issued_at": datetime.now(UTC),
    }
    await repo.add(row)
    uow.record(ScorecardIssued(**{k: row[k] for k in _EVENT_FIELDS}))
    return row


_EVENT_FIELDS = ("provider_id", "region_code", "period", "score", "policy_version", "issued_at")


def jsonable(card: dict[str, Any]) -> dict[str, Any]:
    """The card with its decimals as strings (kept as frozen in a JSON column)."""
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in card.items()}


async def visits_per_day(
    uow: UnitOfWork, codes: list[str] | None, first: date, last: date
) -> list[dict[str, Any]]:
    if last < first or (last - first).days >= MAX_DAYS:
        raise InvalidPeriod(f"from must not be after to, and the range at most {MAX_DAYS} days")
    stats = StatsRepository(uow.session)
    counts = await stats.visits_per_day(codes, first, last)
    return per_day(first, last, counts, await stats.flagged_per_day(codes, first, last))
