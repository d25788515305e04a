"""Helpers of the enrollment tests: sample data, counts, the outbox as parsed events."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from ltci_shared.messaging.tables import messaging_tables

RID = "11010519491231002X"  # a valid GB 11643 number: born 1949-12-31, female
PERSON = {
    "resident_id": RID,
    "name": "张三",
    "region_code": "320902",
    "scheme": "resident",
    "valid_from": "2026-01-01",
}


def resident_id(body17: str) -> str:
    """Complete 17 digits with the GB 11643 check character."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body17, weights, strict=True))
    return body17 + "10X98765432"[total % 11]


def runtime(client: httpx.AsyncClient) -> Any:
    return client._transport.app.state.runtime  # type: ignore[attr-defined]


async def count(client: httpx.AsyncClient, table: Any) -> int:
    async with runtime(client).uow() as uow:
        query = select(func.count()).select_from(table)
        return int((await uow.session.execute(query)).scalar_one())


async def outbox(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """The events written so far, oldest first: type and parsed CloudEvents envelope."""
    import orjson

    from ltci_enrollment.adapters.tables import metadata

    table = messaging_tables(metadata).outbox
    async with runtime(client).uow() as uow:
        rows = (
            await uow.session.execute(
                select(table.c.type, table.c.payload).order_by(table.c.created_at, table.c.id)
            )
        ).all()
    return [{"type": r.type, **orjson.loads(r.payload)} for r in rows]


async def enroll(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    r = await client.post("/persons", json={**PERSON, **overrides})
    assert r.status_code == 201, r.text
    return dict(r.json())
