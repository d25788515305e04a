"""Resident identity numbers (居民身份证号码, GB 11643-1999): strict parsing, masking,
field-level encryption with a deterministic lookup hash, and a leak-free pydantic type."""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Final, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BeforeValidator, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

__all__ = [
    "InvalidPiiKey",
    "InvalidPiiToken",
    "InvalidResidentId",
    "PiiCipher",
    "ResidentId",
    "ResidentIdStr",
    "mask_resident_id",
    "parse_resident_id",
    "resident_id_check_char",
]

RESIDENT_ID_LENGTH: Final = 18
EARLIEST_BIRTH_DATE: Final = date(1890, 1, 1)
_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS: Final = "10X98765432"
_ASCII_DIGITS: Final = frozenset("0123456789")
_CIPHERTEXT_PREFIX: Final = "v1:"
_NONCE_BYTES: Final = 12
_TAG_BYTES: Final = 16
_AAD: Final = b"ltci-pii-v1"
_HEX_KEY = re.compile(r"(?:[0-9A-Fa-f]{2}){32,}")
_B64_KEY = re.compile(r"[A-Za-z0-9_\-+/]{43,}={0,2}")


class InvalidResidentId(ValueError):
    """A resident ID was refused; ``code`` is a stable machine name, e.g. "resident_id.checksum".

    The message never contains the number itself.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class InvalidPiiToken(ValueError):
    """An encrypted PII token is malformed, was tampered with, or was made with another key."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class InvalidPiiKey(ValueError):
    """A key handed to :class:`PiiCipher` is unusable (wrong length, empty, or reused)."""


@dataclass(frozen=True, slots=True, repr=False)
class ResidentId:
    """A validated resident ID; ``repr``/``str`` show only the masked form."""

    value: str
    region_code: str
    birth_date: date
    sex: Literal["M", "F"]

    @property
    def masked(self) -> str:
        """The display form, e.g. ``320***********123X``."""
        return mask_resident_id(self.value)

    def __repr__(self) -> str:
        return f"ResidentId(masked={self.masked!r})"

    __str__ = __repr__


def mask_resident_id(value: str) -> str:
    """Mask an ID as first 3 + ``*`` x 11 + last 4; safe for malformed input of any length.

    Inputs shorter than 15 characters (after stripping) are fully starred, so no more than
    3 leading and 4 trailing characters are ever revealed.
    """
    text = value.strip()
    if len(text) < 15:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def _is_full_width(char: str) -> bool:
    return "\uff01" <= char <= "\uff5e" or char == "\u3000"


def resident_id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for 17 ASCII digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _check_shape(text: str) -> None:
    if any(_is_full_width(char) for char in text):
        raise InvalidResidentId(
            "resident_id.full_width",
            "resident ID contains full-width characters; use half-width ASCII digits "
            "and an upper-case X",
        )
    if len(text) != RESIDENT_ID_LENGTH:
        raise InvalidResidentId(
            "resident_id.length",
            f"resident ID must be exactly 18 characters, got {len(text)}; "
            "legacy 15-digit numbers are not accepted",
        )
    if not all(char in _ASCII_DIGITS for char in text[:17]):
        raise InvalidResidentId(
            "resident_id.characters", "resident ID characters 1-17 must be ASCII digits 0-9"
        )
    if text[17] == "x":
        raise InvalidResidentId(
            "resident_id.lowercase_x",
            "resident ID check character is a lower-case 'x'; use an upper-case X",
        )
    if text[17] not in _CHECK_CHARS:
        raise InvalidResidentId(
            "resident_id.characters",
            "resident ID character 18 must be an ASCII digit 0-9 or an upper-case X",
        )


def _birth_date(text: str, today: date) -> date:
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise InvalidResidentId(
            "resident_id.birth_date",
            "resident ID birth date (characters 7-14) is not a real calendar date",
        ) from None
    if born > today:
        raise InvalidResidentId(
            "resident_id.birth_date", "resident ID birth date (characters 7-14) is in the future"
        )
    if born < EARLIEST_BIRTH_DATE:
        raise InvalidResidentId(
            "resident_id.birth_date",
            "resident ID birth date (characters 7-14) is before 1890-01-01",
        )
    return born


def parse_resident_id(raw: str, *, today: date | None = None) -> ResidentId:
    """Validate an 18-character resident ID; raise :class:`InvalidResidentId` if it is wrong.

    Only surrounding whitespace is removed: full-width characters and a lower-case ``x``
    are refused, never silently normalised. ``today`` (default: the local date) bounds
    the birth date.
    """
    if not isinstance(raw, str):
        raise InvalidResidentId("resident_id.type", "resident ID must be a string")
    text = raw.strip()
    _check_shape(text)
    born = _birth_date(text, today or date.today())
    if resident_id_check_char(text[:17]) != text[17]:
        raise InvalidResidentId(
            "resident_id.checksum", "resident ID check character (character 18) does not match"
        )
    sex: Literal["M", "F"] = "M" if int(text[16]) % 2 == 1 else "F"
    return ResidentId(value=text, region_code=text[:6], birth_date=born, sex=sex)


# --- field-level encryption ---------------------------------------------------------------


def _decode_secret(secret: str, *, exact: int | None) -> bytes:
    """Hex, then (urlsafe or standard) base64, else SHA-256 of the passphrase."""
    text = secret.strip()
    if not text:
        raise InvalidPiiKey("PII key secret must not be empty")
    candidates: list[bytes] = []
    if _HEX_KEY.fullmatch(text):
        candidates.append(bytes.fromhex(text))
    if _B64_KEY.fullmatch(text):
        padded = text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4)
        with contextlib.suppress(binascii.Error):
            candidates.append(base64.b64decode(padded, altchars=b"-_", validate=False))
    for key in candidates:
        if (len(key) == exact) if exact is not None else (len(key) >= 32):
            return key
    return hashlib.sha256(text.encode("utf-8")).digest()


class PiiCipher:
    """AES-256-GCM encryption of PII fields plus a keyed HMAC-SHA256 lookup hash.

    Store ``encrypt(value)`` in the column and ``lookup_hash(value)`` in a unique, indexed
    column to find a person by ID without decrypting. Hash the canonical value (e.g. the
    output of :func:`parse_resident_id`), or equal IDs will hash differently.
    """

    __slots__ = ("_aead", "_lookup_key")

    def __init__(self, encryption_key: bytes, lookup_key: bytes) -> None:
        if len(encryption_key) != 32:
            raise InvalidPiiKey(f"encryption key must be 32 bytes, got {len(encryption_key)}")
        if len(lookup_key) < 32:
            raise InvalidPiiKey(f"lookup key must be at least 32 bytes, got {len(lookup_key)}")
        if hmac.compare_digest(encryption_key, lookup_key[: len(encryption_key)]):
            raise InvalidPiiKey("encryption key and lookup key must be different")
        self._aead = AESGCM(encryption_key)
        self._lookup_key = bytes(lookup_key)

    def __repr__(self) -> str:
        return "PiiCipher(<keys hidden>)"

    @classmethod
    def from_secrets(cls, encryption_key: str, lookup_key: str) -> PiiCipher:
        """Build a cipher from configuration strings.

        Each secret is read, in this order, as: hex (64 hex digits for the encryption key,
        at least 64 for the lookup key); base64, urlsafe or standard, padded or not (43-44
        characters decoding to exactly 32 bytes for the encryption key, to at least 32 for
        the lookup key); otherwise as a passphrase whose UTF-8 SHA-256 digest is the key.
        Passphrases are for development only: SHA-256 does no key stretching.
        """
        return cls(_decode_secret(encryption_key, exact=32), _decode_secret(lookup_key, exact=None))

    def encrypt(self, plaintext: str) -> str:
        """Encrypt with a fresh random nonce: ``"v1:" + urlsafe_b64(nonce + ciphertext)``."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), _AAD)
        return _CIPHERTEXT_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Decrypt a token from :meth:`encrypt`; raise :class:`InvalidPiiToken` if it is bad."""
        if not token.startswith(_CIPHERTEXT_PREFIX):
            raise InvalidPiiToken("pii.token_format", "PII token must start with 'v1:'")
        try:
            blob = base64.b64decode(token[len(_CIPHERTEXT_PREFIX) :], altchars=b"-_", validate=True)
        except (binascii.Error, ValueError):
            raise InvalidPiiToken("pii.token_format", "PII token is not valid base64") from None
        if len(blob) < _NONCE_BYTES + _TAG_BYTES:
            raise InvalidPiiToken("pii.token_format", "PII token is too short")
        try:
            plain = self._aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], _AAD)
        except InvalidTag:
            raise InvalidPiiToken(
                "pii.token_tampered",
                "PII token failed authentication: it was altered or made with another key",
            ) from None
        return plain.decode("utf-8")

    def lookup_hash(self, value: str) -> str:
        """Deterministic hex HMAC-SHA256 of ``value`` under the lookup key."""
        return hmac.new(self._lookup_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


# --- pydantic -----------------------------------------------------------------------------


class MaskedInput(str):
    """A refused resident ID as pydantic sees it: its text is the masked form only."""

    code: str
    message: str


def _rejected(masked: str, code: str, message: str) -> MaskedInput:
    rejected = MaskedInput(masked)
    rejected.code, rejected.message = code, message
    return rejected


def _screen(value: object) -> object:
    """Parse before pydantic records the input, replacing a refused value by its mask."""
    if not isinstance(value, str):
        return _rejected(
            f"<{type(value).__name__}>", "resident_id.type", "resident ID must be a string"
        )
    try:
        return parse_resident_id(value).value
    except InvalidResidentId as exc:
        return _rejected(mask_resident_id(value), exc.code, exc.message)


def _finish(value: object) -> str:
    if isinstance(value, MaskedInput):
        raise PydanticCustomError(value.code, value.message)
    if not isinstance(value, str):  # pragma: no cover - _screen always yields str
        raise PydanticCustomError("resident_id.type", "resident ID must be a string")
    return value


ResidentIdStr = Annotated[
    str,
    PlainValidator(_finish),
    BeforeValidator(_screen),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 18,
            "maxLength": 18,
            "pattern": r"^[0-9]{17}[0-9X]$",
            "description": "Resident identity number (GB 11643-1999), upper-case X",
        }
    ),
]
"""A resident ID validated by :func:`parse_resident_id`, canonicalised (stripped).

Errors carry the code as their ``type`` (e.g. ``resident_id.checksum``) and, as
``input_value``, only the masked form. Validators you stack on top of this type, and
unions of it with other types, see the raw input; for defence in depth also set
``model_config = ConfigDict(hide_input_in_errors=True)`` on models holding PII.
"""
