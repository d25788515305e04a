"""The embedded mode: the same rules on SQLite (times stored in UTC, read back comparable)."""

from __future__ import annotations

import httpx

from .support import caregiver, ok, visit, world


async def test_visits_verify_on_sqlite_across_requests(sqlite_client: httpx.AsyncClient) -> None:
    client = sqlite_client
    w = await world(client, grade=3)
    first = ok(await client.post(f"/providers/{w.provider_id}/visits", json=visit(w, "a")), 201)
    assert first["visit"]["status"] == "verified"
    overlapping = visit(w, "b", begin=(9, 30), end=(10, 30))
    second = ok(await client.post(f"/providers/{w.provider_id}/visits", json=overlapping), 201)
    assert second["visit"]["exceptions"] == ["caregiver_overlap"]
    other = await caregiver(client, [w.provider_id])
    batch = [
        visit(w, f"c-{i}", caregiver=other, begin=(6 + 3 * i, 0), end=(8 + 3 * i, 30))
        for i in range(4)
    ] + [visit(w, "c-4", begin=(14, 0), end=(14, 30))]
    result = ok(
        await client.post(f"/providers/{w.provider_id}/visits/batch", json={"visits": batch})
    )
    found = [i["exceptions"] for i in result["items"]]
    # 12 h a month: 2 h of a and b (pending counts), 4 x 2.5 h: the fifth passes 12 h
    assert found[:4] == [[], [], [], []] and found[4] == ["monthly_quota_exceeded"]
    page = ok(await client.get("/visits", params={"limit": 3}))
    assert len(page["items"]) == 3 and page["next_cursor"]
