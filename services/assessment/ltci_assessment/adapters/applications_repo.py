"""Queries on applications and what hangs off them: transitions, assignments, assessments,
evidence, objections."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_assessment.adapters.tables import (
    applications,
    assessments,
    assignments,
    evidence,
    objections,
    transitions,
)
from ltci_assessment.domain.lifecycle import OPEN
from ltci_shared.pagination import Rows, fetch_page


class ApplicationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(applications.insert().values(**values))

    async def get(self, application_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
        query = select(applications).where(applications.c.application_id == application_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def update(self, application_id: str, values: dict[str, Any]) -> None:
        await self._session.execute(
            update(applications)
            .where(applications.c.application_id == application_id)
            .values(**values)
        )

    async def open_for_person(self, person_id: str) -> list[dict[str, Any]]:
        query = select(applications).where(
            applications.c.person_id == person_id, applications.c.status.in_(OPEN)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def open_review_for(self, eligibility_id: str) -> dict[str, Any] | None:
        query = select(applications).where(
            applications.c.eligibility_id == eligibility_id, applications.c.status.in_(OPEN)
        )
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def last_final_on(self, person_id: str) -> date | None:
        query = select(func.max(applications.c.final_on)).where(
            applications.c.person_id == person_id, applications.c.status == "final"
        )
        return (await self._session.execute(query)).scalar_one_or_none()

    async def due_for_final(self, as_of: date, limit: int) -> list[dict[str, Any]]:
        query = (
            select(applications)
            .where(applications.c.status == "on_notice", applications.c.final_due_on <= as_of)
            .order_by(applications.c.application_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def search(self, *, filters: dict[str, Any], limit: int, cursor: str | None) -> Rows:
        query = select(applications)
        for name, value in filters.items():
            if value is not None:
                query = query.where(applications.c[name] == value)
        return await fetch_page(
            self._session, query, applications.c.application_id, limit=limit, cursor=cursor
        )

    # --- transitions ---------------------------------------------------------------------

    async def add_transition(self, values: dict[str, Any]) -> None:
        await self._session.execute(transitions.insert().values(**values))

    async def transitions(self, application_id: str, *, limit: int, cursor: str | None) -> Rows:
        query = select(transitions).where(transitions.c.application_id == application_id)
        return await fetch_page(
            self._session, query, transitions.c.transition_id, limit=limit, cursor=cursor
        )

    # --- assignments ---------------------------------------------------------------------

    async def assign(self, application_id: str, round_: str, ids: list[str], on: date) -> None:
        await self._session.execute(
            assignments.insert(),
            [
                {
                    "application_id": application_id,
                    "round": round_,
                    "assessor_id": a,
                    "assigned_on": on,
                }
                for a in ids
            ],
        )

    async def assigned(self, application_id: str) -> dict[str, list[str]]:
        query = (
            select(assignments)
            .where(assignments.c.application_id == application_id)
            .order_by(assignments.c.assessor_id)
        )
        out: dict[str, list[str]] = {}
        for row in await self._session.execute(query):
            out.setdefault(row.round, []).append(row.assessor_id)
        return out

    # --- assessments, evidence, objections -----------------------------------------------

    async def add_assessment(self, values: dict[str, Any]) -> None:
        await self._session.execute(assessments.insert().values(**values))

    async def assessment(self, assessment_id: str) -> dict[str, Any] | None:
        query = select(assessments).where(assessments.c.assessment_id == assessment_id)
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def assessments(self, application_id: str) -> list[dict[str, Any]]:
        query = (
            select(assessments)
            .where(assessments.c.application_id == application_id)
            .order_by(assessments.c.assessment_id)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def add_evidence(self, values: dict[str, Any]) -> None:
        await self._session.execute(evidence.insert().values(**values))

    async def evidence(self, application_id: str, *, limit: int, cursor: str | None) -> Rows:
        query = select(evidence).where(evidence.c.application_id == application_id)
        return await fetch_page(
            self._session, query, evidence.c.evidence_id, limit=limit, cursor=cursor
        )

    async def add_objection(self, values: dict[str, Any]) -> None:
        await self._session.execute(objections.insert().values(**values))

    async def objections(self, application_id: str) -> list[dict[str, Any]]:
        query = (
            select(objections)
            .where(objections.c.application_id == application_id)
            .order_by(objections.c.objection_id)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]
