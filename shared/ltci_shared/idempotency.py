"""Idempotency-Key support for external writes, stored in the same transaction as the effects.

Same key and same body: the stored response is returned and nothing runs again.
Same key with another body: refused (``IdempotencyKeyReused``).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import (
    Column,
    DateTime,
    Delete,
    Insert,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Select,
    String,
    Table,
    Text,
    Update,
    bindparam,
    delete,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ltci_shared.errors import Conflict, IdempotencyKeyReused, InvalidInput
from ltci_shared.faults import crash_point
from ltci_shared.uow import UnitOfWork, is_postgresql

MAX_KEY_LENGTH = 200


def idempotency_table(metadata: MetaData) -> Table:
    if "idempotency_keys" in metadata.tables:
        return metadata.tables["idempotency_keys"]
    return Table(
        "idempotency_keys",
        metadata,
        Column("scope", String(200), nullable=False),
        Column("key", String(MAX_KEY_LENGTH), nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("response", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("scope", "key"),
    )


@dataclass(frozen=True)
class _Statements:
    """The table's statements, built once (per call only their parameters change)."""

    claim: Mapping[bool, Insert]  # by is_postgresql
    lookup: Select[Any]
    answer: Update
    release: Delete

    @staticmethod
    @functools.cache
    def of(table: Table) -> _Statements:
        where = (table.c.scope == bindparam("key_scope"), table.c.key == bindparam("key_key"))
        claim = {
            pg: insert(table).on_conflict_do_nothing().returning(table.c.scope, table.c.key)
            for pg, insert in ((True, pg_insert), (False, sqlite_insert))
        }
        return _Statements(
            claim,
            table.select().where(*where),
            update(table).where(*where),
            delete(table).where(*where),
        )


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any
    replayed: bool


def request_hash(body: Any) -> str:
    try:
        raw = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # e.g. an integer beyond 64 bits: still a stable hash, never a 500
        raw = json.dumps(body, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()


async def run_idempotent(
    uow_factory: Callable[[], UnitOfWork],
    table: Table,
    *,
    scope: str,
    key: str | None,
    body: Any,
    use_case: Callable[[UnitOfWork], Awaitable[tuple[int, Any]]],
) -> StoredResponse:
    """Run ``use_case`` in one unit of work, recording its response under ``(scope, key)``.

    ``scope`` names the caller and operation (e.g. ``client-id:POST /persons``) so keys of
    different clients never collide. ``use_case`` returns (status code, JSON-able body).
    """
    check_key(key)
    digest = request_hash(body)
    async with uow_factory() as uow:
        if key is not None and (stored := await claim(uow, table, scope, key, digest)):
            return stored
        status, response = await use_case(uow)
        if key is not None:
            await answer(uow, table, [(scope, key, status, response)])
        await uow.commit()
    crash_point("http_after_commit")
    return StoredResponse(status, response, replayed=False)


async def claim_many(
    uow: UnitOfWork, table: Table, claims: list[tuple[str, str, str]]
) -> set[tuple[str, str]]:
    """Claim several (scope, key, digest) at once (one statement); returns the claimed ones.
    A key not claimed was used before or is in flight: ``claim`` it on its own to learn how."""
    if not claims:
        return set()
    now = datetime.now(UTC)
    rows = [
        {
            "scope": scope,
            "key": key,
            "request_hash": digest,
            "status_code": 0,
            "response": "null",
            "created_at": now,
        }
        for scope, key, digest in claims
    ]
    statement = _Statements.of(table).claim[is_postgresql(uow.session)]
    return {(r.scope, r.key) for r in await uow.session.execute(statement, rows)}


def check_key(key: str | None) -> None:
    if key is not None and not (0 < len(key) <= MAX_KEY_LENGTH):
        raise InvalidInput(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters")


async def answer(uow: UnitOfWork, table: Table, answers: list[tuple[str, str, int, Any]]) -> None:
    """Store the responses (scope, key, status, body) of claimed keys (one executemany)."""
    if answers:
        await uow.session.execute(
            _Statements.of(table).answer,
            [
                {
                    "status_code": status,
                    "response": orjson.dumps(body).decode(),
                    "key_scope": scope,
                    "key_key": key,
                }
                for scope, key, status, body in answers
            ],
        )


async def release(uow: UnitOfWork, table: Table, keys: list[tuple[str, str]]) -> None:
    """Give claimed keys back (their request failed): as if the claim had been rolled back,
    while the rest of the transaction commits."""
    if keys:
        await uow.session.execute(
            _Statements.of(table).release,
            [{"key_scope": scope, "key_key": key} for scope, key in keys],
        )


async def claim(
    uow: UnitOfWork, table: Table, scope: str, key: str, digest: str
) -> StoredResponse | None:
    """Insert the key before running the use case (one INSERT ... ON CONFLICT DO NOTHING);
    None when inserted. A key already used answers with its stored response; a concurrent
    request with the same key waits on the unique index, and when the first commits, it
    answers with the stored response."""
    if await claim_many(uow, table, [(scope, key, digest)]):
        return None
    if stored := await _lookup(uow, table, scope, key, digest):
        return stored
    raise Conflict("a request with this Idempotency-Key is in progress; retry")


async def _lookup(
    uow: UnitOfWork, table: Table, scope: str, key: str, digest: str
) -> StoredResponse | None:
    params = {"key_scope": scope, "key_key": key}
    row = (await uow.session.execute(_Statements.of(table).lookup, params)).first()
    if row is None:
        return None
    if row.request_hash != digest:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used with a different request body"
        )
    return StoredResponse(row.status_code, orjson.loads(row.response), replayed=True)
