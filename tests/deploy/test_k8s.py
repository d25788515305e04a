"""deploy/k8s: the base and each overlay built with kustomize, every object validated against
its schema, and the workloads checked against the code (images, ports, probes, security).

Built-in kinds: the vendored Kubernetes 1.32 strict schemas (schemas/kubernetes-strict.json).
KafkaTopic: the vendored Strimzi CRD schema. Kafka, KafkaNodePool (Strimzi) and Cluster,
ScheduledBackup (CloudNativePG): explicit assertions below (their CRD schemas are not vendored).
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Any

import deploy_model as dm
import pytest
import schema_check
import yaml

OVERLAYS = dm.OVERLAYS
CRD_KINDS = {
    "kafka.strimzi.io/v1beta2/Kafka",
    "kafka.strimzi.io/v1beta2/KafkaNodePool",
    "kafka.strimzi.io/v1beta2/KafkaTopic",
    "postgresql.cnpg.io/v1/Cluster",
    "postgresql.cnpg.io/v1/ScheduledBackup",
}
SECRET_TEMPLATES = dm.K8S / "base" / "secrets" / "ltci-secrets.template.yaml"
DOCKER_UID = 10001  # USER in services/<name>/Dockerfile (checked by test_compose.py)


def gvk(obj: dict[str, Any]) -> str:
    return f"{obj['apiVersion']}/{obj['kind']}"


def container(obj: dict[str, Any]) -> dict[str, Any]:
    containers = dm.pod_template(obj)["spec"]["containers"]
    assert len(containers) == 1, f"{obj['metadata']['name']}: one container expected"
    return containers[0]


def templates() -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(SECRET_TEMPLATES.read_text(encoding="utf-8")) if d]


# --- build and schemas ---------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_builds_with_unique_namespaced_objects(overlay: str) -> None:
    seen: set[tuple[str, str]] = set()
    namespaces = {o["metadata"]["name"] for o in dm.objects(overlay, "Namespace")}
    assert len(namespaces) == 1
    for obj in dm.build(overlay):
        key = (obj["kind"], obj["metadata"]["name"])
        assert key not in seen, f"{overlay}: {key} twice"
        seen.add(key)
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") in namespaces, key


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_matches_its_schema(overlay: str) -> None:
    checker, kinds = schema_check.kubernetes()
    topic_kind, topic_schema = schema_check.crd("strimzi-kafkatopic-v1beta2.json")
    meta = {"$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}
    errors: list[str] = []
    for obj in dm.build(overlay):
        name = f"{obj['kind']}/{obj['metadata']['name']}"
        if gvk(obj) in kinds:
            schema = {"$ref": f"#/$defs/{kinds[gvk(obj)]}"}
            errors += [f"{name}: {e}" for e in checker.errors(obj, schema)]
            continue
        assert gvk(obj) in CRD_KINDS, f"{name}: {gvk(obj)} has no vendored schema (schemas/)"
        errors += [f"{name}: {e}" for e in checker.errors(obj["metadata"], meta, "/metadata")]
        if gvk(obj) == topic_kind:
            errors += [f"{name}: {e}" for e in checker.errors(obj, topic_schema)]
    assert not errors, "\n".join(errors)


def test_the_checker_refuses_what_kubectl_would() -> None:
    """The schema check is not vacuous: typos, wrong types and missing fields fail."""
    checker, kinds = schema_check.kubernetes()
    deployment = next(iter(dm.objects("base", "Deployment")))
    schema = {"$ref": f"#/$defs/{kinds['apps/v1/Deployment']}"}
    assert checker.errors(deployment, schema) == []
    typo = yaml.safe_load(yaml.safe_dump(deployment))
    typo["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    assert any("readinesProbe: unknown field" in e for e in checker.errors(typo, schema))
    wrong = yaml.safe_load(yaml.safe_dump(deployment))
    wrong["spec"]["replicas"] = "two"
    assert checker.errors(wrong, schema)
    missing = yaml.safe_load(yaml.safe_dump(deployment))
    del missing["spec"]["template"]["spec"]["containers"][0]["name"]
    assert any("'name'" in e for e in checker.errors(missing, schema))
    cron = yaml.safe_load(yaml.safe_dump(dm.objects("base", "CronJob")[0]))
    cron_schema = {"$ref": f"#/$defs/{kinds['batch/v1/CronJob']}"}
    assert checker.errors(cron, cron_schema) == []
    cron["spec"]["concurencyPolicy"] = cron["spec"].pop("concurrencyPolicy")
    assert any("concurencyPolicy: unknown field" in e for e in checker.errors(cron, cron_schema))
    _, topic_schema = schema_check.crd("strimzi-kafkatopic-v1beta2.json")
    topic = yaml.safe_load(yaml.safe_dump(dm.objects("base", "KafkaTopic")[0]))
    topic["spec"]["partition"] = 12
    assert checker.errors(topic, topic_schema)


def test_secret_templates_are_valid_and_hold_no_secret() -> None:
    checker, kinds = schema_check.kubernetes()
    for secret in templates():
        schema = {"$ref": f"#/$defs/{kinds[gvk(secret)]}"}
        assert checker.errors(secret, schema) == [], secret["metadata"]["name"]
        for value in secret["stringData"].values():
            assert value.startswith(("dev-only-", "replace-me")), "a template holds placeholders"
    built = {(o["kind"], o["metadata"]["name"]) for o in dm.build("base")}
    for secret in templates():
        assert ("Secret", secret["metadata"]["name"]) not in built, "no Secret is committed"


# --- workloads -------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("svc", dm.SERVICES, ids=dm.IDS)
def test_deployment(overlay: str, svc: dm.Svc) -> None:
    deployment = dm.one(overlay, "Deployment", svc.name)
    pod = deployment["spec"]["template"]
    assert dm.labels_match(deployment["spec"]["selector"], pod["metadata"]["labels"])
    c = container(deployment)
    assert re.search(rf"(^|/)ltci/{svc.name}:[\w.-]+$", c["image"]), c["image"]
    assert c.get("command") is None, "the image's entrypoint runs `python -m <package>`"
    assert c["args"] == ["serve", "--host", "0.0.0.0", "--port", str(svc.port)]  # noqa: S104
    assert [(p["name"], p["containerPort"]) for p in c["ports"]] == [("http", svc.port)]
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert c["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert {"cpu", "memory"} <= set(c["resources"]["requests"])
    assert "memory" in c["resources"]["limits"]
    assert_restricted(pod["spec"], c)


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("svc", dm.SERVICES, ids=dm.IDS)
def test_migration_job(overlay: str, svc: dm.Svc) -> None:
    job = dm.one(overlay, "Job", f"{svc.name}-migrate")
    server = container(dm.one(overlay, "Deployment", svc.name))
    c = container(job)
    assert c["args"] == ["migrate"] and c.get("command") is None
    assert c["image"] == server["image"], "the Job runs the release's image"
    assert c["env"] == server["env"] and c["envFrom"] == server["envFrom"], "same settings"
    pod = job["spec"]["template"]
    assert pod["spec"]["restartPolicy"] == "Never"
    assert job["spec"]["backoffLimit"] >= 1 and job["spec"].get("ttlSecondsAfterFinished")
    service_selector = dm.one(overlay, "Service", svc.name)["spec"]["selector"]
    assert not dm.labels_match({"matchLabels": service_selector}, pod["metadata"]["labels"])
    assert_restricted(pod["spec"], c)


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("svc", dm.SERVICES, ids=dm.IDS)
def test_purge_cronjob(overlay: str, svc: dm.Svc) -> None:
    """One nightly ``purge`` per service, run as its migration Job is (image, settings,
    hardening, labels the network policies select), never overlapping itself."""
    mine = [
        c
        for c in dm.objects(overlay, "CronJob")
        if c["metadata"]["labels"]["app.kubernetes.io/name"] == svc.name
    ]
    assert [c["metadata"]["name"] for c in mine] == [f"{svc.name}-purge"]
    cron, job = mine[0], dm.workload(overlay, "Job", svc)
    c, migrate = container(cron), container(job)
    assert c["args"][0] == "purge" and c.get("command") is None
    dm.purge_retention(c["args"])  # only options the command takes, each a valid retention
    assert c["image"] == migrate["image"], "the release's image"
    assert c["env"] == migrate["env"] and c["envFrom"] == migrate["envFrom"], "same settings"
    assert c["resources"] == migrate["resources"]
    pod, job_pod = dm.pod_template(cron), dm.pod_template(job)
    assert pod["metadata"]["labels"] == {
        "app.kubernetes.io/name": svc.name,
        "app.kubernetes.io/component": "housekeeping",
        "ltci.io/workload": "service",  # egress limited to DNS and its own policy's peers
    }
    assert pod["spec"]["restartPolicy"] == "Never"
    assert pod["spec"]["securityContext"] == job_pod["spec"]["securityContext"]
    assert c["securityContext"] == migrate["securityContext"]
    service_selector = dm.one(overlay, "Service", svc.name)["spec"]["selector"]
    assert not dm.labels_match({"matchLabels": service_selector}, pod["metadata"]["labels"])
    assert_restricted(pod["spec"], c)
    spec = cron["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    assert not spec.get("suspend")
    assert 0 < spec["startingDeadlineSeconds"] <= 6 * 3600, "a late run waits for the next"
    assert spec["successfulJobsHistoryLimit"] >= 1 and spec["failedJobsHistoryLimit"] >= 1
    zoneinfo.ZoneInfo(spec["timeZone"])  # a real IANA zone
    minute, hour, *rest = spec["schedule"].split()
    assert rest == ["*", "*", "*"], "daily"
    assert 0 <= int(minute) < 60 and 0 <= int(hour) < 6, "once a night, at a quiet hour"
    job_spec = spec["jobTemplate"]["spec"]
    assert 0 < job_spec["activeDeadlineSeconds"] <= 6 * 3600, "done long before the next run"
    assert job_spec["backoffLimit"] >= 1


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_purges_are_staggered(overlay: str) -> None:
    """No two services purge at the same minute (their databases are separate, but they share
    the nodes); and nothing but the services' purges is scheduled."""
    schedules = {
        c["metadata"]["name"]: c["spec"]["schedule"] for c in dm.objects(overlay, "CronJob")
    }
    assert set(schedules) == {f"{s.name}-purge" for s in dm.SERVICES}
    assert len(set(schedules.values())) == len(schedules), schedules


def assert_restricted(pod: dict[str, Any], c: dict[str, Any]) -> None:
    """Non-root as the image's user, read-only root file system, no privilege, no token."""
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == DOCKER_UID
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    sc = c["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"]["drop"] == ["ALL"]
    mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    tmp = "/tmp"  # noqa: S108 - the pod's own emptyDir, not a shared directory
    assert "emptyDir" in volumes[mounts[tmp]], "a writable /tmp on a read-only root"


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("svc", dm.SERVICES, ids=dm.IDS)
def test_service_and_disruption_budget(overlay: str, svc: dm.Svc) -> None:
    deployment = dm.one(overlay, "Deployment", svc.name)
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    service = dm.one(overlay, "Service", svc.name)
    assert dm.labels_match({"matchLabels": service["spec"]["selector"]}, labels)
    assert [(p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [(svc.port, "http")]
    pdb = dm.one(overlay, "PodDisruptionBudget", svc.name)
    assert dm.labels_match(pdb["spec"]["selector"], labels)
    replicas = deployment["spec"]["replicas"]
    if "minAvailable" in pdb["spec"]:
        assert pdb["spec"]["minAvailable"] < replicas, "the budget would block every drain"
    else:
        assert pdb["spec"]["maxUnavailable"] >= 1


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscalers_respect_partitions(overlay: str) -> None:
    """HPAs for gateway, care-delivery and settlement; a consumer never scales past the
    partitions of a topic it reads (extra members of the group would idle)."""
    partitions = {
        t["spec"]["topicName"]: t["spec"]["partitions"] for t in dm.objects(overlay, "KafkaTopic")
    }
    hpas = {h["metadata"]["name"]: h for h in dm.objects(overlay, "HorizontalPodAutoscaler")}
    assert {"gateway", "care-delivery", "settlement"} <= set(hpas)
    for name, hpa in hpas.items():
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        if overlay != "overlays/dev":
            assert hpa["spec"]["minReplicas"] >= 2
        for topics in dm.consumers()[name].values():
            for topic in topics:
                assert hpa["spec"]["maxReplicas"] <= partitions[topic], (name, topic)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images(overlay: str) -> None:
    for kind in dm.WORKLOADS:
        for obj in dm.objects(overlay, kind):
            image = container(obj)["image"]
            tag = image.rsplit(":", 1)[-1]
            assert ":" in image and tag != "latest", image
            if overlay == "overlays/prod":
                assert tag not in {"local", "dev"}, f"{image}: not a release tag"
                assert not image.startswith("ltci/"), f"{image}: no registry"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_ingress_reaches_only_the_gateway(overlay: str) -> None:
    ingresses = dm.objects(overlay, "Ingress")
    assert [i["metadata"]["name"] for i in ingresses] == ["gateway"]
    spec = ingresses[0]["spec"]
    hosts = {r["host"] for r in spec["rules"]}
    assert spec["tls"] and set(spec["tls"][0]["hosts"]) == hosts
    for rule in spec["rules"]:
        for path in rule["http"]["paths"]:
            assert path["backend"]["service"] == {"name": "gateway", "port": {"name": "http"}}
