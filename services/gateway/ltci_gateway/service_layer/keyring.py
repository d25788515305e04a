"""The gateway's signing keys: loaded from its database, rotated without downtime, served as JWKS."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ltci_gateway.adapters.repository import KeyRepository
from ltci_gateway.domain import keys as rules
from ltci_gateway.settings import Settings
from ltci_shared.auth.tokens import b64url_decode, public_jwk
from ltci_shared.uow import UnitOfWork


def utcnow() -> datetime:
    return datetime.now(UTC)


class KeyRing:
    """Keys in memory, reloaded from the database every ``key_reload_seconds`` (other replicas
    may have rotated) and at once when a token names a key id not seen yet."""

    def __init__(self, settings: Settings, uow: Callable[[], UnitOfWork]) -> None:
        self._settings = settings
        self._uow = uow
        self._records: list[rules.KeyRecord] = []
        self._private: dict[str, Ed25519PrivateKey] = {}
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    @property
    def retention(self) -> timedelta:
        s = self._settings
        return timedelta(seconds=s.token_ttl_seconds + s.auth_leeway_seconds + s.key_reload_seconds)

    async def start(self) -> None:
        """Load the keys; on a first start make one that signs at once (no token exists yet).
        Workers starting together on a fresh database all end up with the same first key."""
        await self.reload()
        if rules.signing_key(self._records, utcnow()) is None:
            await self._next_key(utcnow())

    async def reload(self) -> None:
        async with self._uow() as uow:
            self._records = await KeyRepository(uow.session).all()
        self._loaded_at = time.monotonic()

    async def _fresh(self, force: bool = False) -> None:
        if force or time.monotonic() - self._loaded_at > self._settings.key_reload_seconds:
            async with self._lock:
                await self.reload()

    async def _next_key(self, activates_at: datetime) -> rules.KeyRecord:
        """The key of the generation after the newest this replica knows, or, when another
        replica made that generation first, the key it made (one key per generation)."""
        generation = rules.next_generation(self._records)
        record = rules.new_key(
            self._settings.key_encryption_secret, utcnow(), activates_at, generation
        )
        async with self._uow() as uow:
            await KeyRepository(uow.session).add_if_absent(record)
            await uow.commit()
        await self.reload()
        return next(r for r in self._records if r.generation == generation)

    async def rotate(self) -> rules.KeyRecord:
        """A new key, published now, signing after ``key_publish_lead_seconds`` (rotations
        started together on several replicas make one key)."""
        await self.reload()
        return await self._next_key(self._pending_until())

    def _pending_until(self) -> datetime:
        return utcnow() + timedelta(seconds=self._settings.key_publish_lead_seconds)

    async def signer(self) -> tuple[str, Ed25519PrivateKey]:
        """The key id and private key that sign now; schedules a rotation when it is due."""
        await self._fresh()
        now = utcnow()
        current = rules.signing_key(self._records, now)
        if current is None:
            await self.start()
            current = rules.signing_key(self._records, utcnow())
            assert current is not None
        pending = any(r.activates_at > now for r in self._records)
        if not pending and now - current.activates_at > timedelta(
            days=self._settings.key_rotation_days
        ):
            await self._next_key(self._pending_until())  # other replicas may be due too
        if current.kid not in self._private:
            self._private[current.kid] = rules.private_key(
                current, self._settings.key_encryption_secret
            )
        return current.kid, self._private[current.kid]

    async def jwks(self) -> dict[str, Any]:
        await self._fresh()
        return {
            "keys": [
                public_jwk(Ed25519PublicKey.from_public_bytes(b64url_decode(r.public_key)), r.kid)
                for r in rules.published(self._records, utcnow(), self.retention)
            ]
        }

    async def key(self, kid: str) -> Ed25519PublicKey | None:
        """KeySource for the gateway's own verifier: published keys only."""
        await self._fresh(force=not any(r.kid == kid for r in self._records) and self._may_force())
        for record in rules.published(self._records, utcnow(), self.retention):
            if record.kid == kid:
                return Ed25519PublicKey.from_public_bytes(b64url_decode(record.public_key))
        return None

    def _may_force(self) -> bool:
        return time.monotonic() - self._loaded_at > 5.0

    def describe(self) -> list[dict[str, Any]]:
        now = utcnow()
        return [
            {
                "kid": r.kid,
                "created_at": r.created_at,
                "activates_at": r.activates_at,
                "status": rules.status(self._records, r, now, self.retention),
            }
            for r in self._records
        ]
