"""Single visits (one a request) logged together: the requests waiting at the same moment share
one transaction (``ltci_shared.group_commit``), each answered as if it had run alone.

Per request the answer is what ``POST /providers/{id}/visits`` has always given: 201 with the
stored visit, 200 for a duplicate, a ``VisitRejected``/``VisitIdReused``/``ProviderNotFound``
problem, or an Idempotency-Key replay. Visits of one provider are verified in arrival order
against each other, as consecutive requests would be. If the shared transaction fails, every
request runs again on its own, so one request's failure is never another's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeAlias

from sqlalchemy.exc import IntegrityError

from ltci_care_delivery.domain import errors as e
from ltci_care_delivery.domain.visit_commands import LogVisit
from ltci_care_delivery.service_layer import ingest
from ltci_care_delivery.service_layer.visit_context import hold
from ltci_shared import idempotency as idem
from ltci_shared.errors import DomainError
from ltci_shared.faults import crash_point
from ltci_shared.idempotency import StoredResponse
from ltci_shared.policy import PolicyBook
from ltci_shared.runtime import ServiceRuntime
from ltci_shared.uow import UnitOfWork

log = logging.getLogger(__name__)
Outcome: TypeAlias = StoredResponse | BaseException
# the route's (status, body) for an item; raises the item's problem when it was rejected
Render: TypeAlias = Callable[[ingest.ItemResult], tuple[int, Any]]


@dataclass(frozen=True)
class SingleVisit:
    provider_id: str
    visit: LogVisit
    scope: str  # the idempotency scope (the route and its path)
    key: str | None = None  # the request's Idempotency-Key

    @property
    def digest(self) -> str:
        return idem.request_hash(self.visit.model_dump(mode="json"))


@dataclass(frozen=True)
class SingleVisits:
    """The group-commit ``run`` for single visits (built once at start-up, before the runtime
    has started: ``runtime`` gives the running one)."""

    runtime: Callable[[], ServiceRuntime]
    book: PolicyBook
    skew: timedelta
    render: Render

    @property
    def rt(self) -> ServiceRuntime:
        return self.runtime()

    async def __call__(self, items: list[SingleVisit]) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(items)
        if len(items) > 1:
            try:
                await self._together(items, outcomes)
            except Exception:  # nothing of the group was committed: each runs on its own
                log.warning(
                    "a group of %d visits failed; each runs alone", len(items), exc_info=True
                )
                outcomes = [None] * len(items)
        return [o if o is not None else await self._alone(items[i]) for i, o in enumerate(outcomes)]

    async def _alone(self, item: SingleVisit, *, retry: bool = True) -> Outcome:
        """The request in a transaction of its own (a failure is its answer). A unique key
        taken by a concurrent transaction (the same visit id in another group) is tried once
        more: that transaction has committed, so the retry answers a duplicate."""
        try:
            return await idem.run_idempotent(
                self.rt.uow,
                self.rt.idempotency,
                scope=item.scope,
                key=item.key,
                body=item.visit.model_dump(mode="json") if item.key is not None else {},
                use_case=lambda uow: self._log_one(uow, item),
            )
        except IntegrityError as exc:
            return await self._alone(item, retry=False) if retry else exc
        except Exception as exc:  # raised in this request's caller
            return exc

    async def _log_one(self, uow: UnitOfWork, item: SingleVisit) -> tuple[int, Any]:
        [result] = await self._ingest(uow, item.provider_id, [item.visit])
        return self.render(result)

    async def _ingest(
        self, uow: UnitOfWork, provider_id: str, visits: Sequence[LogVisit], *, held: bool = False
    ) -> list[ingest.ItemResult]:
        now = datetime.now(UTC)
        items = list(enumerate(visits))
        return await ingest.ingest(
            uow, provider_id, items, self.book, now=now, clock_skew=self.skew, held=held
        )

    async def _together(self, items: list[SingleVisit], outcomes: list[Outcome | None]) -> None:
        """One transaction for the group; an item left None (its Idempotency-Key repeated
        within the group) runs on its own afterwards and replays the first one's answer."""
        async with self.rt.uow() as uow:
            run = await self._claim(uow, items, outcomes)
            # the whole group's caregivers and persons at once, in one sorted statement (per
            # provider, two groups could take them in crossing orders)
            await hold(uow, [items[i].visit for i in run])
            answered: list[tuple[str, str, int, Any]] = []
            failed: list[tuple[str, str]] = []
            for provider_id, indexes in _by_provider(items, run).items():
                results: Sequence[ingest.ItemResult | DomainError]
                try:
                    results = await self._ingest(
                        uow, provider_id, [items[i].visit for i in indexes], held=True
                    )
                except e.ProviderNotFound as exc:
                    results = [exc] * len(indexes)  # nothing of this provider was written
                for i, result in zip(indexes, results, strict=True):
                    outcome = self._outcome(result)
                    outcomes[i] = outcome
                    if (key := items[i].key) is not None:
                        if isinstance(outcome, BaseException):
                            failed.append((items[i].scope, key))
                        else:
                            answered.append(
                                (items[i].scope, key, outcome.status_code, outcome.body)
                            )
            await idem.answer(uow, self.rt.idempotency, answered)
            await idem.release(uow, self.rt.idempotency, failed)
            await uow.commit()
        crash_point("http_after_commit")

    async def _claim(
        self, uow: UnitOfWork, items: list[SingleVisit], outcomes: list[Outcome | None]
    ) -> list[int]:
        """Claim the Idempotency-Keys; answers replays and refusals; the items to run now."""
        first: dict[tuple[str, str], int] = {}
        for i, item in enumerate(items):
            if item.key is not None:
                first.setdefault((item.scope, item.key), i)
        claims = [(s, k, items[i].digest) for (s, k), i in first.items()]
        claimed = await idem.claim_many(uow, self.rt.idempotency, claims)
        run = []
        for i, item in enumerate(items):
            if item.key is None:
                run.append(i)
            elif first[(item.scope, item.key)] != i:
                continue  # a repeat within the group: after it, on its own
            elif (item.scope, item.key) in claimed:
                run.append(i)
            else:
                outcomes[i] = await _replay(uow, self.rt, item)
        return run

    def _outcome(self, result: ingest.ItemResult | DomainError) -> Outcome:
        if isinstance(result, DomainError):
            return result
        try:
            status, body = self.render(result)
        except DomainError as exc:
            return exc
        return StoredResponse(status, body, replayed=False)


async def _replay(uow: UnitOfWork, rt: ServiceRuntime, item: SingleVisit) -> Outcome:
    assert item.key is not None
    try:
        stored = await idem.claim(uow, rt.idempotency, item.scope, item.key, item.digest)
    except DomainError as exc:
        return exc
    if stored is None:  # the key was freed in between: it is now ours (never seen in tests)
        raise RuntimeError("an idempotency key changed hands during a group commit")
    return stored


def _by_provider(items: list[SingleVisit], run: list[int]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for i in run:
        groups.setdefault(items[i].provider_id, []).append(i)
    return groups
