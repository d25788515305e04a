"""Moving an application through its lifecycle, each step recorded with who, why and when."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ltci_assessment.adapters.applications_repo import ApplicationRepository
from ltci_assessment.domain.ids import new_id
from ltci_assessment.domain.lifecycle import check_transition
from ltci_shared.errors import NotFound


class ApplicationNotFound(NotFound):
    name = "application_not_found"
    title = "No such application"


async def load_for_change(repo: ApplicationRepository, application_id: str) -> dict[str, Any]:
    """The application, locked until the unit of work ends; 404 when unknown."""
    app = await repo.get(application_id, for_update=True)
    if app is None:
        raise ApplicationNotFound(f"no application {application_id}")
    return app


async def record_transition(
    repo: ApplicationRepository,
    application_id: str,
    from_status: str | None,
    to_status: str,
    actor: str,
    reason: str,
    details: dict[str, Any] | None = None,
) -> None:
    await repo.add_transition(
        {
            "transition_id": new_id(),
            "application_id": application_id,
            "from_status": from_status,
            "to_status": to_status,
            "actor": actor,
            "reason": reason,
            "details": details,
            "at": datetime.now(UTC),
        }
    )


async def move(
    repo: ApplicationRepository,
    app: dict[str, Any],
    target: str,
    *,
    actor: str,
    reason: str,
    values: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Check and apply ``app`` → ``target``, updating ``values`` too; returns the new row."""
    check_transition(app["status"], target)
    changes = {"status": target, "updated_at": datetime.now(UTC), **(values or {})}
    await repo.update(app["application_id"], changes)
    await record_transition(
        repo, app["application_id"], app["status"], target, actor, reason, details
    )
    return {**app, **changes}
