"""Everything verifying a batch of visits reads, in one statement (a UNION ALL of typed rows).

Ten lookups (provider, agreements, plans, plan usage, persons, stays, caregivers, employment,
the caregivers' other visits, provider visit ids already used) in one round trip. The text is
fixed per dialect (ids go in as one array parameter: ``= ANY(...)`` on PostgreSQL, ``json_each``
on SQLite), so the compiled statement and the server's prepared statement are reused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, Integer, String, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import TextualSelect

from ltci_care_delivery.adapters.visits import COUNTED, PRESENT, as_utc

Busy = tuple[str, date, datetime, datetime | None, int]

# The generic columns of the union, with their types (SQLAlchemy and PostgreSQL).
COLUMNS: dict[str, tuple[Any, str]] = {
    "kind": (String(), "VARCHAR"),
    "k1": (String(), "VARCHAR"),
    "k2": (String(), "VARCHAR"),
    "s1": (String(), "VARCHAR"),
    "s2": (String(), "VARCHAR"),
    "d1": (Date(), "DATE"),
    "d2": (Date(), "DATE"),
    "t1": (DateTime(timezone=True), "TIMESTAMP WITH TIME ZONE"),
    "t2": (DateTime(timezone=True), "TIMESTAMP WITH TIME ZONE"),
    "n1": (Integer(), "BIGINT"),
    "n2": (Integer(), "BIGINT"),
    "n3": (Integer(), "BIGINT"),
    "f1": (Float(), "DOUBLE PRECISION"),
    "f2": (Float(), "DOUBLE PRECISION"),
    "j": (JSON(), "JSON"),
}
_PRESENT = ", ".join(f"'{s}'" for s in PRESENT)
_COUNTED = ", ".join(f"'{s}'" for s in COUNTED)
# kind: (FROM ... WHERE ..., {generic column: expression}); {persons} etc. are id sets.
BRANCHES: dict[str, tuple[str, dict[str, str]]] = {
    "provider": (
        "providers WHERE provider_id = :provider_id",
        {"k1": "provider_id", "s1": "status", "d1": "suspended_since", "d2": "terminated_on"},
    ),
    "agreement": (
        "agreements WHERE provider_id = :provider_id",
        {"d1": "valid_from", "d2": "valid_until", "j": "forms"},
    ),
    "plan": (
        "care_plans WHERE person_id {persons}",
        {
            "k1": "plan_id",
            "k2": "person_id",
            "s1": "provider_id",
            "s2": "service_form",
            "d1": "starts_on",
            "d2": "ends_on",
            "n1": "visits_per_month",
            "n2": "hours_per_month",
            "n3": "min_minutes_per_visit",
            "j": "items",
        },
    ),
    "usage": (
        "visits WHERE plan_id IN (SELECT plan_id FROM care_plans WHERE person_id {persons})"
        f" AND service_month {{months}} AND status IN ({_COUNTED}) AND visit_id <> :besides"
        " GROUP BY plan_id, service_month",
        {"k1": "plan_id", "s1": "service_month", "n1": "count(*)", "n2": "sum(duration_minutes)"},
    ),
    "person": (
        "persons WHERE person_id {persons}",
        {"k1": "person_id", "s1": "region_code", "f1": "home_latitude", "f2": "home_longitude"},
    ),
    "stay": (
        "stays WHERE person_id {persons}",
        {"k1": "person_id", "d1": "admitted_on", "d2": "discharged_on"},
    ),
    "caregiver": (
        "caregivers WHERE caregiver_id {caregivers}",
        {"k1": "caregiver_id", "d1": "certificate_valid_from", "d2": "certificate_valid_until"},
    ),
    "employed": (
        "caregiver_providers WHERE provider_id = :provider_id AND caregiver_id {caregivers}",
        {"k1": "caregiver_id", "d1": "until"},
    ),
    "busy": (
        "visits WHERE caregiver_id {caregivers} AND service_date >= :first"
        f" AND service_date <= :last AND status IN ({_PRESENT}) AND visit_id <> :besides",
        {
            "k1": "caregiver_id",
            "d1": "service_date",
            "t1": "begin_at",
            "t2": "end_at",
            "n1": "duration_minutes",
        },
    ),
    "existing": (
        "{existing}",
        {"k1": "external_id", "k2": "visit_id", "s1": "content_hash"},
    ),
}
SETS = ("persons", "caregivers", "months", "external_ids")


def _sql(dialect: str) -> str:
    postgres = dialect == "postgresql"
    sets = {name: f"IN (SELECT value FROM json_each(:{name}))" for name in SETS}
    sets["existing"] = (
        f"visits WHERE provider_id = :provider_id AND external_id {sets['external_ids']}"
    )
    if postgres:
        sets = {name: f"= ANY(CAST(:{name} AS VARCHAR[]))" for name in SETS}
        # Driven by the ids: one probe of the unique (provider, visit id) index each, whatever
        # the statistics say (with statistics older than a fast-growing table, a join here was
        # planned as a scan of every visit the provider ever logged, at every request).
        # LIMIT 1 (the key is unique) keeps the subquery from being flattened into a join.
        sets["existing"] = (
            "unnest(CAST(:external_ids AS VARCHAR[])) AS wanted(id) CROSS JOIN LATERAL "
            "(SELECT external_id, visit_id, content_hash FROM visits"
            " WHERE provider_id = :provider_id AND external_id = wanted.id LIMIT 1) AS visits"
        )
    branches = []
    for kind, (source, exprs) in BRANCHES.items():
        values = [f"'{kind}' AS kind"]
        for name, (_, pg_type) in list(COLUMNS.items())[1:]:
            expr = exprs.get(name) or (f"CAST(NULL AS {pg_type})" if postgres else "NULL")
            values.append(f"{expr} AS {name}")
        branches.append(f"SELECT {', '.join(values)} FROM {source.format(**sets)}")
    return "\nUNION ALL ".join(branches)


def _statement(dialect: str) -> TextualSelect:
    set_type: Any = ARRAY(String()) if dialect == "postgresql" else JSON()
    clause = text(_sql(dialect)).bindparams(
        *(bindparam(name, type_=set_type) for name in SETS),
        bindparam("provider_id", type_=String()),
        bindparam("besides", type_=String()),
        bindparam("first", type_=Date()),
        bindparam("last", type_=Date()),
    )
    return clause.columns(**{name: t for name, (t, _) in COLUMNS.items()})


_STATEMENTS: dict[str, TextualSelect] = {}

# Verifying a visit reads its caregiver's other visits (overlap, daily hours) and its person's
# plan usage (quotas). Two transactions verifying visits of one caregiver or one person at the
# same time would not see each other's uncommitted rows, so each first takes transaction-scoped
# advisory locks (PostgreSQL; SQLite has one writer at a time) on those subjects, in one sorted
# statement (two writers never wait on each other in a cycle). Two-key form, in its own
# namespace: the relay's single-key lock is in another key space.
SUBJECT_LOCK_SPACE = 0x56495354  # "VIST"
_LOCK = text("SELECT pg_advisory_xact_lock(:space, k) FROM unnest(:keys) AS k").bindparams(
    bindparam("space", type_=Integer()), bindparam("keys", type_=ARRAY(Integer()))
)


def subject_keys(caregiver_ids: Collection[str], person_ids: Collection[str]) -> list[int]:
    """The sorted 32-bit lock keys of these caregivers and persons (a collision only makes two
    unrelated writers wait for each other)."""

    def key(kind: str, value: str) -> int:
        digest = hashlib.blake2b(f"{kind}:{value}".encode(), digest_size=4).digest()
        return int.from_bytes(digest, "big", signed=True)

    keys = {key("caregiver", c) for c in caregiver_ids} | {key("person", p) for p in person_ids}
    return sorted(keys)


@dataclass
class ContextRows:
    """The rows, by kind, in the shapes the service layer builds its context from."""

    provider: dict[str, Any] | None = None
    agreements: list[tuple[date, date, list[str]]] = field(default_factory=list)
    plans: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    persons: dict[str, dict[str, Any]] = field(default_factory=dict)
    stays: dict[str, list[tuple[date, date | None]]] = field(default_factory=dict)
    caregivers: dict[str, tuple[date, date]] = field(default_factory=dict)
    employed: dict[str, date | None] = field(default_factory=dict)
    busy: list[Busy] = field(default_factory=list)
    existing: dict[str, tuple[str, str]] = field(default_factory=dict)  # → (visit id, hash)


class VisitContextRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_subjects(
        self, caregiver_ids: Collection[str], person_ids: Collection[str]
    ) -> None:
        """Wait for, then hold until the transaction ends, the locks of these caregivers and
        persons (see ``SUBJECT_LOCK_SPACE``); the next statement sees what the previous
        holders committed."""
        if self._session.get_bind().dialect.name != "postgresql":
            return
        keys = subject_keys(caregiver_ids, person_ids)
        await self._session.execute(_LOCK, {"space": SUBJECT_LOCK_SPACE, "keys": keys})

    async def load(
        self,
        provider_id: str,
        person_ids: Collection[str],
        caregiver_ids: Collection[str],
        dates: tuple[date, date],
        months: Collection[str],
        external_ids: Collection[str],
        besides: str | None = None,
    ) -> ContextRows:
        """The rows for visits of these persons and caregivers between two service dates
        (inclusive); ``besides``: a stored visit left out of the busy times and the usage."""
        dialect = self._session.get_bind().dialect.name
        statement = _STATEMENTS.get(dialect)
        if statement is None:
            statement = _STATEMENTS[dialect] = _statement(dialect)
        params = {
            "provider_id": provider_id,
            "persons": list(person_ids),
            "caregivers": list(caregiver_ids),
            "months": list(months),
            "external_ids": list(external_ids),
            "first": dates[0],
            "last": dates[1],
            "besides": besides or "",  # no visit id is empty
        }
        out = ContextRows(stays={pid: [] for pid in person_ids})
        for row in await self._session.execute(statement, params):
            _ADD[row.kind](out, row)
        return out


def _provider(out: ContextRows, r: Any) -> None:
    out.provider = {
        "provider_id": r.k1,
        "status": r.s1,
        "suspended_since": r.d1,
        "terminated_on": r.d2,
    }


def _plan(out: ContextRows, r: Any) -> None:
    out.plans.append(
        {
            "plan_id": r.k1,
            "person_id": r.k2,
            "provider_id": r.s1,
            "service_form": r.s2,
            "starts_on": r.d1,
            "ends_on": r.d2,
            "visits_per_month": r.n1,
            "hours_per_month": r.n2,
            "min_minutes_per_visit": r.n3,
            "items": r.j,
        }
    )


def _person(out: ContextRows, r: Any) -> None:
    out.persons[r.k1] = {"region_code": r.s1, "home_latitude": r.f1, "home_longitude": r.f2}


def _busy(out: ContextRows, r: Any) -> None:
    out.busy.append((r.k1, r.d1, as_utc(r.t1), as_utc(r.t2), r.n1))  # type: ignore[arg-type]


_ADD: dict[str, Any] = {
    "provider": _provider,
    "agreement": lambda out, r: out.agreements.append((r.d1, r.d2, r.j)),
    "plan": _plan,
    "usage": lambda out, r: out.usage.__setitem__((r.k1, r.s1), (int(r.n1), int(r.n2 or 0))),
    "person": _person,
    "stay": lambda out, r: out.stays.setdefault(r.k1, []).append((r.d1, r.d2)),
    "caregiver": lambda out, r: out.caregivers.__setitem__(r.k1, (r.d1, r.d2)),
    "employed": lambda out, r: out.employed.__setitem__(r.k1, r.d1),
    "busy": _busy,
    "existing": lambda out, r: out.existing.__setitem__(r.k1, (r.k2, r.s1)),
}
