"""JSON Schemas of the event contracts, and the backward-compatibility check between versions.

``python -m ltci_shared.events.schemas --write`` regenerates the committed files in
``events/schemas/``; ``--check`` lists breaking changes against them (exit 1 if any).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ltci_shared.events.base import EVENT_TYPES, _load_contracts

SCHEMA_DIR = Path(__file__).with_name("schemas")


def current_schemas() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema, for every registered contract."""
    _load_contracts()
    return {
        f"{name}.v{cls.schema_version}.json": cls.model_json_schema(mode="serialization")
        for name, cls in sorted(EVENT_TYPES.items())
        if not name.startswith("_")
    }


def committed_schemas() -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text()) for p in sorted(SCHEMA_DIR.glob("*.json"))}


def breaking_changes(old: dict[str, Any], new: dict[str, Any], where: str = "") -> list[str]:
    """What in ``new`` would break a reader or writer of ``old`` (both JSON Schemas)."""
    problems: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name in old_props:
        if name not in new_props:
            problems.append(f"{where}{name}: removed")
    for name in set(new.get("required", [])) - set(old.get("required", [])):
        problems.append(f"{where}{name}: newly required")
    for name, old_prop in old_props.items():
        if name in new_props:
            problems += _compare_property(old_prop, new_props[name], f"{where}{name}")
    return problems


def _compare_property(old: dict[str, Any], new: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    if _types(old) - _types(new):
        problems.append(
            f"{where}: type changed from {sorted(_types(old))} to {sorted(_types(new))}"
        )
    if "enum" in old or "const" in old:
        old_values = set(old.get("enum", [old.get("const")]))
        new_values = (
            set(new.get("enum", [new.get("const")]))
            if ("enum" in new or "const" in new)
            else old_values
        )
        if dropped := old_values - new_values:
            problems.append(f"{where}: enum values removed {sorted(map(str, dropped))}")
    if old.get("format") != new.get("format"):
        problems.append(f"{where}: format changed from {old.get('format')} to {new.get('format')}")
    if old.get("pattern") is not None and old.get("pattern") != new.get("pattern"):
        problems.append(f"{where}: pattern changed")
    return problems


def _types(prop: dict[str, Any]) -> set[str]:
    if "anyOf" in prop:
        return set().union(*(_types(p) for p in prop["anyOf"]))
    if "type" in prop:
        return {prop["type"]} if isinstance(prop["type"], str) else set(prop["type"])
    if "enum" in prop or "const" in prop:
        return {"string"}
    return {"any"}


def check() -> list[str]:
    """Breaking changes of the current contracts against the committed schemas."""
    current, committed = current_schemas(), committed_schemas()
    problems = [f"{name}: contract removed" for name in committed if name not in current]
    for name, schema in committed.items():
        if name in current:
            problems += breaking_changes(schema, current[name], f"{name}: ")
    return problems


def write() -> None:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, schema in current_schemas().items():
        (SCHEMA_DIR / name).write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m ltci_shared.events.schemas")
    parser.add_argument("--write", action="store_true", help="regenerate the committed schemas")
    parser.add_argument("--check", action="store_true", help="list breaking changes")
    args = parser.parse_args()
    if args.write:
        if problems := check():
            print("refusing to overwrite: breaking changes\n  " + "\n  ".join(problems))
            sys.exit(1)
        write()
    else:
        problems = check()
        print("\n".join(problems) or "no breaking changes")
        sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
