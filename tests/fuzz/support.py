"""The fuzzer's machinery: who calls (an admin, two foreign clients and the dashboard), the
records seeded for the path ids to hit, the hooks that mix those ids into generated requests,
the checks on every answer, and the scan of every log line.

Tenancy of the seed: region A (Yancheng 320900, county 320902) holds the *guarded* records and
provider A; region B (Changzhou 320400, county 320402) holds the *work* records and provider B.
The foreign clients are a TPA of region B and provider B. A case naming a guarded record is
sent by the foreign clients only (so the admin never changes a guarded record's tenancy); any
other case is sent by the foreign clients, then by the admin (who reaches every code path).
The dashboard's client (no tenancy, read-only figures) is sent every case.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.python import asgi
from schemathesis.schemas import BaseSchema

from ltci_shared.auth import AccessTable, route_key
from ltci_shared.auth.matrix import TokenSigner
from ltci_shared.events.base import IntegrationEvent
from ltci_shared.events.envelope import Envelope
from ltci_shared.ids import mask_resident_id
from ltci_shared.logging import JsonFormatter
from ltci_shared.messaging.consumer import Outcome
from ltci_shared.messaging.message import Message

HOME_CITY, HOME_COUNTY = "320900", "320902"  # region A: the guarded records
OTHER_CITY, OTHER_COUNTY = "320400", "320402"  # region B: the foreign TPA's, the work records
REGIONS = [HOME_COUNTY, HOME_CITY, OTHER_COUNTY, OTHER_CITY]
MAX_EXAMPLES = 10  # cases per operation and generation mode (plus examples and the sweep)
SIGNER = TokenSigner()
# Hypothesis is driven here (settings below); schemathesis only makes the cases.
CONFIG = schemathesis.Config.from_dict(
    {"warnings": False, "generation": {"with-security-parameters": False}}
)
SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=list(hypothesis.HealthCheck),
    # No shrinking: the first failing request is reported as it was sent (a curl command).
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)


def resident_id(body17: str) -> str:
    """Complete 17 digits with the GB 11643 check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body17, weights, strict=True))
    return body17 + "10X98765432"[total % 11]


EXAMPLE_RESIDENT_ID = "11010519491231002X"  # the one in the OpenAPI examples


@dataclass
class Seed:
    """What the fuzzed service holds before the first request."""

    url: str
    pools: dict[str, list[Any]] = field(default_factory=dict)
    guarded: dict[str, str] = field(default_factory=dict)  # region A records: id -> what
    provider_a: dict[str, str] = field(default_factory=dict)  # provider A's records
    resident_ids: list[str] = field(default_factory=lambda: [EXAMPLE_RESIDENT_ID])
    provider_b: str = "prov-b"
    tokens: dict[str, str] = field(default_factory=dict)  # issued by the app itself (gateway)

    def add(self, param: str, value: Any, *, guarded: str | None = None, own: bool = False) -> Any:
        """Put ``value`` in the pool of ``param``; ``guarded``: a region-A record (``own``:
        of provider A as well)."""
        self.pools.setdefault(param, [])
        if value not in self.pools[param]:
            self.pools[param].append(value)
        if guarded is not None:
            self.guarded[str(value)] = guarded
            if own:
                self.provider_a[str(value)] = guarded
        return value


@dataclass(frozen=True)
class Identity:
    name: str
    role: str
    headers: dict[str, str]
    secrets: Mapping[str, str]  # ids of records this client must never read


_BY_AUTH: dict[str, Identity] = {}
OPEN_ROUTES = {"GET /healthz", "GET /readyz", "GET /metrics"}  # ltci_shared.web, no token


def identity(name: str, role: str, token: str, secrets: Mapping[str, str]) -> Identity:
    found = Identity(name, role, {"Authorization": f"Bearer {token}"}, dict(secrets))
    _BY_AUTH[found.headers["Authorization"]] = found
    return found


# --- seeding through the API and the consumers -------------------------------------------


@asynccontextmanager
async def seeding(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app running on this test's event loop (migrated, auth off), and a client of it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://seed") as client:
            yield client


async def post(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], status: int = 201
) -> dict[str, Any]:
    response = await client.post(path, json=body)
    assert response.status_code == status, f"{path}: {response.text}"
    return dict(response.json())


async def feed(client: httpx.AsyncClient, *events: IntegrationEvent) -> None:
    """Hand events to the service's consumer exactly as the bus would."""
    app: Any = client._transport.app  # type: ignore[attr-defined]
    consumer = app.state.runtime.event_consumers[0]
    for event in events:
        envelope = Envelope.wrap(event).to_bytes()
        message = Message(f"ltci.{event.producer}.events", event.key, envelope)
        assert await consumer.handle(message) == Outcome.APPLIED


# --- the checks ---------------------------------------------------------------------------

_RESIDENT_ID = re.compile(
    r"(?<![0-9A-Za-z])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])"
    r"(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9A-Za-z])"
)
_PLANTED: set[str] = {EXAMPLE_RESIDENT_ID}


def resident_ids_in(text: str) -> list[str]:
    """Every resident ID in full in ``text`` (full-width digits too): a valid number by its
    shape, birth date and check character, or one the tests planted."""
    flat = unicodedata.normalize("NFKC", text)
    found = [m for m in _RESIDENT_ID.findall(flat) if resident_id(m[:17]) == m.upper()]
    upper = flat.upper()
    found += [rid for rid in _PLANTED if rid in upper]
    return sorted(set(found))


def no_resident_id_leak(ctx: Any, response: Any, case: Any) -> None:
    """No resident ID in full in the body or any header of the response."""
    texts = [response.content.decode("utf-8", "replace")]
    texts += [f"{name}: {value}" for name, values in response.headers.items() for value in values]
    leaked = sorted({rid for text in texts for rid in resident_ids_in(text)})
    if leaked:
        shown = ", ".join(mask_resident_id(rid) for rid in leaked)
        raise AssertionError(f"a resident ID in full in the response ({shown})")


def no_cross_tenant_read(ctx: Any, response: Any, case: Any) -> None:
    """A foreign client never gets a 2xx on another tenant's record, nor its id in a read."""
    who = _BY_AUTH.get(response.request.headers.get("Authorization", ""))
    if who is None or not who.secrets or not 200 <= response.status_code < 300:
        return
    named = [str(v) for v in (case.path_parameters or {}).values() if str(v) in who.secrets]
    if named:
        raise AssertionError(
            f"{who.name} got {response.status_code} on {who.secrets[named[0]]} (another tenant's)"
        )
    if case.method.upper() == "GET":
        body = response.content.decode("utf-8", "replace")
        seen = [what for secret, what in who.secrets.items() if secret in body]
        if seen:
            raise AssertionError(f"{who.name} read {seen[0]} (another tenant's)")


CHECKS = [not_a_server_error, no_resident_id_leak, no_cross_tenant_read]


class LogScan(logging.Handler):
    """Every log record of INFO and above while the services are fuzzed (their own, the HTTP
    client's, the access line of each request), formatted as the services write their log
    lines (``JsonFormatter``), searched for a resident ID in full."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter("fuzz"))
        self.lines = 0
        self.leaks: Counter[tuple[str, str]] = Counter()  # (logger, masked ID): lines

    def emit(self, record: logging.LogRecord) -> None:
        line = self.format(record)
        self.lines += 1
        for rid in resident_ids_in(line):
            self.leaks[record.name, mask_resident_id(rid)] += 1


@contextmanager
def scanning_logs() -> Iterator[LogScan]:
    """The root logger at INFO with a ``LogScan`` for the duration (then as it was)."""
    root, scan = logging.getLogger(), LogScan()
    level = root.level
    root.addHandler(scan)
    root.setLevel(logging.INFO)
    try:
        yield scan
    finally:
        root.removeHandler(scan)
        root.setLevel(level)


# --- sending a case -----------------------------------------------------------------------


def _mentions(case: Any, ids: Mapping[str, str]) -> bool:
    parts = (case.path_parameters, case.query, case.body if isinstance(case.body, dict) else None)
    blob = json.dumps([p for p in parts if p], default=str, ensure_ascii=False)
    return any(i in blob for i in ids)


@dataclass
class Fuzzer:
    """Sends each generated case as the foreign clients and, unless it names a guarded record,
    as the admin; validates every response."""

    seed: Seed
    admin: Identity
    tpa_b: Identity
    provider_b: Identity | None
    access: AccessTable | None = None
    # the dashboard's client (no tenancy, read-only figures): sent every case, so that every
    # route its role is not admitted to is seen refusing it
    dashboard: Identity | None = None
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)

    def callers(self, case: Any) -> list[Identity]:
        """The foreign clients whose role the route admits (all of them where the service has
        no access table) and the dashboard, then the admin unless the case names a guarded
        record."""
        foreign = [who for who in (self.tpa_b, self.provider_b) if who is not None]
        if self.access is not None:
            foreign = [who for who in foreign if who.role in self._rule(case)]
        if self.dashboard is not None:
            foreign.append(self.dashboard)
        if _mentions(case, self.seed.guarded):
            return foreign
        return [*foreign, self.admin]

    def assert_exercised(self) -> None:
        """The seeded records were reached: the admin got answers, the foreign TPA refusals,
        the dashboard both."""
        got = self.statuses
        assert any(200 <= c < 300 for (who, c) in got if who == self.admin.name), dict(got)
        assert any(c == 403 for (who, c) in got if who == self.tpa_b.name), dict(got)
        if self.dashboard is not None:
            mine = [c for (who, c) in got if who == self.dashboard.name]
            assert any(200 <= c < 300 for c in mine) and 403 in mine, dict(got)

    def run(self, case: Any) -> None:
        for who in self.callers(case):
            # generous: a loaded CI machine must not turn slowness into a flaky failure
            response = case.call(headers=who.headers, timeout=60)
            self.statuses[who.name, response.status_code] += 1
            _access_line(response)
            case.validate_response(response, checks=CHECKS)
            self._refused_unless_admitted(who, case, response.status_code)

    def _rule(self, case: Any) -> Mapping[str, Any]:
        assert self.access is not None
        return self.access.get(route_key(case.method.upper(), case.operation.path), {})

    def _refused_unless_admitted(self, who: Identity, case: Any, status: int) -> None:
        """A client whose role the route does not admit never gets a 2xx from it (health and
        readiness are open to every caller, outside the access table)."""
        if self.access is None or who is self.admin or who.role in self._rule(case):
            return
        if route_key(case.method.upper(), case.operation.path) in OPEN_ROUTES:
            return
        if 200 <= status < 300:
            raise AssertionError(
                f"{who.name} got {status} on {case.method.upper()} {case.operation.path}, "
                "a route its role is not admitted to"
            )


_ACCESS = logging.getLogger("uvicorn.access")


def _access_line(response: Any) -> None:
    """The line uvicorn's access log writes for this request when a service runs (its logger,
    its format: the path and the query as sent); in process there is no uvicorn, so it is
    written here for ``LogScan`` to see every path and query the fuzzer sent."""
    url = urlsplit(response.request.url)
    path = url.path + (f"?{url.query}" if url.query else "")
    method, status = response.request.method, response.status_code
    _ACCESS.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:50000", method, path, "1.1", status)


def identities(
    seed: Seed,
    admin: str,
    tpa_b: str,
    provider_b: str | None = None,
    access: AccessTable | None = None,
    dashboard: str | None = None,
) -> Fuzzer:
    """The admin, the foreign clients (a TPA of region B, provider B) and the dashboard of
    these tokens."""
    _PLANTED.update(seed.resident_ids)
    return Fuzzer(
        seed,
        identity("admin", "admin", admin, {}),
        identity("tpa of region B", "tpa", tpa_b, seed.guarded),
        None
        if provider_b is None
        else identity("provider B", "provider", provider_b, seed.provider_a),
        access,
        None if dashboard is None else identity("dashboard", "dashboard", dashboard, {}),
    )


def service_identities(
    seed: Seed, access: AccessTable, tpa_regions: Sequence[str] = (OTHER_CITY,)
) -> Fuzzer:
    """The admin and the foreign clients of a service behind ``auth_mode="required"``."""
    return identities(
        seed,
        SIGNER.token("admin"),
        SIGNER.token("tpa", regions=list(tpa_regions)),
        SIGNER.token("provider", provider_id=seed.provider_b),
        access,
        SIGNER.token("dashboard"),
    )


# --- generation hooks and serving ---------------------------------------------------------


def _mixer(pools: Mapping[str, Sequence[Any]]) -> Callable[[Any, Any], st.SearchStrategy[Any]]:
    """A flatmap hook: each generated value of a pooled parameter is kept or replaced by a
    seeded one (so path ids hit real records and bodies name real persons and regions)."""

    def mix(context: Any, generated: Any) -> st.SearchStrategy[Any]:
        if not isinstance(generated, dict):
            return st.just(generated)
        return st.fixed_dictionaries(
            {
                k: st.one_of(st.just(v), st.sampled_from(pools[k])) if pools.get(k) else st.just(v)
                for k, v in generated.items()
            }
        )

    return mix


def install_hooks(schema: BaseSchema, pools: Mapping[str, Sequence[Any]]) -> None:
    for name in ("flatmap_path_parameters", "flatmap_query", "flatmap_body"):
        schema.hook(name)(_mixer(pools))


def fuzz_operations(schema: BaseSchema, fuzzer: Fuzzer, subtests: pytest.Subtests) -> None:
    """Every operation of ``schema`` as a subtest: each seeded record through its path (one
    valid case each, so every guarded record meets every route), its OpenAPI examples, then
    generated cases (valid and invalid, ``MAX_EXAMPLES`` each) through ``fuzzer``. Every log
    line written meanwhile is searched for a resident ID in full (``LogScan``)."""
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert operations and len(operations) == len(results), "the schema has invalid operations"
    with scanning_logs() as logs:
        for operation in operations:
            with subtests.test(msg=operation.label):
                for sweep in _sweeps(operation, fuzzer.seed.pools):
                    _fuzz(sweep, fuzzer, 1)
                strategies = schema.get_strategies_from_examples(operation)
                strategies += [
                    operation.as_strategy(generation_mode=mode) for mode in GenerationMode
                ]
                _fuzz(st.one_of(strategies), fuzzer, len(strategies) * MAX_EXAMPLES // 2)
    fuzzer.assert_exercised()
    print(f"log lines scanned: {logs.lines}")
    assert not logs.leaks, f"resident IDs in full in the log: {dict(logs.leaks)}"


def _sweeps(operation: Any, pools: Mapping[str, Sequence[Any]]) -> list[st.SearchStrategy[Any]]:
    """Valid cases whose path names each seeded value of its pooled parameters in turn."""
    pooled = [name for name in re.findall(r"\{(\w+)\}", operation.path) if pools.get(name)]
    width = max((len(pools[name]) for name in pooled), default=0)
    return [
        operation.as_strategy(
            generation_mode=GenerationMode.POSITIVE,
            path_parameters={name: pools[name][i % len(pools[name])] for name in pooled},
        )
        for i in range(width)
    ]


def _fuzz(strategy: st.SearchStrategy[Any], fuzzer: Fuzzer, examples: int) -> None:
    @hypothesis.settings(SETTINGS, max_examples=examples)
    @hypothesis.given(case=strategy)
    def fuzz(case: Any) -> None:
        fuzzer.run(case)

    fuzz()


@contextmanager
def serving(
    app: FastAPI,
    seed: Seed,
    *,
    verifier: bool = True,
    document: Mapping[str, Any] | None = None,
) -> Iterator[BaseSchema]:
    """The app's own OpenAPI document (or ``document``) with the seeded pools, the app reached
    over ASGI (it is started on the first request); stopped at the end, before its database
    is dropped. ``verifier``: the app checks tokens of the tests' signing key (every service
    but the gateway, which issues its own)."""
    if verifier:
        app.state.token_verifier = SIGNER.verifier()
    try:
        spec = dict(document) if document is not None else app.openapi()
        schema = schemathesis.openapi.from_dict(spec, config=CONFIG)
        schema.app = app
        install_hooks(schema, seed.pools)
        yield schema
    finally:
        asgi.shutdown_lifespans()
