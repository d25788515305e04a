"""Dependencies and helpers the enrollment routes share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse

from ltci_enrollment.service_layer.deps import Deps
from ltci_shared.idempotency import run_idempotent
from ltci_shared.runtime import ServiceRuntime
from ltci_shared.uow import UnitOfWork


def get_deps(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


DepsDep = Annotated[Deps, Depends(get_deps)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="same key + body: same answer"),
]
Actor = Annotated[
    str,
    Header(
        alias="X-Actor",
        max_length=100,
        description="who makes the change (the gateway sets it from the client's token)",
    ),
]


async def idempotent(
    rt: ServiceRuntime,
    *,
    scope: str,
    key: str | None,
    body: Any,
    status: int,
    use_case: Callable[[UnitOfWork], Awaitable[Any]],
) -> JSONResponse:
    """Run a write once per Idempotency-Key; the answer is stored with the effects."""

    async def run(uow: UnitOfWork) -> tuple[int, Any]:
        return status, await use_case(uow)

    result = await run_idempotent(
        rt.uow, rt.idempotency, scope=scope, key=key, body=body, use_case=run
    )
    headers = {"Idempotent-Replayed": "true"} if result.replayed else None
    return JSONResponse(result.body, status_code=result.status_code, headers=headers)
