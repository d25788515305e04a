"""deploy/k8s against the platform: settings each service reads, topics and consumers from the
code, Kafka (Strimzi) and PostgreSQL (CloudNativePG) resources, and the network policies.

The Strimzi Kafka/KafkaNodePool and CloudNativePG Cluster/ScheduledBackup CRD schemas are not
vendored (each is hundreds of kilobytes and not on a package registry), so their resources are
checked by the explicit assertions here, not by a schema.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import deploy_model as dm
import pytest
import yaml

OVERLAYS = dm.OVERLAYS
STATEFUL = ["base", "overlays/prod"]  # sized for real data: replicated, backed up
DOCS = dm.ROOT / "docs" / "deployment.md"
COMPOSE_KAFKA = "apache/kafka"


def kafka(overlay: str) -> dict[str, Any]:
    clusters = dm.objects(overlay, "Kafka")
    assert len(clusters) == 1
    return clusters[0]


def template_keys() -> set[tuple[str, str]]:
    path = dm.K8S / "base" / "secrets" / "ltci-secrets.template.yaml"
    keys = set()
    for secret in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        keys |= {(secret["metadata"]["name"], k) for k in secret["stringData"]}
    return keys


def secret_values() -> dict[tuple[str, str], str]:
    values = {k: dm.dummy_secret("/".join(k)) for k in template_keys()}
    for svc in dm.SERVICES:  # made by CloudNativePG for each Cluster
        values[(f"pg-{svc.name}-app", "username")] = "ltci"
        values[(f"pg-{svc.name}-app", "password")] = dm.dummy_secret(svc.name)
    return values


# --- settings ------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("svc", dm.SERVICES, ids=dm.IDS)
@pytest.mark.parametrize("kind", list(dm.WORKLOADS))
def test_every_required_setting_is_provided(
    overlay: str, svc: dm.Svc, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Derived from the settings class at test time: fields without a default, dev-only
    secrets, defaults that only work on one machine; the pod's environment then loads."""
    name = dm.WORKLOADS[kind].format(svc.name)
    c = dm.pod_template(dm.one(overlay, kind, name))["spec"]["containers"][0]
    env = dm.pod_env(c, overlay, secret_values())
    cls = dm.settings_class(svc)
    missing = [
        dm.env_name(svc, f) for f in dm.required_settings(cls) if dm.env_name(svc, f) not in env
    ]
    assert not missing, f"{kind} {name} does not set {missing}"
    from_secrets = {i["name"] for i in c["env"] if "secretKeyRef" in i.get("valueFrom", {})}
    for field in dm.secret_settings(cls):
        assert dm.env_name(svc, field) in from_secrets, f"{field} must come from a Secret"
    for key in env:
        if key.startswith(svc.prefix):
            assert key.removeprefix(svc.prefix).lower() in cls.model_fields, (
                f"{key}: no such setting"
            )
    settings = dm.load_settings(cls, env, monkeypatch)
    for field, value in dm.DEPLOYED_VALUES.items():
        if field in cls.model_fields:
            assert getattr(settings, field) == value, field
    url = urlsplit(settings.database_url)
    assert (url.scheme, url.hostname, url.port) == ("postgresql+asyncpg", f"pg-{svc.name}-rw", 5432)
    assert url.path == f"/{svc.database}"
    assert settings.kafka_bootstrap == f"{kafka(overlay)['metadata']['name']}-kafka-bootstrap:9092"
    assert settings.kafka_topic_prefix == "ltci"


def test_secret_references_exist() -> None:
    """Every Secret key a pod or a Cluster reads is in the templates or made by the operator."""
    known = set(secret_values())
    for overlay in OVERLAYS:
        for kind in dm.WORKLOADS:
            for obj in dm.objects(overlay, kind):
                for item in dm.pod_template(obj)["spec"]["containers"][0]["env"]:
                    ref = item.get("valueFrom", {}).get("secretKeyRef")
                    if ref:
                        assert (ref["name"], ref["key"]) in known, (overlay, item["name"])
        for cluster in dm.objects(overlay, "Cluster"):
            creds = cluster["spec"].get("backup", {}).get("barmanObjectStore", {})
            for ref in creds.get("s3Credentials", {}).values():
                assert (ref["name"], ref["key"]) in known


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_gateway_routes_to_the_services(overlay: str, monkeypatch: pytest.MonkeyPatch) -> None:
    c = dm.one(overlay, "Deployment", "gateway")["spec"]["template"]["spec"]["containers"][0]
    env = dm.pod_env(c, overlay, secret_values())
    settings = dm.load_settings(dm.settings_class(dm.BY_NAME["gateway"]), env, monkeypatch)
    routes = settings.upstreams()  # type: ignore[attr-defined]
    assert set(routes) == {s.name for s in dm.UPSTREAMS}
    for svc in dm.UPSTREAMS:
        url = urlsplit(routes[svc.name])
        service = dm.one(overlay, "Service", url.hostname or "")
        assert service["metadata"]["name"] == svc.name
        assert url.port == service["spec"]["ports"][0]["port"] == svc.port


# --- topics ----------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_topics_are_the_codes(overlay: str) -> None:
    """One events topic per producer (from the contracts), one dead-letter topic per consumer
    (from the services' composition roots); nothing else."""
    topics = dm.objects(overlay, "KafkaTopic")
    names = {t["spec"]["topicName"] for t in topics}
    assert names == dm.expected_topic_names()
    cluster = kafka(overlay)["metadata"]["name"]
    brokers = sum(
        p["spec"]["replicas"]
        for p in dm.objects(overlay, "KafkaNodePool")
        if "broker" in p["spec"]["roles"]
    )
    for topic in topics:
        spec = topic["spec"]
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == cluster
        assert spec["topicName"] == topic["metadata"]["name"]
        assert spec["replicas"] <= brokers
        min_isr = int(spec["config"]["min.insync.replicas"])
        assert min_isr == 1 if spec["replicas"] == 1 else 1 < min_isr < spec["replicas"]
        assert spec["config"]["retention.ms"] == -1, "kept: read models are rebuilt by replay"
        if overlay in STATEFUL:
            assert (spec["replicas"], min_isr) == (3, 2)


# The inbox of a topic that keeps its events for good is kept for good (`--inbox-days 0`,
# the default of `purge`).
DAY_MS = 86_400_000


def inbox_outlives_topics(inbox_days: int, retention_ms: list[int]) -> bool:
    """Whether inbox rows outlive every event the topics could deliver again (a negative
    ``retention.ms`` keeps the events for good)."""
    if inbox_days == 0:  # kept for good
        return True
    if any(ms < 0 for ms in retention_ms):
        return False
    return inbox_days * DAY_MS > max(retention_ms)


def test_inbox_retention_rule_refuses_short_retentions() -> None:
    assert not inbox_outlives_topics(30, [-1, 7 * DAY_MS])
    assert not inbox_outlives_topics(36500, [-1])
    assert inbox_outlives_topics(0, [-1, 7 * DAY_MS])
    assert not inbox_outlives_topics(7, [3 * DAY_MS, 7 * DAY_MS])
    assert inbox_outlives_topics(8, [3 * DAY_MS, 7 * DAY_MS])


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("svc", dm.SERVICES, ids=dm.IDS)
def test_purge_keeps_the_inbox_longer_than_the_topics(overlay: str, svc: dm.Svc) -> None:
    """An event delivered again after its inbox row was purged would be applied twice; any
    event still in a topic can be (a consumer group that lost its offsets reads from the
    earliest). Every topic counts: a dead letter replayed goes back to its events topic."""
    retention_ms = [
        int(t["spec"]["config"]["retention.ms"]) for t in dm.objects(overlay, "KafkaTopic")
    ]
    c = dm.pod_template(dm.workload(overlay, "CronJob", svc))["spec"]["containers"][0]
    inbox_days = dm.purge_retention(c["args"]).inbox_days
    assert inbox_outlives_topics(inbox_days, retention_ms), (inbox_days, max(retention_ms))


def test_partitions_are_documented() -> None:
    """docs/deployment.md has a row per topic with its partition count."""
    text = DOCS.read_text(encoding="utf-8")
    for topic in dm.objects("base", "KafkaTopic"):
        name, partitions = topic["spec"]["topicName"], topic["spec"]["partitions"]
        assert re.search(rf"\|\s*`{re.escape(name)}`\s*\|\s*{partitions}\s*\|", text), name
    for by_consumer in dm.consumers().values():
        for consumer in by_consumer:
            assert f"`ltci.{consumer}`" in text, f"the consumer group of {consumer}"


# --- Kafka (Strimzi) -------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_is_kraft_with_node_pools(overlay: str) -> None:
    k = kafka(overlay)
    assert k["apiVersion"] == "kafka.strimzi.io/v1beta2"
    annotations = k["metadata"]["annotations"]
    assert annotations["strimzi.io/kraft"] == "enabled"
    assert annotations["strimzi.io/node-pools"] == "enabled"
    assert "zookeeper" not in k["spec"]
    compose = yaml.safe_load((dm.ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    version = compose["services"]["kafka"]["image"].removeprefix(f"{COMPOSE_KAFKA}:")
    assert k["spec"]["kafka"]["version"] == version, "the broker version of compose and tests"
    assert k["spec"]["kafka"]["metadataVersion"].startswith(version.rsplit(".", 1)[0] + "-IV")
    listeners = k["spec"]["kafka"]["listeners"]
    plain = [x for x in listeners if x["port"] == 9092]
    assert len(plain) == 1 and plain[0]["type"] == "internal" and plain[0]["tls"] is False
    peers = plain[0]["networkPolicyPeers"]
    for svc in dm.SERVICES:
        labels = dm.one(overlay, "Deployment", svc.name)["spec"]["template"]["metadata"]["labels"]
        assert any(dm.labels_match(p["podSelector"], labels) for p in peers), svc.name
    config = k["spec"]["kafka"]["config"]
    assert config["auto.create.topics.enable"] is False, "topics are KafkaTopic resources"
    assert "topicOperator" in k["spec"]["entityOperator"]
    pools = dm.objects(overlay, "KafkaNodePool")
    roles = [r for p in pools for r in p["spec"]["roles"] for _ in range(p["spec"]["replicas"])]
    assert roles.count("controller") % 2 == 1, "an odd number of KRaft controllers"
    for pool in pools:
        assert pool["metadata"]["labels"]["strimzi.io/cluster"] == k["metadata"]["name"]
        assert set(pool["spec"]["roles"]) <= {"controller", "broker"}
        assert pool["spec"]["storage"]["type"] in {"jbod", "persistent-claim"}
        for volume in pool["spec"]["storage"].get("volumes", []):
            assert volume["type"] == "persistent-claim" and volume["deleteClaim"] is False
    if overlay in STATEFUL:
        assert roles.count("controller") == 3 and roles.count("broker") >= 3
        assert int(config["default.replication.factor"]) == 3
        assert int(config["min.insync.replicas"]) == 2
        assert int(config["offsets.topic.replication.factor"]) == 3
        assert int(config["transaction.state.log.min.isr"]) == 2


# --- PostgreSQL (CloudNativePG) --------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("svc", dm.SERVICES, ids=dm.IDS)
def test_a_database_cluster_per_service(overlay: str, svc: dm.Svc) -> None:
    cluster = dm.one(overlay, "Cluster", f"pg-{svc.name}")
    spec = cluster["spec"]
    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
    assert spec["bootstrap"]["initdb"] == {"database": svc.database, "owner": "ltci"}
    assert re.fullmatch(r"ghcr\.io/cloudnative-pg/postgresql:15(\.\d+)?(-.*)?", spec["imageName"])
    assert re.fullmatch(r"\d+(Mi|Gi|Ti)", spec["storage"]["size"])
    assert spec["enableSuperuserAccess"] is False
    backups = [
        b
        for b in dm.objects(overlay, "ScheduledBackup")
        if b["spec"]["cluster"]["name"] == f"pg-{svc.name}"
    ]
    if overlay not in STATEFUL:
        assert "backup" not in spec and not backups
        return
    assert spec["instances"] >= 3
    backup = spec["backup"]
    assert re.fullmatch(r"[1-9]\d*[dwm]", backup["retentionPolicy"])
    store = backup["barmanObjectStore"]
    assert store["destinationPath"].startswith("s3://")
    assert store["destinationPath"].rstrip("/").endswith(f"/{svc.name}"), "one path per cluster"
    assert set(store["s3Credentials"]) == {"accessKeyId", "secretAccessKey"}
    assert store["wal"]["compression"] and store["data"]["compression"]
    assert len(backups) == 1
    schedule = backups[0]["spec"]
    assert len(schedule["schedule"].split()) == 6, "CloudNativePG cron has a seconds field"
    assert schedule["method"] == "barmanObjectStore"
    assert schedule["backupOwnerReference"] == "self"


# --- network policies ------------------------------------------------------------------


def pods(overlay: str) -> dict[str, tuple[str, dict[str, str]]]:
    """The pods the policies are about: name → (namespace, labels)."""
    ns = dm.objects(overlay, "Namespace")[0]["metadata"]["name"]
    found: dict[str, tuple[str, dict[str, str]]] = {
        "ingress-controller": ("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"}),
        "elsewhere": ("default", {"app": "other"}),
        "kafka": (
            ns,
            {"strimzi.io/cluster": kafka(overlay)["metadata"]["name"], "strimzi.io/kind": "Kafka"},
        ),
    }
    for svc in dm.SERVICES:
        for kind in dm.WORKLOADS:
            found[f"{kind}/{svc.name}"] = (
                ns,
                dm.pod_template(dm.workload(overlay, kind, svc))["metadata"]["labels"],
            )
        found[f"pg/{svc.name}"] = (
            ns,
            {"cnpg.io/cluster": f"pg-{svc.name}", "cnpg.io/instanceRole": "primary"},
        )
    return found


def _peer_ok(peer: dict[str, Any], ns: str, labels: dict[str, str], own_ns: str) -> bool:
    if "namespaceSelector" in peer:
        namespace = {"kubernetes.io/metadata.name": ns}
        if not dm.labels_match(peer["namespaceSelector"], namespace):
            return False
    elif ns != own_ns:
        return False
    return "podSelector" not in peer or dm.labels_match(peer["podSelector"], labels)


def _side(
    overlay: str,
    kind: str,
    pod: tuple[str, dict[str, str]],
    peer: tuple[str, dict[str, str]],
    port: int,
) -> bool:
    """Whether the policies selecting ``pod`` allow this direction (no policy: allowed)."""
    (ns, labels), (peer_ns, peer_labels) = pod, peer
    selecting = [
        p
        for p in dm.objects(overlay, "NetworkPolicy")
        if kind in p["spec"]["policyTypes"]
        and p["metadata"]["namespace"] == ns
        and dm.labels_match(p["spec"]["podSelector"] or {"matchLabels": {}}, labels)
    ]
    if not selecting:
        return True
    key, peers_key = ("ingress", "from") if kind == "Ingress" else ("egress", "to")
    for policy in selecting:
        for rule in policy["spec"].get(key, []):
            peers = rule.get(peers_key)
            peer_ok = peers is None or any(_peer_ok(x, peer_ns, peer_labels, ns) for x in peers)
            ports = rule.get("ports")
            port_ok = ports is None or any(x.get("port") == port for x in ports)
            if peer_ok and port_ok:
                return True
    return False


def allowed(overlay: str, source: str, target: str, port: int, *, ingress: bool = True) -> bool:
    """Whether the NetworkPolicies let ``source`` open ``target``:``port`` (``ingress=False``:
    the target's side is another's, e.g. the policies Strimzi makes for its listeners)."""
    every = pods(overlay)
    out = _side(overlay, "Egress", every[source], every[target], port)
    return out and (not ingress or _side(overlay, "Ingress", every[target], every[source], port))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_gateway_is_reachable_from_outside(overlay: str) -> None:
    assert allowed(overlay, "ingress-controller", "Deployment/gateway", 8000)
    for svc in dm.SERVICES:
        for source in ("ingress-controller", "elsewhere"):
            if (source, svc.name) != ("ingress-controller", "gateway"):
                assert not allowed(overlay, source, f"Deployment/{svc.name}", svc.port), svc.name
            assert not allowed(overlay, source, f"pg/{svc.name}", 5432)
    for svc in dm.UPSTREAMS:
        assert allowed(overlay, "Deployment/gateway", f"Deployment/{svc.name}", svc.port)
        for other in dm.UPSTREAMS:
            assert not allowed(
                overlay, f"Deployment/{other.name}", f"Deployment/{svc.name}", svc.port
            )


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("svc", dm.SERVICES, ids=dm.IDS)
def test_services_reach_only_their_database_and_kafka(overlay: str, svc: dm.Svc) -> None:
    for kind in dm.WORKLOADS:
        assert allowed(overlay, f"{kind}/{svc.name}", f"pg/{svc.name}", 5432)
        for other in dm.SERVICES:
            if other != svc:
                assert not allowed(overlay, f"{kind}/{svc.name}", f"pg/{other.name}", 5432)
        assert not allowed(overlay, f"{kind}/{svc.name}", "elsewhere", 443)
    assert allowed(overlay, f"Deployment/{svc.name}", "kafka", 9092, ingress=False)
