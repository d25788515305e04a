"""Helpers of the care-delivery tests: valid codes, events fed through the real consumer, a
provider/caregiver/plan world built through the API, the outbox as parsed events."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from ltci_care_delivery.adapters.tables import metadata
from ltci_care_delivery.domain.visit_commands import CHINA
from ltci_shared.events.base import IntegrationEvent
from ltci_shared.events.contracts import EligibilityGranted, PersonEnrolled
from ltci_shared.events.envelope import Envelope
from ltci_shared.ids import resident_id_check_char
from ltci_shared.messaging.consumer import Outcome
from ltci_shared.messaging.message import Message
from ltci_shared.messaging.tables import messaging_tables
from ltci_shared.uscc import uscc_check_char

HOME = (33.3475, 120.1633)  # a flat in Yancheng
TODAY = datetime.now(CHINA).date()
DAY = TODAY - timedelta(days=1)  # yesterday: past, and within the late-submission window
_seq = itertools.count(1)


def uscc() -> str:
    body = f"91320900MA{next(_seq):07d}"
    return body + uscc_check_char(body)


def resident_id() -> str:
    body = f"32090219800101{next(_seq) % 1000:03d}"
    return body + resident_id_check_char(body)


def at(day: date, hh: int, mm: int = 0) -> str:
    return datetime.combine(day, time(hh, mm), tzinfo=CHINA).isoformat()


def capture(
    when: str, *, where: tuple[float, float] | None = HOME, method: str = "gps", **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {"at": when, "method": method, **extra}
    if where is not None:
        out["latitude"], out["longitude"] = where
    return out


def visit(
    world: World,
    external_id: str,
    *,
    day: date = DAY,
    begin: tuple[int, int] = (9, 0),
    end: tuple[int, int] | None = (10, 0),
    caregiver: str | None = None,
    items: list[str] | None = None,
    person: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_id": external_id,
        "person_id": person or world.person_id,
        "caregiver_id": caregiver or world.caregiver_id,
        "service_form": "home_visit",
        "items": items or ["ADL01", "ADL02"],
        "check_in": capture(at(day, *begin)),
    }
    if end is not None:
        body["check_out"] = capture(at(day, *end))
    return body


def app_of(client: httpx.AsyncClient) -> Any:
    return client._transport.app  # type: ignore[attr-defined]


async def feed(client: httpx.AsyncClient, event: IntegrationEvent) -> Outcome:
    """Hand an event to the read-model consumer exactly as the bus would."""
    consumer = app_of(client).state.runtime.event_consumers[0]
    message = Message(f"ltci.{event.producer}.events", event.key, Envelope.wrap(event).to_bytes())
    outcome: Outcome = await consumer.handle(message)
    return outcome


async def feed_message(client: httpx.AsyncClient, message: Message) -> Outcome:
    consumer = app_of(client).state.runtime.event_consumers[0]
    outcome: Outcome = await consumer.handle(message)
    return outcome


async def count(client: httpx.AsyncClient, table_name: str) -> int:
    table = metadata.tables[table_name]
    async with app_of(client).state.runtime.uow() as uow:
        query = select(func.count()).select_from(table)
        return int((await uow.session.execute(query)).scalar_one())


async def outbox(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Every event written to the outbox, oldest first: {"type", **payload}."""
    table = messaging_tables(metadata).outbox
    async with app_of(client).state.runtime.uow() as uow:
        rows = (await uow.session.execute(select(table.c.payload).order_by(table.c.id))).all()
    out = []
    for row in rows:
        envelope = json.loads(row.payload)
        out.append({"type": envelope["type"], **envelope["data"]})
    return out


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


@dataclass
class World:
    provider_id: str
    caregiver_id: str
    person_id: str
    plan_id: str
    eligibility_id: str


async def enrol(
    client: httpx.AsyncClient, *, grade: int = 4, home: tuple[float, float] | None = HOME
) -> tuple[str, str]:
    person_id, eligibility_id = f"p-{next(_seq)}", f"e-{next(_seq)}"
    await feed(
        client,
        PersonEnrolled(
            person_id=person_id,
            region_code="320902",
            scheme="resident",
            valid_from=date(2020, 1, 1),
            birth_date=date(1940, 5, 1),
            sex="F",
            home_latitude=home[0] if home else None,
            home_longitude=home[1] if home else None,
        ),
    )
    await feed(
        client,
        EligibilityGranted(
            eligibility_id=eligibility_id,
            person_id=person_id,
            region_code="320902",
            grade=grade,
            valid_from=TODAY - timedelta(days=90),
            valid_until=TODAY + timedelta(days=300),
        ),
    )
    return person_id, eligibility_id


async def active_provider(
    client: httpx.AsyncClient, forms: list[str] | None = None, valid_until: date | None = None
) -> str:
    provider = ok(
        await client.post(
            "/providers",
            json={
                "uscc": uscc(),
                "name": "盐城市康宁护理院",
                "region_code": "320900",
                "kind": "home_care",
                "admission_route": "filing",
            },
        ),
        201,
    )
    ok(
        await client.post(
            f"/providers/{provider['provider_id']}/agreements",
            json={
                "agreement_no": f"YC-{next(_seq)}",
                "valid_from": (TODAY - timedelta(days=365)).isoformat(),
                "valid_until": (valid_until or TODAY + timedelta(days=365)).isoformat(),
                "forms": forms or ["home_visit", "institutional"],
                "service_area": ["320902", "320903"],
            },
        ),
        201,
    )
    return str(provider["provider_id"])


async def caregiver(
    client: httpx.AsyncClient, provider_ids: list[str], valid_until: date | None = None
) -> str:
    body = {
        "resident_id": resident_id(),
        "name": "李护理",
        "certificate_no": f"HL-{next(_seq)}",
        "valid_from": "2020-01-01",
        "valid_until": (valid_until or TODAY + timedelta(days=365)).isoformat(),
        "star_level": 3,
        "provider_ids": provider_ids,
    }
    return str(ok(await client.post("/caregivers", json=body), 201)["caregiver_id"])


async def plan(
    client: httpx.AsyncClient, person_id: str, provider_id: str, form: str = "home_visit"
) -> httpx.Response:
    package = {"home_visit": "YC-HV-STD", "institutional": "YC-INST-STD"}[form]
    body = {
        "person_id": person_id,
        "provider_id": provider_id,
        "service_form": form,
        "package_code": package,
        "starts_on": (TODAY - timedelta(days=60)).isoformat(),
    }
    return await client.post("/care-plans", json=body)


async def world(client: httpx.AsyncClient, *, grade: int = 4) -> World:
    """An eligible person with a home-visit plan at an active provider, and its caregiver."""
    person_id, eligibility_id = await enrol(client, grade=grade)
    provider_id = await active_provider(client)
    caregiver_id = await caregiver(client, [provider_id])
    plan_id = ok(await plan(client, person_id, provider_id), 201)["plan_id"]
    return World(provider_id, caregiver_id, person_id, plan_id, eligibility_id)
