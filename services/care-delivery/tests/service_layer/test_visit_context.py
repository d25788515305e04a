"""The verification context loaded in one statement: the same facts on PostgreSQL and SQLite."""

from __future__ import annotations

import httpx

from ltci_care_delivery.domain.visit_commands import LogVisit
from ltci_care_delivery.service_layer.visit_context import VisitContext, provider_context

from ..support import DAY, app_of, ok, visit, world


async def _context(
    client: httpx.AsyncClient, provider_id: str, items: list[LogVisit], besides: str | None = None
) -> VisitContext | None:
    app = app_of(client)
    async with app.state.runtime.uow() as uow:
        return await provider_context(uow, app.state.policy, provider_id, items, besides=besides)


async def test_one_statement_loads_every_fact_on_postgresql(client: httpx.AsyncClient) -> None:
    await _loads_every_fact(client)


async def test_one_statement_loads_every_fact_on_sqlite(sqlite_client: httpx.AsyncClient) -> None:
    await _loads_every_fact(sqlite_client)


async def _loads_every_fact(client: httpx.AsyncClient) -> None:
    w = await world(client, grade=3)
    stored = ok(await client.post(f"/providers/{w.provider_id}/visits", json=visit(w, "a")), 201)
    visit_id = stored["visit"]["visit_id"]
    item = LogVisit.model_validate(visit(w, "b", begin=(11, 0), end=(12, 0)))
    repeat = LogVisit.model_validate(visit(w, "a"))

    ctx = await _context(client, w.provider_id, [item, repeat])
    assert ctx is not None
    assert ctx.persons[w.person_id]["region_code"] and ctx.caregivers[w.caregiver_id]
    assert w.caregiver_id in ctx.employed and ctx.employed[w.caregiver_id] is None
    assert [p.plan_id for p in ctx.plans[w.person_id]] == [w.plan_id]
    assert ctx.provider.agreements and ctx.stays == {w.person_id: []}
    [(begin, end)] = ctx.caregiver_busy(w.caregiver_id, DAY)
    assert begin.utcoffset() is not None and end is not None and end > begin
    assert ctx.caregiver_minutes(w.caregiver_id, DAY) == 60
    assert ctx.plan_usage(w.plan_id, DAY.strftime("%Y-%m")).visits == 1
    assert ctx.existing["a"]["visit_id"] == visit_id and "b" not in ctx.existing

    # a visit being corrected is left out of the busy times and the quota
    without = await _context(client, w.provider_id, [repeat], besides=visit_id)
    assert without is not None
    assert without.caregiver_busy(w.caregiver_id, DAY) == []
    assert without.plan_usage(w.plan_id, DAY.strftime("%Y-%m")).visits == 0


async def test_unknown_provider_has_no_context(sqlite_client: httpx.AsyncClient) -> None:
    w = await world(sqlite_client)
    item = LogVisit.model_validate(visit(w, "a"))
    assert await _context(sqlite_client, "no-such-provider", [item]) is None
    assert await _context(sqlite_client, w.provider_id, [item]) is not None
