"""Batch ingest on a real PostgreSQL database: mixed good, bad and duplicate items, limits."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx

from ..support import TODAY, World, caregiver, count, ok, outbox, visit, world


async def batch(client: httpx.AsyncClient, w: World, items: list[Any], **kw: Any) -> httpx.Response:
    return await client.post(
        f"/providers/{w.provider_id}/visits/batch", json={"visits": items}, **kw
    )


async def test_a_mixed_batch_keeps_the_good_rows_and_reports_each_bad_one(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    stored = ok(await client.post(f"/providers/{w.provider_id}/visits", json=visit(w, "old")), 201)
    malformed = visit(w, "bad-1", begin=(13, 0), end=(14, 0))
    del malformed["caregiver_id"]
    items = [
        visit(w, "good-1", begin=(11, 0), end=(12, 0)),
        malformed,
        visit(w, "old"),  # stored earlier, same content
        visit(w, "bad-2", caregiver="nobody", begin=(15, 0), end=(16, 0)),
        visit(w, "good-2", begin=(16, 0), end=(16, 40)),
        visit(w, "good-1", begin=(11, 0), end=(12, 0)),  # repeated inside the batch
        visit(w, "good-2", begin=(18, 0), end=(19, 0)),  # id reused with other content
        visit(w, "bad-3", day=TODAY + timedelta(days=2)),
        "not an object",
        visit(w, "flagged", begin=(17, 0), end=None),
    ]
    result = ok(await batch(client, w, items))
    outcomes = [(i["index"], i["outcome"]) for i in result["items"]]
    assert outcomes == [
        (0, "accepted"),
        (1, "rejected"),
        (2, "duplicate"),
        (3, "rejected"),
        (4, "accepted"),
        (5, "duplicate"),
        (6, "rejected"),
        (7, "rejected"),
        (8, "rejected"),
        (9, "accepted"),
    ]
    assert (result["accepted"], result["duplicates"], result["rejected"]) == (3, 2, 5)
    by_index = {i["index"]: i for i in result["items"]}
    assert by_index[1]["errors"][0]["loc"] == ["caregiver_id"]
    assert by_index[1]["external_id"] == "bad-1"
    assert by_index[2]["visit_id"] == stored["visit"]["visit_id"]
    assert by_index[3]["errors"][0]["code"] == "unknown_caregiver"
    assert by_index[5]["visit_id"] == by_index[0]["visit_id"]
    assert by_index[6]["errors"][0]["code"] == "external_visit_id_reused"
    assert by_index[7]["errors"][0]["code"] == "visit_in_future"
    assert by_index[8]["errors"][0]["code"] == "model_type"
    assert by_index[9]["exceptions"] == ["checkout_missing"]
    assert await count(client, "visits") == 4
    assert await count(client, "visit_exceptions") == 1
    logged = [e for e in await outbox(client) if e["type"] == "ServiceVisitLogged"]
    assert len(logged) == 4


async def test_rules_count_earlier_items_of_the_same_batch(client: httpx.AsyncClient) -> None:
    w = await world(client, grade=3)  # 12 hours a month
    other = await caregiver(client, [w.provider_id])
    items = [
        visit(w, "a", begin=(6, 0), end=(10, 0)),
        visit(w, "b", begin=(9, 30), end=(10, 30)),  # the same caregiver, overlapping "a"
        visit(w, "c", begin=(11, 0), end=(15, 0)),
        visit(w, "d", caregiver=other, begin=(6, 0), end=(10, 0)),
        visit(w, "e", caregiver=other, begin=(11, 0), end=(11, 45)),
    ]
    result = ok(await batch(client, w, items))
    found = {i["external_id"]: i["exceptions"] for i in result["items"]}
    assert found["b"] == ["caregiver_overlap"]
    assert found["a"] == found["c"] == []
    # a, b (pending, so counted), c: 9 h; d would make 13 h of 12; e (refused d not counted) fits
    assert found["d"] == ["monthly_quota_exceeded"]
    assert found["e"] == []


async def test_a_full_batch_of_1000_is_stored_in_one_request(client: httpx.AsyncClient) -> None:
    w = await world(client, grade=5)
    items = [visit(w, f"n-{i}", begin=(i % 12 + 6, 0), end=(i % 12 + 6, 40)) for i in range(1000)]
    result = ok(await batch(client, w, items))
    assert result["accepted"] == 1000 and result["rejected"] == 0
    assert await count(client, "visits") == 1000
    statuses = {i["status"] for i in result["items"]}
    assert statuses <= {"verified", "pending", "refused"}
    again = ok(await batch(client, w, items))
    assert again["duplicates"] == 1000 and await count(client, "visits") == 1000


async def test_batch_limits_are_clear_problems(client: httpx.AsyncClient) -> None:
    w = await world(client)
    too_many = await batch(client, w, [visit(w, f"x-{i}") for i in range(1001)])
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["type"] == "too_long"
    padded = {**visit(w, "x"), "padding": "x" * 2000}
    body = json.dumps({"visits": [padded] * 999})  # under 1,000 items, over 1 MB
    too_big = await client.post(
        f"/providers/{w.provider_id}/visits/batch",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert too_big.status_code == 413 and too_big.json()["type"] == "/problems/payload_too_large"
    empty = await batch(client, w, [])
    assert empty.status_code == 422
    assert await count(client, "visits") == 0


async def test_batch_with_an_idempotency_key_replays_the_same_answer(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    items = [visit(w, "k-1")]
    headers = {"Idempotency-Key": "batch-1"}
    first = ok(await batch(client, w, items, headers=headers))
    second = await batch(client, w, items, headers=headers)
    assert second.json() == first and second.headers["Idempotent-Replayed"] == "true"
    assert await count(client, "visits") == 1


async def test_unknown_provider_batch_is_a_404(client: httpx.AsyncClient) -> None:
    w = await world(client)
    w.provider_id = "nobody"
    r = await batch(client, w, [visit(w, "x")])
    assert r.status_code == 404
