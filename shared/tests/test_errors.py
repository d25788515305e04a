"""The shared problem handlers: overload and outages are 503 with Retry-After, never 500."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ltci_shared.errors import install_error_handlers


async def test_an_exhausted_connection_pool_is_a_503_to_retry() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/busy")
    async def busy() -> None:
        raise PoolTimeout("QueuePool limit of size 10 overflow 10 reached")

    @app.get("/bug")
    async def bug() -> None:
        raise RuntimeError("a bug")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        busy_answer = await client.get("/busy")
        bug_answer = await client.get("/bug")
    assert busy_answer.status_code == 503 and busy_answer.headers["retry-after"] == "1"
    assert busy_answer.headers["content-type"] == "application/problem+json"
    assert "QueuePool" not in busy_answer.text
    assert bug_answer.status_code == 500
