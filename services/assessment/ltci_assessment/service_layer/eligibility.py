"""Eligibility windows (待遇资格): granted, re-graded or ended by final results, ended at once
by death or the end of insurance, and reviewed (复核) before they expire."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from ltci_assessment.adapters.applications_repo import ApplicationRepository
from ltci_assessment.adapters.eligibility_repo import EligibilityRepository
from ltci_assessment.adapters.persons_repo import PersonRepository
from ltci_assessment.domain.calendar import window_until
from ltci_assessment.domain.ids import new_id
from ltci_assessment.domain.membership import last_covered_day, period_on
from ltci_assessment.service_layer.history import move, record_transition
from ltci_shared.events.contracts import (
    EligibilityChanged,
    EligibilityGranted,
    EligibilityRevoked,
)
from ltci_shared.policy import AssessmentPolicy, PolicyBook
from ltci_shared.uow import UnitOfWork

SCHEDULE_REVIEWS_ACTOR = "system:schedule-reviews"
READ_MODEL_ACTOR = "system:enrollment-events"
EndReason = Literal["review", "death", "enrollment_ended"]


async def apply_outcome(
    uow: UnitOfWork, book: PolicyBook, app: dict[str, Any], policy: AssessmentPolicy, eligible: bool
) -> None:
    """A final result from ``app['final_on']``: re-grade or end an open window, or grant one."""
    repo = EligibilityRepository(uow.session)
    day = app["final_on"]
    window = await repo.open_on(app["person_id"], day)
    if window is not None and eligible:
        await _regrade(uow, window, app, policy)
    elif window is not None:
        await _end(uow, window, day - timedelta(days=1), "review")
    elif eligible and await _insured_on(uow, app["person_id"], day):
        await _grant(uow, app, policy)


async def _insured_on(uow: UnitOfWork, person_id: str, day: date) -> bool:
    persons = PersonRepository(uow.session)
    person = await persons.get(person_id)
    if person is None:
        return False
    return period_on(await persons.periods(person_id), day, person["died_on"]) is not None


async def _grant(uow: UnitOfWork, app: dict[str, Any], policy: AssessmentPolicy) -> None:
    now = datetime.now(UTC)
    window = {
        "eligibility_id": new_id(),
        "person_id": app["person_id"],
        "region_code": app["region_code"],
        "grade": app["grade"],
        "valid_from": app["final_on"],
        "valid_until": window_until(app["final_on"], policy.validity_months),
        "application_id": app["application_id"],
        "assessment_id": app["deciding_assessment_id"],
        "created_at": now,
        "updated_at": now,
    }
    await EligibilityRepository(uow.session).add(window)
    uow.record(
        EligibilityGranted(
            **{k: window[k] for k in ("eligibility_id", "person_id", "region_code", "grade")},
            valid_from=window["valid_from"],
            valid_until=window["valid_until"],
        )
    )


async def _regrade(
    uow: UnitOfWork, window: dict[str, Any], app: dict[str, Any], policy: AssessmentPolicy
) -> None:
    until = window_until(app["final_on"], policy.validity_months)
    changes = {
        "grade": app["grade"],
        "valid_until": until,
        "application_id": app["application_id"],
        "assessment_id": app["deciding_assessment_id"],
        "updated_at": datetime.now(UTC),
    }
    await EligibilityRepository(uow.session).update(window["eligibility_id"], changes)
    uow.record(
        EligibilityChanged(
            eligibility_id=window["eligibility_id"],
            person_id=window["person_id"],
            region_code=window["region_code"],
            grade=app["grade"],
            previous_grade=window["grade"],
            effective_from=app["final_on"],
            valid_until=until,
            reason="review" if app["kind"] == "review" else "reassessment",
        )
    )


async def _end(uow: UnitOfWork, window: dict[str, Any], ended_on: date, reason: EndReason) -> None:
    await EligibilityRepository(uow.session).update(
        window["eligibility_id"],
        {"ended_on": ended_on, "end_reason": reason, "updated_at": datetime.now(UTC)},
    )
    uow.record(
        EligibilityRevoked(
            eligibility_id=window["eligibility_id"],
            person_id=window["person_id"],
            region_code=window["region_code"],
            ended_on=ended_on,
            reason=reason,
        )
    )


async def end_uncovered(uow: UnitOfWork, book: PolicyBook, person_id: str) -> None:
    """After a membership change or a death: end every open window at the last day the person
    was still alive and insured in the window's region (at once, without a review)."""
    persons = PersonRepository(uow.session)
    person = await persons.get(person_id)
    if person is None:
        return
    periods, died_on = await persons.periods(person_id), person["died_on"]
    for window in await EligibilityRepository(uow.session).open_for_person(person_id):
        pack = book.region(window["region_code"]).code

        def same_pack(code: str, pack: str = pack) -> bool:
            return book.knows_region(code) and book.region(code).code == pack

        start, until = window["valid_from"], window["valid_until"]
        last = last_covered_day(periods, start, until, died_on, same_pack)
        if last == until:
            continue
        ended_on = last if last is not None else start - timedelta(days=1)
        reason: EndReason = "enrollment_ended"
        if died_on is not None and ended_on == died_on:
            reason = "death"
        await _end(uow, window, ended_on, reason)
    if died_on is not None or period_on(periods, _latest_day(periods), died_on) is None:
        await _withdraw_open(uow, person_id, "death" if died_on else "no longer insured")


def _latest_day(periods: list[Any]) -> date:
    """A day after every known period start: open-ended cover still covers it."""
    return max((p.valid_until or p.valid_from for p in periods), default=date.min) + timedelta(
        days=1
    )


async def _withdraw_open(uow: UnitOfWork, person_id: str, why: str) -> None:
    repo = ApplicationRepository(uow.session)
    for app in await repo.open_for_person(person_id):
        await move(repo, app, "withdrawn", actor=READ_MODEL_ACTOR, reason=f"withdrawn: {why}")


async def schedule_reviews(uow: UnitOfWork, book: PolicyBook, as_of: date, limit: int) -> list[str]:
    """Open a review application for every window open on ``as_of`` whose expiry is within the
    region's ``review_lead_days``, unless one is already open."""
    apps, repo = ApplicationRepository(uow.session), EligibilityRepository(uow.session)
    horizon = as_of + timedelta(days=_max_lead_days(book))
    created = []
    for window in await repo.due_for_review(until_on_or_before=horizon, as_of=as_of, limit=limit):
        policy = book.in_force(window["region_code"], AssessmentPolicy, as_of)
        if window["valid_until"] - timedelta(days=policy.review_lead_days) > as_of:
            continue
        if await apps.open_for_person(window["person_id"]):
            continue
        created.append(await _open_review(uow, book, window, as_of))
    return created


def _max_lead_days(book: PolicyBook) -> int:
    return max(
        (v.review_lead_days for v in _assessment_versions(book)),
        default=0,
    )


def _assessment_versions(book: PolicyBook) -> list[AssessmentPolicy]:
    return [
        v
        for (_, section), versions in book.sections.items()
        if section == AssessmentPolicy.section
        for v in versions
        if isinstance(v, AssessmentPolicy)
    ]


async def _open_review(
    uow: UnitOfWork, book: PolicyBook, window: dict[str, Any], as_of: date
) -> str:
    apps = ApplicationRepository(uow.session)
    origin = await apps.get(window["application_id"])
    now = datetime.now(UTC)
    app = {
        "application_id": new_id(),
        "person_id": window["person_id"],
        "region_code": window["region_code"],
        "pack_code": book.region(window["region_code"]).code,
        "kind": "review",
        "eligibility_id": window["eligibility_id"],
        "status": "accepted",
        "applied_on": as_of,
        "disability_onset": origin["disability_onset"] if origin else window["valid_from"],
        "self_assessment": {},
        "provider_ids": [],
        "created_at": now,
        "updated_at": now,
    }
    await apps.add(app)
    reason = f"periodic review: the window ends on {window['valid_until'].isoformat()}"
    await record_transition(
        apps, app["application_id"], None, "accepted", SCHEDULE_REVIEWS_ACTOR, reason
    )
    return str(app["application_id"])
