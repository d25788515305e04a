"""Housekeeping on PostgreSQL and SQLite: only rows past their retention go; unsent outbox
rows, unreplayed dead letters and recent rows stay; business tables are not touched."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from ltci_shared.db import create_engine, new_metadata
from ltci_shared.housekeeping import Retention, purge
from ltci_shared.idempotency import idempotency_table
from ltci_shared.messaging.tables import messaging_tables

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["postgres", "sqlite"])
async def engine(
    request: pytest.FixtureRequest, new_pg_database: object, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    url = (
        await new_pg_database()  # type: ignore[operator]
        if request.param == "postgres"
        else f"sqlite+aiosqlite:///{tmp_path}/h.db"
    )
    metadata = new_metadata()
    messaging_tables(metadata)
    idempotency_table(metadata)
    made = create_engine(url)
    async with made.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        yield made
    finally:
        await made.dispose()


def _days(n: float) -> datetime:
    return NOW - timedelta(days=n)


async def _seed(engine: AsyncEngine) -> None:
    t, keys = messaging_tables(new_metadata()), idempotency_table(new_metadata())
    outbox = [
        (f"o{i}", _days(age), sent)
        for i, (age, sent) in enumerate([(10, True), (10, False), (3, True), (8, True)])
    ]
    async with engine.begin() as conn:
        await conn.execute(
            t.outbox.insert(),
            [
                {
                    "event_id": eid,
                    "aggregatetype": "x",
                    "aggregateid": "x",
                    "type": "T",
                    "topic": "t",
                    "payload": "{}",
                    "created_at": at,
                    "sent_at": at if sent else None,
                }
                for eid, at, sent in outbox
            ],
        )
        await conn.execute(
            t.inbox.insert(),
            [
                {"consumer": "c", "event_id": f"i{age}", "event_type": "T", "topic": "t",
                 "processed_at": _days(age)}
                for age in (40, 31, 5)
            ],
        )  # fmt: skip
        await conn.execute(
            t.dead_letters.insert(),
            [
                {"consumer": "c", "topic": "t", "payload": "{}", "reason": "r",
                 "failed_at": _days(60), "replayed_at": replayed}
                for replayed in (_days(45), None, _days(2))
            ],
        )  # fmt: skip
        await conn.execute(
            keys.insert(),
            [
                {"scope": "POST /x", "key": f"k{age}", "request_hash": "h", "status_code": 201,
                 "response": "{}", "created_at": _days(age)}
                for age in (3, 1)
            ],
        )  # fmt: skip


async def _left(engine: AsyncEngine) -> dict[str, list[str]]:
    t, keys = messaging_tables(new_metadata()), idempotency_table(new_metadata())
    async with engine.connect() as conn:
        return {
            "outbox": sorted((await conn.execute(select(t.outbox.c.event_id))).scalars()),
            "inbox": sorted((await conn.execute(select(t.inbox.c.event_id))).scalars()),
            "dead_letters": [
                str(n)
                for n in (await conn.execute(select(func.count()).select_from(t.dead_letters)))
                .scalars()
                .all()
            ],
            "keys": sorted((await conn.execute(select(keys.c.key))).scalars()),
        }


async def test_only_rows_past_their_retention_are_deleted(engine: AsyncEngine) -> None:
    await _seed(engine)
    removed = await purge(engine, Retention(inbox_days=30), now=NOW)
    assert removed == {"outbox": 2, "inbox": 2, "dead_letters": 1, "idempotency_keys": 1}
    assert await _left(engine) == {
        "outbox": ["o1", "o2"],  # unsent stays however old; sent 3 days ago stays
        "inbox": ["i5"],
        "dead_letters": ["2"],  # never replayed, or replayed 2 days ago
        "keys": ["k1"],
    }
    again = await purge(engine, Retention(inbox_days=30), now=NOW)
    assert set(again.values()) == {0}


async def test_the_inbox_is_kept_for_good_by_default(engine: AsyncEngine) -> None:
    await _seed(engine)
    removed = await purge(engine, Retention(), now=NOW)
    assert removed["inbox"] == 0 and removed["outbox"] == 2
    assert (await _left(engine))["inbox"] == ["i31", "i40", "i5"]


def test_retention_below_a_day_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        Retention(outbox_days=0)
    with pytest.raises(ValueError, match="for good"):
        Retention(inbox_days=-1)


def test_the_purge_command_runs_on_a_service_database(tmp_path: Path) -> None:
    env = {"ENROLLMENT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/e.db", "PATH": ""}
    run = [sys.executable, "-m", "ltci_enrollment"]
    assert subprocess.run([*run, "migrate"], env=env, cwd=ROOT, check=False).returncode == 0
    done = subprocess.run(
        [*run, "purge", "--inbox-days", "40"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == (
        '{"outbox": 0, "inbox": 0, "dead_letters": 0, "idempotency_keys": 0}'
    )
