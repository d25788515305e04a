"""Recording an assessment (评估) and making its grade final: after the public notice without
objection, or at once when the expert panel decides (复评结论为最终结论)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from ltci_assessment.adapters.applications_repo import ApplicationRepository
from ltci_assessment.domain import commands as c
from ltci_assessment.domain.errors import AssessorsNotAssigned, DateOutOfOrder
from ltci_assessment.domain.grading import grade
from ltci_assessment.domain.ids import new_id
from ltci_assessment.domain.lifecycle import InvalidTransition, check_transition
from ltci_assessment.domain.outcome import eligibility, fee_split
from ltci_assessment.service_layer.applications import evidence_row, not_in_future, policy_for
from ltci_assessment.service_layer.eligibility import apply_outcome
from ltci_assessment.service_layer.history import load_for_change, move
from ltci_shared.events.contracts import AssessmentCompleted
from ltci_shared.policy import PolicyBook
from ltci_shared.uow import UnitOfWork

CLOSE_NOTICES_ACTOR = "system:close-notices"


async def record_assessment(
    uow: UnitOfWork, book: PolicyBook, application_id: str, cmd: c.RecordAssessment
) -> dict[str, Any]:
    """Validate and grade the item scores; the panel's result is final at once."""
    repo = ApplicationRepository(uow.session)
    app = await load_for_change(repo, application_id)
    if app["status"] != "scheduled":
        check_transition(app["status"], "assessed")  # names why: closed, or not scheduled
        raise InvalidTransition("only a scheduled assessment can be recorded")
    round_ = app["round"]
    assigned = (await repo.assigned(application_id)).get(round_, [])
    if sorted(cmd.assessor_ids) != assigned:
        raise AssessorsNotAssigned(
            f"this {round_} assessment is assigned to {', '.join(assigned)}", assigned=assigned
        )
    not_in_future(cmd.assessed_on, "assessed_on")
    if cmd.assessed_on < app["scheduled_on"]:
        raise DateOutOfOrder("assessed_on is before the scheduled date")
    policy = policy_for(book, app["region_code"], cmd.assessed_on)
    result = grade(policy, app["pack_code"], cmd.instrument or policy.instrument, cmd.scores)
    assessment = {
        "assessment_id": new_id(),
        "application_id": application_id,
        "round": round_,
        "instrument": result.instrument,
        "assessed_on": cmd.assessed_on,
        "assessor_ids": assigned,
        "scores": dict(cmd.scores),
        "result": result.explain(),
        "grade": result.grade,
        "policy_version": result.policy_version,
        "recorded_by": cmd.actor,
        "created_at": datetime.now(UTC),
    }
    await repo.add_assessment(assessment)
    for ref in cmd.evidence:
        await repo.add_evidence(
            evidence_row(application_id, assessment["assessment_id"], ref, cmd.actor)
        )
    if round_ == "panel":
        await finalize(
            uow, book, app, assessment, cmd.assessed_on, cmd.actor, "expert panel decided"
        )
    else:
        await move(repo, app, "assessed", actor=cmd.actor, reason=f"assessed: grade {result.grade}")
    return assessment


async def finalize(
    uow: UnitOfWork,
    book: PolicyBook,
    app: dict[str, Any],
    assessment: dict[str, Any],
    final_on: date,
    actor: str,
    reason: str,
) -> None:
    """The grade becomes final: AssessmentCompleted (with the fee split) and its eligibility."""
    policy = policy_for(book, app["region_code"], assessment["assessed_on"])
    grade_ = assessment["grade"]
    elig = eligibility(policy, grade_, app["disability_onset"], assessment["assessed_on"])
    fee, fund = fee_split(policy, elig.eligible)
    values = {
        "final_on": final_on,
        "grade": grade_,
        "eligible": elig.eligible,
        "deciding_assessment_id": assessment["assessment_id"],
        "fee": str(fee),
        "fee_fund_share": str(fund),
        "policy_version": assessment["policy_version"],
    }
    repo = ApplicationRepository(uow.session)
    details = {"grade": grade_, "eligible": elig.eligible, "not_eligible_because": elig.reasons}
    app = await move(repo, app, "final", actor=actor, reason=reason, values=values, details=details)
    uow.record(
        AssessmentCompleted(
            assessment_id=assessment["assessment_id"],
            application_id=app["application_id"],
            person_id=app["person_id"],
            region_code=app["region_code"],
            instrument=assessment["instrument"],
            grade=grade_,
            assessed_on=assessment["assessed_on"],
            policy_version=assessment["policy_version"],
            fee=fee,
            fee_fund_share=fund,
        )
    )
    await apply_outcome(uow, book, app, policy, elig.eligible)


async def close_notices(
    uow: UnitOfWork, book: PolicyBook, as_of: date, limit: int
) -> tuple[list[str], bool]:
    """Make final every result whose notice and objection window ended before ``as_of``
    (at most ``limit``; the flag says more are due)."""
    repo = ApplicationRepository(uow.session)
    due = await repo.due_for_final(as_of, limit + 1)
    done = []
    for app in due[:limit]:
        assessment = (await repo.assessments(app["application_id"]))[-1]
        reason = "public notice ended without objection"
        await finalize(uow, book, app, assessment, app["final_due_on"], CLOSE_NOTICES_ACTOR, reason)
        done.append(app["application_id"])
    return done, len(due) > limit
