"""What an audit record says: the action of a request and the insured persons it touched."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from ltci_shared.logging import mask_pii

PERSON_SEGMENTS = frozenset({"persons", "insured-persons", "beneficiaries"})
PERSON_KEYS = frozenset({"person_id", "insured_person_id", "beneficiary_id"})
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
MAX_IDS = 1000
ACTIONS = {"GET": "read", "HEAD": "read", "POST": "create", "PUT": "update", "PATCH": "update"}


def action_of(method: str) -> str:
    return ACTIONS.get(method.upper(), "delete")


def outcome_of(status: int) -> str:
    if status < 400:
        return "ok"
    return "denied" if status in (401, 403, 404, 429) else "failed"


def _is_person_id(value: object) -> bool:
    """An id's shape, and not a resident ID (a client may send one where a person id goes:
    the audit trail never holds one in full)."""
    return isinstance(value, str) and bool(ID_PATTERN.match(value)) and mask_pii(value) == value


def _ids(values: Iterable[Any]) -> list[str]:
    out: dict[str, None] = {}
    for value in values:
        if _is_person_id(value) and len(out) < MAX_IDS:
            out[value] = None
    return list(out)


def in_path(path: str, query: dict[str, str]) -> list[str]:
    """``/enrollment/persons/{id}/...``, ``/settlement/read-models/insured-persons/{id}``,
    and a ``person_id`` query filter."""
    parts = [p for p in path.split("/") if p]
    found = [parts[i + 1] for i, p in enumerate(parts[:-1]) if p in PERSON_SEGMENTS]
    return _ids([*found, query.get("person_id")])


def in_json(value: Any) -> list[str]:
    """Every ``person_id`` (and alike) anywhere in a JSON document, at most MAX_IDS."""
    found: list[Any] = []
    stack = [value]
    while stack and len(found) < MAX_IDS:
        item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                if key in PERSON_KEYS:
                    found.append(inner)
                elif key == "person_ids" and isinstance(inner, list):
                    found.extend(inner)
                elif isinstance(inner, dict | list):
                    stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)
    return _ids(found)


def in_csv(text: str) -> list[str]:
    rows = csv.reader(io.StringIO(text))
    header = next(rows, [])
    columns = [i for i, name in enumerate(header) if name in PERSON_KEYS]
    return _ids(row[i] for row in rows for i in columns if i < len(row))


def merge(*groups: list[str]) -> list[str]:
    return _ids(pid for group in groups for pid in group)
