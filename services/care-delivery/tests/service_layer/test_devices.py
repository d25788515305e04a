"""Assistive-device rentals on a real PostgreSQL database: catalogue, one per category, term."""

from __future__ import annotations

from datetime import timedelta

import httpx

from ..support import TODAY, enrol, ok, outbox, world


async def test_rental_lifecycle_with_category_and_minimum_term(client: httpx.AsyncClient) -> None:
    w = await world(client)
    body = {
        "person_id": w.person_id,
        "provider_id": w.provider_id,
        "device_code": "DEV-BED-E",
        "starts_on": str(TODAY - timedelta(days=10)),
    }
    rental = ok(await client.post("/device-rentals", json=body), 201)
    assert (rental["category"], rental["daily_rate"], rental["status"]) == (
        "bed",
        "11.00",
        "active",
    )
    again = await client.post("/device-rentals", json=body)
    assert again.status_code == 409 and again.json()["type"] == "/problems/device_category_taken"
    chair = ok(await client.post("/device-rentals", json={**body, "device_code": "DEV-WC-M"}), 201)
    path = f"/device-rentals/{rental['rental_id']}/end"
    short = await client.post(path, json={"ends_on": str(TODAY)})
    assert short.status_code == 409 and short.json()["type"] == "/problems/device_minimum_term"
    ended = ok(await client.post(path, json={"ends_on": str(TODAY + timedelta(days=80))}))
    assert ended["status"] == "ended"
    assert (await client.post(path, json={"ends_on": str(TODAY)})).status_code == 409
    changes = [
        (e["rental_id"], e["status"])
        for e in await outbox(client)
        if e["type"] == "DeviceRentalChanged"
    ]
    assert changes == [
        (rental["rental_id"], "started"),
        (chair["rental_id"], "started"),
        (rental["rental_id"], "ended"),
    ]
    active = ok(
        await client.get("/device-rentals", params={"person_id": w.person_id, "status": "active"})
    )
    assert [r["device_code"] for r in active["items"]] == ["DEV-WC-M"]


async def test_rentals_need_a_catalogue_device_and_an_eligible_person(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    body = {
        "person_id": w.person_id,
        "provider_id": w.provider_id,
        "device_code": "DEV-JETPACK",
        "starts_on": str(TODAY),
    }
    r = await client.post("/device-rentals", json=body)
    assert r.status_code == 422 and r.json()["type"] == "/problems/unknown_device"
    person, _ = await enrol(client)
    late = {
        **body,
        "person_id": person,
        "device_code": "DEV-WALKER",
        "starts_on": str(TODAY + timedelta(days=400)),
    }
    r = await client.post("/device-rentals", json=late)
    assert r.status_code == 409 and r.json()["type"] == "/problems/person_not_eligible"
