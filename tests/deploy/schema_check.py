"""A small JSON Schema checker for the vendored Kubernetes and CRD schemas (tests/deploy/schemas).

It implements exactly the keywords those schemas use (type, properties, additionalProperties,
required, items, enum, oneOf, anyOf, $ref, minimum, maximum, pattern, minLength, maxLength,
minItems, maxItems and the x-kubernetes-* markers) and refuses a schema with any other keyword,
so nothing is skipped silently. An object schema that lists ``properties`` and neither
``additionalProperties`` nor ``x-kubernetes-preserve-unknown-fields`` is closed, as the API
server treats a structural CRD schema (unknown fields are pruned; ``--validate=strict``
refuses them). CEL rules (x-kubernetes-validations) are not evaluated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).with_name("schemas")

_ANNOTATIONS = {
    "description",
    "format",  # int32, int64, date-time, byte ...: annotations for these schemas
    "default",
    "title",
    "nullable",
    "x-kubernetes-group-version-kind",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "x-kubernetes-patch-strategy",
    "x-kubernetes-patch-merge-key",
    "x-kubernetes-unions",
    "x-kubernetes-validations",
    "x-kubernetes-embedded-resource",
}
_CHECKED = {
    "type",
    "properties",
    "additionalProperties",
    "required",
    "items",
    "enum",
    "oneOf",
    "anyOf",
    "$ref",
    "minimum",
    "maximum",
    "pattern",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
}
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


class Checker:
    """Validates instances against one schema document's definitions (``$defs``)."""

    def __init__(self, defs: Mapping[str, Any] | None = None) -> None:
        self.defs = defs or {}

    def errors(self, instance: Any, schema: Mapping[str, Any], path: str = "") -> list[str]:
        unknown = set(schema) - _CHECKED - _ANNOTATIONS
        if unknown:
            raise ValueError(f"{path or '/'}: schema keyword(s) not supported: {sorted(unknown)}")
        if "$ref" in schema:
            return self.errors(instance, self.defs[schema["$ref"].rsplit("/", 1)[-1]], path)
        here = path or "/"
        if schema.get("x-kubernetes-int-or-string"):
            ok = isinstance(instance, str | int) and not isinstance(instance, bool)
            return [] if ok else [f"{here}: expected an integer or a string"]
        for key in ("oneOf", "anyOf"):
            if key in schema:
                matches = sum(not self.errors(instance, s, path) for s in schema[key])
                if (key == "oneOf" and matches != 1) or (key == "anyOf" and matches == 0):
                    return [f"{here}: matches {matches} of the {key} alternatives"]
        if "type" in schema and not _is_type(instance, schema["type"]):
            return [f"{here}: expected {schema['type']}, got {type(instance).__name__}"]
        if "enum" in schema and instance not in schema["enum"]:
            return [f"{here}: {instance!r} is not one of {schema['enum']}"]
        if isinstance(instance, dict):
            return self._object(instance, schema, path)
        if isinstance(instance, list):
            return self._array(instance, schema, path)
        return _scalar(instance, schema, here)

    def _object(self, instance: dict[str, Any], schema: Mapping[str, Any], path: str) -> list[str]:
        errors = [
            f"{path or '/'}: missing required field {name!r}"
            for name in schema.get("required", [])
            if name not in instance
        ]
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        closed = (
            bool(properties)
            and extra is None
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        )
        for key, value in instance.items():
            where = f"{path}/{key}"
            if key in properties:
                errors += self.errors(value, properties[key], where)
            elif isinstance(extra, dict):
                errors += self.errors(value, extra, where)
            elif extra is False or closed:
                errors.append(f"{where}: unknown field")
        return errors

    def _array(self, instance: list[Any], schema: Mapping[str, Any], path: str) -> list[str]:
        errors = []
        if len(instance) < schema.get("minItems", 0):
            errors.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(instance) > schema["maxItems"]:
            errors.append(f"{path}: more than {schema['maxItems']} items")
        if "items" in schema:
            for i, item in enumerate(instance):
                errors += self.errors(item, schema["items"], f"{path}/{i}")
        return errors


def _is_type(instance: Any, expected: str | list[str]) -> bool:
    names = [expected] if isinstance(expected, str) else expected
    for name in names:
        if isinstance(instance, bool) and name in ("integer", "number"):
            continue
        if isinstance(instance, _TYPES[name]):
            return True
    return False


def _scalar(instance: Any, schema: Mapping[str, Any], here: str) -> list[str]:
    errors = []
    if isinstance(instance, int | float) and not isinstance(instance, bool):
        if "minimum" in schema and instance < schema["minimum"]:
            errors.append(f"{here}: {instance} < minimum {schema['minimum']}")
        if "maximum" in schema and instance > schema["maximum"]:
            errors.append(f"{here}: {instance} > maximum {schema['maximum']}")
    if isinstance(instance, str):
        if "pattern" in schema and not re.search(schema["pattern"], instance):
            errors.append(f"{here}: {instance!r} does not match {schema['pattern']}")
        if len(instance) < schema.get("minLength", 0):
            errors.append(f"{here}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(instance) > schema["maxLength"]:
            errors.append(f"{here}: longer than {schema['maxLength']}")
    return errors


def kubernetes() -> tuple[Checker, dict[str, str]]:
    """The vendored Kubernetes definitions and ``apiVersion/kind`` → definition name."""
    data = json.loads((SCHEMAS / "kubernetes-strict.json").read_text(encoding="utf-8"))
    return Checker(data["$defs"]), data["kinds"]


def crd(file_name: str) -> tuple[str, dict[str, Any]]:
    """A vendored CRD schema: (``apiVersion/kind``, openAPIV3Schema)."""
    data = json.loads((SCHEMAS / file_name).read_text(encoding="utf-8"))
    return f"{data['group']}/{data['version']}/{data['kind']}", data["openAPIV3Schema"]
