"""Scheduling an assessment: assessors drawn at random (随机抽取) from the region's qualified,
valid pool, without conflicts, and for the expert panel without the on-site assessors."""

from __future__ import annotations

import random
from typing import Any

from ltci_assessment.adapters.applications_repo import ApplicationRepository
from ltci_assessment.adapters.registry_repo import RegistryRepository
from ltci_assessment.domain import commands as c
from ltci_assessment.domain.calendar import add_working_days
from ltci_assessment.domain.errors import (
    AssessorConflicted,
    AssessorNotDifferent,
    AssessorNotQualified,
    DateOutOfOrder,
    NotEnoughAssessors,
)
from ltci_assessment.domain.lifecycle import check_transition
from ltci_assessment.service_layer.applications import policy_for
from ltci_assessment.service_layer.history import load_for_change, move
from ltci_shared.errors import InvalidInput
from ltci_shared.policy import PolicyBook
from ltci_shared.uow import UnitOfWork

_draw = random.SystemRandom()


async def schedule(
    uow: UnitOfWork, book: PolicyBook, application_id: str, cmd: c.ScheduleAssessment
) -> dict[str, Any]:
    repo = ApplicationRepository(uow.session)
    app = await load_for_change(repo, application_id)
    check_transition(app["status"], "scheduled")  # only from accepted or objected
    round_ = "panel" if app["status"] == "objected" else "onsite"
    if cmd.scheduled_on < app["applied_on"]:
        raise DateOutOfOrder("scheduled_on is before the application date")
    policy = policy_for(book, app["region_code"], cmd.scheduled_on)
    quals = [policy.instrument] + (["expert_panel"] if round_ == "panel" else [])
    pool = await RegistryRepository(uow.session).pool(app["pack_code"], quals, cmd.scheduled_on)
    earlier: set[str] = set((await repo.assigned(application_id)).get("onsite", []))
    excluded = earlier if round_ == "panel" else set()
    conflicted = {a["assessor_id"] for a in pool if a["employer_provider_id"] in cmd.provider_ids}
    chosen = _choose(cmd, pool, conflicted, excluded, policy.assessors_per_assessment)
    deadline = add_working_days(cmd.scheduled_on, policy.deadline_working_days, policy.holidays)
    await repo.assign(application_id, round_, chosen, cmd.scheduled_on)
    details = {
        "round": round_,
        "assessor_ids": chosen,
        "drawn": cmd.assessor_ids is None,
        "pool_size": len(pool),
        "conflicts_excluded": sorted(conflicted),
        "deadline": deadline.isoformat(),
    }
    values = {
        "round": round_,
        "scheduled_on": cmd.scheduled_on,
        "deadline": deadline,
        "provider_ids": list(cmd.provider_ids),
    }
    reason = "expert panel scheduled" if round_ == "panel" else "on-site assessment scheduled"
    return await move(
        repo, app, "scheduled", actor=cmd.actor, reason=reason, values=values, details=details
    )


def _choose(
    cmd: c.ScheduleAssessment,
    pool: list[dict[str, Any]],
    conflicted: set[str],
    excluded: set[str],
    n: int,
) -> list[str]:
    """The named assessors (checked) or ``n`` drawn at random from the eligible candidates."""
    ids = {a["assessor_id"] for a in pool}
    if cmd.assessor_ids is not None:
        return _check_chosen(cmd.assessor_ids, n, ids, conflicted, excluded)
    candidates = sorted(ids - excluded - conflicted)
    if len(candidates) < n:
        raise NotEnoughAssessors(
            f"{n} assessors needed; {len(candidates)} qualified without conflicts",
            pool=len(pool),
            conflicted=len(conflicted),
            excluded=len(excluded & ids),
        )
    return sorted(_draw.sample(candidates, n))


def _check_chosen(
    ids: list[str], n: int, qualified: set[str], conflicted: set[str], excluded: set[str]
) -> list[str]:
    """Explicitly named assessors: exactly ``n`` distinct, qualified, no conflict, not excluded."""
    if len(set(ids)) != n or len(ids) != n:
        raise InvalidInput(f"exactly {n} different assessors are required")
    for assessor_id in ids:
        if assessor_id in conflicted:
            raise AssessorConflicted(
                f"assessor {assessor_id} works for the person's care provider",
                assessor_id=assessor_id,
            )
        if assessor_id in excluded:
            raise AssessorNotDifferent(
                f"assessor {assessor_id} did the on-site assessment", assessor_id=assessor_id
            )
        if assessor_id not in qualified:
            raise AssessorNotQualified(
                f"assessor {assessor_id} is not qualified and valid for this assessment",
                assessor_id=assessor_id,
            )
    return sorted(ids)
