"""Correcting a visit's recorded data (更正): verified again, audited, told to settlement.

The corrected visit keeps its id, provider visit id and first receipt time (so a retry of the
original post is still recognised as a duplicate, and lateness counts from the first
submission). Exceptions still open are superseded; the corrected data's exceptions are raised
anew, except those a reviewer already accepted with a reason code.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ltci_care_delivery.adapters.registry import ProviderRepository
from ltci_care_delivery.adapters.visits import VisitRepository, as_utc
from ltci_care_delivery.domain.errors import (
    ProviderNotFound,
    VisitNotFound,
    VisitRejected,
    VisitStateConflict,
)
from ltci_care_delivery.domain.ids import new_id
from ltci_care_delivery.domain.verification import REFUSING
from ltci_care_delivery.domain.visit_commands import CorrectVisit, LogVisit
from ltci_care_delivery.service_layer.ingest import Rejection, accept
from ltci_care_delivery.service_layer.review import CLOSED, publish
from ltci_care_delivery.service_layer.visit_context import load_context
from ltci_shared.policy import PolicyBook
from ltci_shared.uow import UnitOfWork

DATA = ("items", "check_in", "check_out", "begin_at", "end_at", "duration_minutes", "plan_id")
CHANGED = (
    "plan_id",
    "service_date",
    "service_month",
    "begin_at",
    "end_at",
    "duration_minutes",
    "items",
    "check_in",
    "check_out",
    "distance_meters",
    "exceptions",
    "policy_version",
)


def _state(visit: dict[str, Any]) -> dict[str, Any]:
    """What the audit trail keeps of a visit (JSON-safe)."""
    out = {"status": visit["status"], "exceptions": list(visit["exceptions"])}
    for key in DATA:
        value = visit[key]
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out


def _corrected(visit: dict[str, Any], cmd: CorrectVisit) -> LogVisit:
    body = {
        **{k: visit[k] for k in ("external_id", "person_id", "caregiver_id", "service_form")},
        "items": cmd.items if cmd.items is not None else visit["items"],
        "check_in": cmd.check_in or visit["check_in"],
        "check_out": cmd.check_out or visit["check_out"],
    }
    return LogVisit.model_validate(body)


def _status(codes: list[str], accepted: set[str]) -> str:
    if set(codes) & REFUSING:
        return "refused"
    return "pending" if set(codes) - accepted else "verified"


async def correct_visit(
    uow: UnitOfWork, visit_id: str, cmd: CorrectVisit, book: PolicyBook, skew: timedelta
) -> dict[str, Any]:
    """Re-verify a visit with corrected data. Publishes VisitCorrected (its whole new state)."""
    repo, now = VisitRepository(uow.session), datetime.now(UTC)
    visit = await repo.get(visit_id, for_update=True)
    if visit is None:
        raise VisitNotFound(f"no visit {visit_id}")
    if visit["status"] in CLOSED:
        raise VisitStateConflict(f"the visit is {visit['status']}; it cannot be corrected")
    provider = await ProviderRepository(uow.session).get(visit["provider_id"])
    if provider is None:
        raise ProviderNotFound(f"no provider {visit['provider_id']}")
    corrected = _corrected(visit, cmd)
    ctx = await load_context(uow, book, provider, [corrected], besides=visit_id)
    try:
        received = as_utc(visit["received_at"])
        row = accept(ctx, provider["provider_id"], corrected, "", now, skew, received)
    except Rejection as exc:
        raise VisitRejected(exc.message, code=exc.code) from None
    queue = await repo.exceptions_of(visit_id)
    accepted = {e["code"] for e in queue if e["status"] == "accepted"}
    after = {**visit, **{k: row[k] for k in CHANGED}, "updated_at": now}
    after["status"] = _status(row["exceptions"], accepted)
    await repo.update(visit_id, {k: after[k] for k in (*CHANGED, "status", "updated_at")})
    await _requeue(uow, visit, queue, row["exceptions"], accepted, cmd, now)
    publish(uow, after, cmd.reason_code, now)
    await repo.add_audit(
        {
            "audit_id": new_id(),
            "visit_id": visit_id,
            "actor": cmd.actor,
            "action": "correct",
            "reason_code": cmd.reason_code,
            "note": cmd.note,
            "before": _state(visit),
            "after": _state(after),
            "at": now,
        }
    )
    return after


async def _requeue(
    uow: UnitOfWork,
    visit: dict[str, Any],
    queue: list[dict[str, Any]],
    codes: list[str],
    accepted: set[str],
    cmd: CorrectVisit,
    now: datetime,
) -> None:
    """Supersede the open exceptions; open the corrected data's (not already accepted) ones."""
    repo = VisitRepository(uow.session)
    await repo.close_exceptions(
        [e["exception_id"] for e in queue if e["status"] == "open"],
        {
            "status": "superseded",
            "resolution_code": cmd.reason_code,
            "resolved_by": cmd.actor,
            "resolved_at": now,
        },
    )
    await repo.add_exceptions(
        [
            {
                "exception_id": new_id(),
                "visit_id": visit["visit_id"],
                "provider_id": visit["provider_id"],
                "code": code,
                "refused": int(code in REFUSING),
                "status": "open",
                "resolution_code": None,
                "resolved_by": None,
                "resolved_at": None,
                "created_at": now,
            }
            for code in codes
            if code not in accepted
        ]
    )
