"""Enrollment through the public API: the streamed persons import, the civil-affairs
assistance list, the yearly collection run and the payers' bulk settlements."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from ltci_embedded.simulate.city import City
from ltci_embedded.simulate.client import ApiClient, SimulationError, wait_for
from ltci_embedded.simulate.progress import Progress

PERSON_COLUMNS = (
    "resident_id",
    "name",
    "birth_date",
    "sex",
    "phone",
    "region_code",
    "address",
    "home_latitude",
    "home_longitude",
    "scheme",
    "valid_from",
)
PAYERS = ("employer", "fiscal", "basic_medical_fund", "assistance_subsidy")


def _csv(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


IMPORT_CHUNK = 10_000  # rows a request: each import well within the gateway's timeout


def persons_csv(city: City, start: int, stop: int) -> bytes:
    names = city.policies.division_names
    rows = [
        (
            p.resident_id,
            p.name,
            p.birth_date.isoformat(),
            p.sex,
            p.phone,
            p.region_code,
            f"{city.policies.name}{names.get(p.region_code, '')}{p.address}",
            p.home[0],
            p.home[1],
            p.scheme,
            max(city.enrolled_from, p.birth_date).isoformat(),
        )
        for p in city.persons[start:stop]
    ]
    return _csv(PERSON_COLUMNS, rows)


async def _import(api: ApiClient, kind: str, body: bytes, filename: str) -> dict[str, Any]:
    result: dict[str, Any] = await api.request(
        "POST",
        f"/enrollment/imports/{kind}",
        params={"filename": filename},
        content=body,
        content_type="text/csv",
    )
    if result["status"] != "completed" and result["rows_ok"] + result["rows_duplicate"] == 0:
        raise SimulationError(f"the {kind} import failed: {result.get('error')}")
    if result["rows_failed"]:
        errors = await api.get(f"/enrollment/imports/{result['import_id']}/errors", limit=5)
        first = "; ".join(f"row {e['row_number']}: {e['error']}" for e in errors["items"])
        raise SimulationError(f"{result['rows_failed']} {kind} rows were refused ({first})")
    return result


async def enroll_persons(api: ApiClient, city: City, progress: Progress) -> dict[str, int]:
    counts = {"persons_new": 0, "persons_existing": 0}
    with progress.step("enrollment import", len(city.persons)) as bar:
        for part, start in enumerate(range(0, len(city.persons), IMPORT_CHUNK)):
            body = persons_csv(city, start, start + IMPORT_CHUNK)
            name = f"sim-{city.options.seed}-persons-{part + 1}.csv"
            result = await _import(api, "persons", body, name)
            counts["persons_new"] += result["rows_ok"]
            counts["persons_existing"] += result["rows_duplicate"]
            bar.advance(result["rows_done"])
    return counts


async def person_ids(api: ApiClient, city: City, progress: Progress) -> list[str]:
    """Each simulated person's id, found in the (masked) listing by birth date, the last four
    characters of the resident ID and the name."""
    wanted = {(p.key, p.name): i for i, p in enumerate(city.persons)}
    found: list[str | None] = [None] * len(city.persons)
    with progress.step("finding person ids", len(city.persons)) as bar:
        async for item in api.pages("/enrollment/persons", region_code=city.policies.region):
            key = ((item["birth_date"], item["resident_id_masked"][-4:]), item["name"])
            index = wanted.get(key)
            if index is not None and found[index] is None:
                found[index] = item["person_id"]
                bar.advance()
    missing = sum(1 for f in found if f is None)
    if missing:
        raise SimulationError(f"{missing} imported persons are not in the persons listing")
    return [f for f in found if f is not None]


async def enroll_recipients(api: ApiClient, city: City, progress: Progress) -> dict[str, int]:
    if not city.recipients:
        return {"recipients": 0}
    year = city.month.first.year
    source = f"{city.policies.name}民政局 {year}年低保、特困及其他救助对象名单"
    rows = [
        (
            city.persons[i].resident_id,
            code,
            date(year, 1, 1).isoformat(),
            date(year, 12, 31).isoformat(),
            source,
        )
        for i, code in city.recipients
    ]
    header = ("resident_id", "category", "valid_from", "valid_until", "source")
    with progress.step("assistance recipients", len(rows)) as bar:
        name = f"sim-{city.options.seed}-assistance-{year}.csv"
        result = await _import(api, "assistance", _csv(header, rows), name)
        bar.advance(result["rows_done"])
    return {"recipients": result["rows_ok"] + result["rows_duplicate"]}


async def _collection_run(api: ApiClient, city: City) -> dict[str, Any]:
    """The region's completed run of the year, or a new one (charges are never made twice)."""
    region, year = city.policies.region, city.month.first.year
    async for r in api.pages("/enrollment/collection-runs", limit=100):
        if (r["region_code"], r["year"], r["status"]) == (region, year, "completed"):
            return dict(r)
    run: dict[str, Any] = await api.post(
        "/enrollment/collection-runs", {"region_code": region, "year": year}
    )

    async def finished() -> bool:
        nonlocal run
        run = await api.get(f"/enrollment/collection-runs/{run['run_id']}")
        return run["status"] != "running"

    await wait_for(finished, "the collection run has finished", city.options.timeout_seconds * 5)
    if run["status"] != "completed":
        raise SimulationError(f"the collection run ended {run['status']}: {run.get('error')}")
    return run


async def collect_contributions(api: ApiClient, city: City, progress: Progress) -> dict[str, Any]:
    """The year's collection run, then each payer's bulk transfer of what it owes."""
    region, year = city.policies.region, city.month.first.year
    received_on = min(date(year, 3, 31), city.month.last)
    with progress.step("contributions", 1 + len(PAYERS)) as bar:
        run = await _collection_run(api, city)
        bar.advance()
        paid = 0
        for payer in PAYERS:
            body = {
                "region_code": region,
                "year": year,
                "payer": payer,
                "received_on": received_on.isoformat(),
                "reference": f"SIM-{year}-{payer}",
            }
            key = city.options.key("settle", year, payer)
            done = await api.post("/enrollment/contributions/settlements", body, key=key)
            paid += done["charges_paid"]
            bar.advance()
    return {
        "collection_run": run["status"],
        "charges": run["charges_created"] + run["charges_existing"],
        "charges_paid_by_payers": paid,
    }
