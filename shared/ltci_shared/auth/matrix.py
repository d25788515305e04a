"""The role-by-endpoint test matrix every service runs against its access table."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ltci_shared.auth.access import ROLES, AccessTable, declared_routes
from ltci_shared.auth.tokens import StaticKeys, TokenVerifier, sign

OPERATIONS = frozenset({"GET /healthz", "GET /readyz", "GET /metrics"})
"""Routes open to everyone (liveness, readiness, metrics) and outside every access table."""


def undeclared(routes: Iterable[Any], table: AccessTable) -> tuple[list[str], list[str]]:
    """(routes missing from the table, table entries naming no route)."""
    present = set(declared_routes(routes)) - OPERATIONS
    return sorted(present - set(table)), sorted(set(table) - present)


async def role_matrix(
    client: httpx.AsyncClient,
    routes: Iterable[Any],
    table: AccessTable,
    tokens: Mapping[str, str],
    *,
    query: str = "",
    path_values: Mapping[str, str] | None = None,
) -> list[str]:
    """Call every declared endpoint as every role and without a token; return the failures.

    Without a token: 401. A role not in the rule: 403 ``role_not_allowed``. Admin and allowed
    roles: never 401, never 5xx, and a 403 only from the object guard (``outside_tenancy``).
    """
    values = path_values or {}
    failures = []
    for key in sorted(set(declared_routes(routes)) - OPERATIONS):
        method, path = key.split(" ", 1)
        url = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values.get(m[1], f"no-{m[1]}"), path)
        url = f"{url}?{query}" if query else url
        rule = table.get(key, {})
        for role in (None, *ROLES):
            headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
            body: dict[str, Any] | None = {} if method in ("POST", "PUT", "PATCH") else None
            response = await client.request(method, url, json=body, headers=headers)
            problem = response.json().get("type") if _is_problem(response) else None
            allowed = role == "admin" or role in rule
            ok = _expected(response.status_code, problem, role, allowed)
            if not ok:
                failures.append(f"{key} as {role}: {response.status_code} {problem}")
    return failures


def _is_problem(response: httpx.Response) -> bool:
    return response.headers.get("content-type", "").startswith("application/problem+json")


def _expected(status: int, problem: str | None, role: str | None, allowed: bool) -> bool:
    if status >= 500:
        return False
    if role is None:
        return status == 401
    if not allowed:
        return status == 403 and problem == "/problems/role_not_allowed"
    return status != 401 and (status != 403 or problem == "/problems/outside_tenancy")


class TokenSigner:
    """A signing key of the tests' own: set ``app.state.token_verifier = signer.verifier()``."""

    def __init__(self, audience: str = "ltci-platform", issuer: str = "ltci-gateway") -> None:
        self.private = Ed25519PrivateKey.generate()
        self.kid, self.audience, self.issuer = "test-key", audience, issuer

    def verifier(self) -> TokenVerifier:
        keys = StaticKeys({self.kid: self.private.public_key()})
        return TokenVerifier(keys, self.audience, self.issuer)

    def token(self, role: str, *, ttl: int = 300, **claims: Any) -> str:
        now = int(time.time())
        base: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": f"{role}-client",
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "jti": uuid.uuid4().hex,
            "role": role,
            "regions": [],
            "provider_id": None,
        }
        base.update(claims)
        return sign(base, self.private, self.kid)

    def tokens(self, regions: list[str], provider_id: str) -> dict[str, str]:
        """One token per role: the TPA with ``regions``, the provider with ``provider_id``."""
        return {
            "tpa": self.token("tpa", regions=regions),
            "provider": self.token("provider", provider_id=provider_id),
            "dashboard": self.token("dashboard"),
            "admin": self.token("admin"),
        }
