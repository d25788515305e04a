"""Use cases of an application (申请): submit, accept or reject, withdraw, evidence, public
notice and objections. Handlers never commit: the caller's unit of work does."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from ltci_assessment.adapters.applications_repo import ApplicationRepository
from ltci_assessment.adapters.persons_repo import PersonRepository
from ltci_assessment.domain import commands as c
from ltci_assessment.domain.calendar import add_months
from ltci_assessment.domain.errors import (
    ApplicationAlreadyOpen,
    DateOutOfOrder,
    ObjectionWindowClosed,
    PersonNotInsured,
    ReapplyTooSoon,
    UnknownRegion,
)
from ltci_assessment.domain.grading import grade
from ltci_assessment.domain.ids import new_id
from ltci_assessment.domain.lifecycle import check_transition
from ltci_assessment.domain.membership import period_on
from ltci_assessment.domain.outcome import notice_dates
from ltci_assessment.service_layer.history import load_for_change, move, record_transition
from ltci_shared.errors import InvalidInput
from ltci_shared.policy import AssessmentPolicy, PolicyBook
from ltci_shared.uow import UnitOfWork


def policy_for(book: PolicyBook, region_code: str, on: date) -> AssessmentPolicy:
    if not book.knows_region(region_code):
        raise UnknownRegion(f"no policy pack covers region {region_code}")
    return book.in_force(region_code, AssessmentPolicy, on)


def not_in_future(day: date, what: str) -> None:
    if day > datetime.now(UTC).date():
        raise DateOutOfOrder(f"{what} is in the future")


async def submit(uow: UnitOfWork, book: PolicyBook, cmd: c.SubmitApplication) -> dict[str, Any]:
    """Create an application for an insured person, refusing the uninsured and early reapplying."""
    not_in_future(cmd.applied_on, "applied_on")
    if cmd.disability_onset > cmd.applied_on:
        raise DateOutOfOrder("disability_onset is after applied_on")
    persons = PersonRepository(uow.session)
    person = await persons.get_for_update(cmd.person_id)
    periods = await persons.periods(cmd.person_id) if person else []
    period = period_on(periods, cmd.applied_on, person["died_on"] if person else None)
    if period is None:
        raise PersonNotInsured(f"person {cmd.person_id} is not insured on {cmd.applied_on}")
    policy = policy_for(book, period.region_code, cmd.applied_on)
    repo = ApplicationRepository(uow.session)
    if open_ := await repo.open_for_person(cmd.person_id):
        raise ApplicationAlreadyOpen(
            "the person has an open application", application_id=open_[0]["application_id"]
        )
    last = await repo.last_final_on(cmd.person_id)
    if last is not None and cmd.applied_on < add_months(last, policy.reapply_wait_months):
        earliest = add_months(last, policy.reapply_wait_months)
        raise ReapplyTooSoon(
            f"the last application was decided on {last}; a new one is accepted from {earliest}",
            earliest=earliest.isoformat(),
        )
    return await _create(
        uow, book, cmd, period.region_code, _self_assessment(book, cmd, period.region_code)
    )


def _self_assessment(book: PolicyBook, cmd: c.SubmitApplication, region: str) -> dict[str, Any]:
    """The self-assessment as given, with the indicative grade when complete scores were given."""
    sa = cmd.self_assessment.model_dump(mode="json")
    if sa["scores"] is not None:
        policy = policy_for(book, region, cmd.applied_on)
        instrument = sa["instrument"] or policy.instrument
        result = grade(policy, book.region(region).code, instrument, sa["scores"])
        sa["instrument"], sa["indicative"] = instrument, result.explain()
    return sa


async def _create(
    uow: UnitOfWork, book: PolicyBook, cmd: c.SubmitApplication, region: str, sa: dict[str, Any]
) -> dict[str, Any]:
    now = datetime.now(UTC)
    app: dict[str, Any] = {
        "application_id": new_id(),
        "person_id": cmd.person_id,
        "region_code": region,
        "pack_code": book.region(region).code,
        "kind": "initial",
        "status": "submitted",
        "applied_on": cmd.applied_on,
        "disability_onset": cmd.disability_onset,
        "self_assessment": sa,
        "provider_ids": [],
        "created_at": now,
        "updated_at": now,
    }
    repo = ApplicationRepository(uow.session)
    await repo.add(app)
    await record_transition(repo, app["application_id"], None, "submitted", cmd.actor, "submitted")
    return app


async def decide(
    uow: UnitOfWork, application_id: str, target: str, cmd: c.Decide
) -> dict[str, Any]:
    """Accept, reject or withdraw (target ``accepted``, ``rejected`` or ``withdrawn``)."""
    repo = ApplicationRepository(uow.session)
    app = await load_for_change(repo, application_id)
    return await move(repo, app, target, actor=cmd.actor, reason=cmd.reason)


async def add_evidence(uow: UnitOfWork, application_id: str, cmd: c.AddEvidence) -> dict[str, Any]:
    repo = ApplicationRepository(uow.session)
    app = await load_for_change(repo, application_id)
    if cmd.assessment_id is not None:
        assessment = await repo.assessment(cmd.assessment_id)
        if assessment is None or assessment["application_id"] != app["application_id"]:
            raise InvalidInput("assessment_id is not an assessment of this application")
    row = evidence_row(application_id, cmd.assessment_id, cmd, cmd.actor)
    await repo.add_evidence(row)
    return row


def evidence_row(
    application_id: str, assessment_id: str | None, ref: c.EvidenceRef, actor: str
) -> dict[str, Any]:
    return {
        "evidence_id": new_id(),
        "application_id": application_id,
        "assessment_id": assessment_id,
        "kind": ref.kind,
        "uri": ref.uri,
        "sha256": ref.sha256,
        "description": ref.description,
        "added_by": actor,
        "added_at": datetime.now(UTC),
    }


async def start_notice(
    uow: UnitOfWork, book: PolicyBook, application_id: str, cmd: c.StartNotice
) -> dict[str, Any]:
    """Post the on-site result publicly; the dates come from the policy of the assessment date."""
    repo = ApplicationRepository(uow.session)
    app = await load_for_change(repo, application_id)
    check_transition(app["status"], "on_notice")
    assessment = (await repo.assessments(application_id))[-1]
    if cmd.starts_on < assessment["assessed_on"]:
        raise DateOutOfOrder("the notice cannot start before the assessment date")
    policy = policy_for(book, app["region_code"], assessment["assessed_on"])
    dates = notice_dates(policy, cmd.starts_on)
    values = {
        "notice_starts_on": dates.starts_on,
        "notice_until": dates.notice_until,
        "objection_until": dates.objection_until,
        "final_due_on": dates.final_on,
    }
    reason = "public notice posted"
    return await move(repo, app, "on_notice", actor=cmd.actor, reason=reason, values=values)


async def file_objection(
    uow: UnitOfWork, application_id: str, cmd: c.FileObjection
) -> dict[str, Any]:
    """An objection within the window sends the case to the expert panel (复评)."""
    repo = ApplicationRepository(uow.session)
    app = await load_for_change(repo, application_id)
    if app["status"] == "on_notice" and not (
        app["notice_starts_on"] <= cmd.filed_on <= app["objection_until"]
    ):
        raise ObjectionWindowClosed(
            f"objections are accepted from {app['notice_starts_on']} to {app['objection_until']}"
        )
    moved = await move(repo, app, "objected", actor=cmd.filed_by, reason=cmd.reason)
    await repo.add_objection(
        {
            "objection_id": new_id(),
            "application_id": application_id,
            "filed_on": cmd.filed_on,
            "filed_by": cmd.filed_by,
            "reason": cmd.reason,
            "created_at": datetime.now(UTC),
        }
    )
    return moved
