"""One-stop settlement test helpers: the settlement app on a fresh database, a Changzhou person
enrolled and classed through enrollment's events, hospitals registered, bills posted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from ltci_settlement.adapters.tables import postings
from ltci_settlement.app import create_app
from ltci_settlement.settings import Settings
from ltci_shared.events.base import IntegrationEvent
from ltci_shared.events.contracts import AssistanceAssignment, AssistanceCategoryChanged
from ltci_shared.messaging.consumer import Outcome

from ..support import message, person

HOSPITAL = "H320402001"  # a designated hospital in Changzhou (天宁区)
AWAY = "H310101001"  # a designated hospital in Shanghai (out of area for Changzhou)
UNDESIGNATED = "H320404009"  # in Changzhou, no designation agreement


class OneStop:
    """Fixtures get one of these; tests reach the helpers and ids through it."""

    HOSPITAL, AWAY, UNDESIGNATED = HOSPITAL, AWAY, UNDESIGNATED

    def __init__(self, app: Any) -> None:
        self.app = app
        self.consumer = app.state.runtime.event_consumers[0]
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s")
        self.sessionmaker = app.state.runtime.sessionmaker

    async def feed(self, *events: IntegrationEvent) -> list[Outcome]:
        out = []
        for event in events:
            out.append(await self.consumer.handle(message(event)))
        return out

    async def person(
        self,
        pid: str,
        *classes: tuple[str, int],
        region: str = "320402",
        since: date = date(2024, 1, 1),
        until: date | None = None,
    ) -> None:
        """Enrol ``pid`` in Changzhou and give it categories (code, class) from ``since``."""
        enrolled = person(
            pid, "resident", region=region, valid_from=since, birth_date=date(1950, 5, 1)
        )
        assert await self.feed(enrolled) == [Outcome.APPLIED]
        if classes:
            assignments = [
                AssistanceAssignment(
                    assignment_id=f"{pid}-{code}",
                    category=code,
                    recipient_class=cls,
                    valid_from=since,
                    valid_until=until,
                )
                for code, cls in classes
            ]
            assert await self.feed(categories(pid, assignments)) == [Outcome.APPLIED]

    async def hospitals(self) -> None:
        for hid, region, designated in (
            (HOSPITAL, "320402", True),
            (AWAY, "310101", True),
            (UNDESIGNATED, "320404", False),
        ):
            body = {"name": hid, "region_code": region, "designated": designated}
            response = await self.client.put(f"/medical-assistance/hospitals/{hid}", json=body)
            assert response.status_code == 200, response.text

    @staticmethod
    def bill(**overrides: Any) -> dict[str, Any]:
        return bill(**overrides)

    @staticmethod
    def categories(pid: str, assignments: list[AssistanceAssignment]) -> AssistanceCategoryChanged:
        return categories(pid, assignments)

    async def settle(self, expect: int = 201, **overrides: Any) -> dict[str, Any]:
        body = bill(**overrides)
        response = await self.client.post("/medical-assistance/settlements", json=body)
        assert response.status_code == expect, response.text
        return dict(response.json())

    async def counters(self, pid: str, year: int = 2026) -> dict[str, Any]:
        response = await self.client.get(
            f"/medical-assistance/persons/{pid}/counters", params={"year": year}
        )
        assert response.status_code == 200, response.text
        return dict(response.json()["counters"])

    async def unbalanced_funds(self) -> list[Any]:
        """Funds whose postings do not sum to zero (none, in a sound ledger)."""
        async with self.sessionmaker() as session:
            query = (
                select(postings.c.fund, func.sum(postings.c.amount_fen))
                .group_by(postings.c.fund)
                .having(func.sum(postings.c.amount_fen) != 0)
            )
            return list((await session.execute(query)).all())


def categories(pid: str, assignments: list[AssistanceAssignment]) -> AssistanceCategoryChanged:
    top = min(assignments, key=lambda a: a.recipient_class)
    return AssistanceCategoryChanged(
        person_id=pid,
        region_code="320402",
        categories=[a.category for a in assignments],
        valid_from=top.valid_from,
        assignments=assignments,
        highest_category=top.category,
        highest_class=top.recipient_class,
    )


def bill(**overrides: Any) -> dict[str, Any]:
    """The worked example's bill (domain.md §4), changed by ``overrides``."""
    body: dict[str, Any] = {
        "person_id": "p-dibao",
        "hospital_id": HOSPITAL,
        "bill_id": "ZY2026-0001",
        "care_kind": "inpatient",
        "referred": False,
        "total": "100000.00",
        "in_policy": "90000.00",
        "out_of_policy": "10000.00",
        "service_from": "2026-03-02",
        "service_to": "2026-03-20",
    }
    body.update(overrides)
    return body


@asynccontextmanager
async def running(url: str) -> AsyncIterator[OneStop]:
    app = create_app(Settings(database_url=url, database_pool_size=20), migrate=True)
    async with app.router.lifespan_context(app):
        harness = OneStop(app)
        try:
            await harness.hospitals()
            yield harness
        finally:
            await harness.client.aclose()


@pytest.fixture
async def onestop(new_pg_database: Any) -> AsyncIterator[OneStop]:
    """On the real PostgreSQL."""
    async with running(await new_pg_database()) as harness:
        yield harness


@pytest.fixture(params=["postgres", "sqlite"])
async def onestop_any(
    request: pytest.FixtureRequest, new_pg_database: Any, tmp_path: Path
) -> AsyncIterator[OneStop]:
    """On PostgreSQL and on the embedded mode's SQLite."""
    url = (
        await new_pg_database()
        if request.param == "postgres"
        else f"sqlite+aiosqlite:///{tmp_path}/settlement.db"
    )
    async with running(url) as harness:
        yield harness
