"""Helpers of the assessment tests: sample scores, enrollment events fed through the real
consumer, the outbox as parsed events, and a driver taking an application through the API."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from ltci_assessment.adapters.tables import metadata
from ltci_shared.events.base import IntegrationEvent
from ltci_shared.events.contracts import PersonEnrolled
from ltci_shared.events.envelope import Envelope
from ltci_shared.messaging.consumer import Outcome
from ltci_shared.messaging.message import Message
from ltci_shared.messaging.tables import messaging_tables

PERSON = "p-1"
REGION = "320902"  # a county of Yancheng (pack 320900)
INTACT = {
    "eating": 10, "dressing": 10, "face_mouth_hygiene": 5, "bowel_control": 10,
    "bladder_control": 10, "toilet_use": 10, "level_walking": 15, "bed_chair_transfer": 15,
    "stairs": 10, "bathing": 5, "time_orientation": 4, "person_orientation": 4,
    "place_orientation": 4, "memory": 4, "vision": 4, "hearing": 4, "communication": 4,
}  # fmt: skip
ADL = ("eating", "dressing", "face_mouth_hygiene", "bowel_control", "bladder_control",
       "toilet_use", "level_walking", "bed_chair_transfer", "stairs", "bathing")  # fmt: skip
SEVERE = {**INTACT, **dict.fromkeys(ADL, 0)}  # ADL 0: grade 3 by the default matrix
DEMENTIA = {**INTACT, "time_orientation": 0, "person_orientation": 0, "place_orientation": 0,
            "memory": 0}  # fmt: skip


async def feed(app: FastAPI, event: IntegrationEvent, *, event_id: str | None = None) -> Outcome:
    """Deliver an enrollment event to the service's consumer, as the bus would."""
    consumer = app.state.runtime.event_consumers[0]
    envelope = Envelope.wrap(event, event_id=event_id)
    return await consumer.handle(Message("ltci.enrollment.events", event.key, envelope.to_bytes()))


async def outbox(app: FastAPI, event_type: str | None = None) -> list[dict[str, Any]]:
    """Payloads of the events the service recorded, oldest first."""
    table = messaging_tables(metadata).outbox
    async with app.state.runtime.uow() as uow:
        rows = (await uow.session.execute(select(table).order_by(table.c.id))).all()
    return [
        {"type": r.type, **json.loads(r.payload)["data"]}
        for r in rows
        if event_type is None or r.type == event_type
    ]


def enrolled(
    person_id: str = PERSON, region: str = REGION, since: str = "2023-01-01"
) -> PersonEnrolled:
    return PersonEnrolled(
        person_id=person_id,
        region_code=region,
        scheme="resident",
        valid_from=date.fromisoformat(since),
        birth_date=date(1940, 5, 1),
        sex="F",
    )


@dataclass
class Driver:
    """Drives an application through the API, asserting each step succeeded."""

    app: FastAPI
    client: httpx.AsyncClient
    assessors: list[str] = field(default_factory=list)
    panel: list[str] = field(default_factory=list)

    async def post(self, path: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        r = await self.client.post(path, json=body)
        assert r.status_code == status, r.text
        return r.json()

    async def registry(
        self, onsite: int = 3, panel: int = 2, conflicted: str | None = None
    ) -> None:
        org = await self.post(
            "/organisations",
            {"name": "评估中心", "region_code": "320900", "valid_from": "2020-01-01"},
            201,
        )
        for i in range(onsite + panel):
            quals = ["national_2021"] if i < onsite else ["national_2021", "expert_panel"]
            body = {
                "organisation_id": org["organisation_id"],
                "name": f"assessor {i}",
                "region_code": "320903" if i % 2 else REGION,
                "qualifications": quals,
                "valid_from": "2020-01-01",
                "employer_provider_id": conflicted if i == 0 else None,
            }
            made = await self.post("/assessors", body, 201)
            (self.assessors if i < onsite else self.panel).append(made["assessor_id"])

    async def apply(
        self, person: str = PERSON, applied_on: str = "2025-03-03", onset: str = "2024-06-01"
    ) -> str:
        body = {
            "person_id": person,
            "applied_on": applied_on,
            "disability_onset": onset,
            "actor": "clerk",
        }
        return str((await self.post("/applications", body, 201))["application_id"])

    async def to_assessed(
        self,
        app_id: str,
        scores: dict[str, int],
        *,
        scheduled_on: str = "2025-03-05",
        on: str = "2025-03-10",
        accept: bool = True,
    ) -> dict[str, Any]:
        if accept:
            await self.post(
                f"/applications/{app_id}/accept", {"actor": "clerk", "reason": "complete"}
            )
        scheduled = await self.post(
            f"/applications/{app_id}/schedule", {"actor": "clerk", "scheduled_on": scheduled_on}
        )
        ids = scheduled["assessors"]["onsite"]
        body = {"actor": ids[0], "assessed_on": on, "assessor_ids": ids, "scores": scores}
        return dict(await self.post(f"/applications/{app_id}/assessments", body, 201))

    async def to_final(
        self, app_id: str, scores: dict[str, int], *, on: str = "2025-03-10", **kw: Any
    ) -> dict[str, Any]:
        await self.to_assessed(app_id, scores, on=on, **kw)
        posted = await self.post(
            f"/applications/{app_id}/public-notice", {"actor": "clerk", "starts_on": on}
        )
        as_of = posted["notice"]["final_due_on"]
        job = await self.post(f"/jobs/close-notices?as_of={as_of}")
        assert app_id in job["application_ids"]
        return dict((await self.client.get(f"/applications/{app_id}")).json())
