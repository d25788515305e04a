"""SQL of the gateway's clients, signing keys and revoked tokens (all queries live here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_gateway.adapters.tables import api_clients, revoked_tokens, signing_keys
from ltci_gateway.domain.keys import KeyRecord
from ltci_shared.pagination import Rows, fetch_page
from ltci_shared.uow import is_postgresql

Row = dict[str, Any]


def _aware(value: datetime) -> datetime:
    """SQLite gives naive datetimes back; every stored time is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _client(row: Any) -> Row:
    values = dict(row if isinstance(row, dict) else row._mapping)
    values["regions"] = orjson.loads(values["regions"])
    return values


class ClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, values: Row) -> None:
        await self._session.execute(
            insert(api_clients).values(
                {**values, "regions": orjson.dumps(values["regions"]).decode()}
            )
        )

    async def get(self, client_id: str) -> Row | None:
        query = select(api_clients).where(api_clients.c.client_id == client_id)
        row = (await self._session.execute(query)).first()
        return _client(row) if row else None

    async def update(self, client_id: str, values: Row) -> None:
        if "regions" in values:
            values = {**values, "regions": orjson.dumps(values["regions"]).decode()}
        await self._session.execute(
            update(api_clients).where(api_clients.c.client_id == client_id).values(values)
        )

    async def page(self, cursor: str | None, limit: int, role: str | None) -> Rows:
        query = select(api_clients)
        if role is not None:
            query = query.where(api_clients.c.role == role)
        key = api_clients.c.client_id
        page = await fetch_page(self._session, query, key, limit=limit, cursor=cursor)
        return Rows([_client(r) for r in page.items], page.next_cursor)

    async def all(self) -> list[Row]:
        return [_client(r) for r in await self._session.execute(select(api_clients))]


class KeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def all(self) -> list[KeyRecord]:
        rows = await self._session.execute(
            select(signing_keys).order_by(signing_keys.c.activates_at)
        )
        return [
            KeyRecord(
                **{
                    **dict(r._mapping),
                    "created_at": _aware(r.created_at),
                    "activates_at": _aware(r.activates_at),
                }
            )
            for r in rows
        ]

    async def add_if_absent(self, record: KeyRecord) -> bool:
        """Insert the key unless its generation exists (another replica made it first; on
        PostgreSQL this waits for that replica's transaction). True: this one was inserted."""
        dialect_insert = pg_insert if is_postgresql(self._session) else sqlite_insert
        statement = (
            dialect_insert(signing_keys)
            .values(record.__dict__)
            .on_conflict_do_nothing(index_elements=[signing_keys.c.generation])
            .returning(signing_keys.c.kid)
        )
        return (await self._session.execute(statement)).first() is not None


class RevocationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, values: Row) -> None:
        exists = select(revoked_tokens.c.jti).where(revoked_tokens.c.jti == values["jti"])
        if (await self._session.execute(exists)).first() is None:
            await self._session.execute(insert(revoked_tokens).values(values))

    async def active(self, now: float) -> Sequence[str]:
        query = select(revoked_tokens.c.jti).where(revoked_tokens.c.expires_at > now)
        return list((await self._session.execute(query)).scalars())
