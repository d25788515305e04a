"""Group commit: waiting requests share a run; each caller gets its own outcome."""

from __future__ import annotations

import asyncio

import pytest

from ltci_shared.group_commit import GroupCommit


class Recorder:
    """A ``run`` that records its groups; item < 0 is answered with an error."""

    def __init__(self, *, fail: bool = False) -> None:
        self.groups: list[list[int]] = []
        self.fail = fail
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, items: list[int]) -> list[int | BaseException]:
        self.groups.append(list(items))
        await self.gate.wait()
        await asyncio.sleep(0)
        if self.fail:
            raise RuntimeError("the transaction failed")
        return [ValueError(f"bad {i}") if i < 0 else i * 10 for i in items]


async def test_requests_waiting_together_share_a_run_and_get_their_own_answers() -> None:
    run = Recorder()
    group = GroupCommit(run, max_batch=100, lanes=1)
    answers = await asyncio.gather(*(group.submit(i) for i in range(20)))
    assert answers == [i * 10 for i in range(20)]
    assert sorted(i for g in run.groups for i in g) == list(range(20))
    assert len(run.groups) < 20 and (group.batches, group.items) == (len(run.groups), 20)
    assert await group.submit(99) == 990 and run.groups[-1] == [99]  # alone when quiet


async def test_an_items_error_is_raised_only_in_its_caller() -> None:
    group = GroupCommit(Recorder(), lanes=1)
    results = await asyncio.gather(*(group.submit(i) for i in (1, -2, 3)), return_exceptions=True)
    assert results[0] == 10 and results[2] == 30
    assert isinstance(results[1], ValueError) and str(results[1]) == "bad -2"


async def test_a_failed_run_fails_its_callers_and_the_next_run_goes_on() -> None:
    run = Recorder(fail=True)
    group = GroupCommit(run, lanes=1)
    results = await asyncio.gather(*(group.submit(i) for i in range(3)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    run.fail = False
    assert await group.submit(7) == 70


async def test_groups_are_at_most_max_batch_and_use_at_most_lanes_at_once() -> None:
    run = Recorder()
    run.gate.clear()
    group = GroupCommit(run, max_batch=4, lanes=2)
    calls = [asyncio.create_task(group.submit(i)) for i in range(11)]
    await asyncio.sleep(0.01)
    assert len(run.groups) == 2  # two lanes busy, the rest waiting
    run.gate.set()
    assert await asyncio.gather(*calls) == [i * 10 for i in range(11)]
    assert max(len(g) for g in run.groups) <= 4


async def test_a_caller_that_goes_away_does_not_cancel_the_others() -> None:
    run = Recorder()
    run.gate.clear()
    group = GroupCommit(run, lanes=1)
    first = asyncio.create_task(group.submit(1))
    second = asyncio.create_task(group.submit(2))
    await asyncio.sleep(0.01)
    first.cancel()
    run.gate.set()
    assert await second == 20
    with pytest.raises(asyncio.CancelledError):
        await first
    await group.aclose()
    assert sorted(i for g in run.groups for i in g) == [1, 2]


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        GroupCommit(Recorder(), max_batch=0)
