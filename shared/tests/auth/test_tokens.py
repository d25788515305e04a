"""Token verification: EdDSA only, issuer, audience, expiry, claims; JWKS parsing; regions."""

from __future__ import annotations

import base64
import time

import orjson
import pytest

from ltci_shared.auth import (
    InvalidToken,
    Principal,
    TokenExpired,
    keys_from_jwks,
    public_jwk,
    region_covers,
)
from ltci_shared.auth.matrix import TokenSigner

SIGNER = TokenSigner()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


async def test_a_good_token_gives_its_claims() -> None:
    claims = await SIGNER.verifier().verify(SIGNER.token("tpa", regions=["320900"]))
    assert Principal.from_claims(claims) == Principal(
        "tpa-client", "tpa", ("320900",), None, claims["jti"]
    )


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"ttl": -60}, TokenExpired),
        ({"aud": "other"}, InvalidToken),
        ({"aud": ["other", "more"]}, InvalidToken),
        ({"iss": "other"}, InvalidToken),
        ({"exp": "soon"}, InvalidToken),
        ({"nbf": time.time() + 3600}, InvalidToken),
        ({"jti": None}, InvalidToken),
    ],
)
async def test_claims_are_checked(change: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        await SIGNER.verifier().verify(SIGNER.token("admin", **change))


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256", "ES256", None])
async def test_only_eddsa_is_accepted(alg: str | None) -> None:
    _, body, sig = SIGNER.token("admin").split(".")
    header = {"alg": alg, "typ": "JWT", "kid": SIGNER.kid}
    forged = f"{_b64(orjson.dumps(header))}.{body}.{sig if alg else ''}"
    with pytest.raises(InvalidToken, match="refused"):
        await SIGNER.verifier().verify(forged)


@pytest.mark.parametrize(
    "token",
    ["", "a.b", "a.b.c.d", "!!.!!.!!", "e30.e30.", "W10.e30.AA", "x" * 10_000],
)
async def test_malformed_tokens_are_invalid_not_errors(token: str) -> None:
    with pytest.raises(InvalidToken):
        await SIGNER.verifier().verify(token)


async def test_a_tampered_payload_fails_the_signature() -> None:
    head, body, sig = SIGNER.token("tpa", regions=["320900"]).split(".")
    claims = orjson.loads(base64.urlsafe_b64decode(body + "=="))
    claims["regions"] = ["320500"]
    with pytest.raises(InvalidToken, match="signature"):
        await SIGNER.verifier().verify(f"{head}.{_b64(orjson.dumps(claims))}.{sig}")


def test_jwks_keeps_only_ed25519_keys() -> None:
    jwk = public_jwk(SIGNER.private.public_key(), "k1")
    jwks = {
        "keys": [
            jwk,
            {"kty": "RSA", "kid": "r"},
            {"kty": "OKP", "crv": "Ed25519", "kid": "bad", "x": "!!"},
        ]
    }
    assert list(keys_from_jwks(jwks)) == ["k1"]
    assert keys_from_jwks("nonsense") == {}


@pytest.mark.parametrize(
    ("granted", "code", "covered"),
    [
        ("320900", "320902", True),
        ("320900", "320900", True),
        ("320902", "320900", False),
        ("320900", "320500", False),
        ("320000", "320505", True),
        ("320902", "320903", False),
    ],
)
def test_a_city_covers_its_divisions(granted: str, code: str, covered: bool) -> None:
    assert region_covers(granted, code) is covered
