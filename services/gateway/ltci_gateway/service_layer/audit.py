"""Use case of the audit trail (审计): record one request through the gateway, append-only."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from ltci_gateway.adapters.audit_repo import AuditRepository
from ltci_gateway.domain import audit as rules
from ltci_shared.auth import Principal
from ltci_shared.logging import mask_pii
from ltci_shared.uow import UnitOfWork


@dataclass(frozen=True)
class Access:
    """One request of a client to a service, as the gateway saw it."""

    principal: Principal
    method: str
    service: str
    path: str
    status: int
    purpose: str | None
    request_id: str | None
    person_ids: list[str]


def new_audit_id() -> str:
    """Time-ordered and unique across replicas: nanoseconds then 8 random hex digits."""
    return f"{time.time_ns():020d}{secrets.token_hex(4)}"


def _text(value: str, length: int) -> str:
    """What the client sent, as the column holds it: resident IDs masked, bounded, and NUL
    (which PostgreSQL text refuses: the audit would fail and the answer with it) as U+FFFD."""
    return mask_pii(value.replace("\x00", "\ufffd"))[:length]


async def record(uow: UnitOfWork, access: Access) -> str:
    audit_id = new_audit_id()
    event = {
        "audit_id": audit_id,
        "occurred_at": datetime.now(UTC),
        "client_id": access.principal.client_id,
        "role": access.principal.role,
        "action": rules.action_of(access.method),
        "method": access.method,
        "service": access.service,
        "path": _text(access.path, 500),
        "status": access.status,
        "outcome": rules.outcome_of(access.status),
        "purpose": _text(access.purpose, 200) if access.purpose else None,
        "request_id": _text(access.request_id, 100) if access.request_id else None,
    }
    await AuditRepository(uow.session).add(event, access.person_ids)
    return audit_id
