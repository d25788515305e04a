"""Client secrets: generated at random, stored as salted scrypt hashes, compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SCHEME = "scrypt"


def new_secret() -> str:
    """A client secret with 256 bits of randomness (shown once, never stored)."""
    return secrets.token_urlsafe(32)


def new_client_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(8)}"


def _scrypt(secret: str, salt: bytes, cost: int, r: int = 8, p: int = 1) -> bytes:
    return hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=1 << cost, r=r, p=p, dklen=32, maxmem=1 << 27
    )


def hash_secret(secret: str, cost: int = 14) -> str:
    """``scrypt$<log2 N>$<salt>$<hash>`` with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(secret, salt, cost)
    return "$".join((SCHEME, str(cost), _b64(salt), _b64(digest)))


def verify_secret(secret: str, stored: str) -> bool:
    try:
        scheme, cost, salt, digest = stored.split("$")
        if scheme != SCHEME or not 10 <= int(cost) <= 20:
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(secret[:200], base64.b64decode(salt), int(cost))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
