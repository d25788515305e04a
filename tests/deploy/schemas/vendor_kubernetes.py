"""Regenerate kubernetes-strict.json from a kubernetes-validate wheel (PyPI), keeping only what the manifests use.

    pip download --no-deps -d /tmp/kv kubernetes-validate==1.32.0
    uv run python tests/deploy/schemas/vendor_kubernetes.py /tmp/kv/kubernetes_validate-1.32.0-py3-none-any.whl

The wheel ships the Kubernetes OpenAPI definitions as JSON Schema; the "-local-strict" variant
has ``additionalProperties: false`` on every object, like ``kubectl --validate=strict``. This
keeps the kinds in KINDS and every definition they reach, drops descriptions, and writes
kubernetes-strict.json next to this file. Add a kind here when a manifest starts using one.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from typing import Any

VERSION = "v1.32.0"
KINDS = {
    ("", "v1", "Namespace"),
    ("", "v1", "ConfigMap"),
    ("", "v1", "Secret"),
    ("", "v1", "Service"),
    ("apps", "v1", "Deployment"),
    ("batch", "v1", "Job"),
    ("batch", "v1", "CronJob"),
    ("autoscaling", "v2", "HorizontalPodAutoscaler"),
    ("policy", "v1", "PodDisruptionBudget"),
    ("networking.k8s.io", "v1", "NetworkPolicy"),
    ("networking.k8s.io", "v1", "Ingress"),
}
ANNOTATIONS = {"description"}
OUT = Path(__file__).with_name("kubernetes-strict.json")


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (
                {name: _strip(v) for name, v in node[k].items()} if k == "properties" else _strip(v)
            )
            for k, v in node.items()
            if k not in ANNOTATIONS or k == "properties"
        }
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref.rsplit("/", 1)[-1])
        for v in node.values():
            found |= _refs(v)
    elif isinstance(node, list):
        for v in node:
            found |= _refs(v)
    return found


def main(wheel: str) -> None:
    name = f"kubernetes_validate/kubernetes-json-schema/{VERSION}-local-strict/_definitions.json"
    with zipfile.ZipFile(wheel) as zf:
        defs: dict[str, Any] = json.loads(zf.read(name))["$defs"]
    kinds: dict[str, str] = {}
    for def_name, schema in defs.items():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            key = (gvk["group"], gvk["version"], gvk["kind"])
            if key in KINDS:
                api_version = f"{key[0]}/{key[1]}" if key[0] else key[1]
                kinds[f"{api_version}/{key[2]}"] = def_name
    missing = {f"{g}/{v}/{k}" for g, v, k in KINDS} - {k.lstrip("/") for k in kinds}
    assert len(kinds) == len(KINDS), f"not in {VERSION}: {missing}"
    keep: set[str] = set()
    todo = list(kinds.values())
    while todo:
        current = todo.pop()
        if current not in keep:
            keep.add(current)
            todo.extend(_refs(defs[current]) - keep)
    out = {
        "source": f"PyPI kubernetes-validate, {VERSION}-local-strict/_definitions.json",
        "regenerate": "tests/deploy/schemas/vendor_kubernetes.py (see its docstring)",
        "kinds": dict(sorted(kinds.items())),
        "$defs": {k: _strip(defs[k]) for k in sorted(keep)},
    }
    OUT.write_text(json.dumps(out, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(kinds)} kinds, {len(keep)} definitions")


if __name__ == "__main__":
    main(sys.argv[1])
