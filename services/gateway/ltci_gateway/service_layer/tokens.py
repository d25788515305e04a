"""Use cases of the token endpoint: client credentials → a short-lived signed JWT; revocation."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Any

from ltci_gateway.adapters.repository import ClientRepository, RevocationRepository
from ltci_gateway.domain.secrets import verify_secret
from ltci_gateway.service_layer.keyring import KeyRing
from ltci_gateway.settings import Settings
from ltci_shared.auth import InvalidToken, TokenVerifier, sign
from ltci_shared.errors import DomainError, Unauthorized
from ltci_shared.uow import UnitOfWork


class OAuthError(DomainError):
    """A problem that also carries RFC 6749's ``error`` member (its name unless given)."""

    def __init__(self, detail: str, **extra: Any) -> None:
        extra.setdefault("error", self.name)
        super().__init__(detail, **extra)


class InvalidClient(OAuthError, Unauthorized):
    """RFC 6749 ``invalid_client``: unknown client, wrong secret, or disabled."""

    name, title = "invalid_client", "Client authentication failed"


class InvalidGrant(OAuthError):
    """RFC 6749 ``invalid_request`` / ``unsupported_grant_type``: 400."""

    status, name, title = 400, "invalid_request", "Invalid token request"


async def issue(
    uow: UnitOfWork, client_id: str, secret: str, keys: KeyRing, settings: Settings
) -> dict[str, Any]:
    client = await ClientRepository(uow.session).get(client_id)
    if client is None or client["disabled"] or not verify_secret(secret, client["secret_hash"]):
        raise InvalidClient("unknown client, wrong secret, or the client is disabled")
    now = int(time.time())
    # Tokens issued in the same second as a revocation would pass the iat check; wait it out.
    if now < client["tokens_not_before"]:
        now = int(client["tokens_not_before"]) + 1
    ttl = settings.token_ttl_seconds
    claims = {
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "sub": client_id,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": secrets.token_hex(16),
        "role": client["role"],
        "regions": client["regions"],
        "provider_id": client["provider_id"],
    }
    kid, private = await keys.signer()
    return {
        "access_token": sign(claims, private, kid),
        "token_type": "Bearer",
        "expires_in": ttl,
        "scope": client["role"],
    }


async def revoke(
    uow: UnitOfWork, token: str, client_id: str, secret: str, verifier: TokenVerifier
) -> None:
    """RFC 7009: the client revokes one of its own tokens; unknown tokens are ignored."""
    client = await ClientRepository(uow.session).get(client_id)
    if client is None or not verify_secret(secret, client["secret_hash"]):
        raise InvalidClient("unknown client or wrong secret")
    try:
        claims = await verifier.verify(token)
    except InvalidToken:
        return  # expired or not ours: nothing to revoke (RFC 7009 §2.2)
    if claims.get("sub") != client_id:
        return
    await RevocationRepository(uow.session).add(
        {
            "jti": str(claims["jti"])[:64],
            "client_id": client_id,
            "expires_at": float(claims["exp"]),
            "revoked_at": datetime.now(UTC),
        }
    )
