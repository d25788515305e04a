"""Dashboard aggregates: applications by status and kind (open, being assessed, overdue) and
beneficiaries by grade, for a region (a city covering its counties) and a day."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ..support import SEVERE, Driver, enrolled, feed


@pytest.fixture
async def city(app: FastAPI, client: httpx.AsyncClient) -> Driver:
    """Yancheng: p-1 final (grade 3), p-2 scheduled, p-3 submitted (another county);
    Changzhou: p-9 submitted."""
    for person, region in (("p-1", "320902"), ("p-2", "320902"), ("p-3", "320903")):
        await feed(app, enrolled(person, region))
    await feed(app, enrolled("p-9", "320402"))
    d = Driver(app, client)
    await d.registry()
    await d.to_final(await d.apply("p-1"), SEVERE)
    second = await d.apply("p-2")
    await d.post(f"/applications/{second}/accept", {"actor": "clerk", "reason": "complete"})
    await d.post(
        f"/applications/{second}/schedule", {"actor": "clerk", "scheduled_on": "2025-03-05"}
    )
    await d.apply("p-3")
    await d.apply("p-9")
    return d


async def _stats(d: Driver, path: str, **params: Any) -> Any:
    response = await d.client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_applications_by_status_for_a_city_and_its_counties(city: Driver) -> None:
    stats = await _stats(city, "/stats/applications", region_code="320900", as_of="2025-03-06")
    assert stats["items"] == [
        {"status": "final", "kind": "initial", "applications": 1, "overdue": 0},
        {"status": "scheduled", "kind": "initial", "applications": 1, "overdue": 0},
        {"status": "submitted", "kind": "initial", "applications": 1, "overdue": 0},
    ]
    assert (stats["open"], stats["assessing"], stats["overdue"]) == (2, 1, 0)
    scheduled = (await city.client.get("/applications?status=scheduled")).json()["items"]
    late = await _stats(city, "/stats/applications", region_code="320900", as_of="2025-06-01")
    assert late["overdue"] == 1 and scheduled[0]["deadline"] < "2025-06-01"
    county = await _stats(city, "/stats/applications", region_code="320903", as_of="2025-06-01")
    assert [(i["status"], i["applications"]) for i in county["items"]] == [("submitted", 1)]
    everywhere = await _stats(city, "/stats/applications", as_of="2025-06-01")
    assert (everywhere["region_code"], everywhere["open"]) == (None, 3)
    listed = (await city.client.get("/applications?limit=100")).json()["items"]
    assert sum(i["applications"] for i in everywhere["items"]) == len(listed)


async def test_beneficiaries_by_grade_on_a_day(city: Driver) -> None:
    [window] = (await city.client.get("/eligibilities?person_id=p-1")).json()["items"]
    inside = await _stats(
        city, "/stats/eligibilities", region_code="320900", as_of=window["valid_from"]
    )
    assert (inside["persons"], inside["items"]) == (1, [{"grade": 3, "persons": 1}])
    before = await _stats(city, "/stats/eligibilities", as_of="2025-03-01")
    assert (before["persons"], before["items"], before["region_code"]) == (0, [], None)
    elsewhere = await _stats(
        city, "/stats/eligibilities", region_code="320400", as_of=window["valid_from"]
    )
    assert elsewhere["persons"] == 0


async def test_bad_filters_are_refused(city: Driver) -> None:
    for params in ({"region_code": "3209"}, {"as_of": "2025-02-30"}):
        for path in ("/stats/applications", "/stats/eligibilities"):
            response = await city.client.get(path, params=params)
            assert response.status_code == 422, response.text
