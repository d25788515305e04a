"""The idempotent consumer: an inbox row per event in the same transaction as the handler's effects.

Transport adapters (Kafka, in-process) hand each message to ``EventConsumer.handle`` and commit
their position only after it returns. Outcomes:

- applied: the inbox row and the handler's effects committed together;
- duplicate: the event id was already in the inbox, nothing done;
- ignored: no handler for this type (a topic carries types a consumer does not need);
- dead-lettered: undecodable, invalid payload, or the handler failed ``max_attempts`` times;
  the message and the reason went to the dead-letter sink, so the partition keeps moving.

A handler may be a ``BatchHandler``: besides one event at a time it applies a run of
consecutive events it handles in one call (``many``), which ``handle_batch`` uses.

Transient failures (the database unreachable, a dropped connection) are retried without limit
and never dead-lettered: the position is not advanced until the event is applied.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from ltci_shared.events.envelope import Envelope
from ltci_shared.messaging.message import Message
from ltci_shared.messaging.tables import MessagingTables
from ltci_shared.uow import UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Any, Envelope], Awaitable[None]]
ManyHandler = Callable[[UnitOfWork, Sequence[tuple[Any, Envelope]]], Awaitable[None]]
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
    OSError,
)


class Outcome(enum.Enum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    DEAD_LETTERED = "dead_lettered"


class DeadLetterSink(Protocol):
    async def send(
        self, consumer: str, message: Message, reason: str, event_id: str | None
    ) -> None: ...


class BatchHandler:
    """A handler that can also apply a run of events in one call (set-based SQL).

    ``handle_batch`` hands ``many`` each run of consecutive applied events of a partition
    batch whose handler is this same object (register one instance for every type it takes),
    as (payload, envelope) pairs in delivery order; ``many`` must leave the same state as
    calling ``one`` on each in turn. A single event, and the careful path after a batch
    falls back, use ``one``.
    """

    def __init__(self, one: Handler, many: ManyHandler) -> None:
        self.one = one
        self.many = many

    async def __call__(self, uow: UnitOfWork, payload: Any, envelope: Envelope) -> None:
        await self.one(uow, payload, envelope)


class EventConsumer:
    """One named consumer (its own inbox position) with a handler per event type."""

    def __init__(
        self,
        name: str,
        uow_factory: Callable[[], UnitOfWork],
        tables: MessagingTables,
        handlers: Mapping[str, Handler],
        dead_letters: DeadLetterSink,
        *,
        max_attempts: int = 3,
        retry_delay: float = 0.05,
    ) -> None:
        self.name = name
        self._uow_factory = uow_factory
        self._inbox = tables.inbox
        self.handlers = dict(handlers)
        self.dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay
        self.after_commit: Callable[[Message, Outcome], Awaitable[None]] | None = None

    async def handle(self, message: Message) -> Outcome:
        try:
            envelope = Envelope.from_bytes(message.value)
        except (ValidationError, ValueError) as exc:
            return await self._dead_letter(message, f"undecodable envelope: {_short(exc)}", None)
        handler = self.handlers.get(envelope.type)
        if handler is None:
            return Outcome.IGNORED
        try:
            payload = envelope.payload()
        except (ValidationError, ValueError) as exc:
            reason = f"invalid {envelope.type} payload: {_short(exc)}"
            return await self._dead_letter(message, reason, envelope.id)
        return await self._apply_with_retries(message, envelope, payload, handler)

    async def handle_batch(self, messages: list[Message]) -> list[Outcome]:
        """Apply a partition's batch in one transaction (one inbox row per event, one commit).

        Same outcomes as ``handle`` one by one: if anything in the batch is not a plain
        apply (an undecodable or invalid message, a handler error, a concurrent duplicate),
        the batch is rolled back and every message goes through ``handle`` in order.
        """
        prepared: list[tuple[Message, Envelope, Any, Handler]] = []
        outcomes: list[Outcome | None] = []
        for message in messages:
            try:
                envelope = Envelope.from_bytes(message.value)
                handler = self.handlers.get(envelope.type)
                if handler is None:
                    outcomes.append(Outcome.IGNORED)
                    continue
                prepared.append((message, envelope, envelope.payload(), handler))
                outcomes.append(None)
            except (ValidationError, ValueError):
                return [await self.handle(m) for m in messages]
        try:
            applied = await self._apply_batch(prepared)
        except Exception as exc:  # fall back to the careful path, message by message
            log.info(
                "consumer %s: batch of %d falls back: %s", self.name, len(prepared), _short(exc)
            )
            return [await self.handle(m) for m in messages]
        results = iter(applied)
        final = [o if o is not None else next(results) for o in outcomes]
        if self.after_commit is not None:
            for message, outcome in zip(messages, final, strict=True):
                await self.after_commit(message, outcome)
        return final

    async def _apply_batch(
        self, prepared: list[tuple[Message, Envelope, Any, Handler]]
    ) -> list[Outcome]:
        if not prepared:
            return []
        ids = [envelope.id for _, envelope, _, _ in prepared]
        async with self._uow_factory() as uow:
            seen = set(
                (
                    await uow.session.execute(
                        self._inbox.select()
                        .with_only_columns(self._inbox.c.event_id)
                        .where(self._inbox.c.consumer == self.name, self._inbox.c.event_id.in_(ids))
                    )
                ).scalars()
            )
            now, rows, outcomes = datetime.now(UTC), [], []
            for message, envelope, _, _ in prepared:
                if envelope.id in seen:
                    outcomes.append(Outcome.DUPLICATE)
                    continue
                seen.add(envelope.id)
                outcomes.append(Outcome.APPLIED)
                rows.append(
                    {
                        "consumer": self.name,
                        "event_id": envelope.id,
                        "event_type": envelope.type,
                        "topic": message.topic,
                        "partition": message.partition,
                        "offset": message.offset,
                        "processed_at": now,
                    }
                )
            if rows:
                await uow.session.execute(self._inbox.insert(), rows)
            fresh = [
                (handler, payload, envelope)
                for (_, envelope, payload, handler), outcome in zip(prepared, outcomes, strict=True)
                if outcome is Outcome.APPLIED
            ]
            await _run_handlers(uow, fresh)
            await uow.commit()
        return outcomes

    async def _apply_with_retries(
        self, message: Message, envelope: Envelope, payload: Any, handler: Handler
    ) -> Outcome:
        failures, delay = 0, self._retry_delay
        while True:
            try:
                outcome = await self._apply(message, envelope, payload, handler)
            except TRANSIENT_ERRORS as exc:
                log.warning(
                    "consumer %s: transient failure on %s, retrying: %s",
                    self.name,
                    envelope.id,
                    _short(exc),
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            except Exception as exc:
                failures += 1
                if failures >= self._max_attempts:
                    reason = f"handler failed {failures} times: {type(exc).__name__}: {_short(exc)}"
                    return await self._dead_letter(message, reason, envelope.id)
                await asyncio.sleep(self._retry_delay)
                continue
            if self.after_commit is not None:
                await self.after_commit(message, outcome)
            return outcome

    async def _apply(
        self, message: Message, envelope: Envelope, payload: Any, handler: Handler
    ) -> Outcome:
        async with self._uow_factory() as uow:
            try:
                await uow.session.execute(
                    self._inbox.insert().values(
                        consumer=self.name,
                        event_id=envelope.id,
                        event_type=envelope.type,
                        topic=message.topic,
                        partition=message.partition,
                        offset=message.offset,
                        processed_at=datetime.now(UTC),
                    )
                )
            except IntegrityError:
                return Outcome.DUPLICATE
            await handler(uow, payload, envelope)
            try:
                await uow.commit()
            except IntegrityError:
                # A concurrent delivery of the same event committed first.
                if await self._seen(envelope.id):
                    return Outcome.DUPLICATE
                raise
        return Outcome.APPLIED

    async def _seen(self, event_id: str) -> bool:
        async with self._uow_factory() as uow:
            row = await uow.session.execute(
                self._inbox.select().where(
                    self._inbox.c.consumer == self.name, self._inbox.c.event_id == event_id
                )
            )
            return row.first() is not None

    async def _dead_letter(self, message: Message, reason: str, event_id: str | None) -> Outcome:
        log.error(
            "consumer %s: dead-lettering %s from %s: %s",
            self.name,
            event_id or "<undecodable>",
            message.topic,
            reason,
        )
        delay = self._retry_delay
        while True:  # the position must not move past a message until its dead letter is stored
            try:
                await self.dead_letters.send(self.name, message, reason, event_id)
                return Outcome.DEAD_LETTERED
            except Exception as exc:
                log.warning(
                    "consumer %s: storing a dead letter failed, retrying: %s",
                    self.name,
                    _short(exc),
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)


async def _run_handlers(uow: UnitOfWork, applied: list[tuple[Handler, Any, Envelope]]) -> None:
    """Each event in order; a run of consecutive events of one ``BatchHandler`` in one call."""
    for _, group in itertools.groupby(applied, key=lambda item: id(item[0])):
        run = list(group)
        handler = run[0][0]
        if isinstance(handler, BatchHandler) and len(run) > 1:
            await handler.many(uow, [(payload, envelope) for _, payload, envelope in run])
            continue
        for _, payload, envelope in run:
            await handler(uow, payload, envelope)


def _short(exc: BaseException, limit: int = 500) -> str:
    """The error as one line, without the input values (they may hold personal data)."""
    if isinstance(exc, ValidationError):
        text = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}"
            for e in exc.errors(include_input=False, include_url=False)
        )
    else:
        text = str(exc).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
