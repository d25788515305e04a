"""What the deployment files must agree with, read from the code at test time (services, settings, topics, consumers).

Registered as the module ``deploy_model`` by this folder's conftest.py (pytest runs with
``--import-mode=importlib``, so test modules cannot import their neighbours by path).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import importlib
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from ltci_shared.events.base import EVENT_TYPES, event_class
from ltci_shared.housekeeping import Retention
from ltci_shared.settings import DEV_SECRET_MARKER, ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ["base", "overlays/dev", "overlays/prod"]

# What a deployed service must be told, whatever its defaults: the embedded defaults are a
# development machine's (SQLite, the in-process bus, no token checks in a service's own tests).
DEPLOYED_VALUES = {"environment": "production", "bus": "kafka", "auth_mode": "required"}
# A default that names this machine cannot work across containers or pods.
_LOOPBACK = re.compile(r"(127\.0\.0\.1|localhost|\[::1\])|^sqlite", re.IGNORECASE)


@dataclass(frozen=True)
class Svc:
    name: str  # compose service, Kubernetes Deployment and services/<name> directory
    package: str  # python package: ``python -m <package>``
    port: int
    prefix: str  # settings environment prefix
    database: str

    @property
    def directory(self) -> Path:
        return ROOT / "services" / self.name

    @property
    def distribution(self) -> str:
        return f"ltci-{self.name}"

    @property
    def dockerfile(self) -> Path:
        return self.directory / "Dockerfile"


SERVICES = [
    Svc("enrollment", "ltci_enrollment", 8001, "ENROLLMENT_", "ltci_enrollment"),
    Svc("assessment", "ltci_assessment", 8002, "ASSESSMENT_", "ltci_assessment"),
    Svc("care-delivery", "ltci_care_delivery", 8003, "CARE_DELIVERY_", "ltci_care_delivery"),
    Svc("settlement", "ltci_settlement", 8004, "SETTLEMENT_", "ltci_settlement"),
    Svc("gateway", "ltci_gateway", 8000, "GATEWAY_", "ltci_gateway"),
]
BY_NAME = {s.name: s for s in SERVICES}
IDS = [s.name for s in SERVICES]
UPSTREAMS = [s for s in SERVICES if s.name != "gateway"]


# --- settings ------------------------------------------------------------------------


def settings_class(svc: Svc) -> type[ServiceSettings]:
    module = importlib.import_module(f"{svc.package}.settings")
    found = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, ServiceSettings) and obj is not ServiceSettings
    ]
    assert len(found) == 1, f"{svc.package}.settings should define one settings class"
    return found[0]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, SecretStr):
        yield value.get_secret_value()
    elif isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            yield from _strings(v)


def secret_settings(cls: type[ServiceSettings]) -> set[str]:
    """Fields whose default is a development secret (refused outside development)."""
    found = set()
    for name, field in cls.model_fields.items():
        if field.is_required():
            continue
        default = field.get_default(call_default_factory=True)
        if any(s.startswith(DEV_SECRET_MARKER) for s in _strings(default)):
            found.add(name)
    return found


def required_settings(cls: type[ServiceSettings]) -> dict[str, str]:
    """Field → why a deployment must set it: no default, a dev-only secret, a default that
    only works on one machine (loopback, SQLite), or a value that differs when deployed."""
    required = {name: "deployed value" for name in DEPLOYED_VALUES if name in cls.model_fields}
    secrets = secret_settings(cls)
    for name, field in cls.model_fields.items():
        if field.is_required():
            required[name] = "no default"
        elif name in secrets:
            required[name] = "dev-only secret"
        elif any(
            _LOOPBACK.search(s) for s in _strings(field.get_default(call_default_factory=True))
        ):
            required[name] = "default only works on one machine"
    return required


def env_name(svc: Svc, field: str) -> str:
    return f"{svc.prefix}{field.upper()}"


def dummy_secret(name: str) -> str:
    """A strong-looking stand-in for a secret: 64 hex digits, different for every name."""
    return hashlib.sha256(name.encode()).hexdigest()


def load_settings(
    cls: type[ServiceSettings], env: Mapping[str, str], monkeypatch: pytest.MonkeyPatch
) -> ServiceSettings:
    """Instantiate the settings class from exactly ``env`` (as the process would)."""
    prefix = str(cls.model_config.get("env_prefix", ""))
    import os

    for key in list(os.environ):
        if key.upper().startswith(prefix):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return cls()


# --- events, topics and consumers ----------------------------------------------------


def producers() -> set[str]:
    event_class("PersonEnrolled")  # loads the contracts
    return {cls.producer for cls in EVENT_TYPES.values()}


def events_topic(producer: str) -> str:
    return f"ltci.{producer}.events"


def dlq_topic(consumer: str) -> str:
    return f"ltci.dlq.{consumer}"


@functools.cache
def consumers() -> dict[str, dict[str, frozenset[str]]]:
    """Service → consumer name → the topics it reads, from each service's composition root
    (``create_app`` hands its consumers to ``ServiceRuntime``; nothing is started)."""
    import ltci_shared.web as web

    captured: list[Any] = []
    original = web.ServiceRuntime

    class Recording(original):  # type: ignore[misc,valid-type]
        def __post_init__(self) -> None:
            super().__post_init__()
            captured.append(self)

    result: dict[str, dict[str, frozenset[str]]] = {}
    web.ServiceRuntime = Recording  # type: ignore[misc]
    try:
        for svc in SERVICES:
            captured.clear()
            app_module = importlib.import_module(f"{svc.package}.app")
            app_module.create_app(settings_class(svc)())
            assert len(captured) == 1, f"{svc.package}.app.create_app built no runtime"
            runtime = captured[0]
            result[svc.name] = {
                name: frozenset(events_topic(event_class(t).producer) for t in handlers)  # type: ignore[union-attr]
                for name, handlers in runtime.consumers.items()
            }
    finally:
        web.ServiceRuntime = original  # type: ignore[misc]
    return result


def expected_topic_names() -> set[str]:
    names = {events_topic(p) for p in producers()}
    for by_consumer in consumers().values():
        names |= {dlq_topic(c) for c in by_consumer}
    return names


# --- Kubernetes ------------------------------------------------------------------------


def kubectl() -> str:
    path = shutil.which("kubectl")
    assert path, (
        "kubectl (with its built-in kustomize) is needed to build deploy/k8s; it comes with the "
        "machine image (Debian package kubectl); or install kustomize v5 and put it on PATH"
    )
    return path


@functools.cache
def build(overlay: str) -> tuple[dict[str, Any], ...]:
    """``kubectl kustomize deploy/k8s/<overlay>``, as a tuple of objects."""
    done = subprocess.run(
        [kubectl(), "kustomize", str(K8S / overlay)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, f"kustomize build {overlay} failed:\n{done.stderr}"
    return tuple(d for d in yaml.safe_load_all(done.stdout) if d)


def objects(overlay: str, kind: str) -> list[dict[str, Any]]:
    return [o for o in build(overlay) if o["kind"] == kind]


def one(overlay: str, kind: str, name: str) -> dict[str, Any]:
    found = [o for o in objects(overlay, kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"{overlay}: expected one {kind} {name!r}, found {len(found)}"
    return found[0]


# Each service's workloads: kind → name. All run the service's image with its settings.
WORKLOADS = {"Deployment": "{}", "Job": "{}-migrate", "CronJob": "{}-purge"}


def workload(overlay: str, kind: str, svc: Svc) -> dict[str, Any]:
    return one(overlay, kind, WORKLOADS[kind].format(svc.name))


def pod_template(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A workload's pod template (a CronJob's is inside its job template)."""
    spec = obj["spec"]["jobTemplate"]["spec"] if obj["kind"] == "CronJob" else obj["spec"]
    template: dict[str, Any] = spec["template"]
    return template


def purge_retention(args: list[str]) -> Retention:
    """The retention a ``purge`` container's args ask for, parsed as the command does
    (``--<field>-days`` options of ltci_shared.housekeeping.Retention, its defaults)."""
    assert args[:1] == ["purge"], f"not a purge command: {args}"
    parser = argparse.ArgumentParser(prog="purge", exit_on_error=False, allow_abbrev=False)
    defaults = Retention()
    for field in dataclasses.fields(Retention):
        option = "--" + field.name.replace("_", "-")
        parser.add_argument(option, type=int, default=getattr(defaults, field.name))
    options, unknown = parser.parse_known_args(args[1:])
    assert not unknown, f"purge does not take {unknown}"
    return Retention(**vars(options))


def labels_match(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """A LabelSelector (matchLabels and matchExpressions In/NotIn/Exists/DoesNotExist)."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        ok = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[op]
        if not ok:
            return False
    return True


def pod_env(
    container: Mapping[str, Any], overlay: str, secrets: Mapping[tuple[str, str], str]
) -> dict[str, str]:
    """A container's environment as the kubelet builds it: envFrom ConfigMaps first, then
    ``env`` in order with ``$(VAR)`` expanded; Secret values from ``secrets``."""
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        ref = source.get("configMapRef")
        assert ref, f"only configMapRef envFrom is expected, got {source}"
        env.update({k: str(v) for k, v in one(overlay, "ConfigMap", ref["name"])["data"].items()})
    for item in container.get("env") or []:
        if "value" in item:
            env[item["name"]] = re.sub(
                r"\$\((\w+)\)", lambda m: env.get(m[1], m[0]), str(item["value"])
            )
            continue
        source = item["valueFrom"]
        if "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            env[item["name"]] = secrets[(ref["name"], ref["key"])]
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            env[item["name"]] = str(one(overlay, "ConfigMap", ref["name"])["data"][ref["key"]])
        else:
            raise AssertionError(f"unexpected valueFrom: {source}")
    return env
