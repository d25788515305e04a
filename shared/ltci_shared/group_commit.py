"""Group commit: requests that arrive while a transaction runs share the next transaction.

A single-item write costs a transaction (begin, a few statements, commit, a relay wake-up)
whatever its size; under load, requests that wait anyway are better served by one
transaction for all of them, the way a database groups commits to one log flush. Nothing is
delayed on purpose: the first request of a quiet period runs at once, alone; requests that
arrive while ``lanes`` transactions are running queue, and the next free lane takes up to
``max_batch`` of them together. Each caller gets its own answer (or its own exception) only
after the transaction that holds its effects has committed, so a 2xx still means stored.

``run(items)`` answers one outcome per item, in order: a value, or the exception to raise in
that caller. It is the caller's job to keep one item's failure out of the others' answers
(for instance by running the items one by one when the shared transaction fails).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)
In = TypeVar("In")
Out = TypeVar("Out")


class GroupCommit(Generic[In, Out]):
    def __init__(
        self,
        run: Callable[[list[In]], Awaitable[Sequence[Out | BaseException]]],
        *,
        max_batch: int = 200,
        lanes: int = 1,
    ) -> None:
        if max_batch < 1 or lanes < 1:
            raise ValueError("max_batch and lanes are at least 1")
        self._run, self._max, self._lanes = run, max_batch, lanes
        self._waiting: list[tuple[In, asyncio.Future[Out]]] = []
        self._busy = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.batches = 0  # transactions run (for metrics and tests)
        self.items = 0

    async def submit(self, item: In) -> Out:
        """The item's outcome once its transaction committed (or its exception)."""
        future: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieved)  # no "never retrieved" noise if the caller left
        self._waiting.append((item, future))
        if self._busy < self._lanes:
            self._busy += 1
            task = asyncio.create_task(self._lane())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        # shield: a caller that goes away (client disconnect) must not cancel the others'
        # transaction; its own item is still stored and answered to nobody
        return await asyncio.shield(future)

    async def _lane(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[: self._max], self._waiting[self._max :]
                await self._one(batch)
        finally:
            self._busy -= 1

    async def _one(self, batch: list[tuple[In, asyncio.Future[Out]]]) -> None:
        try:
            outcomes = await self._run([item for item, _ in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"{len(outcomes)} outcomes for {len(batch)} items")
        except Exception as exc:  # every waiting caller learns of it; the lane goes on
            log.exception("group commit of %d items failed", len(batch))
            outcomes = [exc] * len(batch)
        self.batches += 1
        self.items += len(batch)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

    async def aclose(self) -> None:
        """Wait for the transactions in flight (at shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def _retrieved(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
