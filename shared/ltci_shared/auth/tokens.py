"""Access tokens: compact JWS (RFC 7515) signed with Ed25519 (alg ``EdDSA``, RFC 8037), JWKS.

Only ``EdDSA`` is accepted: ``alg=none``, HMAC (``HS*``) and every other algorithm are refused
before any key is looked up, so a public key can never be used as an HMAC secret.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ltci_shared.errors import Unauthorized

ALG = "EdDSA"
MAX_TOKEN_BYTES = 8192


class InvalidToken(Unauthorized):
    """The bearer token is missing, malformed, unsigned, badly signed or not for us."""

    name, title = "invalid_token", "Invalid access token"


class TokenExpired(InvalidToken):
    name, title = "token_expired", "Access token expired"


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding; anything else is an invalid token."""
    if not text or not _B64URL.issuperset(text) or len(text) % 4 == 1:
        raise InvalidToken("the token is not a compact JWS")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken("the token is not a compact JWS") from exc


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _json_object(segment: str) -> dict[str, Any]:
    try:
        value = orjson.loads(b64url_decode(segment))
    except orjson.JSONDecodeError as exc:
        raise InvalidToken("the token is not a compact JWS") from exc
    if not isinstance(value, dict):
        raise InvalidToken("the token is not a compact JWS")
    return value


def sign(claims: Mapping[str, Any], key: Ed25519PrivateKey, kid: str) -> str:
    """A compact JWS of ``claims`` signed with ``key`` (header names the key id)."""
    header = b64url_encode(orjson.dumps({"alg": ALG, "typ": "JWT", "kid": kid}))
    payload = b64url_encode(orjson.dumps(dict(claims)))
    signing_input = f"{header}.{payload}".encode("ascii")
    return f"{header}.{payload}.{b64url_encode(key.sign(signing_input))}"


def public_jwk(key: Ed25519PublicKey, kid: str) -> dict[str, str]:
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url_encode(raw),
        "kid": kid,
        "alg": ALG,
        "use": "sig",
    }


def keys_from_jwks(jwks: Any) -> dict[str, Ed25519PublicKey]:
    """The Ed25519 signing keys of a JWKS document by key id; other keys are ignored."""
    out: dict[str, Ed25519PublicKey] = {}
    entries = jwks.get("keys") if isinstance(jwks, dict) else None
    for jwk in entries if isinstance(entries, list) else []:
        if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            continue
        kid, x = jwk.get("kid"), jwk.get("x")
        if not isinstance(kid, str) or not isinstance(x, str):
            continue
        try:
            out[kid] = Ed25519PublicKey.from_public_bytes(b64url_decode(x))
        except (InvalidToken, ValueError):
            continue
    return out


class KeySource(Protocol):
    async def key(self, kid: str) -> Ed25519PublicKey | None: ...


@dataclass
class StaticKeys:
    """A fixed key set (tests, or a gateway holding its own keys)."""

    keys: dict[str, Ed25519PublicKey]

    async def key(self, kid: str) -> Ed25519PublicKey | None:
        return self.keys.get(kid)


@dataclass
class JwksCache:
    """The gateway's JWKS, fetched over HTTP and cached for ``ttl`` seconds.

    An unknown key id triggers one early refresh (a rotated key is published before it
    signs), at most once per ``min_refresh`` seconds so random key ids cannot flood the gateway.
    """

    url: str
    ttl: float = 300.0
    min_refresh: float = 10.0
    transport: httpx.AsyncBaseTransport | None = None
    _keys: dict[str, Ed25519PublicKey] = field(default_factory=dict)
    _fetched_at: float = float("-inf")
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def key(self, kid: str) -> Ed25519PublicKey | None:
        now = time.monotonic()
        stale = now - self._fetched_at > self.ttl
        unknown = kid not in self._keys and now - self._fetched_at > self.min_refresh
        if stale or unknown:
            await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at <= self.min_refresh:
                return
            try:
                async with httpx.AsyncClient(transport=self.transport, timeout=5.0) as client:
                    response = await client.get(self.url)
                    response.raise_for_status()
                    self._keys = keys_from_jwks(response.json())
            except (httpx.HTTPError, ValueError):
                # Keep the keys we have; an unknown key stays unknown (401), never a 500.
                pass
            self._fetched_at = time.monotonic()


@dataclass(frozen=True)
class TokenVerifier:
    """Checks signature (EdDSA only), issuer, audience, expiry and the required claims."""

    keys: KeySource
    audience: str
    issuer: str
    leeway: int = 30

    async def verify(self, token: str, now: float | None = None) -> dict[str, Any]:
        if len(token) > MAX_TOKEN_BYTES or token.count(".") != 2:
            raise InvalidToken("the token is not a compact JWS")
        head, body, sig = token.split(".")
        header = _json_object(head)
        alg = header.get("alg")
        if alg != ALG:
            raise InvalidToken(
                f"algorithm {str(alg)[:20]!r} is refused; tokens are signed with EdDSA"
            )
        if "crit" in header:
            raise InvalidToken("critical header parameters are not supported")
        kid = header.get("kid")
        key = await self.keys.key(kid) if isinstance(kid, str) and len(kid) <= 100 else None
        if key is None:
            raise InvalidToken("the token names no known signing key")
        try:
            key.verify(b64url_decode(sig), f"{head}.{body}".encode("ascii"))
        except InvalidSignature as exc:
            raise InvalidToken("the token signature does not verify") from exc
        claims = _json_object(body)
        self._check_claims(claims, time.time() if now is None else now)
        return claims

    def _check_claims(self, claims: dict[str, Any], now: float) -> None:
        if claims.get("iss") != self.issuer:
            raise InvalidToken("the token was issued by someone else")
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if self.audience not in audiences:
            raise InvalidToken("the token is for another audience")
        exp, nbf = claims.get("exp"), claims.get("nbf", claims.get("iat"))
        if not isinstance(exp, int | float) or not isinstance(nbf, int | float):
            raise InvalidToken("the token lacks exp or iat")
        if isinstance(exp, bool) or isinstance(nbf, bool):
            raise InvalidToken("the token lacks exp or iat")
        if now > exp + self.leeway:
            raise TokenExpired("the token has expired; request a new one")
        if nbf > now + self.leeway:
            raise InvalidToken("the token is not valid yet")
        for name in ("sub", "jti", "role"):
            if not isinstance(claims.get(name), str):
                raise InvalidToken(f"the token lacks the {name} claim")
