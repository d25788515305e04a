"""Token buckets shared by every gateway replica: one upsert ... RETURNING per request.

PostgreSQL is the shared store in the full mode (no Redis here); the row of one client's bucket
is updated atomically, so replicas never hand out more than ``burst`` tokens between refills.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, case, func, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from ltci_gateway.adapters.tables import rate_buckets
from ltci_gateway.domain.ratelimit import retry_after


class SqlBuckets:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._pg = engine.dialect.name == "postgresql"

    async def take(self, bucket: str, rate: float, burst: int, now: float) -> int | None:
        """None when allowed; else the seconds to wait."""
        t = rate_buckets
        least, greatest = (func.least, func.greatest) if self._pg else (func.min, func.max)
        at = literal(now, Float)
        level = least(float(burst), t.c.tokens + greatest(0.0, at - t.c.updated_at) * rate)
        dialect: Any = postgresql if self._pg else sqlite
        stmt = (
            dialect.insert(t)
            .values(bucket=bucket, tokens=float(burst) - 1.0, updated_at=now, allowed=True)
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
        async with self._engine.begin() as conn:
            tokens, allowed = (await conn.execute(stmt)).one()
        return None if allowed else retry_after(float(tokens), rate)
