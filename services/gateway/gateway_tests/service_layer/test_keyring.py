"""Worker processes starting together on a fresh database (``serve --workers N``) and rotating
together agree on one signing key: a token any of them issued verifies on every other."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text, update

from ltci_gateway.adapters.repository import KeyRepository
from ltci_gateway.adapters.tables import signing_keys
from ltci_gateway.app import create_app
from ltci_shared.db import create_engine
from ltci_shared.migrations import upgrade_async
from ltci_shared.testing.fixtures import CreateDb

from ..support import ADMIN_SECRET, admin_headers, bearer, gateway_settings, token

WORKERS = 3


async def _migrated(url: str) -> None:
    """``python -m ltci_gateway migrate``: run once, before the workers start."""
    engine = create_engine(url)
    try:
        await upgrade_async("ltci_gateway", engine)
    finally:
        await engine.dispose()


def _reads_before_anyone_writes(monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
    """The first ``parties`` reads of the key table wait for each other: every worker has
    seen the table before any of them writes (the worst interleaving, every time)."""
    barrier, original = asyncio.Barrier(parties), KeyRepository.all
    reads = 0

    async def read_together(self: KeyRepository) -> Any:
        nonlocal reads
        reads += 1
        records = await original(self)
        if reads <= parties:
            await barrier.wait()
        return records

    monkeypatch.setattr(KeyRepository, "all", read_together)


@asynccontextmanager
async def _workers(apps: Sequence[FastAPI]) -> AsyncIterator[list[httpx.AsyncClient]]:
    """Each app started in a task of its own, all at once, like worker processes."""
    stop = asyncio.Event()
    ready = [asyncio.Event() for _ in apps]

    async def run(app: FastAPI, started: asyncio.Event) -> None:
        async with app.router.lifespan_context(app):
            started.set()
            await stop.wait()

    tasks = [
        asyncio.create_task(run(app, started)) for app, started in zip(apps, ready, strict=True)
    ]
    all_ready = asyncio.ensure_future(asyncio.gather(*(e.wait() for e in ready)))
    try:
        await asyncio.wait([all_ready, *tasks], return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if task.done():
                task.result()  # a worker that failed to start fails the test with its error
        clients = [
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://w{i}")
            for i, app in enumerate(apps)
        ]
        yield clients
        for client in clients:
            await client.aclose()
    finally:
        all_ready.cancel()
        stop.set()
        await asyncio.gather(*tasks)


async def _kids(client: httpx.AsyncClient, headers: dict[str, str]) -> list[tuple[str, str]]:
    response = await client.get("/admin/keys", headers=headers)
    assert response.status_code == 200, response.text
    return [(k["kid"], k["status"]) for k in response.json()]


async def _each_token_verifies_everywhere(workers: Sequence[httpx.AsyncClient]) -> None:
    for issuer in workers:
        headers = bearer(await token(issuer, "admin", ADMIN_SECRET))
        for verifier in workers:
            response = await verifier.get("/admin/keys", headers=headers)
            assert response.status_code == 200, (issuer.base_url, verifier.base_url, response.text)


@pytest.fixture(params=["postgresql", "sqlite"])
async def fresh_url(
    request: pytest.FixtureRequest, tmp_path: Path, new_pg_database: CreateDb
) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/gateway.db"
    return await new_pg_database()


async def test_workers_starting_together_make_one_signing_key(
    fresh_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _migrated(fresh_url)
    _reads_before_anyone_writes(monkeypatch, WORKERS)
    apps = [create_app(gateway_settings(fresh_url)) for _ in range(WORKERS)]
    async with _workers(apps) as workers:
        keys = await _kids(workers[0], await admin_headers(workers[0]))
        assert [status for _, status in keys] == ["signing"], keys
        await _each_token_verifies_everywhere(workers)


async def test_workers_rotating_together_make_one_new_key(pg_url: str) -> None:
    """The signing key is older than the rotation period on every worker at once: each
    token request finds the rotation due, and one new key comes of it."""
    await _migrated(pg_url)
    settings = gateway_settings(pg_url, key_rotation_days=1, key_publish_lead_seconds=0)
    apps = [create_app(settings) for _ in range(WORKERS)]
    async with _workers(apps) as workers:
        engine = create_engine(pg_url)
        try:
            async with engine.begin() as connection:
                aged = datetime.now(UTC) - timedelta(days=2)
                await connection.execute(update(signing_keys).values(activates_at=aged))
        finally:
            await engine.dispose()
        for app in apps:
            await app.state.keys.reload()
        await asyncio.gather(*(token(w, "admin", ADMIN_SECRET) for w in workers))
        keys = await _kids(workers[0], await admin_headers(workers[0]))
        assert sorted(status for _, status in keys) == ["retiring", "signing"], keys
        await _each_token_verifies_everywhere(workers)


async def test_keys_made_before_the_generation_are_numbered_in_signing_order(
    pg_url: str,
) -> None:
    """A database where workers already raced (three first keys) upgrades without a clash."""
    engine = create_engine(pg_url)
    try:
        await upgrade_async("ltci_gateway", engine, revision="0002")
        t0 = datetime(2026, 11, 1, tzinfo=UTC)
        rows = [("kb", t0), ("ka", t0), ("kc", t0 - timedelta(seconds=1))]
        async with engine.begin() as connection:
            for kid, at in rows:
                values = {"kid": kid, "public_key": "p", "private_key": "s"}
                await connection.execute(
                    text(
                        "INSERT INTO signing_keys VALUES "
                        "(:kid, :public_key, :private_key, :at, :at)"
                    ),
                    {**values, "at": at},
                )
        await upgrade_async("ltci_gateway", engine)
        async with engine.connect() as connection:
            query = text("SELECT kid, generation FROM signing_keys ORDER BY generation")
            numbered = [tuple(r) for r in await connection.execute(query)]
        assert numbered == [("kc", 1), ("ka", 2), ("kb", 3)]
    finally:
        await engine.dispose()
