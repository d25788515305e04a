"""Care delivery under the schema-driven fuzzer: in each region a person, a provider with its
agreement, caregiver, plan, visits (one flagged), a stay, a rental and a family caregiver."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone

import httpx
import pytest
from schemathesis.schemas import BaseSchema

from ltci_care_delivery.app import create_app
from ltci_care_delivery.entrypoints.access import ACCESS
from ltci_care_delivery.settings import Settings
from ltci_shared.events.contracts import EligibilityGranted, PersonEnrolled
from ltci_shared.testing.fixtures import CreateDb
from ltci_shared.uscc import uscc_check_char

from .support import (
    HOME_CITY,
    HOME_COUNTY,
    OTHER_CITY,
    OTHER_COUNTY,
    REGIONS,
    Fuzzer,
    Seed,
    feed,
    fuzz_operations,
    post,
    resident_id,
    seeding,
    service_identities,
    serving,
)

pytestmark = pytest.mark.postgres
CHINA = timezone(timedelta(hours=8))
TODAY = datetime.now(CHINA).date()
YESTERDAY = TODAY - timedelta(days=1)
Region = tuple[str, str, tuple[float, float], str, list[str], str]
# city, county, home (lat, lon), package, items, device
REGION_A: Region = (
    HOME_CITY,
    HOME_COUNTY,
    (33.3475, 120.1633),
    "YC-HV-STD",
    ["ADL01"],
    "DEV-BED-E",
)
REGION_B: Region = (
    OTHER_CITY,
    OTHER_COUNTY,
    (31.7800, 119.9700),
    "CZ-HV",
    ["CZ-ADL01"],
    "CZ-DEV-BED-E",
)


def _settings(url: str, **kw: object) -> Settings:
    return Settings(database_url=url, batch_max_bytes=1_000_000, **kw)


def _at(day: date, hour: int, where: tuple[float, float]) -> dict[str, object]:
    when = datetime.combine(day, time(hour), tzinfo=CHINA).isoformat()
    return {"at": when, "method": "gps", "latitude": where[0], "longitude": where[1]}


async def _region(
    client: httpx.AsyncClient, seed: Seed, n: int, region: Region, guarded: bool
) -> str:
    city, county, home, package, items, device = region
    a = "region A" if guarded else None

    def own(param: str, value: str, what: str) -> None:
        seed.add(param, value, guarded=f"{what} of {a}" if a else None, own=True)

    person = f"fz-person-{n}"
    await feed(
        client,
        PersonEnrolled(
            person_id=person,
            region_code=county,
            scheme="resident",
            valid_from=date(2020, 1, 1),
            birth_date=date(1940, 5, 1),
            sex="F",
            home_latitude=home[0],
            home_longitude=home[1],
        ),
        EligibilityGranted(
            eligibility_id=f"fz-elig-{n}",
            person_id=person,
            region_code=county,
            grade=4,
            valid_from=TODAY - timedelta(days=90),
            valid_until=TODAY + timedelta(days=300),
        ),
    )
    seed.add("person_id", person, guarded=f"a person of {a}" if a else None)
    body17 = f"91{city}MA{n:07d}"
    provider = await post(
        client,
        "/providers",
        {
            "uscc": body17 + uscc_check_char(body17),
            "name": f"护理院{n}",
            "region_code": city,
            "kind": "home_care",
            "admission_route": "filing",
        },
    )
    pid = provider["provider_id"]
    own("provider_id", pid, "the provider")
    await post(
        client,
        f"/providers/{pid}/agreements",
        {
            "agreement_no": f"FZ-{n}",
            "valid_from": (TODAY - timedelta(days=365)).isoformat(),
            "valid_until": (TODAY + timedelta(days=365)).isoformat(),
            "forms": ["home_visit", "institutional"],
            "service_area": [county],
        },
    )
    rid = resident_id(f"{county}1980010{n + 1}01{n}")
    seed.resident_ids.append(rid)
    caregiver = await post(
        client,
        "/caregivers",
        {
            "resident_id": rid,
            "name": f"护理员{n}",
            "certificate_no": f"HL-{n}",
            "valid_from": "2020-01-01",
            "valid_until": (TODAY + timedelta(days=365)).isoformat(),
            "star_level": 3,
            "provider_ids": [pid],
        },
    )
    own("caregiver_id", caregiver["caregiver_id"], "a caregiver")
    plan = await post(
        client,
        "/care-plans",
        {
            "person_id": person,
            "provider_id": pid,
            "service_form": "home_visit",
            "package_code": package,
            "starts_on": (TODAY - timedelta(days=60)).isoformat(),
        },
    )
    own("plan_id", plan["plan_id"], "a care plan")
    for k, check_out in enumerate([True, False]):  # the second lacks a check-out: flagged
        body: dict[str, object] = {
            "external_id": f"HIS-{n}-{k}",
            "person_id": person,
            "caregiver_id": caregiver["caregiver_id"],
            "service_form": "home_visit",
            "items": items,
            "check_in": _at(YESTERDAY, 8 + 3 * k, home),
        }
        if check_out:
            body["check_out"] = _at(YESTERDAY, 9 + 3 * k, home)
        visit = await post(client, f"/providers/{pid}/visits", body)
        own("visit_id", visit["visit"]["visit_id"], "a visit")
    flagged = await client.get("/visit-exceptions", params={"provider_id": pid})
    for item in flagged.json()["items"]:
        own("exception_id", item["exception_id"], "a visit exception")
    rental = await post(
        client,
        "/device-rentals",
        {
            "device_code": device,
            "person_id": person,
            "provider_id": pid,
            "starts_on": (TODAY - timedelta(days=30)).isoformat(),
        },
    )
    own("rental_id", rental["rental_id"], "a device rental")
    stay = await post(
        client,
        "/stays",
        {
            "person_id": person,
            "kind": "hospital",
            "facility": "人民医院",
            "admitted_on": (TODAY - timedelta(days=200)).isoformat(),
        },
    )
    await post(
        client,
        f"/stays/{stay['stay_id']}/discharge",
        {"discharged_on": (TODAY - timedelta(days=190)).isoformat()},
        200,
    )
    seed.add("stay_id", stay["stay_id"], guarded=f"a stay of {a}" if a else None)
    family_rid = resident_id(f"{county}1970020{n + 1}02{n}")
    seed.resident_ids.append(family_rid)
    family = await post(
        client,
        "/family-caregivers",
        {
            "name": f"家属{n}",
            "person_id": person,
            "relationship": "child",
            "resident_id": family_rid,
            "trained_on": (TODAY - timedelta(days=30)).isoformat(),
            "training_certificate_no": f"QQ-{n}",
            "valid_until": (TODAY + timedelta(days=300)).isoformat(),
        },
    )
    seed.add(
        "family_caregiver_id",
        family["family_caregiver_id"],
        guarded=f"a family caregiver of {a}" if a else None,
    )
    return pid


@pytest.fixture
async def care_seed(new_pg_database: CreateDb) -> Seed:
    seed = Seed(await new_pg_database())
    async with seeding(create_app(_settings(seed.url), migrate=True)) as client:
        await _region(client, seed, 1, REGION_A, True)
        seed.provider_b = await _region(client, seed, 2, REGION_B, False)
    for region in REGIONS:
        seed.add("region_code", region)
    for rid in seed.resident_ids:
        seed.add("resident_id", rid)
    return seed


@pytest.fixture
def care_api(care_seed: Seed) -> Iterator[BaseSchema]:
    with serving(create_app(_settings(care_seed.url, auth_mode="required")), care_seed) as api:
        yield api


def test_care_delivery_survives_the_fuzzer(
    care_api: BaseSchema, care_seed: Seed, subtests: pytest.Subtests
) -> None:
    fuzzer: Fuzzer = service_identities(care_seed, ACCESS)
    fuzz_operations(care_api, fuzzer, subtests)
