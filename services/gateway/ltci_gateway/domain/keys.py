"""Signing keys and their rotation: a new key is published before it signs, an old one stays
published until the last token it signed has expired. Private halves are stored encrypted.
Each key has a generation (1 for the first, one more per rotation), unique in the database: of
replicas making the same generation at once, one wins and the others take its key."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ltci_shared.auth.tokens import b64url_encode


@dataclass(frozen=True)
class KeyRecord:
    kid: str
    public_key: str  # raw Ed25519 public key, base64url
    private_key: str  # AES-GCM(nonce || ciphertext), base64
    created_at: datetime
    activates_at: datetime
    generation: int


def next_generation(records: Sequence[KeyRecord]) -> int:
    return max((r.generation for r in records), default=0) + 1


def new_key(secret: str, now: datetime, activates_at: datetime, generation: int) -> KeyRecord:
    private = Ed25519PrivateKey.generate()
    kid = f"k{now:%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    raw_private = private.private_bytes_raw()
    encrypted = _encrypt(secret, kid, raw_private)
    return KeyRecord(kid, b64url_encode(raw_public), encrypted, now, activates_at, generation)


def private_key(record: KeyRecord, secret: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_decrypt(secret, record.kid, record.private_key))


def signing_key(records: Sequence[KeyRecord], now: datetime) -> KeyRecord | None:
    """The newest key that has activated: the one that signs now."""
    active = [r for r in records if r.activates_at <= now]
    return max(active, key=lambda r: (r.activates_at, r.kid)) if active else None


def superseded_at(
    records: Sequence[KeyRecord], record: KeyRecord, now: datetime
) -> datetime | None:
    """When a later key took over signing from ``record`` (None while it still signs)."""
    later = [r.activates_at for r in records if r.activates_at > record.activates_at]
    first = min(later, default=None)
    return first if first is not None and first <= now else None


def published(records: Sequence[KeyRecord], now: datetime, retention: timedelta) -> list[KeyRecord]:
    """Pending, signing, and superseded keys whose tokens may still be alive."""
    out = []
    for record in records:
        ended = superseded_at(records, record, now)
        if ended is None or ended + retention > now:
            out.append(record)
    return sorted(out, key=lambda r: r.activates_at)


def status(
    records: Sequence[KeyRecord], record: KeyRecord, now: datetime, retention: timedelta
) -> str:
    if record.activates_at > now:
        return "pending"
    if superseded_at(records, record, now) is None:
        return "signing"
    return "retiring" if record in published(records, now, retention) else "retired"


def _cipher(secret: str) -> AESGCM:
    return AESGCM(hashlib.sha256(b"ltci-gateway-signing-keys:" + secret.encode()).digest())


def _encrypt(secret: str, kid: str, data: bytes) -> str:
    nonce = secrets.token_bytes(12)
    return base64.b64encode(nonce + _cipher(secret).encrypt(nonce, data, kid.encode())).decode()


def _decrypt(secret: str, kid: str, blob: str) -> bytes:
    raw = base64.b64decode(blob)
    return _cipher(secret).decrypt(raw[:12], raw[12:], kid.encode())
