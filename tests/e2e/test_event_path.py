"""Across services on the real servers: enrollment commits, Kafka carries, settlement applies once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from ltci_enrollment.app import create_app as enrollment_app
from ltci_enrollment.settings import EnrollmentSettings
from ltci_settlement.adapters.tables import insured_persons
from ltci_settlement.app import create_app as settlement_app
from ltci_settlement.settings import Settings as SettlementSettings

BODY = {
    "resident_id": "11010519491231002X",
    "name": "张三",
    "region_code": "320900",
    "scheme": "employee",
    "valid_from": "2026-01-01",
}


@contextlib.asynccontextmanager
async def running(app: Any, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as c,
    ):
        yield c


async def _eventually(client: httpx.AsyncClient, path: str, timeout: float = 30) -> httpx.Response:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        r = await client.get(path)
        if r.status_code == 200 or asyncio.get_running_loop().time() > deadline:
            return r
        await asyncio.sleep(0.1)


@pytest.fixture
async def services(new_pg_database: Any, kafka_bootstrap: str, topic_prefix: str):
    common = {
        "bus": "kafka",
        "kafka_bootstrap": kafka_bootstrap,
        "kafka_topic_prefix": topic_prefix,
        "relay_idle_seconds": 0.05,
    }
    enrollment = enrollment_app(
        EnrollmentSettings(database_url=await new_pg_database(), **common), migrate=True
    )
    settlement = settlement_app(
        SettlementSettings(database_url=await new_pg_database(), **common), migrate=True
    )
    async with (
        running(enrollment, "http://enrollment") as e,
        running(settlement, "http://settlement") as s,
    ):
        yield e, s, enrollment, settlement


async def test_person_enrolled_reaches_settlement_read_model_exactly_once(services: Any) -> None:
    e, s, enrollment, settlement = services
    person = (await e.post("/persons", json=BODY)).json()
    r = await _eventually(s, f"/read-models/insured-persons/{person['person_id']}")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "person_id": person["person_id"],
        "region_code": "320900",
        "scheme": "employee",
        "valid_from": "2026-01-01",
        "ended_on": None,
    }
    # The relay publishes everything again (as after a crash before marking rows sent).
    rt = enrollment.state.runtime
    async with rt.uow() as uow:
        await uow.session.execute(update(rt.tables.outbox).values(sent_at=None))
        await uow.commit()
    srt = settlement.state.runtime
    inbox = srt.tables.inbox
    deadline = asyncio.get_running_loop().time() + 30
    while asyncio.get_running_loop().time() < deadline:
        async with rt.uow() as uow:
            unsent = (
                await uow.session.execute(
                    select(func.count()).where(rt.tables.outbox.c.sent_at.is_(None))
                )
            ).scalar_one()
        if unsent == 0:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.5)  # let the duplicate arrive
    async with rt.uow() as uow:
        published = (
            await uow.session.execute(select(func.count()).select_from(rt.tables.outbox))
        ).scalar_one()
    async with srt.uow() as uow:
        applied = (await uow.session.execute(select(func.count()).select_from(inbox))).scalar_one()
        rows = (
            await uow.session.execute(select(func.count()).select_from(insured_persons))
        ).scalar_one()
    # PersonEnrolled and MembershipChanged, each applied once despite the second copy.
    assert (unsent, published, applied, rows) == (0, 2, 2, 1)
