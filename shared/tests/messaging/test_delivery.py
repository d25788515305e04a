"""Nothing lost, nothing applied twice: outbox → bus → inbox, on real PostgreSQL and Kafka.

One behavioural suite, run on the Kafka adapter (PostgreSQL on both sides) and on the
in-process bus (PostgreSQL, and SQLite as the embedded mode uses it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from ltci_shared.messaging.consumer import Outcome
from ltci_shared.messaging.inprocess import SqlDeadLetterSink
from ltci_shared.messaging.kafka import replay_dead_letters
from ltci_shared.messaging.message import Message

from .harness import (
    CONSUMER,
    CrashAfterAck,
    CrashBeforeAck,
    CrashingPublisher,
    Harness,
    harness,
    person_event,
)

ALL = ["kafka-postgres", "inprocess-postgres", "inprocess-sqlite"]
POSTGRES = ["kafka-postgres", "inprocess-postgres"]


async def _make(param: str, new_pg_database: Any, tmp_path: Path, prefix: str, bootstrap: str):
    bus, db = param.split("-")
    if db == "postgres":
        source, sink = await new_pg_database(), await new_pg_database()
    else:
        source, sink = (f"sqlite+aiosqlite:///{tmp_path / n}.db" for n in ("source", "sink"))
    return harness(bus, source, sink, prefix, bootstrap)


@pytest.fixture(params=ALL)
async def h(
    request: pytest.FixtureRequest,
    new_pg_database: Any,
    tmp_path: Path,
    topic_prefix: str,
    kafka_bootstrap: str,
) -> AsyncIterator[Harness]:
    async with await _make(
        request.param, new_pg_database, tmp_path, topic_prefix, kafka_bootstrap
    ) as hh:
        yield hh


@pytest.fixture(params=POSTGRES)
async def pg_h(
    request: pytest.FixtureRequest,
    new_pg_database: Any,
    tmp_path: Path,
    topic_prefix: str,
    kafka_bootstrap: str,
) -> AsyncIterator[Harness]:
    async with await _make(
        request.param, new_pg_database, tmp_path, topic_prefix, kafka_bootstrap
    ) as hh:
        yield hh


ONCE = {"p-1": 1, "p-2": 1, "p-3": 1}


async def test_committed_event_is_applied_by_the_other_side_exactly_once(h: Harness) -> None:
    await h.enroll(1, 2, 3)
    assert await h.relay().drain() == 3
    assert await h.wait_applied(ONCE) == ONCE
    # Publish everything again (what a relay crash after the ack causes): no effect.
    o = h.source.tables.outbox
    async with h.source.sessionmaker() as s, s.begin():
        await s.execute(update(o).values(sent_at=None))
    assert await h.relay().drain() == 3
    assert await h.wait_applied(ONCE) == ONCE


async def test_rolled_back_business_transaction_publishes_nothing(h: Harness) -> None:
    async with h.source_uow() as uow:
        uow.record(person_event(1))
        await uow.flush_events()
        await uow.rollback()
    assert await h.relay().drain() == 0
    assert await h.unsent() == 0


async def test_relay_killed_before_the_broker_ack_loses_nothing(h: Harness) -> None:
    await h.enroll(1, 2, 3)
    with pytest.raises(CrashBeforeAck):
        await h.relay(CrashingPublisher(h.publisher, "before")).run_once()
    assert await h.unsent() == 3
    assert await h.relay().drain() == 3
    assert await h.wait_applied(ONCE) == ONCE


async def test_relay_killed_after_the_broker_ack_applies_nothing_twice(h: Harness) -> None:
    await h.enroll(1, 2, 3)
    with pytest.raises(CrashAfterAck):
        await h.relay(CrashingPublisher(h.publisher, "after")).run_once()
    assert await h.unsent() == 3, "rows stay unsent: the ack was never recorded"
    assert await h.relay().drain() == 3
    assert await h.wait_applied(ONCE) == ONCE
    if h.adapter == "kafka":
        assert await h.topic_copies() == 6, "each event is on the topic twice"


class ConsumerCrash(Exception):
    """The consumer process dies after its database commit, before its offset commit."""


async def test_consumer_killed_between_db_commit_and_offset_commit(h: Harness) -> None:
    crashed = asyncio.Event()

    async def crash_once(message: Message, outcome: Outcome) -> None:
        if not crashed.is_set():
            crashed.set()
            raise ConsumerCrash

    h.consumer.after_commit = crash_once
    await h.enroll(1, 2, 3)
    if h.adapter == "kafka":
        await h.relay().drain()
        await asyncio.wait_for(crashed.wait(), timeout=30)
        await h.start_consumer(h.new_consumer())  # the restarted process, same group
    else:
        with pytest.raises(ConsumerCrash):
            await h.relay().drain()
        h.replace_consumer(h.new_consumer())
        assert await h.relay().drain() == 3
    assert crashed.is_set()
    assert await h.wait_applied(ONCE) == ONCE


async def test_poison_messages_go_to_dead_letters_and_the_partition_keeps_moving(
    h: Harness,
) -> None:
    await h.publisher.publish([Message(h.topic, "p-1", b"{not json")])
    h.fail_handler_for.add("p-2")
    await h.enroll(2, 1, 3)
    await h.relay().drain()
    assert await h.wait_applied({"p-1": 1, "p-3": 1}) == {"p-1": 1, "p-3": 1}
    letters = await h.dead_letters(2)
    reasons = sorted(reason for reason, _ in letters)
    assert len(reasons) == 2
    assert reasons[0].startswith("handler failed 2 times: RuntimeError: cannot handle p-2")
    assert reasons[1].startswith("undecodable envelope")
    # After the fix, replaying the dead letters applies what can now be applied.
    h.fail_handler_for.clear()
    if h.adapter == "kafka":
        assert await replay_dead_letters(h.bootstrap, CONSUMER, h.prefix) == 2
    else:
        counts = await SqlDeadLetterSink(h.sink.sessionmaker, h.sink.tables).replay(h.consumer)
        assert counts == {"applied": 1, "dead_lettered": 1}
    expected = {"p-1": 1, "p-2": 1, "p-3": 1}
    assert await h.wait_applied(expected) == expected


async def test_long_transaction_on_a_low_outbox_id_is_not_skipped(pg_h: Harness) -> None:
    held = pg_h.source_uow()
    await held.__aenter__()
    held.record(person_event(1))
    await held.flush_events()  # takes the lower id, not committed yet
    await pg_h.enroll(2)  # higher id, committed first
    assert await pg_h.relay().drain() == 1
    await held.commit()
    await held.__aexit__(None, None, None)
    assert await pg_h.relay().drain() == 1, "the late-committing low id is still published"
    assert await pg_h.wait_applied({"p-1": 1, "p-2": 1}) == {"p-1": 1, "p-2": 1}
