"""Visit ingest on a real PostgreSQL database: two transactions verifying visits of one
caregiver or one person at the same time take turns, so neither misses the other's visit."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from ltci_care_delivery.domain.visit_commands import LogVisit
from ltci_care_delivery.service_layer.ingest import ItemResult
from ltci_care_delivery.service_layer.single_visits import SingleVisits

from ..support import World, app_of, caregiver, visit, world


def _visits(client: httpx.AsyncClient) -> SingleVisits:
    visits: SingleVisits = app_of(client).state.single_visits._run
    return visits


async def _ingest(client: httpx.AsyncClient, uow: Any, w: World, body: dict[str, Any]) -> Any:
    group = _visits(client)  # its runtime, policy book and clock skew
    [result] = await group._ingest(uow, w.provider_id, [LogVisit.model_validate(body)])
    return result


async def _alone(client: httpx.AsyncClient, w: World, body: dict[str, Any]) -> ItemResult:
    async with _visits(client).rt.uow() as uow:
        result = await _ingest(client, uow, w, body)
        await uow.commit()
    assert isinstance(result, ItemResult)
    return result


async def _second_waits_for_first(
    client: httpx.AsyncClient, w: World, first: dict[str, Any], second: dict[str, Any]
) -> ItemResult:
    """``first`` verified in a transaction still open while ``second`` is posted: the second
    must wait until the first has committed, then be verified against it."""
    async with _visits(client).rt.uow() as uow:
        assert (await _ingest(client, uow, w, first)).outcome == "accepted"
        other = asyncio.create_task(_alone(client, w, second))
        await asyncio.sleep(0.5)
        assert not other.done(), "the second transaction did not wait for the first"
        await uow.commit()
    return await asyncio.wait_for(other, timeout=10)


async def test_overlapping_visits_of_one_caregiver_in_concurrent_transactions(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    second = await _second_waits_for_first(
        client, w, visit(w, "v-1"), visit(w, "v-2", begin=(9, 30), end=(10, 30))
    )
    assert second.outcome == "accepted" and second.visit is not None
    assert second.visit["exceptions"] == ["caregiver_overlap"]


async def test_one_persons_visits_in_concurrent_transactions_count_against_one_quota(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client, grade=3)  # 12 hours a month
    for i, begin, end in [(0, (6, 0), (10, 0)), (1, (11, 0), (15, 0))]:
        assert (await _alone(client, w, visit(w, f"v-{i}", begin=begin, end=end))).visit
    # other caregivers each: only the person is shared
    second, third = (
        await caregiver(client, [w.provider_id]),
        await caregiver(client, [w.provider_id]),
    )
    result = await _second_waits_for_first(
        client,
        w,
        visit(w, "v-2", begin=(6, 0), end=(10, 0), caregiver=second),  # 12 of 12 hours
        visit(w, "v-3", begin=(11, 0), end=(12, 0), caregiver=third),  # one hour over
    )
    assert result.visit is not None
    assert (result.visit["status"], result.visit["exceptions"]) == (
        "refused",
        ["monthly_quota_exceeded"],
    )


async def test_unrelated_visits_do_not_wait(client: httpx.AsyncClient) -> None:
    w, v = await world(client), await world(client)
    async with _visits(client).rt.uow() as uow:
        assert (await _ingest(client, uow, w, visit(w, "v-1"))).outcome == "accepted"
        other = await asyncio.wait_for(_alone(client, v, visit(v, "v-1")), timeout=5)
        assert other.outcome == "accepted"
        await uow.commit()
