"""Who may call what: the principal from a verified token, role tables per route, object guards.

Each service declares one ``AccessTable`` next to its routes: ``"METHOD /path"`` → the roles
allowed, each with an optional guard (an object-level check such as "the person is in one of
the TPA's regions"). Admin may call everything. A route missing from the table is refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ltci_shared.auth.tokens import InvalidToken, JwksCache, TokenVerifier
from ltci_shared.errors import Forbidden
from ltci_shared.settings import ServiceSettings

Role = Literal["tpa", "provider", "dashboard", "admin"]
ROLES: tuple[Role, ...] = ("tpa", "provider", "dashboard", "admin")


class RoleNotAllowed(Forbidden):
    name, title = "role_not_allowed", "Role not allowed on this endpoint"


class OutsideTenancy(Forbidden):
    name, title = "outside_tenancy", "Outside the client's tenancy"


def region_covers(granted: str, code: str) -> bool:
    """A region grant covers itself, a city (``3209xx`` → ``320900``) its divisions, a
    province (``320000``) its cities and divisions."""
    if granted == code:
        return True
    if len(granted) != 6 or len(code) != 6:
        return False
    if granted.endswith("0000"):
        return code[:2] == granted[:2]
    if granted.endswith("00"):
        return code[:4] == granted[:4]
    return False


@dataclass(frozen=True)
class Principal:
    """The caller: an API client with a role and its tenancy (regions for a TPA, a provider id)."""

    client_id: str
    role: Role
    regions: tuple[str, ...] = ()
    provider_id: str | None = None
    token_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def covers_region(self, code: object) -> bool:
        if self.is_admin:
            return True
        return isinstance(code, str) and any(region_covers(g, code) for g in self.regions)

    def require_region(self, code: object, what: str = "the record") -> None:
        if not self.covers_region(code):
            raise OutsideTenancy(f"{what} is outside the regions of client {self.client_id}")

    def require_provider(self, provider_id: object, what: str = "the record") -> None:
        if not self.is_admin and (self.provider_id is None or provider_id != self.provider_id):
            raise OutsideTenancy(f"{what} belongs to another provider")

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Principal:
        role = claims.get("role")
        if role not in ROLES:
            raise InvalidToken("the token names no known role")
        regions = claims.get("regions") or []
        provider_id = claims.get("provider_id")
        if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
            raise InvalidToken("the token's regions are malformed")
        if provider_id is not None and not isinstance(provider_id, str):
            raise InvalidToken("the token's provider_id is malformed")
        return cls(str(claims["sub"]), role, tuple(regions), provider_id, str(claims.get("jti")))


ANONYMOUS = Principal("anonymous", "admin")
"""The caller when ``auth_mode`` is ``off`` (a service's own tests): no checks at all."""

Guard = Callable[[Request, Principal], Awaitable[None]]
Rule = Mapping[Role, Guard | None]
AccessTable = Mapping[str, Rule]


def allow(*roles: Role, guard: Guard | None = None) -> dict[Role, Guard | None]:
    """``allow("tpa", "provider", guard=...)``: the roles allowed, all with the same guard."""
    return dict.fromkeys(roles, guard)


def route_key(method: str, path: str) -> str:
    return f"{'GET' if method == 'HEAD' else method} {path}"


def _api_routes(routes: Iterable[Any]) -> Iterator[tuple[APIRoute, str, set[str]]]:
    """(route, effective path, methods) of every API route, through included routers."""
    for context in iter_route_contexts(list(routes)):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path is not None:
            yield route, context.path, set(context.methods or ())


def declared_routes(routes: Iterable[Any]) -> list[str]:
    """Every ``METHOD /path`` of an app's API routes (what its access table must declare)."""
    return sorted(
        route_key(m, path)
        for _, path, methods in _api_routes(routes)
        for m in methods
        if m != "HEAD"
    )


def _effective_path(request: Request) -> str:
    """The matched route's full path (routers may be included with a prefix)."""
    paths: dict[int, str] | None = getattr(request.app.state, "route_paths", None)
    if paths is None:
        paths = {id(route): path for route, path, _ in _api_routes(request.app.routes)}
        request.app.state.route_paths = paths
    route = request.scope.get("route")
    return paths.get(id(route), getattr(route, "path", ""))


_bearer = HTTPBearer(
    auto_error=False, description="an access token from the gateway's /oauth/token"
)


def verifier(app: FastAPI, settings: ServiceSettings) -> TokenVerifier:
    """The app's token verifier, made on first use (tests may set ``app.state.token_verifier``)."""
    found: TokenVerifier | None = getattr(app.state, "token_verifier", None)
    if found is None:
        keys = JwksCache(settings.auth_jwks_url, ttl=settings.auth_jwks_cache_seconds)
        found = TokenVerifier(
            keys, settings.auth_audience, settings.auth_issuer, settings.auth_leeway_seconds
        )
        app.state.token_verifier = found
    return found


async def authenticate(request: Request, settings: ServiceSettings, token: str | None) -> Principal:
    if settings.auth_mode == "off":
        return ANONYMOUS
    if not token:
        raise InvalidToken("a bearer token is required (Authorization: Bearer ...)")
    claims = await verifier(request.app, settings).verify(token)
    return Principal.from_claims(claims)


def authorizer(table: AccessTable) -> Callable[..., Awaitable[Principal]]:
    """The dependency that authenticates the caller and applies the route's rule and guard."""

    async def authorize(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        settings: ServiceSettings = request.app.state.runtime.settings
        principal = await authenticate(
            request, settings, credentials.credentials if credentials else None
        )
        request.state.principal = principal
        if principal is ANONYMOUS:
            return principal
        rule = table.get(route_key(request.method, _effective_path(request)))
        if rule is None:
            raise RoleNotAllowed("this endpoint is not open to any client role")
        if principal.is_admin:
            return principal
        if principal.role not in rule:
            raise RoleNotAllowed(f"role {principal.role} may not call this endpoint")
        guard = rule[principal.role]
        if guard is not None:
            await guard(request, principal)
        return principal

    return authorize


def protect(routers: Sequence[APIRouter], table: AccessTable) -> APIRouter:
    """One router holding ``routers``, every route behind ``table`` (give it to service_app)."""
    parent = APIRouter(dependencies=[Depends(authorizer(table))])
    for router in routers:
        parent.include_router(router)
    return parent


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the caller, as established by the route's access rule (async: no
    thread-pool hop)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is not None:
        return principal
    if request.app.state.runtime.settings.auth_mode == "off":
        return ANONYMOUS
    raise RoleNotAllowed("this endpoint is not open to any client role")


PrincipalDep = Annotated[Principal, Depends(current_principal)]


# --- guards every service needs (object-level checks from the query or the body) ---


def region_query(param: str = "region_code") -> Guard:
    """The list must be filtered by ``param`` and the region must be the client's."""

    async def guard(request: Request, principal: Principal) -> None:
        value = request.query_params.get(param)
        if value is None:
            raise OutsideTenancy(f"filter by {param}: a TPA sees only its regions")
        principal.require_region(value, f"region {value[:6]!r}")

    return guard


def provider_query(param: str = "provider_id") -> Guard:
    """The list must be filtered by ``param`` equal to the client's own provider id."""

    async def guard(request: Request, principal: Principal) -> None:
        value = request.query_params.get(param)
        if value is None:
            raise OutsideTenancy(f"filter by {param}: a provider sees only its own records")
        principal.require_provider(value, "the records asked for")

    return guard


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object (already read by FastAPI), or {} if it is not one."""
    try:
        value = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def region_body(field: str = "region_code", *, required: bool = True) -> Guard:
    """The body's ``field`` must be one of the client's regions (absent: refused if required)."""

    async def guard(request: Request, principal: Principal) -> None:
        body = await json_body(request)
        if field not in body and not required:
            return
        principal.require_region(body.get(field), f"region {str(body.get(field))[:6]!r}")

    return guard


def provider_body(field: str = "provider_id") -> Guard:
    async def guard(request: Request, principal: Principal) -> None:
        principal.require_provider((await json_body(request)).get(field), "the record")

    return guard


def all_of(*guards: Guard) -> Guard:
    async def guard(request: Request, principal: Principal) -> None:
        for g in guards:
            await g(request, principal)

    return guard
