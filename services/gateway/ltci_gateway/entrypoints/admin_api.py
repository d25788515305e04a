"""Admin routes: API clients and their credentials, signing keys, and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from ltci_gateway.adapters.audit_repo import AuditRepository
from ltci_gateway.adapters.repository import ClientRepository
from ltci_gateway.domain.clients import ClientChange, ClientSpec
from ltci_gateway.entrypoints.security import AdminDep, RateLimited, settings_of
from ltci_gateway.service_layer import clients
from ltci_gateway.service_layer.keyring import KeyRing
from ltci_shared.auth import InvalidToken, Role, RoleNotAllowed
from ltci_shared.errors import NotFound, problem_responses
from ltci_shared.pagination import Cursor, Limit
from ltci_shared.web import RuntimeDep

router = APIRouter(prefix="/admin", tags=["admin"])
AUTH_PROBLEMS = (InvalidToken, RoleNotAllowed, RateLimited)
CLIENT_EXAMPLE: dict[str, Any] = {
    "client_id": "tpa-3f2a9c0d1e4b5a6c",
    "name": "盐城市承办机构 (TPA) · claims team",
    "role": "tpa",
    "regions": ["320900"],
    "provider_id": None,
    "rate_per_second": None,
    "burst": None,
    "disabled": False,
    "created_at": "2026-11-26T08:00:00Z",
    "updated_at": "2026-11-26T08:00:00Z",
}


class ClientView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CLIENT_EXAMPLE]})

    client_id: str
    name: str
    role: Role
    regions: list[str]
    provider_id: str | None
    rate_per_second: float | None
    burst: int | None
    disabled: bool
    created_at: datetime
    updated_at: datetime


class ClientWithSecret(ClientView):
    """The secret is shown once, here; only its salted hash is stored."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**CLIENT_EXAMPLE, "client_secret": "q9Xk...wE"}]}
    )

    client_secret: str


class ClientPage(BaseModel):
    items: list[ClientView]
    next_cursor: str | None


class KeyView(BaseModel):
    kid: str
    created_at: datetime
    activates_at: datetime
    status: Literal["pending", "signing", "retiring", "retired"]


class AuditView(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "audit_id": "0001764144000123456789ab12cd34",
                    "occurred_at": "2026-11-26T08:00:00Z",
                    "client_id": "tpa-3f2a9c0d1e4b5a6c",
                    "role": "tpa",
                    "action": "read",
                    "method": "GET",
                    "service": "enrollment",
                    "path": "/enrollment/persons/6f1c.../coverage",
                    "status": 200,
                    "outcome": "ok",
                    "purpose": "eligibility check for application A-102",
                    "request_id": "req-1",
                    "person_ids": ["6f1c..."],
                }
            ]
        }
    )

    audit_id: str
    occurred_at: datetime
    client_id: str
    role: str
    action: str
    method: str
    service: str
    path: str
    status: int
    outcome: str
    purpose: str | None
    request_id: str | None
    person_ids: list[str]


class AuditPage(BaseModel):
    items: list[AuditView]
    next_cursor: str | None


@router.post(
    "/clients",
    status_code=201,
    response_model=ClientWithSecret,
    responses=problem_responses(clients.ClientExists, *AUTH_PROBLEMS),
)
async def register_client(spec: ClientSpec, request: Request, rt: RuntimeDep, _: AdminDep) -> Any:
    """Register an API client with its role and tenancy. The answer holds the client secret,
    shown this once (no Idempotency-Key: a stored answer would keep the secret)."""
    async with rt.uow() as uow:
        created = await clients.register(uow, spec, settings_of(request))
        await uow.commit()
    request.app.state.directory.invalidate()
    return JSONResponse(ClientWithSecret.model_validate(created).model_dump(mode="json"), 201)


@router.get("/clients", response_model=ClientPage, responses=problem_responses(*AUTH_PROBLEMS))
async def list_clients(
    rt: RuntimeDep, _: AdminDep, role: Role | None = None, limit: Limit = 50, cursor: Cursor = None
) -> Any:
    async with rt.uow() as uow:
        page = await ClientRepository(uow.session).page(cursor, limit, role)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/clients/{client_id}",
    response_model=ClientView,
    responses=problem_responses(NotFound, *AUTH_PROBLEMS),
)
async def get_client(client_id: str, rt: RuntimeDep, _: AdminDep) -> Any:
    async with rt.uow() as uow:
        return await clients.load(uow, client_id)


@router.patch(
    "/clients/{client_id}",
    response_model=ClientView,
    responses=problem_responses(NotFound, *AUTH_PROBLEMS),
)
async def change_client(
    client_id: str, cmd: ClientChange, request: Request, rt: RuntimeDep, _: AdminDep
) -> Any:
    """Change name, tenancy, limits, or disable the client. A tenancy change or disabling
    revokes every token issued before it (the client asks for a new one)."""
    async with rt.uow() as uow:
        changed = await clients.change(uow, client_id, cmd)
        await uow.commit()
    request.app.state.directory.invalidate()
    return changed


@router.post(
    "/clients/{client_id}/secret",
    response_model=ClientWithSecret,
    responses=problem_responses(NotFound, *AUTH_PROBLEMS),
)
async def new_client_secret(client_id: str, request: Request, rt: RuntimeDep, _: AdminDep) -> Any:
    """A new secret for the client (shown once); tokens issued before stop working."""
    async with rt.uow() as uow:
        changed = await clients.new_secret(uow, client_id, settings_of(request))
        await uow.commit()
    request.app.state.directory.invalidate()
    return changed


@router.get("/keys", response_model=list[KeyView], responses=problem_responses(*AUTH_PROBLEMS))
async def list_keys(request: Request, _: AdminDep) -> Any:
    """The signing keys: pending (published, not signing yet), signing, retiring (published
    until their tokens expire) and retired."""
    keys: KeyRing = request.app.state.keys
    await keys.reload()
    return keys.describe()


@router.post(
    "/keys/rotate",
    status_code=201,
    response_model=KeyView,
    responses=problem_responses(*AUTH_PROBLEMS),
)
async def rotate_key(request: Request, _: AdminDep) -> Any:
    """Start a key rotation: the new key is published now and signs after the publish lead
    (`key_publish_lead_seconds`), so every service has it before the first token it signs."""
    keys: KeyRing = request.app.state.keys
    record = await keys.rotate()
    return next(k for k in keys.describe() if k["kid"] == record.kid)


PersonQ = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/audit", response_model=AuditPage, responses=problem_responses(*AUTH_PROBLEMS))
async def audit_trail(
    rt: RuntimeDep,
    _: AdminDep,
    person_id: PersonQ = None,
    client_id: Annotated[str | None, Query(max_length=64)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """The audit trail, newest first: who (client, role) did what (action, path, outcome) to
    whom (person ids), when and why (the `X-Purpose` header the client sent)."""
    async with rt.uow() as uow:
        page = await AuditRepository(uow.session).page(
            person_id=person_id,
            client_id=client_id,
            since=since,
            until=until,
            cursor=cursor,
            limit=limit,
        )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/audit/persons/{person_id}",
    response_model=AuditPage,
    responses=problem_responses(*AUTH_PROBLEMS),
)
async def person_access(
    person_id: str, rt: RuntimeDep, _: AdminDep, limit: Limit = 50, cursor: Cursor = None
) -> Any:
    """For one insured person: who accessed their record, when, what they did and why."""
    return await audit_trail(rt, _, person_id=person_id[:64], limit=limit, cursor=cursor)
