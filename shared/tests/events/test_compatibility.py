"""Event contracts stay backward compatible with their committed JSON Schemas."""

from __future__ import annotations

import copy
from typing import Any

from ltci_shared.events.schemas import breaking_changes, check, committed_schemas, current_schemas


def test_every_contract_has_a_committed_schema() -> None:
    assert set(current_schemas()) == set(committed_schemas()), (
        "run: uv run python -m ltci_shared.events.schemas --write"
    )


def test_current_contracts_are_compatible_with_the_committed_schemas() -> None:
    assert check() == []


def _schema() -> dict[str, Any]:
    return copy.deepcopy(committed_schemas()["PersonEnrolled.v1.json"])


def test_removing_a_field_is_breaking() -> None:
    new = _schema()
    del new["properties"]["scheme"]
    assert "scheme: removed" in breaking_changes(_schema(), new)


def test_a_new_required_field_is_breaking_but_a_new_optional_one_is_not() -> None:
    optional = _schema()
    optional["properties"]["note"] = {"type": "string"}
    assert breaking_changes(_schema(), optional) == []
    required = copy.deepcopy(optional)
    required["required"].append("note")
    assert breaking_changes(_schema(), required) == ["note: newly required"]


def test_retyping_a_field_or_dropping_an_enum_value_is_breaking() -> None:
    retyped = _schema()
    retyped["properties"]["valid_from"] = {"type": "integer"}
    assert any(
        p.startswith("valid_from: type changed") for p in breaking_changes(_schema(), retyped)
    )
    narrowed = _schema()
    narrowed["properties"]["scheme"]["enum"] = ["employee"]
    assert any(
        "enum values removed ['resident']" in p for p in breaking_changes(_schema(), narrowed)
    )
