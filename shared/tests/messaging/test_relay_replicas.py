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


async def test_commits_within_the_linger_go_out_in_one_batch(pg_url: str) -> None:
    """Runs start at least ``linger_seconds`` apart: rows committed in between are published
    together, and a full batch is still followed at once by the next."""
    metadata = new_metadata()
    tables = messaging_tables(metadata)
    engine = create_engine(pg_url)
    batches: list[list[int]] = []

    class Recorder:
        async def publish(self, messages: Sequence[Message]) -> None:
            batches.append([int(m.value.decode()) for m in messages])

    async def commit(*values: int) -> None:
        now = datetime.now(UTC)
        async with engine.begin() as conn:
            await conn.execute(
                tables.outbox.insert(),
                [
                    {
                        "event_id": f"l{v}",
                        "aggregatetype": "T",
                        "aggregateid": "p",
                        "type": "T",
                        "topic": "t",
                        "payload": str(v),
                        "created_at": now,
                    }
                    for v in values
                ],
            )
        relay.wake.set()

    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        relay = OutboxRelay(
            create_sessionmaker(engine), tables, Recorder(), batch_size=3, linger_seconds=0.5
        )
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run_forever(stop))
        await asyncio.sleep(0.1)  # the first (empty) run is done
        for value in (1, 2):  # two commits, each waking the relay, within one linger
            await commit(value)
            await asyncio.sleep(0.1)
        early = list(batches)
        await asyncio.sleep(0.6)
        together = list(batches)
        await commit(3, 4, 5, 6, 7)  # more than a batch: the rest follows the full one at once
        await asyncio.sleep(0.2)  # less than the linger
        stop.set()
        relay.wake.set()
        await task
    finally:
        await engine.dispose()
    assert early == [], "a run started within the linger"
    assert together == [[1, 2]]
    assert batches == [[1, 2], [3, 4, 5], [6, 7]]
