"""Several relays on one PostgreSQL outbox (several replicas of a service): one publishes at a
time, so every person's events reach the broker in outbox order, each exactly once here."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from ltci_shared.db import create_engine, create_sessionmaker, new_metadata
from ltci_shared.messaging.message import Message
from ltci_shared.messaging.relay import OutboxRelay
from ltci_shared.messaging.tables import messaging_tables


class SlowRecorder:
    """A publisher that takes its time, so concurrent relays would interleave batches."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, int]] = []

    async def publish(self, messages: Sequence[Message]) -> None:
        for m in messages:
            await asyncio.sleep(0)
            self.seen.append((m.key, int(m.value.decode())))


async def test_replica_relays_keep_each_key_in_outbox_order(pg_url: str) -> None:
    metadata = new_metadata()
    tables = messaging_tables(metadata)
    engine = create_engine(pg_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        now = datetime.now(UTC)
        rows: list[dict[str, Any]] = [
            {
                "event_id": f"e{i}",
                "aggregatetype": "T",
                "aggregateid": f"p{i % 7}",
                "type": "T",
                "topic": "t",
                "payload": str(i),
                "created_at": now,
            }
            for i in range(600)
        ]
        async with engine.begin() as conn:
            await conn.execute(tables.outbox.insert(), rows)
        sessions = create_sessionmaker(engine)
        recorder = SlowRecorder()
        relays = [OutboxRelay(sessions, tables, recorder, batch_size=50) for _ in range(3)]
        stop = asyncio.Event()
        tasks = [asyncio.create_task(r.run_forever(stop)) for r in relays]
        for _ in range(300):
            async with sessions() as s:
                unsent = (
                    await s.execute(select(func.count()).where(tables.outbox.c.sent_at.is_(None)))
                ).scalar_one()
            if unsent == 0:
                break
            await asyncio.sleep(0.05)
        stop.set()
        for r in relays:
            r.wake.set()
        await asyncio.gather(*tasks)
    finally:
        await engine.dispose()
    assert unsent == 0
    assert sorted(v for _, v in recorder.seen) == list(range(600))  # each once
    for key in {k for k, _ in recorder.seen}:
        values = [v for k, v in recorder.seen if k == key]
        assert values == sorted(values), key
