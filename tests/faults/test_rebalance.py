"""Forced consumer-group rebalances under load: settlement runs as three processes in one
consumer group while care-delivery (a real process) accepts visits and corrections; at seeded
points a settlement process is started, stopped or SIGKILLed, so partitions keep moving between
members. Afterwards every acknowledged visit is in settlement exactly once (its revision counts
the events applied to it: 1 for a visit, 2 once corrected), every published event is in the
inbox, and each person's events were applied in the order they were published."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import httpx
import orjson
import pytest

from ltci_shared.events.contracts import EligibilityGranted, PersonEnrolled
from ltci_shared.ids import resident_id_check_char
from ltci_shared.messaging.kafka import ensure_topics
from ltci_shared.uscc import uscc_check_char

from .harness import (
    Service,
    eventually,
    group_state,
    post_until_acknowledged,
    publish_events,
    services,
    sql,
)

CONSUMER = "settlement-read-models"
PARTITIONS = 6  # per topic: with three members every rebalance moves partitions around
PER_PERSON = 24  # one-hour visits a person gets: 4 a day over the 6 days before today
CHINA = timezone(timedelta(hours=8))
HOME = {"latitude": 33.3475, "longitude": 120.1633, "method": "gps"}
ITEMS, CORRECTED_ITEMS = ["ADL01", "ADL02"], ["ADL01"]


def _env(url: str, bootstrap: str, prefix: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "BUS": "kafka",
        "KAFKA_BOOTSTRAP": bootstrap,
        "KAFKA_TOPIC_PREFIX": prefix,
        "RELAY_IDLE_SECONDS": "0.05",
    }


@dataclass
class World:
    provider_id: str
    persons: list[str]
    caregivers: list[str]
    today: date = field(default_factory=lambda: datetime.now(CHINA).date())

    def visit(self, i: int) -> dict[str, Any]:
        """Visit i: person i // PER_PERSON with their own caregiver, no two at once."""
        slot = i % PER_PERSON
        day = self.today - timedelta(days=1 + slot // 4)
        begin = datetime.combine(day, time(8 + 2 * (slot % 4)), tzinfo=CHINA)
        return {
            "external_id": f"RB-{i:06d}",
            "person_id": self.persons[i // PER_PERSON],
            "caregiver_id": self.caregivers[i // PER_PERSON],
            "service_form": "home_visit",
            "items": ITEMS,
            "check_in": {"at": begin.isoformat(), **HOME},
            "check_out": {"at": (begin + timedelta(minutes=55)).isoformat(), **HOME},
        }


@dataclass
class Load:
    expected: dict[str, list[str]] = field(default_factory=dict)  # visit id → final items
    corrected: set[str] = field(default_factory=set)


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


async def _world(
    client: httpx.AsyncClient, care_db: str, bootstrap: str, prefix: str, persons: int
) -> World:
    """A provider with an agreement, persons and eligibility (as events on Kafka, which both
    services consume), a caregiver and a home-visit plan per person (care-delivery's API)."""
    today = datetime.now(CHINA).date()
    body = "91320900MA1RB0001"
    provider = _ok(
        await client.post(
            "/providers",
            json={
                "uscc": body + uscc_check_char(body),
                "name": "盐城市康宁护理院",
                "region_code": "320900",
                "kind": "home_care",
                "admission_route": "filing",
            },
        )
    )["provider_id"]
    agreement = {
        "agreement_no": "YC-RB-1",
        "valid_from": (today - timedelta(days=365)).isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
        "forms": ["home_visit"],
        "service_area": ["320902"],
    }
    _ok(await client.post(f"/providers/{provider}/agreements", json=agreement))
    ids = [f"rb-person-{n:04d}" for n in range(persons)]
    await publish_events(bootstrap, prefix, [e for p in ids for e in _enrolment(p, today)])

    async def arrived() -> bool:
        rows = await sql(care_db, "SELECT count(*) FROM eligibilities")
        return bool(rows[0][0] == persons)

    assert await eventually(arrived, timeout=60)
    caregivers = []
    for n in range(persons):
        rid = f"3209021980{1 + n // 28 % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
        caregiver = {
            "resident_id": rid + resident_id_check_char(rid),
            "name": f"护理员{n}",
            "certificate_no": f"HL-RB-{n:05d}",
            "valid_from": "2020-01-01",
            "valid_until": (today + timedelta(days=365)).isoformat(),
            "provider_ids": [provider],
        }
        caregivers.append(_ok(await client.post("/caregivers", json=caregiver))["caregiver_id"])
    for person in ids:
        plan = {
            "provider_id": provider,
            "service_form": "home_visit",
            "package_code": "YC-HV-STD",
            "person_id": person,
            "starts_on": (today - timedelta(days=40)).isoformat(),
        }
        _ok(await client.post("/care-plans", json=plan))
    return World(provider, ids, caregivers, today)


def _enrolment(person_id: str, today: date) -> list[Any]:
    return [
        PersonEnrolled(
            person_id=person_id,
            region_code="320902",
            scheme="resident",
            valid_from=date(2020, 1, 1),
            birth_date=date(1940, 1, 1),
            sex="F",
            home_latitude=HOME["latitude"],
            home_longitude=HOME["longitude"],
        ),
        EligibilityGranted(
            eligibility_id=f"{person_id}-elig",
            person_id=person_id,
            region_code="320902",
            grade=5,
            valid_from=today - timedelta(days=120),
            valid_until=today + timedelta(days=300),
        ),
    ]


async def _load(
    client: httpx.AsyncClient, world: World, rate: float, until: asyncio.Event, least: int = 100
) -> Load:
    """Batches of 10 visits at a steady ``rate`` a second until ``until`` is set and ``least``
    visits are in (or the world is full); every fifth accepted visit is then corrected. Each
    write is retried with its Idempotency-Key until acknowledged."""
    load, size, capacity = Load(), 10, len(world.persons) * PER_PERSON
    began = _now()
    for k, start in enumerate(range(0, capacity, size)):
        if until.is_set() and len(load.expected) >= least:
            break
        await asyncio.sleep(max(0.0, began + k * size / rate - _now()))
        batch = {"visits": [world.visit(i) for i in range(start, start + size)]}
        path = f"/providers/{world.provider_id}/visits/batch"
        items = _ok((await post_until_acknowledged(client, path, batch, f"batch-{k}"))[0])["items"]
        for item in items:
            assert item["outcome"] == "accepted", item
            load.expected[item["visit_id"]] = ITEMS
        for item in items[::5]:
            vid = item["visit_id"]
            fix = {"items": CORRECTED_ITEMS, "reason_code": "items_corrected", "actor": "faults"}
            path = f"/visits/{vid}/correction"
            _ok((await post_until_acknowledged(client, path, fix, f"fix-{vid}"))[0])
            load.expected[vid] = CORRECTED_ITEMS
            load.corrected.add(vid)
    return load


def _now() -> float:
    return asyncio.get_running_loop().time()


def _running(member: Service) -> bool:
    return member.proc is not None and member.proc.returncode is None


async def _chaos(members: list[Service], rng: random.Random, count: int) -> list[str]:
    """``count`` membership changes at seeded moments: start a stopped member, or stop
    (SIGTERM) or SIGKILL a running one, one always left running. Each forces a rebalance."""
    done: list[str] = []
    for _ in range(count):
        await asyncio.sleep(rng.uniform(0.5, 2.0))
        running = [m for m in members if _running(m)]
        stopped = [m for m in members if not _running(m)]
        actions = (["start"] if stopped else []) + (["stop", "kill"] if len(running) > 1 else [])
        action = rng.choice(actions)
        member = rng.choice(stopped if action == "start" else running)
        await {"start": member.start, "stop": member.stop, "kill": member.kill}[action]()
        done.append(f"{action} {members.index(member)}")
    return done


async def _caught_up(settle_db: str, load: Load) -> bool:
    """Every visit and correction arrived (a double application shows in ``_check``)."""
    rows = await sql(settle_db, "SELECT count(*), coalesce(sum(revision), 0) FROM visits")
    visits, revisions = rows[0]
    return bool(
        visits >= len(load.expected) and revisions >= len(load.expected) + len(load.corrected)
    )


async def _rebalanced_under_load(
    new_pg_database: Any, bootstrap: str, prefix: str, *, persons: int, changes: int, seed: int
) -> list[str]:
    care_db, settle_db = await new_pg_database(), await new_pg_database()
    topics = [f"{prefix}.{p}.events" for p in ("care-delivery", "enrollment", "assessment")]
    await ensure_topics(bootstrap, topics, partitions=PARTITIONS)
    care = Service("ltci_care_delivery", "CARE_DELIVERY", _env(care_db, bootstrap, prefix))
    members = [
        Service("ltci_settlement", "SETTLEMENT", _env(settle_db, bootstrap, prefix), migrate=n == 0)
        for n in range(3)
    ]
    rng = random.Random(seed)  # the seeded points where members come and go
    async with services(care, *members), httpx.AsyncClient(base_url=care.url, timeout=60) as c:
        await asyncio.gather(care.start(), members[0].start())  # member 0 migrates
        await members[1].start()
        world = await _world(c, care_db, bootstrap, prefix, persons)
        chaos_done = asyncio.Event()

        async def chaos() -> list[str]:
            try:
                return await _chaos(members, rng, changes)
            finally:
                chaos_done.set()

        load, actions = await asyncio.gather(_load(c, world, 20, chaos_done), chaos())
        assert await eventually(lambda: _caught_up(settle_db, load), timeout=120), actions
        await asyncio.sleep(1.5)  # room for a late redelivery to show as a second application
        await _check(care_db, settle_db, load, f"{prefix}.care-delivery.events")
        group, running = f"{prefix}.{CONSUMER}", sum(map(_running, members))
        assert await eventually(lambda: _stable_with(bootstrap, group, running), timeout=60)
    return actions


async def _stable_with(bootstrap: str, group: str, members: int) -> bool:
    """The group settled with exactly the running members (a SIGKILLed one has timed out)."""
    return await group_state(bootstrap, group) == ("Stable", members)


async def _check(care_db: str, settle_db: str, load: Load, topic: str) -> None:
    # 1. Every acknowledged visit exactly once, each event applied once (revision), in order
    #    (a correction applied before its visit would leave the original items at revision 2).
    rows = await sql(settle_db, "SELECT visit_id, revision, items::text FROM visits")
    held = {r[0]: (r[1], orjson.loads(r[2])) for r in rows}
    want = {v: (2 if v in load.corrected else 1, items) for v, items in load.expected.items()}
    assert held == want
    # 2. Every event care-delivery published is in settlement's inbox, none missing or extra.
    published = await sql(
        care_db, "SELECT event_id, aggregateid FROM outbox WHERE topic = :t", t=topic
    )
    assert (await sql(care_db, "SELECT count(*) FROM outbox WHERE sent_at IS NULL"))[0][0] == 0
    inbox = await sql(
        settle_db,
        'SELECT event_id, partition, "offset", processed_at FROM inbox '
        "WHERE consumer = :c AND topic = :t",
        c=CONSUMER,
        t=topic,
    )
    assert sorted(r[0] for r in inbox) == sorted(r[0] for r in published)
    # 3. Per person (the message key), applied in offset order: processed_at never goes back.
    key = {r[0]: r[1] for r in published}
    by_person: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
    for event_id, partition, offset, processed_at in inbox:
        by_person[f"{key[event_id]}@{partition}"].append((offset, processed_at))
    assert len(by_person) == len({key[r[0]] for r in inbox})  # one partition per person
    for person, applied in by_person.items():
        times = [at.astimezone(UTC) for _, at in sorted(applied)]
        assert times == sorted(times), f"{person}: applied out of order"


async def test_rebalances_under_load_lose_nothing_and_apply_once_in_order(
    new_pg_database: Any, kafka_bootstrap: str, topic_prefix: str
) -> None:
    actions = await _rebalanced_under_load(
        new_pg_database, kafka_bootstrap, topic_prefix, persons=30, changes=4, seed=20261131
    )
    print("membership changes:", ", ".join(actions))


@pytest.mark.full
async def test_rebalances_for_three_minutes_under_load(
    new_pg_database: Any, kafka_bootstrap: str, topic_prefix: str
) -> None:
    actions = await _rebalanced_under_load(
        new_pg_database, kafka_bootstrap, topic_prefix, persons=250, changes=40, seed=73
    )
    print(f"{len(actions)} membership changes:", ", ".join(actions))
