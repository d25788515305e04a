"""The unit of work: one visible transaction per use case, events written to the outbox in it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ltci_shared.events.base import IntegrationEvent
from ltci_shared.events.envelope import Envelope
from ltci_shared.messaging.tables import MessagingTables


class UnitOfWork:
    """``async with uow: ...; await uow.commit()`` — rolls back unless committed.

    ``record(event)`` queues an integration event; ``commit()`` inserts the outbox rows in the
    same transaction as the business changes, then commits, then wakes the relay.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        tables: MessagingTables,
        *,
        topic_for: Callable[[str], str],
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._tables = tables
        self._topic_for = topic_for
        self._on_commit = on_commit
        self._pending: list[Envelope] = []
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._sessionmaker()
        self._pending = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.rollback()
            await session.close()
        self._pending = []

    def record(self, event: IntegrationEvent, *, event_id: str | None = None) -> Envelope:
        envelope = Envelope.wrap(event, event_id=event_id)
        self._pending.append(envelope)
        return envelope

    async def flush_events(self) -> None:
        """Write queued events to the outbox (without committing)."""
        if not self._pending:
            return
        now = datetime.now(UTC)
        rows: list[dict[str, Any]] = [
            {
                "event_id": env.id,
                "aggregatetype": env.type,
                "aggregateid": env.subject,
                "type": env.type,
                "topic": self._topic_for(env.source.rsplit("/", 1)[-1]),
                "payload": env.to_bytes().decode(),
                "created_at": now,
            }
            for env in self._pending
        ]
        await self.session.execute(self._tables.outbox.insert(), rows)
        self._pending = []

    async def commit(self) -> None:
        await self.flush_events()
        await self.session.commit()
        if self._on_commit is not None:
            self._on_commit()

    async def rollback(self) -> None:
        self._pending = []
        await self.session.rollback()
