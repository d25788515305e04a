"""SQL of the append-only audit trail: one insert per request, queries by person or client."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_gateway.adapters.tables import audit_events, audit_persons
from ltci_shared.pagination import Rows, fetch_page

Row = dict[str, Any]
_ADD_EVENT, _ADD_PERSON = insert(audit_events), insert(audit_persons)  # built once


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, event: Row, person_ids: list[str]) -> None:
        values = {**event, "person_ids": orjson.dumps(person_ids).decode()}
        await self._session.execute(_ADD_EVENT, values)
        if person_ids:
            await self._session.execute(
                _ADD_PERSON, [{"person_id": p, "audit_id": event["audit_id"]} for p in person_ids]
            )

    async def page(
        self,
        *,
        person_id: str | None,
        client_id: str | None,
        since: datetime | None,
        until: datetime | None,
        cursor: str | None,
        limit: int,
    ) -> Rows:
        """Newest first (audit ids are time-ordered), after the previous page's cursor."""
        e = audit_events
        query = select(e)
        if person_id is not None:
            query = query.join(audit_persons, audit_persons.c.audit_id == e.c.audit_id).where(
                audit_persons.c.person_id == person_id
            )
        if client_id is not None:
            query = query.where(e.c.client_id == client_id)
        if since is not None:
            query = query.where(e.c.occurred_at >= since)
        if until is not None:
            query = query.where(e.c.occurred_at < until)
        page = await fetch_page(
            self._session, query, e.c.audit_id, limit=limit, cursor=cursor, descending=True
        )
        for row in page.items:
            row["person_ids"] = orjson.loads(row["person_ids"])
        return page
