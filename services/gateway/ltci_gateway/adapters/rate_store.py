"""Token buckets shared by every gateway replica: one upsert ... RETURNING per request.

PostgreSQL is the shared store in the full mode (no Redis here); the row of one client's bucket
is updated atomically, so replicas never hand out more than ``burst`` tokens between refills.
The statement is built once (per call only its parameters change) and runs on its own in
autocommit: one statement is atomic by itself, so no BEGIN and COMMIT round trips.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Insert, bindparam, case, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from ltci_gateway.adapters.tables import rate_buckets
from ltci_gateway.domain.ratelimit import retry_after


def _take(pg: bool) -> Insert:
    """Refill the bucket to ``now`` (at most ``burst``), then take one token if there is one;
    a new bucket starts full, less the token taken."""
    t = rate_buckets
    least, greatest = (func.least, func.greatest) if pg else (func.min, func.max)
    at, rate = bindparam("at", type_=Float), bindparam("rate", type_=Float)
    level = least(
        bindparam("burst", type_=Float), t.c.tokens + greatest(0.0, at - t.c.updated_at) * rate
    )
    dialect: Any = postgresql if pg else sqlite
    stmt: Insert = (
        dialect.insert(t)
        .values(bucket=bindparam("key"), tokens=bindparam("first"), updated_at=at, allowed=True)
        .on_conflict_do_update(
            index_elements=[t.c.bucket],
            set_={
                "tokens": case((level >= 1.0, level - 1.0), else_=level),
                "updated_at": at,
                "allowed": level >= 1.0,
            },
        )
        .returning(t.c.tokens, t.c.allowed)
    )
    return stmt


_TAKE = {True: _take(True), False: _take(False)}


class SqlBuckets:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._statement = _TAKE[engine.dialect.name == "postgresql"]

    async def take(self, bucket: str, rate: float, burst: int, now: float) -> int | None:
        """None when allowed; else the seconds to wait."""
        params = {
            "key": bucket,
            "first": float(burst) - 1.0,
            "burst": float(burst),
            "rate": float(rate),
            "at": now,
        }
        async with self._engine.connect() as conn:
            tokens, allowed = (await conn.execute(self._statement, params)).one()
        return None if allowed else retry_after(float(tokens), rate)
