"""The unit of work: one visible transaction per use case, events written to the outbox in it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ltci_shared.events.base import IntegrationEvent
from ltci_shared.events.envelope import encode
from ltci_shared.messaging.tables import MessagingTables

OUTBOX_COPY_COLUMNS = (
    "event_id",
    "aggregatetype",
    "aggregateid",
    "type",
    "topic",
    "payload",
    "created_at",
)


def is_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def copy_connection(session: AsyncSession) -> Any:
    """The asyncpg connection under a PostgreSQL session, its transaction begun, for COPY
    (``copy_records_to_table``) inside the session's transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if driver is None:
        raise RuntimeError("the session's connection is closed")
    if not driver.is_in_transaction():
        await session.execute(text("SELECT 1"))  # the driver begins its transaction lazily
    return driver


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
        self._pending: list[tuple[str, ...]] = []  # outbox rows but their created_at
        self._topics: dict[str, str] = {}  # event source → topic
        self._wrote_events = False
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._sessionmaker()
        self._pending = []
        self._wrote_events = False
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

    def record(self, event: IntegrationEvent, *, event_id: str | None = None) -> str:
        """Queue the event's outbox row, encoded now and once (only strings are kept until
        the flush); returns the event's id."""
        producer = type(event).producer
        topic = self._topics.get(producer)
        if topic is None:
            topic = self._topics[producer] = self._topic_for(producer)
        identifier, name, subject, payload = encode(event, event_id=event_id)
        self._pending.append((identifier, name, subject, name, topic, payload.decode()))
        return identifier

    def _outbox_records(self) -> list[tuple[Any, ...]]:
        """The outbox rows of the queued events (one per event, same transaction), as tuples
        in ``OUTBOX_COPY_COLUMNS`` order."""
        now = datetime.now(UTC)
        return [(*queued, now) for queued in self._pending]

    def _outbox_rows(self) -> list[dict[str, Any]]:
        return [dict(zip(OUTBOX_COPY_COLUMNS, r, strict=True)) for r in self._outbox_records()]

    async def flush_events(self) -> None:
        """Write queued events to the outbox (without committing)."""
        if not self._pending:
            return
        rows = self._outbox_rows()
        await self.session.execute(self._tables.outbox.insert(), rows)
        self._pending = []
        self._wrote_events = True

    async def flush_events_bulk(self, *, min_rows: int = 50) -> None:
        """Like ``flush_events``, but on PostgreSQL with at least ``min_rows`` queued events the
        rows go in by COPY on the session's own connection, inside its transaction (the same
        rows, ids from the same sequence). Elsewhere, or for fewer rows, ``flush_events``."""
        if len(self._pending) < min_rows or not is_postgresql(self.session):
            await self.flush_events()
            return
        driver = await copy_connection(self.session)
        await driver.copy_records_to_table(
            self._tables.outbox.name, records=self._outbox_records(), columns=OUTBOX_COPY_COLUMNS
        )
        self._pending = []
        self._wrote_events = True

    async def commit(self) -> None:
        await self.flush_events()
        await self.session.commit()
        if self._on_commit is not None and self._wrote_events:
            self._on_commit()  # wake the relay only when there is something to publish
        self._wrote_events = False

    async def rollback(self) -> None:
        self._pending = []
        await self.session.rollback()
