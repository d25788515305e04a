"""What every route of the service shares: dependencies, idempotent POSTs, pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from ltci_care_delivery.domain.visit_commands import CHINA
from ltci_care_delivery.settings import Settings
from ltci_shared.idempotency import run_idempotent
from ltci_shared.ids import PiiCipher
from ltci_shared.policy import PolicyBook
from ltci_shared.runtime import ServiceRuntime
from ltci_shared.uow import UnitOfWork
from ltci_shared.web import FastJSONResponse

T = TypeVar("T")


def _book(request: Request) -> PolicyBook:
    return request.app.state.policy


def _cipher(request: Request) -> PiiCipher:
    return request.app.state.cipher


def _settings(request: Request) -> Settings:
    return request.app.state.settings


Book = Annotated[PolicyBook, Depends(_book)]
Cipher = Annotated[PiiCipher, Depends(_cipher)]
SettingsDep = Annotated[Settings, Depends(_settings)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="retry-safe key for this write"),
]
Limit = Annotated[int, Query(ge=1, le=200, description="page size (at most 200)")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="next_cursor of the previous page")
]


def today() -> date:
    """Today in China (service dates are local dates)."""
    return datetime.now(CHINA).date()


class Page(BaseModel, Generic[T]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next (null: last)."""

    model_config = ConfigDict(extra="forbid")

    items: list[T]
    next_cursor: str | None = None


async def idempotent(
    rt: ServiceRuntime,
    request: Request,
    key: str | None,
    body: BaseModel | None,
    use_case: Callable[[UnitOfWork], Awaitable[tuple[int, Any]]],
) -> JSONResponse:
    """Run a write in one unit of work; with an Idempotency-Key, a retry replays the answer."""
    result = await run_idempotent(
        rt.uow,
        rt.idempotency,
        scope=f"POST {request.url.path}",
        key=key,
        body=body.model_dump(mode="json") if body is not None else {},
        use_case=use_case,
    )
    headers = {"Idempotent-Replayed": "true"} if result.replayed else None
    return FastJSONResponse(result.body, status_code=result.status_code, headers=headers)
