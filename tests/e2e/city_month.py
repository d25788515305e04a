"""A small Yancheng (盐城) month driven through the four domain services' HTTP APIs on the real
PostgreSQL and Kafka: persons enrolled, assessed to eligibility, providers and caregivers, care
plans in three forms, a hospital stay, a device rental, family care, a month of visits and the
review of their exceptions. Settlement learns all of it only from the topics."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from ltci_assessment.app import create_app as assessment_app
from ltci_assessment.settings import Settings as AssessmentSettings
from ltci_care_delivery.app import create_app as care_app
from ltci_care_delivery.settings import Settings as CareSettings
from ltci_enrollment.app import create_app as enrollment_app
from ltci_enrollment.settings import EnrollmentSettings
from ltci_settlement.adapters import tables as st
from ltci_settlement.app import create_app as settlement_app
from ltci_settlement.entrypoints.consumers import CONSUMERS
from ltci_settlement.settings import Settings as SettlementSettings
from ltci_shared.ids import resident_id_check_char
from ltci_shared.testing.fixtures import postgres_admin_url
from ltci_shared.uscc import uscc_check_char

T = TypeVar("T")
CHINA = timezone(timedelta(hours=8))
REGION, COUNTY = "320900", "320902"  # Yancheng, its 亭湖区
SETTLEMENT_CONSUMER = "settlement-read-models"
SETTLEMENT_TYPES = sorted(CONSUMERS[SETTLEMENT_CONSUMER])
READ_MODELS = (
    st.insured_persons,
    st.membership_periods,
    st.eligibilities,
    st.assessments,
    st.care_plans,
    st.family_care_certifications,
    st.stays,
    st.visits,
    st.visit_voids,
    st.rentals,
)
REVIEWER = "tpa:yancheng/reviewer-1"
_seq = itertools.count(1)

# Item scores of the national 2021 instrument (ADL 0-100, cognition 0-16, perception 0-12).
ADL = {
    "eating": 0, "dressing": 0, "face_mouth_hygiene": 0, "bowel_control": 0,
    "bladder_control": 0, "toilet_use": 0, "level_walking": 0, "bed_chair_transfer": 0,
    "stairs": 0, "bathing": 0,
}  # fmt: skip
COGNITION_INTACT = {
    "time_orientation": 4, "person_orientation": 4, "place_orientation": 4, "memory": 4,
}  # fmt: skip
COGNITION_MODERATE = {
    "time_orientation": 2, "person_orientation": 2, "place_orientation": 2, "memory": 2,
}  # fmt: skip
COGNITION_SEVERE = dict.fromkeys(COGNITION_INTACT, 0)
PERCEPTION_INTACT = {"vision": 4, "hearing": 4, "communication": 4}


@dataclass(frozen=True)
class Beneficiary:
    """An insured person of the month, graded by the pack's matrix: ADL level 3 (total 0)
    against the worse of cognition and perception gives grade 3 (intact), 4 (moderate: 8 of
    16) or 5 (severe: 0)."""

    key: str
    name: str
    scheme: str
    home: tuple[float, float]
    cognition: dict[str, int]
    grade: int
    form: str
    package: str
    provider: str

    @property
    def scores(self) -> dict[str, int]:
        return {**ADL, **self.cognition, **PERCEPTION_INTACT}


PERSONS = (
    Beneficiary("A", "赵大爷", "employee", (33.3480, 120.1630), COGNITION_MODERATE, 4,
                "institutional", "YC-INST-STD", "IN"),
    Beneficiary("B", "钱奶奶", "resident", (33.3520, 120.1700), COGNITION_SEVERE, 5,
                "home_visit", "YC-HV-STD", "HC"),
    Beneficiary("C", "孙大爷", "employee", (33.3600, 120.1500), COGNITION_INTACT, 3,
                "home_visit", "YC-HV-STD", "HC"),
    Beneficiary("D", "李奶奶", "resident", (33.3400, 120.1800), COGNITION_MODERATE, 4,
                "family_care", "YC-FAMILY", "HC"),
)  # fmt: skip


@dataclass(frozen=True)
class VisitSpec:
    """A visit on day ``day`` of the settled September (China time)."""

    person: str
    day: int
    begin: tuple[int, int]
    minutes: int
    face_score: float = 0.95

    @property
    def external_id(self) -> str:
        return f"{self.person}-{self.day:02d}"


VISITS = (
    # A: a daily record in the institution on the 1st to the 8th
    *(VisitSpec("A", d, (8, 0), 45) for d in range(1, 9)),
    # B: home visits; the 12th falls in the hospital stay (10th-14th), the 20th has a low face match
    VisitSpec("B", 2, (9, 0), 60),
    VisitSpec("B", 5, (9, 0), 60),
    VisitSpec("B", 8, (9, 0), 60),
    VisitSpec("B", 12, (9, 0), 60),
    VisitSpec("B", 18, (9, 0), 90),
    VisitSpec("B", 20, (9, 0), 60, face_score=0.50),
    # C: home visits in the afternoon, by the same caregiver as B
    *(VisitSpec("C", d, (14, 0), 60) for d in (3, 6, 9, 12, 15)),
)


def settled_year(today: date) -> int:
    """The year of the latest September that is over (every visit then arrives late)."""
    return today.year if today >= date(today.year, 10, 1) else today.year - 1


def resident_id(region: str, birth: str) -> str:
    body = f"{region}{birth}{next(_seq) % 1000:03d}"
    return body + resident_id_check_char(body)


def uscc() -> str:
    body = f"91320900MA{uuid.uuid4().int % 10**7:07d}"
    return body + uscc_check_char(body)


# --- polling and calls ------------------------------------------------------------------


async def eventually(check: Callable[[], Awaitable[T | None]], what: str, timeout: float = 60) -> T:
    """Poll ``check`` until it returns a value (not None); fail naming ``what`` after
    ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline, delay = loop.time() + timeout, 0.05
    while True:
        found = await check()
        if found is not None:
            return found
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting until {what}")
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 0.5)


async def call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    body: Any = None,
    *,
    expect: Iterable[int] = (200, 201),
    **params: Any,
) -> Any:
    response = await client.request(method, path, json=body, params=params or None)
    assert response.status_code in set(expect), f"{method} {path}: {response.text}"
    return response.json()


async def post_when_known(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], waiting_for: set[str]
) -> Any:
    """POST, again while the service answers one of ``waiting_for`` (the events that make
    the person known there are still on their way through Kafka)."""

    async def attempt() -> Any:
        response = await client.post(path, json=body)
        if response.status_code in (200, 201):
            return response.json()
        name = str(response.json().get("type", "")).rsplit("/", 1)[-1]
        assert name in waiting_for, f"POST {path}: {response.text}"
        return None

    return await eventually(attempt, f"POST {path} is accepted")


# --- the running platform ----------------------------------------------------------------


@contextlib.asynccontextmanager
async def databases() -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """A factory of fresh PostgreSQL databases, dropped on exit (a module's worth)."""
    admin = create_async_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    created: list[str] = []

    async def create() -> str:
        name = f"ltci_t_{uuid.uuid4().hex[:12]}"
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return postgres_admin_url().rsplit("/", 1)[0] + "/" + name

    try:
        yield create
    finally:
        async with admin.connect() as conn:
            for name in created:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@contextlib.asynccontextmanager
async def running(app: FastAPI, name: str) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{name}", timeout=60
        ) as client,
    ):
        yield client


def kafka(bootstrap: str, prefix: str, **extra: Any) -> dict[str, Any]:
    return {
        "bus": "kafka",
        "kafka_bootstrap": bootstrap,
        "kafka_topic_prefix": prefix,
        "relay_idle_seconds": 0.05,
        **extra,
    }


def new_settlement(url: str, bootstrap: str, prefix: str, **extra: Any) -> FastAPI:
    """Settlement without sampled review (every line posts at once: amounts by hand)."""
    settings = SettlementSettings(
        database_url=url,
        review_sample_share="0",
        review_high_value="100000",
        **kafka(bootstrap, prefix, **extra),
    )
    return settlement_app(settings, migrate=True)


@dataclass
class Platform:
    """The four services, each on its own database, the bus the real broker."""

    apps: dict[str, FastAPI]
    clients: dict[str, httpx.AsyncClient]

    @property
    def producers(self) -> list[FastAPI]:
        return [self.apps[n] for n in ("enrollment", "assessment", "care-delivery")]


@contextlib.asynccontextmanager
async def platform(
    new_db: Callable[[], Awaitable[str]], bootstrap: str, prefix: str
) -> AsyncIterator[Platform]:
    common = kafka(bootstrap, prefix)
    apps = {
        "enrollment": enrollment_app(
            EnrollmentSettings(database_url=await new_db(), **common), migrate=True
        ),
        "assessment": assessment_app(
            AssessmentSettings(database_url=await new_db(), **common), migrate=True
        ),
        "care-delivery": care_app(
            CareSettings(database_url=await new_db(), **common), migrate=True
        ),
        "settlement": new_settlement(await new_db(), bootstrap, prefix),
    }
    async with contextlib.AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(running(app, name)) for name, app in apps.items()
        }
        yield Platform(apps, clients)


# --- what settlement has received ----------------------------------------------------------


async def published_for_settlement(producers: Iterable[FastAPI]) -> set[str]:
    """Ids of every event the producers recorded that settlement consumes."""
    ids: set[str] = set()
    for app in producers:
        rt = app.state.runtime
        outbox = rt.tables.outbox
        query = select(outbox.c.event_id).where(outbox.c.type.in_(SETTLEMENT_TYPES))
        async with rt.uow() as uow:
            ids.update((await uow.session.execute(query)).scalars())
    return ids


async def applied(settlement: FastAPI) -> list[dict[str, Any]]:
    """Settlement's inbox rows (event id, topic, partition, offset)."""
    rt = settlement.state.runtime
    inbox = rt.tables.inbox
    query = select(inbox.c.event_id, inbox.c.topic, inbox.c.partition, inbox.c.offset).where(
        inbox.c.consumer == SETTLEMENT_CONSUMER
    )
    async with rt.uow() as uow:
        return [dict(r._mapping) for r in await uow.session.execute(query)]


async def caught_up(
    settlement: FastAPI, wanted: Callable[[], Awaitable[set[str]]], what: str
) -> list[dict[str, Any]]:
    """Wait until settlement applied exactly the events ``wanted`` names (asked again on each
    poll: consumers elsewhere may still be recording events); its inbox rows."""

    async def check() -> list[dict[str, Any]] | None:
        rows = await applied(settlement)
        return rows if {r["event_id"] for r in rows} == await wanted() else None

    return await eventually(check, what)


async def read_model_counts(settlement: FastAPI) -> dict[str, int]:
    rt = settlement.state.runtime
    async with rt.uow() as uow:
        return {
            t.name: int(
                (await uow.session.execute(select(func.count()).select_from(t))).scalar_one()
            )
            for t in READ_MODELS
        }


# --- the month through the APIs ----------------------------------------------------------


@dataclass
class Month:
    """Server ids of what the month created, by our own keys."""

    year: int
    persons: dict[str, str] = field(default_factory=dict)
    providers: dict[str, str] = field(default_factory=dict)
    caregivers: dict[str, str] = field(default_factory=dict)
    plans: dict[str, str] = field(default_factory=dict)
    visits: dict[str, str] = field(default_factory=dict)  # external id → visit id
    ingested: dict[str, dict[str, Any]] = field(default_factory=dict)

    def day(self, month: int, day: int) -> date:
        return date(self.year, month, day)

    @property
    def period(self) -> str:
        return f"{self.year}-09"

    @property
    def assessed_period(self) -> str:
        return f"{self.year}-08"


async def enroll(p: Platform, m: Month) -> None:
    for b in PERSONS:
        body = {
            "resident_id": resident_id(COUNTY, "19400101"),
            "name": b.name,
            "region_code": COUNTY,
            "home_latitude": b.home[0],
            "home_longitude": b.home[1],
            "scheme": b.scheme,
            "valid_from": f"{m.year - 1}-01-01",
        }
        made = await call(p.clients["enrollment"], "POST", "/persons", body, expect=[201])
        m.persons[b.key] = made["person_id"]


async def assess(p: Platform, m: Month) -> None:
    """Two assessors; each person applies in August, is assessed, the notice runs its 7 days
    and the notice job makes the grade final: eligibility from the day after the notice."""
    client = p.clients["assessment"]
    org = await call(
        client,
        "POST",
        "/organisations",
        {"name": "盐城市失能评估中心", "region_code": REGION, "valid_from": f"{m.year - 1}-01-01"},
        expect=[201],
    )
    assessors = []
    for n in range(2):
        body = {
            "organisation_id": org["organisation_id"],
            "name": f"评估员{n + 1}",
            "region_code": COUNTY,
            "qualifications": ["national_2021"],
            "valid_from": f"{m.year - 1}-01-01",
        }
        assessors.append(
            (await call(client, "POST", "/assessors", body, expect=[201]))["assessor_id"]
        )
    for b in PERSONS:
        await _assess_one(client, m, b, assessors)
    job = await call(
        client, "POST", "/jobs/close-notices", as_of=m.day(9, 1).isoformat(), limit=100
    )
    assert len(job["application_ids"]) == len(PERSONS), job


async def _assess_one(
    client: httpx.AsyncClient, m: Month, b: Beneficiary, assessors: list[str]
) -> None:
    apply = {
        "person_id": m.persons[b.key],
        "applied_on": m.day(8, 3).isoformat(),
        "disability_onset": date(m.year - 1, 12, 1).isoformat(),
        "actor": "clerk-1",
    }
    made = await post_when_known(client, "/applications", apply, {"person_not_insured"})
    path = f"/applications/{made['application_id']}"
    await call(client, "POST", f"{path}/accept", {"actor": "clerk-1", "reason": "材料齐全"})
    schedule = {
        "actor": "clerk-1",
        "scheduled_on": m.day(8, 5).isoformat(),
        "assessor_ids": assessors,
    }
    await call(client, "POST", f"{path}/schedule", schedule)
    record = {
        "actor": assessors[0],
        "assessed_on": m.day(8, 10).isoformat(),
        "assessor_ids": assessors,
        "scores": b.scores,
    }
    assessed = await call(client, "POST", f"{path}/assessments", record, expect=[201])
    assert assessed["grade"] == b.grade, assessed
    notice = {"actor": "clerk-1", "starts_on": m.day(8, 11).isoformat()}
    await call(client, "POST", f"{path}/public-notice", notice)


async def providers(p: Platform, m: Month) -> None:
    """A nursing home (filed) and a home-care centre (admitted after a capacity review), their
    agreements, grades and one caregiver each."""
    client = p.clients["care-delivery"]
    for key, kind, route, forms in (
        ("IN", "elderly_care", "filing", ["institutional"]),
        ("HC", "home_care", "capacity_review", ["home_visit", "family_care"]),
    ):
        name = "盐城市康宁护理院" if key == "IN" else "盐城市安康居家护理服务中心"
        body = {
            "uscc": uscc(),
            "name": name,
            "region_code": REGION,
            "kind": kind,
            "admission_route": route,
        }
        pid = (await call(client, "POST", "/providers", body, expect=[201]))["provider_id"]
        m.providers[key] = pid
        if route == "capacity_review":
            review = {"decision": "approved", "reviewer": REVIEWER}
            await call(client, "POST", f"/providers/{pid}/review", review)
        agreement = {
            "agreement_no": f"YC-LTC-{m.year - 1}-{key}",
            "valid_from": f"{m.year - 1}-01-01",
            "valid_until": f"{m.year + 1}-12-31",
            "forms": forms,
            "service_area": [COUNTY],
        }
        await call(client, "POST", f"/providers/{pid}/agreements", agreement, expect=[201])
        await call(client, "POST", f"/providers/{pid}/grade", {"level": 4, "assessed_by": REVIEWER})
        caregiver = {
            "resident_id": resident_id(COUNTY, "19800101"),
            "name": f"护理员{key}",
            "certificate_no": f"HL-{m.year - 2}-{key}-001",
            "valid_from": f"{m.year - 2}-01-01",
            "valid_until": f"{m.year + 3}-12-31",
            "star_level": 3,
            "provider_ids": [pid],
        }
        made = await call(client, "POST", "/caregivers", caregiver, expect=[201])
        m.caregivers[key] = made["caregiver_id"]


async def care(p: Platform, m: Month) -> None:
    """Plans from 1 September; D's family caregiver; B's hospital stay from the 10th to the
    15th (discharge day not a stay day); C rents an electric bed from the 1st."""
    client = p.clients["care-delivery"]
    waiting = {"person_not_known", "person_not_eligible"}
    start = m.day(9, 1).isoformat()
    for b in PERSONS:
        body: dict[str, Any] = {
            "person_id": m.persons[b.key],
            "provider_id": m.providers[b.provider],
            "service_form": b.form,
            "package_code": b.package,
            "starts_on": start,
        }
        if b.form == "family_care":
            body["family_caregiver_id"] = await _family_caregiver(client, m, b)
        plan = await post_when_known(client, "/care-plans", body, waiting)
        m.plans[b.key] = plan["plan_id"]
    stay = {
        "person_id": m.persons["B"],
        "kind": "hospital",
        "facility": "盐城市第一人民医院",
        "admitted_on": m.day(9, 10).isoformat(),
        "discharged_on": m.day(9, 15).isoformat(),
    }
    await call(client, "POST", "/stays", stay, expect=[201])
    rental = {
        "person_id": m.persons["C"],
        "provider_id": m.providers["HC"],
        "device_code": "DEV-BED-E",
        "starts_on": start,
    }
    await call(client, "POST", "/device-rentals", rental, expect=[201])


async def _family_caregiver(client: httpx.AsyncClient, m: Month, b: Beneficiary) -> str:
    body = {
        "person_id": m.persons[b.key],
        "resident_id": resident_id(COUNTY, "19700101"),
        "name": "李家属",
        "relationship": "child",
        "training_certificate_no": f"QQ-{m.year}-0001",
        "trained_on": m.day(8, 1).isoformat(),
        "valid_until": date(m.year + 1, 7, 31).isoformat(),
    }
    made = await post_when_known(client, "/family-caregivers", body, {"person_not_known"})
    return str(made["family_caregiver_id"])


def _capture(at: datetime, home: tuple[float, float], method: str, score: float) -> dict[str, Any]:
    out: dict[str, Any] = {
        "at": at.isoformat(),
        "latitude": home[0],
        "longitude": home[1],
        "method": method,
    }
    if method == "face":
        out["face_score"] = score
    return out


async def visits(p: Platform, m: Month) -> None:
    """The month's visits, one batch per provider, uploaded now (after the 7-day window)."""
    client = p.clients["care-delivery"]
    homes = {b.key: b for b in PERSONS}
    for provider in ("IN", "HC"):
        batch = []
        for v in VISITS:
            b = homes[v.person]
            if b.provider != provider:
                continue
            begin = datetime(m.year, 9, v.day, *v.begin, tzinfo=CHINA)
            end = begin + timedelta(minutes=v.minutes)
            batch.append(
                {
                    "external_id": v.external_id,
                    "person_id": m.persons[v.person],
                    "caregiver_id": m.caregivers[provider],
                    "service_form": b.form,
                    "items": ["ADL01", "ADL02"],
                    "check_in": _capture(begin, b.home, "face", v.face_score),
                    "check_out": _capture(end, b.home, "gps", 0),
                }
            )
        path = f"/providers/{m.providers[provider]}/visits/batch"
        result = await call(client, "POST", path, {"visits": batch})
        for item in result["items"]:
            assert item["outcome"] == "accepted", item
            m.visits[item["external_id"]] = item["visit_id"]
            m.ingested[item["external_id"]] = item


async def review(p: Platform, m: Month) -> None:
    """The reviewer rejects the visit claimed during the stay (the refusing exception), then
    accepts every late upload of the back-filled month; the low face match stays open."""
    client = p.clients["care-delivery"]
    queue = []
    for provider in m.providers.values():
        page = await call(
            client, "GET", "/visit-exceptions", provider_id=provider, status="open", limit=200
        )
        assert page["next_cursor"] is None
        queue += page["items"]
    rejected = set()
    for e in (e for e in queue if e["refused"]):
        decision = {"action": "reject", "reason_code": "billed_during_stay", "actor": REVIEWER}
        await call(client, "POST", f"/visit-exceptions/{e['exception_id']}/resolution", decision)
        rejected.add(e["visit_id"])
    for e in queue:
        if e["code"] == "late_submission" and e["visit_id"] not in rejected:
            decision = {"action": "accept", "reason_code": "backfill_approved", "actor": REVIEWER}
            path = f"/visit-exceptions/{e['exception_id']}/resolution"
            await call(client, "POST", path, decision)


async def certify_family_care(p: Platform, m: Month) -> dict[str, Any]:
    """The home-care centre certifies 20 days of D's family care in September."""
    body = {
        "period": m.period,
        "care_days": 20,
        "confirmation": "supervisor_visit",
        "certified_by": "provider:HC/supervisor-1",
    }
    path = f"/care-plans/{m.plans['D']}/family-care-certifications"
    return dict(await call(p.clients["care-delivery"], "POST", path, body, expect=[201]))


async def build_month(p: Platform, year: int) -> Month:
    m = Month(year)
    await enroll(p, m)
    await assess(p, m)
    await providers(p, m)
    await care(p, m)
    await visits(p, m)
    await review(p, m)
    await certify_family_care(p, m)
    return m


async def month_end(client: httpx.AsyncClient, period: str, key: str) -> dict[str, Any]:
    body = {"region_code": REGION, "period": period}
    response = await client.post("/runs/month-end", json=body, headers={"Idempotency-Key": key})
    assert response.status_code == 201, response.text
    run: dict[str, Any] = response.json()
    assert run["status"] == "completed", run
    return run
