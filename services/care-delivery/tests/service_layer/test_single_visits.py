"""Single visits sharing one transaction (group commit) on a real PostgreSQL database: each
request is answered as if it had run alone, in arrival order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ltci_care_delivery.domain import errors as e
from ltci_care_delivery.domain.visit_commands import LogVisit
from ltci_care_delivery.service_layer import single_visits
from ltci_care_delivery.service_layer.single_visits import SingleVisit
from ltci_shared import idempotency
from ltci_shared.errors import IdempotencyKeyReused
from ltci_shared.idempotency import StoredResponse

from ..support import World, app_of, count, outbox, visit, world


def item(w: World, body: dict[str, Any], key: str | None = None, provider: str = "") -> SingleVisit:
    provider_id = provider or w.provider_id
    return SingleVisit(
        provider_id,
        LogVisit.model_validate(body),
        scope=f"POST /providers/{provider_id}/visits",
        key=key,
    )


async def run(
    client: httpx.AsyncClient, items: list[SingleVisit], *, shared: bool = True
) -> list[Any]:
    """The group's ``run`` on its own (deterministic: all items in one call); ``shared``:
    check they did share one transaction (no fallback to one transaction each)."""
    group = app_of(client).state.single_visits
    with _fallbacks() as seen:
        outcomes: list[Any] = await group._run(items)
    assert not shared or not seen, "the group fell back to one transaction a request"
    return outcomes


@contextlib.contextmanager
def _fallbacks() -> Iterator[list[logging.LogRecord]]:
    seen: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = seen.append  # type: ignore[method-assign]
    single_visits.log.addHandler(handler)
    try:
        yield seen
    finally:
        single_visits.log.removeHandler(handler)


def answer(outcome: Any) -> tuple[int, str, dict[str, Any]]:
    assert isinstance(outcome, StoredResponse), outcome
    return outcome.status_code, outcome.body["outcome"], outcome.body["visit"]


async def test_a_group_is_answered_item_by_item_in_arrival_order(
    client: httpx.AsyncClient,
) -> None:
    await _arrival_order(client)


async def test_a_group_on_sqlite(sqlite_client: httpx.AsyncClient) -> None:
    await _arrival_order(sqlite_client)
    await _keys(sqlite_client)


async def _arrival_order(client: httpx.AsyncClient) -> None:
    w = await world(client)
    outcomes = await run(
        client,
        [
            item(w, visit(w, "v-1")),
            item(w, visit(w, "v-1")),  # the same again: a duplicate of the first
            item(w, visit(w, "v-1", begin=(11, 0), end=(12, 0))),  # its id, other content
            item(w, visit(w, "v-2", person="nobody")),
            item(w, visit(w, "v-3", begin=(9, 30), end=(10, 30))),  # overlaps v-1
            item(w, visit(w, "v-4"), provider="nobody"),
            item(w, visit(w, "v-5", begin=(14, 0), end=(15, 0))),
        ],
    )
    first = answer(outcomes[0])
    assert first[:2] == (201, "accepted") and first[2]["status"] == "verified"
    again = answer(outcomes[1])
    assert again[:2] == (200, "duplicate") and again[2]["visit_id"] == first[2]["visit_id"]
    assert isinstance(outcomes[2], e.VisitIdReused)
    assert (
        isinstance(outcomes[3], e.VisitRejected) and outcomes[3].extra["code"] == "unknown_person"
    )
    overlapping = answer(outcomes[4])
    assert overlapping[:2] == (201, "accepted")
    assert overlapping[2]["exceptions"] == ["caregiver_overlap"]
    assert isinstance(outcomes[5], e.ProviderNotFound)
    assert answer(outcomes[6])[2]["exceptions"] == []
    assert await count(client, "visits") == 3
    logged = [
        x["external_visit_id"] for x in await outbox(client) if x["type"] == "ServiceVisitLogged"
    ]
    assert logged == ["v-1", "v-3", "v-5"]


async def test_idempotency_keys_in_a_group(client: httpx.AsyncClient) -> None:
    await _keys(client)


async def _keys(client: httpx.AsyncClient) -> None:
    w, before = await world(client), await count(client, "visits")
    [stored] = await run(client, [item(w, visit(w, "v-0"), key="k-0")])  # alone, before
    outcomes = await run(
        client,
        [
            item(w, visit(w, "v-1"), key="k-1"),
            item(w, visit(w, "v-1"), key="k-1"),  # the same key again within the group
            item(w, visit(w, "v-0"), key="k-0"),  # a retry of the earlier request
            item(w, visit(w, "v-9"), key="k-0"),  # the earlier key with another body
            item(w, visit(w, "v-2", person="nobody"), key="k-2"),  # rejected: key given back
        ],
    )
    first = answer(outcomes[0])
    assert first[:2] == (201, "accepted") and not outcomes[0].replayed
    assert outcomes[1].replayed and answer(outcomes[1]) == first
    assert outcomes[2].replayed and outcomes[2].body == stored.body
    assert isinstance(outcomes[3], IdempotencyKeyReused)
    assert isinstance(outcomes[4], e.VisitRejected)
    # the rejected request's key was given back: the corrected request may use it
    [fixed] = await run(client, [item(w, visit(w, "v-2", begin=(15, 0), end=(16, 0)), key="k-2")])
    assert answer(fixed)[:2] == (201, "accepted") and not fixed.replayed
    assert await count(client, "visits") - before == 3


async def test_when_the_shared_transaction_fails_each_runs_on_its_own(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(client)
    real, calls = idempotency.answer, []

    async def fails_once(*args: Any) -> None:
        calls.append(args)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        await real(*args)

    monkeypatch.setattr(single_visits.idem, "answer", fails_once)
    outcomes = await run(
        client,
        [
            item(w, visit(w, "v-1"), key="k-1"),
            item(w, visit(w, "v-2", begin=(11, 0), end=(12, 0))),
            item(w, visit(w, "v-3", person="nobody")),
        ],
        shared=False,
    )
    assert [answer(o)[:2] for o in outcomes[:2]] == [(201, "accepted"), (201, "accepted")]
    assert isinstance(outcomes[2], e.VisitRejected)
    assert await count(client, "visits") == 2  # nothing of the failed group was kept
    logged = [x for x in await outbox(client) if x["type"] == "ServiceVisitLogged"]
    assert len(logged) == 2


async def test_concurrent_requests_share_transactions_and_each_gets_its_answer(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client, grade=5)
    group = app_of(client).state.single_visits
    before = (group.batches, group.items)
    bodies = [visit(w, f"c-{h}", begin=(7 + h, 0), end=(7 + h, 50)) for h in range(10)]
    bodies.append(bodies[0])  # a duplicate of the first
    path = f"/providers/{w.provider_id}/visits"
    responses = await asyncio.gather(*(client.post(path, json=b) for b in bodies))
    assert [r.status_code for r in responses] == [201] * 10 + [200]
    ids = {r.json()["visit"]["visit_id"] for r in responses}
    assert len(ids) == 10 and responses[-1].json()["outcome"] == "duplicate"
    assert all(r.json()["visit"]["status"] == "verified" for r in responses)
    batches, items = group.batches - before[0], group.items - before[1]
    assert items == 11 and batches < items  # some requests shared a transaction
    assert await count(client, "visits") == 10
