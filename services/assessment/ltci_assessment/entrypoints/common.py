"""What every route module shares: the policy book, Idempotency-Key handling, page parameters."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ltci_shared.idempotency import run_idempotent
from ltci_shared.pagination import Cursor, Limit
from ltci_shared.policy import PolicyBook
from ltci_shared.runtime import ServiceRuntime
from ltci_shared.uow import UnitOfWork

__all__ = ["Book", "Cursor", "IdempotencyKey", "Limit", "idempotent_post"]


def policy_book(request: Request) -> PolicyBook:
    return request.app.state.policy_book


Book = Annotated[PolicyBook, Depends(policy_book)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


async def idempotent_post(
    rt: ServiceRuntime,
    *,
    scope: str,
    key: str | None,
    body: Any,
    use_case: Callable[[UnitOfWork], Awaitable[BaseModel]],
    status: int = 201,
) -> JSONResponse:
    """Run ``use_case`` once per Idempotency-Key (same key and body: the stored answer)."""

    async def run(uow: UnitOfWork) -> tuple[int, Any]:
        return status, (await use_case(uow)).model_dump(mode="json")

    result = await run_idempotent(
        rt.uow, rt.idempotency, scope=scope, key=key, body=body, use_case=run
    )
    headers = {"Idempotent-Replayed": "true"} if result.replayed else None
    return JSONResponse(result.body, status_code=result.status_code, headers=headers)
