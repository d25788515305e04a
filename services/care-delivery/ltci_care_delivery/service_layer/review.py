"""The exception queue and visit edits: accept with a reason code, reject, void. Every edit is
audited (who, what, before, after, why) and told to settlement as an event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ltci_care_delivery.adapters.visits import VisitRepository
from ltci_care_delivery.domain.errors import (
    ExceptionAlreadyResolved,
    ExceptionNotFound,
    ExceptionNotOverridable,
    VisitNotFound,
    VisitStateConflict,
)
from ltci_care_delivery.domain.ids import new_id
from ltci_care_delivery.domain.visit_commands import (
    ResolveException,
    ResolveExceptions,
    VoidVisit,
)
from ltci_care_delivery.service_layer.ingest import visit_event
from ltci_shared.events.contracts import VisitCorrected, VisitVoided
from ltci_shared.uow import UnitOfWork

CLOSED = ("rejected", "voided")


def _state(visit: dict[str, Any]) -> dict[str, Any]:
    return {"status": visit["status"], "exceptions": list(visit["exceptions"])}


async def _audit(
    uow: UnitOfWork,
    visit: dict[str, Any],
    after: dict[str, Any],
    action: str,
    cmd: ResolveException | VoidVisit,
    now: datetime,
) -> None:
    await VisitRepository(uow.session).add_audit(
        {
            "audit_id": new_id(),
            "visit_id": visit["visit_id"],
            "actor": cmd.actor,
            "action": action,
            "reason_code": cmd.reason_code,
            "note": cmd.note,
            "before": _state(visit),
            "after": _state(after),
            "at": now,
        }
    )


async def resolve_exception(
    uow: UnitOfWork, exception_id: str, cmd: ResolveException
) -> dict[str, Any]:
    """Accept one exception (not a refusing one) or reject the visit with all its exceptions."""
    repo, now = VisitRepository(uow.session), datetime.now(UTC)
    exc = await repo.get_exception(exception_id)
    if exc is None:
        raise ExceptionNotFound(f"no visit exception {exception_id}")
    visit = await repo.get(exc["visit_id"], for_update=True)
    assert visit is not None  # a foreign key guarantees it
    if exc["status"] != "open" or visit["status"] in CLOSED:
        raise ExceptionAlreadyResolved(f"the exception is already {exc['status']}")
    if cmd.action == "accept" and exc["refused"]:
        raise ExceptionNotOverridable(f"{exc['code']} refuses the visit; it can only be rejected")
    open_ids = [
        e["exception_id"]
        for e in await repo.exceptions_of(visit["visit_id"])
        if e["status"] == "open"
    ]
    closing = [exception_id] if cmd.action == "accept" else open_ids
    status = "accepted" if cmd.action == "accept" else "rejected"
    closed = {
        "status": status,
        "resolution_code": cmd.reason_code,
        "resolved_by": cmd.actor,
        "resolved_at": now,
    }
    await repo.close_exceptions(closing, closed)
    remaining = [i for i in open_ids if i not in closing]
    after = _after_review(visit, cmd, remaining)
    if after["status"] != visit["status"]:
        await repo.update(visit["visit_id"], {"status": after["status"], "updated_at": now})
        publish(uow, after, cmd.reason_code, now)
    await _audit(uow, visit, after, f"exception_{cmd.action}", cmd, now)
    return {**exc, **closed, "visit_status": after["status"]}


async def resolve_exceptions(uow: UnitOfWork, cmd: ResolveExceptions) -> dict[str, Any]:
    """A batch of decisions on one provider's queue, in order, in the caller's transaction.
    An exception of another provider is ``not_found``; one already closed (by an earlier item
    rejecting its visit, say) is ``already_resolved``; a refusing one accepted is
    ``not_overridable``. The others are ``resolved``, exactly as one by one."""
    repo, items = VisitRepository(uow.session), []
    for item in cmd.items:
        exc = await repo.get_exception(item.exception_id)
        outcome: dict[str, Any] = {"exception_id": item.exception_id, "outcome": "not_found"}
        if exc is not None and exc["provider_id"] == cmd.provider_id:
            try:
                done = await resolve_exception(uow, item.exception_id, cmd.one(item))
                outcome.update(outcome="resolved", visit_status=done["visit_status"])
            except ExceptionAlreadyResolved:
                outcome["outcome"] = "already_resolved"
            except ExceptionNotOverridable:
                outcome["outcome"] = "not_overridable"
        items.append(outcome)
    resolved = sum(1 for i in items if i["outcome"] == "resolved")
    return {"resolved": resolved, "unresolved": len(items) - resolved, "items": items}


def _after_review(
    visit: dict[str, Any], cmd: ResolveException, remaining: list[str]
) -> dict[str, Any]:
    if cmd.action == "reject":
        return {**visit, "status": "rejected"}
    if not remaining and visit["status"] == "pending":
        return {**visit, "status": "verified"}
    return visit


def publish(uow: UnitOfWork, visit: dict[str, Any], reason_code: str, now: datetime) -> None:
    if visit["status"] in CLOSED:
        uow.record(
            VisitVoided(
                visit_id=visit["visit_id"],
                provider_id=visit["provider_id"],
                person_id=visit["person_id"],
                reason=reason_code,
                voided_at=now,
            )
        )
        return
    logged = visit_event(visit).model_dump()
    logged.pop("external_visit_id")
    uow.record(VisitCorrected(**logged, reason_code=reason_code, corrected_at=now))


async def void_visit(uow: UnitOfWork, visit_id: str, cmd: VoidVisit) -> dict[str, Any]:
    """Void a visit; settlement reverses anything it paid on it."""
    repo, now = VisitRepository(uow.session), datetime.now(UTC)
    visit = await repo.get(visit_id, for_update=True)
    if visit is None:
        raise VisitNotFound(f"no visit {visit_id}")
    if visit["status"] in CLOSED:
        raise VisitStateConflict(f"the visit is already {visit['status']}")
    after = {**visit, "status": "voided", "updated_at": now}
    await repo.update(visit_id, {"status": "voided", "updated_at": now})
    open_ids = [
        e["exception_id"] for e in await repo.exceptions_of(visit_id) if e["status"] == "open"
    ]
    await repo.close_exceptions(
        open_ids,
        {
            "status": "rejected",
            "resolution_code": cmd.reason_code,
            "resolved_by": cmd.actor,
            "resolved_at": now,
        },
    )
    publish(uow, after, cmd.reason_code, now)
    await _audit(uow, visit, after, "void", cmd, now)
    return after
