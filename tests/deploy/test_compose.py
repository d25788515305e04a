"""Static checks of the deployment files: docker-compose.yml, the service Dockerfiles,
.dockerignore, the PostgreSQL init script and each service's migrations.

There is no Docker engine in CI, so these tests read the files and check that they agree
with each other and with the code (package names, ports, settings fields, topics).
"""

from __future__ import annotations

import functools
import glob
import json
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import deploy_model as dm
import pytest
import yaml

ROOT = dm.ROOT
COMPOSE_FILE = ROOT / "docker-compose.yml"
POSTGRES_INIT = ROOT / "deploy" / "compose" / "postgres-init.sql"
Svc = dm.Svc
SERVICES = dm.SERVICES
BY_NAME = dm.BY_NAME
IDS = dm.IDS
UPSTREAMS = dm.UPSTREAMS
settings_class = dm.settings_class

_VAR = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


# --- helpers -------------------------------------------------------------------------


@functools.cache
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "docker-compose.yml must be a mapping"
    return data


def compose_services() -> dict[str, dict[str, Any]]:
    services = compose().get("services")
    assert isinstance(services, dict), "docker-compose.yml has no services"
    return services


def service(name: str) -> dict[str, Any]:
    services = compose_services()
    assert name in services, f"docker-compose.yml has no service {name!r}"
    return services[name]


def interpolate(value: str) -> str:
    """Compose-style ``${VAR}``, ``${VAR:-default}``, ``${VAR:?error}`` with placeholders."""

    def repl(m: re.Match[str]) -> str:
        if m["op"] in (":-", "-"):
            return m["arg"]
        return f"set-{m['name'].lower()}"

    return _VAR.sub(repl, value).replace("$$", "$")


def environment(spec: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping (compose allows a mapping or KEY=VALUE items)."""
    env = spec.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def depends_on(spec: dict[str, Any]) -> dict[str, str]:
    """``depends_on`` as service → condition (the short list form means service_started)."""
    deps = spec.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {k: (v or {}).get("condition", "service_started") for k, v in deps.items()}


def as_argv(command: Any) -> list[str]:
    if command is None:
        return []
    if isinstance(command, str):
        return shlex.split(command)
    return [str(c) for c in command]


def healthcheck_text(spec: dict[str, Any]) -> str:
    test = spec["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(str(t) for t in test)


def created_topics() -> dict[str, int]:
    """Topic → partitions, from the kafka-topics job's ``kafka-topics.sh --create`` lines."""
    spec = service("kafka-topics")
    script = " ".join(as_argv(spec.get("entrypoint")) + as_argv(spec.get("command")))
    topics: dict[str, int] = {}
    for line in script.splitlines():
        if "kafka-topics.sh" not in line or "--create" not in line:
            continue
        args = shlex.split(line)
        topic = args[args.index("--topic") + 1]
        topics[topic] = int(args[args.index("--partitions") + 1])
    return topics


def workspace_members() -> list[Path]:
    root = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    members: list[Path] = []
    for pattern in root["tool"]["uv"]["workspace"]["members"]:
        for match in sorted(glob.glob(str(ROOT / pattern))):
            if (Path(match) / "pyproject.toml").is_file():
                members.append(Path(match).relative_to(ROOT))
    return members


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def dockerfile_stages(path: Path) -> list[list[Instruction]]:
    """The Dockerfile's instructions grouped by stage (continuations joined, comments dropped)."""
    logical: list[str] = []
    buf = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if buf and line.startswith("#"):
            continue  # comment lines inside a continued instruction
        if line.endswith("\\"):
            buf += line[:-1].rstrip() + " "
            continue
        logical.append(buf + line)
        buf = ""
    if buf:
        logical.append(buf)
    stages: list[list[Instruction]] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        ins = Instruction(keyword.upper(), args.strip())
        if ins.keyword == "FROM":
            stages.append([])
        assert stages, f"{path}: instruction before the first FROM: {line}"
        stages[-1].append(ins)
    return stages


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list), f"expected the JSON (exec) form, got {args!r}"
    return [str(v) for v in value]


# --- docker-compose.yml --------------------------------------------------------------


def test_compose_has_the_whole_stack() -> None:
    names = set(compose_services())
    expected = {"postgres", "kafka", "kafka-topics"}
    expected |= {s.name for s in SERVICES}
    expected |= {f"migrate-{s.name}" for s in SERVICES}
    assert expected <= names, f"missing services: {sorted(expected - names)}"


@pytest.mark.parametrize("svc", SERVICES, ids=IDS)
def test_service_is_built_from_its_dockerfile(svc: Svc) -> None:
    spec = service(svc.name)
    assert "build" in spec or "image" in spec
    build = spec.get("build")
    if build is not None:
        if isinstance(build, str):
            build = {"context": build}
        context = ROOT / build.get("context", ".")
        assert context.resolve() == ROOT, "the build context must be the repository root"
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), f"{dockerfile} does not exist"
        assert dockerfile.resolve() == svc.dockerfile.resolve()


@pytest.mark.parametrize("name", ["postgres", "kafka", *IDS])
def test_long_running_services_have_a_healthcheck(name: str) -> None:
    spec = service(name)
    check = spec.get("healthcheck")
    assert check, f"{name} has no healthcheck"
    assert not check.get("disable"), f"{name}'s healthcheck is disabled"
    assert check.get("test"), f"{name}'s healthcheck has no test"
    if name in BY_NAME:
        port = BY_NAME[name].port
        assert re.search(rf"127\.0\.0\.1:{port}/(healthz|readyz)", healthcheck_text(spec))


@pytest.mark.parametrize("svc", SERVICES, ids=IDS)
def test_service_environment(svc: Svc) -> None:
    env = environment(service(svc.name))
    p = svc.prefix
    assert env.get(f"{p}ENVIRONMENT") == "production"
    assert env.get(f"{p}BUS") == "kafka"

    url = urlsplit(interpolate(env[f"{p}DATABASE_URL"]))
    assert url.scheme == "postgresql+asyncpg"
    assert (url.hostname, url.port) == ("postgres", 5432)
    assert url.path == f"/{svc.database}", "each service uses its own database"
    assert url.username == "ltci"

    host, _, port = env[f"{p}KAFKA_BOOTSTRAP"].partition(":")
    assert host in compose_services(), f"KAFKA_BOOTSTRAP names no compose service: {host}"
    assert port == "9092"
    assert env.get(f"{p}KAFKA_TOPIC_PREFIX", "ltci") == "ltci"

    # Outside development the settings refuse default secrets: they must be required
    # variables (${VAR:?...}), never literals in the file.
    for field in sorted(dm.secret_settings(settings_class(svc))):
        key = dm.env_name(svc, field)
        m = _VAR.fullmatch(env.get(key, ""))
        assert m, f"{key} must be a ${{VAR:?...}} variable, not a literal"
        assert m["op"] in (":?", "?"), f"{key} must be a required ${{VAR:?...}} variable"


@pytest.mark.parametrize("svc", SERVICES, ids=IDS)
def test_service_environment_names_real_settings(svc: Svc) -> None:
    """Every variable has the service's prefix and names a field of its settings class."""
    fields = set(settings_class(svc).model_fields)
    for key in environment(service(svc.name)):
        assert key.startswith(svc.prefix), f"{key} lacks the {svc.prefix} prefix"
        assert key.removeprefix(svc.prefix).lower() in fields, f"{key} is not a setting"


@pytest.mark.parametrize("svc", SERVICES, ids=IDS)
def test_every_required_setting_is_provided(svc: Svc, monkeypatch: pytest.MonkeyPatch) -> None:
    """Derived from the settings class at test time (fields without a default, dev-only
    secrets, defaults that only work on one machine); the environment then loads."""
    env = environment(service(svc.name))
    cls = settings_class(svc)
    missing = [
        dm.env_name(svc, f) for f in dm.required_settings(cls) if dm.env_name(svc, f) not in env
    ]
    assert not missing, f"{svc.name} does not set {missing}"
    resolved = {}
    for key, value in env.items():
        m = _VAR.fullmatch(value)
        required = m is not None and m["op"] in (":?", "?")
        resolved[key] = dm.dummy_secret(m["name"]) if required and m else interpolate(value)
    settings = dm.load_settings(cls, resolved, monkeypatch)
    for field, value in dm.DEPLOYED_VALUES.items():
        if field in cls.model_fields:
            assert getattr(settings, field) == value, field
    if svc.name != "gateway":
        jwks = urlsplit(settings.auth_jwks_url)  # type: ignore[attr-defined]
        assert (jwks.hostname, jwks.port) == ("gateway", BY_NAME["gateway"].port)


@pytest.mark.parametrize("svc", SERVICES, ids=IDS)
def test_service_start_order(svc: Svc) -> None:
    deps = depends_on(service(svc.name))
    assert deps.get("postgres") == "service_healthy"
    assert deps.get("kafka") == "service_healthy"
    assert deps.get("kafka-topics") == "service_completed_successfully"
    assert deps.get(f"migrate-{svc.name}") == "service_completed_successfully"


def test_gateway_starts_after_the_services_it_routes_to() -> None:
    deps = depends_on(service("gateway"))
    for svc in UPSTREAMS:
        assert deps.get(svc.name) == "service_healthy"


@pytest.mark.parametrize("svc", SERVICES, ids=IDS)
def test_migrate_job(svc: Svc) -> None:
    job = service(f"migrate-{svc.name}")
    main = service(svc.name)
    assert as_argv(job.get("command")) == ["migrate"]
    assert job.get("entrypoint") is None, "the image's entrypoint runs `python -m <package>`"
    assert job.get("image") == main.get("image"), "the job runs the service's image"
    assert job.get("build") == main.get("build")
    assert environment(job) == environment(main), "same settings as the service"
    assert depends_on(job).get("postgres") == "service_healthy"
    assert str(job.get("restart", "no")) == "no", "a one-shot job must not restart"
    assert not job.get("ports")


def test_only_the_gateway_publishes_ports() -> None:
    published = {name for name, spec in compose_services().items() if spec.get("ports")}
    assert published == {"gateway"}
    ports = [str(p) for p in service("gateway")["ports"]]
    assert any(p.split(":")[-2:] == ["8000", "8000"] for p in ports), ports


def test_gateway_routes_to_the_services() -> None:
    env = environment(service("gateway"))
    for svc in UPSTREAMS:
        key = f"GATEWAY_{svc.prefix}URL"
        url = urlsplit(env[key])
        assert url.scheme == "http"
        assert url.hostname == svc.name, f"{key} must name the compose service {svc.name}"
        assert url.port == svc.port


def test_postgres() -> None:
    spec = service("postgres")
    assert str(spec["image"]).split(":")[0] == "postgres"
    assert str(spec["image"]).split(":")[1].split(".")[0] == "15"
    mounts = [str(v) for v in spec.get("volumes", [])]
    init = [m for m in mounts if "/docker-entrypoint-initdb.d" in m]
    assert init, "the init script is not mounted"
    source = ROOT / init[0].split(":")[0]
    assert source.resolve() == POSTGRES_INIT.resolve()
    assert not spec.get("ports")


def test_postgres_init_script_creates_the_role_and_every_database() -> None:
    sql = POSTGRES_INIT.read_text(encoding="utf-8")
    assert re.search(r"CREATE\s+(ROLE|USER)\s+ltci\b", sql, re.IGNORECASE)
    created = set(re.findall(r"CREATE\s+DATABASE\s+(\w+)\s+OWNER\s+ltci", sql, re.IGNORECASE))
    assert {s.database for s in SERVICES} <= created
    # the password comes from the environment the services' DATABASE_URLs are built from
    m = re.search(r"\\getenv\s+\w+\s+(\w+)", sql)
    if m:
        assert m[1] in environment(service("postgres"))
        assert all(
            m[1] in environment(service(s.name))[f"{s.prefix}DATABASE_URL"] for s in SERVICES
        )


def test_kafka_is_a_single_kraft_node() -> None:
    spec = service("kafka")
    assert spec["image"] == "apache/kafka:3.9.2"
    env = environment(spec)
    for key in (
        "KAFKA_NODE_ID",
        "KAFKA_PROCESS_ROLES",
        "KAFKA_LISTENERS",
        "KAFKA_ADVERTISED_LISTENERS",
        "KAFKA_CONTROLLER_LISTENER_NAMES",
        "KAFKA_CONTROLLER_QUORUM_VOTERS",
    ):
        assert env.get(key), f"kafka: {key} is not set"
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{env['KAFKA_NODE_ID']}@")
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    for key in (
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
    ):
        assert env.get(key) == "1", f"kafka: {key} must be 1 on a single broker"
    cluster_id = env.get("CLUSTER_ID", "")
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", cluster_id), "CLUSTER_ID must be a base64 UUID"
    assert not spec.get("ports")


def test_topics_are_created_before_the_services_start() -> None:
    spec = service("kafka-topics")
    assert str(spec["image"]).startswith("apache/kafka:")
    assert depends_on(spec).get("kafka") == "service_healthy"


def test_topics_are_the_codes_with_the_kubernetes_partitions() -> None:
    """An events topic per producer and a dead-letter topic per consumer (from the code), with
    the partitions of deploy/k8s (KafkaTopic resources): one plan, one set of numbers."""
    topics = created_topics()
    assert set(topics) == dm.expected_topic_names()
    k8s = {
        t["spec"]["topicName"]: t["spec"]["partitions"] for t in dm.objects("base", "KafkaTopic")
    }
    assert topics == k8s


# --- Dockerfiles ---------------------------------------------------------------------


@pytest.mark.parametrize("svc", SERVICES, ids=IDS)
def test_dockerfile_is_multi_stage(svc: Svc) -> None:
    stages = dockerfile_stages(svc.dockerfile)
    assert len(stages) >= 2
    for stage in stages:
        assert stage[0].args.split()[0].startswith("python:3.11"), stage[0]


@pytest.mark.parametrize("svc", SERVICES, ids=IDS)
def test_dockerfile_runs_as_non_root(svc: Svc) -> None:
    final = dockerfile_stages(svc.dockerfile)[-1]
    users = [i.args for i in final if i.keyword == "USER"]
    assert users, "the final stage sets no USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}


@pytest.mark.parametrize("svc", SERVICES, ids=IDS)
def test_dockerfile_healthcheck(svc: Svc) -> None:
    final = dockerfile_stages(svc.dockerfile)[-1]
    checks = [i.args for i in final if i.keyword == "HEALTHCHECK"]
    assert checks, "no HEALTHCHECK in the final stage"
    assert f"127.0.0.1:{svc.port}/healthz" in checks[-1]
    assert "urllib" in checks[-1]


@pytest.mark.parametrize("svc", SERVICES, ids=IDS)
def test_dockerfile_installs_from_the_lock_file(svc: Svc) -> None:
    builder = [i for stage in dockerfile_stages(svc.dockerfile)[:-1] for i in stage]
    copied = " ".join(i.args for i in builder if i.keyword == "COPY")
    assert "uv.lock" in copied
    assert re.search(r"(?<![\w/])pyproject\.toml\b", copied), "the root pyproject.toml"
    for member in workspace_members():
        assert f"{member.as_posix()}/pyproject.toml" in copied, f"{member} is not copied"
    syncs = [i.args for i in builder if i.keyword == "RUN" and "uv sync" in i.args]
    assert syncs, "the builder never runs `uv sync`"
    for sync in syncs:
        for flag in ("--frozen", "--no-dev", f"--package {svc.distribution}", "--no-editable"):
            assert flag in sync, f"`uv sync` without {flag}: {sync}"
    assert any("--no-install-workspace" not in s for s in syncs), "the service is never installed"


@pytest.mark.parametrize("svc", SERVICES, ids=IDS)
def test_dockerfile_final_stage_has_no_build_tools(svc: Svc) -> None:
    final = dockerfile_stages(svc.dockerfile)[-1]
    for ins in final:
        if ins.keyword in {"RUN", "COPY", "ADD"}:
            text = ins.args.lower()
            assert not re.search(r"(?<![\w.-])uv(?![\w.-])|astral-sh", text), ins
            assert not re.search(r"\b(gcc|g\+\+|build-essential|make|pip install)\b", text), ins
            assert "apt-get install" not in text, ins
    copies = [i.args for i in final if i.keyword == "COPY"]
    assert copies, "the final stage copies nothing"
    for args in copies:
        assert "--from=" in args, f"the final stage copies from the context: {args}"
        assert args.split()[-2:] == ["/app/.venv", "/app/.venv"], args


@pytest.mark.parametrize("svc", SERVICES, ids=IDS)
def test_dockerfile_entrypoint(svc: Svc) -> None:
    final = dockerfile_stages(svc.dockerfile)[-1]
    last = {i.keyword: i.args for i in final}
    assert exec_form(last["ENTRYPOINT"]) == ["python", "-m", svc.package]
    all_interfaces = "0.0.0.0"  # noqa: S104 - inside the container, by design
    assert exec_form(last["CMD"]) == ["serve", "--host", all_interfaces, "--port", str(svc.port)]
    assert last["EXPOSE"].split() == [str(svc.port)]
    assert "/app/.venv/bin" in last["ENV"]


def test_dockerignore_keeps_local_state_out_of_the_context() -> None:
    path = ROOT / ".dockerignore"
    assert path.is_file()
    patterns = {
        line.strip().rstrip("/")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for required in (".git", ".venv", "var", ".pytest_cache", ".ruff_cache", ".mypy_cache"):
        assert required in patterns, f".dockerignore does not exclude {required}"
    for needed in ("pyproject.toml", "uv.lock", "shared", "services", "embedded"):
        assert needed not in patterns, f".dockerignore excludes {needed}, which builds need"


# --- migrations ----------------------------------------------------------------------


@pytest.mark.parametrize("svc", SERVICES, ids=IDS)
def test_service_has_migrations(svc: Svc) -> None:
    migrations = svc.directory / svc.package / "migrations"
    assert (migrations / "env.py").is_file()
    revisions = [
        p
        for p in (migrations / "versions").glob("*.py")
        if re.search(r"^revision\b.*=", p.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert revisions, f"{migrations}/versions has no revision"
