"""Each replica's view of the clients (status, tenancy, limits) and of revoked tokens.

Refreshed from the database at most every ``client_cache_seconds`` and at once after a local
change, so a disabled client or a revoked token is refused by every replica within that time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from ltci_gateway.adapters.repository import ClientRepository, RevocationRepository
from ltci_gateway.settings import Settings
from ltci_shared.auth import InvalidToken, Principal
from ltci_shared.uow import UnitOfWork


class TokenRevoked(InvalidToken):
    name, title = "token_revoked", "Access token revoked"


class ClientDirectory:
    def __init__(self, settings: Settings, uow: Callable[[], UnitOfWork]) -> None:
        self._settings = settings
        self._uow = uow
        self._clients: dict[str, dict[str, Any]] = {}
        self._revoked: frozenset[str] = frozenset()
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self._loaded_at = float("-inf")

    async def _fresh(self) -> None:
        if time.monotonic() - self._loaded_at <= self._settings.client_cache_seconds:
            return
        async with self._lock:
            if time.monotonic() - self._loaded_at <= self._settings.client_cache_seconds:
                return
            async with self._uow() as uow:
                clients = await ClientRepository(uow.session).all()
                revoked = await RevocationRepository(uow.session).active(time.time())
            self._clients = {c["client_id"]: c for c in clients}
            self._revoked = frozenset(revoked)
            self._loaded_at = time.monotonic()

    async def admit(self, claims: dict[str, Any]) -> Principal:
        """The principal of a verified token whose client is active and token not revoked.

        Tenancy is taken from the client as it is now, so the token cannot claim more."""
        await self._fresh()
        principal = Principal.from_claims(claims)
        client = self._clients.get(principal.client_id)
        if client is None or client["disabled"]:
            raise TokenRevoked("the client of this token is unknown or disabled")
        if principal.token_id in self._revoked:
            raise TokenRevoked("this token was revoked")
        issued = claims.get("iat")
        if not isinstance(issued, int | float) or issued < client["tokens_not_before"]:
            raise TokenRevoked("this token was issued before the client's credentials changed")
        if principal.role != client["role"]:
            raise TokenRevoked("the client's role has changed")
        return principal

    async def limits(self, client_id: str) -> tuple[float, int]:
        await self._fresh()
        client = self._clients.get(client_id) or {}
        rate = client.get("rate_per_second") or self._settings.rate_per_second
        burst = client.get("burst") or self._settings.rate_burst
        return float(rate), int(burst)

    async def known(self, client_id: str) -> bool:
        """Whether an active client has this id (the token endpoint asks before hashing)."""
        await self._fresh()
        if client_id not in self._clients and time.monotonic() - self._loaded_at > 1.0:
            self.invalidate()  # just registered on another replica? (at most once a second)
            await self._fresh()
        client = self._clients.get(client_id)
        return client is not None and not client["disabled"]
