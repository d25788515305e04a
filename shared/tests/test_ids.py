from __future__ import annotations

import base64
import hashlib
from datetime import date

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from ltci_shared.ids import (
    InvalidPiiKey,
    InvalidPiiToken,
    InvalidResidentId,
    PiiCipher,
    ResidentId,
    ResidentIdStr,
    mask_resident_id,
    parse_resident_id,
    resident_id_check_char,
)

TODAY = date(2025, 6, 1)
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def make_id(region: str, birth: str, sequence: str) -> str:
    """An ID with a correct check character, computed independently of the module."""
    body = region + birth + sequence
    assert len(body) == 17
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


VALID_M = make_id("320902", "19450312", "123")  # 17th digit 3 -> male
VALID_X = make_id("110105", "19491231", "002")  # the standard's own example, check X
VALID_1890 = make_id("440524", "18900101", "001")
VALID_TODAY = make_id("310115", "20250601", "014")


def wrong_check(value: str) -> str:
    return value[:17] + next(c for c in "10X98765432" if c != value[17])


def test_generator_agrees_with_the_standards_example() -> None:
    assert VALID_X == "11010519491231002X"


# fmt: off
VALID: list[tuple[str, str, date, str]] = [
    (VALID_M, "320902", date(1945, 3, 12), "M"), (VALID_X, "110105", date(1949, 12, 31), "F"),
    (VALID_1890, "440524", date(1890, 1, 1), "M"), (VALID_TODAY, "310115", TODAY, "F"),
    (make_id("320902", "20000229", "128"), "320902", date(2000, 2, 29), "F"),
    (make_id("650102", "19991231", "991"), "650102", date(1999, 12, 31), "M"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "region", "born", "sex"), VALID)
def test_parse_valid(raw: str, region: str, born: date, sex: str) -> None:
    parsed = parse_resident_id(raw, today=TODAY)
    assert parsed == ResidentId(value=raw, region_code=region, birth_date=born, sex=sex)  # type: ignore[arg-type]


@pytest.mark.parametrize("padding", [" ", "\t", "\n", " \u3000", "\r\n  "])
def test_surrounding_whitespace_is_stripped(padding: str) -> None:
    assert parse_resident_id(padding + VALID_M + padding, today=TODAY).value == VALID_M


def test_default_today_accepts_a_past_birth_date() -> None:
    assert parse_resident_id(VALID_M).birth_date == date(1945, 3, 12)


def test_valid_ids_with_every_check_character() -> None:
    seen: set[str] = set()
    for sequence in range(100, 400):
        value = make_id("320902", "19450312", str(sequence))
        seen.add(value[-1])
        assert parse_resident_id(value, today=TODAY).value == value
        assert resident_id_check_char(value[:17]) == value[-1]
    assert seen == set("0123456789X")


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


# fmt: off
INVALID: dict[str, list[str]] = {
    "resident_id.length": [
        "", "   ", VALID_M[:15], "320902450312123", VALID_M[:17], VALID_M + "0",
        VALID_M[:6] + " " + VALID_M[6:],
    ],
    "resident_id.full_width": [
        full_width(VALID_M), VALID_X[:17] + "\uff38", VALID_X[:17] + "\uff58",
        VALID_M[:5] + "\uff10" + VALID_M[6:],
    ],
    "resident_id.lowercase_x": [VALID_X[:17] + "x"],
    "resident_id.characters": [
        "A" + VALID_M[1:], VALID_M[:10] + "-" + VALID_M[11:],
        VALID_M[:3] + "\u0663" + VALID_M[4:],  # Arabic-Indic 3: str.isdigit() says True
        VALID_M[:3] + "\u00b2" + VALID_M[4:],  # superscript 2: str.isdigit() says True
        VALID_M[:17] + "Y", VALID_M[:17] + "\u0663",
    ],
    "resident_id.birth_date": [
        # birth dates are checked before the checksum, so any check character will do
        "320902194502301230", "320902194513011230",
        "320902194500001230", "320902000001011230",
        make_id("320902", "19000229", "123"), make_id("310115", "20250602", "014"),
        make_id("440524", "18891231", "001"),
        "440524188001010014",  # the old standard's example, born 1880
    ],
    "resident_id.checksum": [
        wrong_check(VALID_M), wrong_check(VALID_X),
        VALID_M[:16] + str((int(VALID_M[16]) + 1) % 10) + VALID_M[17],
    ],
}
# fmt: on


@pytest.mark.parametrize(
    ("raw", "code"), [(raw, code) for code, raws in INVALID.items() for raw in raws]
)
def test_parse_invalid(raw: str, code: str) -> None:
    with pytest.raises(InvalidResidentId) as caught:
        parse_resident_id(raw, today=TODAY)
    assert caught.value.code == code
    assert isinstance(caught.value, ValueError)
    stripped = raw.strip()
    if len(stripped) >= 6:
        assert stripped not in str(caught.value)
        assert stripped[6:14] not in str(caught.value)


# fmt: off
HINTS = [(VALID_M[:15], "15-digit"), (full_width(VALID_M), "half-width"),
         (VALID_X[:17] + "x", "upper-case X"), (wrong_check(VALID_M), "check character")]
# fmt: on


@pytest.mark.parametrize(("raw", "hint"), HINTS)
def test_messages_carry_hints(raw: str, hint: str) -> None:
    with pytest.raises(InvalidResidentId, match=hint):
        parse_resident_id(raw, today=TODAY)


def test_non_string_is_refused() -> None:
    with pytest.raises(InvalidResidentId) as caught:
        parse_resident_id(320902194503121230, today=TODAY)  # type: ignore[arg-type]
    assert caught.value.code == "resident_id.type"


def test_resident_id_repr_is_masked() -> None:
    parsed = parse_resident_id(VALID_X, today=TODAY)
    assert parsed.masked == "110***********002X"
    assert VALID_X not in repr(parsed)
    assert VALID_X not in str(parsed)
    assert "110***********002X" in repr(parsed)


# fmt: off
MASKS: list[tuple[str, str]] = [
    ("32090219450312123X", "320***********123X"), ("  32090219450312123X ", "320***********123X"),
    ("", ""), ("1", "*"), ("12345678", "********"), ("12345678901234", "**************"),
    ("320902450312123", "320********2123"), ("3209021945031212", "320*********1212"),
    ("320902194503121234567", "320**************4567"),
]
# fmt: on


@pytest.mark.parametrize(("value", "masked"), MASKS)
def test_mask(value: str, masked: str) -> None:
    assert mask_resident_id(value) == masked


@pytest.mark.parametrize("length", range(40))
def test_mask_never_reveals_more_than_three_and_four(length: int) -> None:
    value = "".join(chr(ord("a") + i % 26) for i in range(length))
    masked = mask_resident_id(value)
    assert len(masked) == length
    revealed = [i for i, c in enumerate(masked) if c != "*"]
    assert all(i < 3 or i >= length - 4 for i in revealed)
    if length < 15:
        assert revealed == []


# --- PiiCipher --------------------------------------------------------------------------

ENC_KEY = bytes(range(32))
LOOKUP_KEY = bytes(range(100, 140))


@pytest.fixture
def cipher() -> PiiCipher:
    return PiiCipher(ENC_KEY, LOOKUP_KEY)


@pytest.mark.parametrize("plaintext", ["", VALID_X, "张三", "a" * 10_000, "emoji \U0001f600"])
def test_encrypt_round_trip(cipher: PiiCipher, plaintext: str) -> None:
    token = cipher.encrypt(plaintext)
    assert token.startswith("v1:")
    assert base64.urlsafe_b64decode(token[3:])
    assert cipher.decrypt(token) == plaintext
    if plaintext:
        assert plaintext not in token


def test_encrypt_uses_fresh_nonces(cipher: PiiCipher) -> None:
    tokens = {cipher.encrypt(VALID_X) for _ in range(50)}
    assert len(tokens) == 50
    nonces = {base64.urlsafe_b64decode(t[3:])[:12] for t in tokens}
    assert len(nonces) == 50


def test_token_layout(cipher: PiiCipher) -> None:
    blob = base64.urlsafe_b64decode(cipher.encrypt(VALID_X)[3:])
    assert len(blob) == 12 + len(VALID_X) + 16


def flip(token: str, index: int) -> str:
    blob = bytearray(base64.urlsafe_b64decode(token[3:]))
    blob[index] ^= 0x01
    return "v1:" + base64.urlsafe_b64encode(bytes(blob)).decode()


@pytest.mark.parametrize("index", [0, 11, 12, 20, -1])
def test_tampered_token_is_refused(cipher: PiiCipher, index: int) -> None:
    with pytest.raises(InvalidPiiToken, match="altered") as caught:
        cipher.decrypt(flip(cipher.encrypt(VALID_X), index))
    assert caught.value.code == "pii.token_tampered"
    assert isinstance(caught.value, ValueError)


def test_token_from_another_key_is_refused(cipher: PiiCipher) -> None:
    other = PiiCipher(bytes(range(1, 33)), LOOKUP_KEY)
    with pytest.raises(InvalidPiiToken) as caught:
        cipher.decrypt(other.encrypt(VALID_X))
    assert caught.value.code == "pii.token_tampered"


@pytest.mark.parametrize(
    "token",
    ["", "v2:AAAA", "AAAA", "v1:", "v1:!!!!", "v1:AAAA", "v1:" + "A" * 36, "v1:AAAAA"],
)
def test_malformed_token_is_refused(cipher: PiiCipher, token: str) -> None:
    with pytest.raises(InvalidPiiToken) as caught:
        cipher.decrypt(token)
    assert caught.value.code in {"pii.token_format", "pii.token_tampered"}


def test_lookup_hash_is_deterministic_keyed_hmac(cipher: PiiCipher) -> None:
    digest = cipher.lookup_hash(VALID_X)
    assert digest == cipher.lookup_hash(VALID_X)
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert digest != cipher.lookup_hash(VALID_M)
    assert digest != PiiCipher(ENC_KEY, bytes(range(1, 33))).lookup_hash(VALID_X)
    assert digest != hashlib.sha256(VALID_X.encode()).hexdigest()


# fmt: off
BAD_KEYS = [(bytes(16), LOOKUP_KEY, "32 bytes"), (bytes(33), LOOKUP_KEY, "32 bytes"),
            (ENC_KEY, bytes(31), "at least 32"), (ENC_KEY, ENC_KEY, "different")]
# fmt: on


@pytest.mark.parametrize(("encryption_key", "lookup_key", "match"), BAD_KEYS)
def test_bad_keys_are_refused(encryption_key: bytes, lookup_key: bytes, match: str) -> None:
    with pytest.raises(InvalidPiiKey, match=match):
        PiiCipher(encryption_key, lookup_key)


def test_cipher_repr_hides_keys(cipher: PiiCipher) -> None:
    assert ENC_KEY.hex() not in repr(cipher)
    assert repr(ENC_KEY) not in repr(cipher)


def sha(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


B64, OTHER = base64.urlsafe_b64encode, bytes(range(200, 232))
# fmt: off
ENC_SECRETS: list[tuple[str, bytes]] = [
    (ENC_KEY.hex(), ENC_KEY), (ENC_KEY.hex().upper(), ENC_KEY), (f" {ENC_KEY.hex()}\n", ENC_KEY),
    (B64(ENC_KEY).decode(), ENC_KEY), (B64(ENC_KEY).decode().rstrip("="), ENC_KEY),
    (base64.b64encode(OTHER).decode(), OTHER),  # standard alphabet too
    ("correct horse battery staple", sha("correct horse battery staple")),
    (ENC_KEY.hex()[:62], sha(ENC_KEY.hex()[:62])),  # not 32 bytes as hex or base64
    (LOOKUP_KEY.hex(), sha(LOOKUP_KEY.hex())),  # 40 bytes: too long for AES-256, a passphrase
]
LOOKUP_SECRETS: list[tuple[str, bytes]] = [
    (LOOKUP_KEY.hex(), LOOKUP_KEY), (B64(LOOKUP_KEY).decode(), LOOKUP_KEY),
    (base64.b64encode(LOOKUP_KEY).decode().rstrip("="), LOOKUP_KEY), (OTHER.hex(), OTHER),
    ("another passphrase", sha("another passphrase")), (OTHER.hex()[:40], sha(OTHER.hex()[:40])),
]
# fmt: on


@pytest.mark.parametrize(("secret", "key"), ENC_SECRETS)
def test_from_secrets_encryption_key(secret: str, key: bytes) -> None:
    built = PiiCipher.from_secrets(secret, LOOKUP_KEY.hex())
    expected = PiiCipher(key, LOOKUP_KEY)
    assert expected.decrypt(built.encrypt(VALID_X)) == VALID_X
    assert built.decrypt(expected.encrypt(VALID_X)) == VALID_X


@pytest.mark.parametrize(("secret", "key"), LOOKUP_SECRETS)
def test_from_secrets_lookup_key(secret: str, key: bytes) -> None:
    built = PiiCipher.from_secrets(ENC_KEY.hex(), secret)
    assert built.lookup_hash(VALID_X) == PiiCipher(ENC_KEY, key).lookup_hash(VALID_X)


@pytest.mark.parametrize(
    ("enc_secret", "lookup_secret", "match"),
    [
        ("", "lookup passphrase", "empty"),
        ("enc passphrase", "   ", "empty"),
        ("same passphrase", "same passphrase", "different"),
    ],
)
def test_from_secrets_refuses(enc_secret: str, lookup_secret: str, match: str) -> None:
    with pytest.raises(InvalidPiiKey, match=match):
        PiiCipher.from_secrets(enc_secret, lookup_secret)


# --- pydantic ---------------------------------------------------------------------------


class Person(BaseModel):
    resident_id: ResidentIdStr


class OptionalPerson(BaseModel):
    resident_id: ResidentIdStr | None = None


class HiddenPerson(BaseModel):
    model_config = ConfigDict(hide_input_in_errors=True)
    resident_id: ResidentIdStr


@pytest.mark.parametrize("raw", [VALID_M, VALID_X, f"  {VALID_X}\t"])
def test_pydantic_accepts_and_canonicalises(raw: str) -> None:
    value = Person(resident_id=raw).resident_id
    assert value == raw.strip()
    assert type(value) is str
    assert Person.model_validate_json(f'{{"resident_id": "{value}"}}').resident_id == value


def test_pydantic_round_trips() -> None:
    person = Person(resident_id=VALID_X)
    assert person.model_dump() == {"resident_id": VALID_X}
    assert Person.model_validate_json(person.model_dump_json()) == person


@pytest.mark.parametrize(
    ("raw", "code"), [(raw, code) for code, raws in INVALID.items() for raw in raws[-2:]]
)
@pytest.mark.parametrize("model", [Person, OptionalPerson, HiddenPerson])
def test_pydantic_errors_never_leak_the_number(raw: str, code: str, model: type[BaseModel]) -> None:
    with pytest.raises(ValidationError) as caught:
        model(resident_id=raw)
    error = caught.value.errors()[0]
    assert error["type"] == code
    assert error["loc"] == ("resident_id",)
    assert raw not in error["msg"]
    assert raw not in str(caught.value)
    assert raw not in caught.value.json()
    assert raw[6:14] not in str(caught.value)
    assert raw not in repr(caught.value.errors())
    if model is not HiddenPerson:
        assert mask_resident_id(raw) in str(caught.value)


@pytest.mark.parametrize("raw", [wrong_check(VALID_M), "x" * 30, VALID_X[:17] + "x"])
def test_pydantic_json_errors_never_leak_the_number(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Person.model_validate_json(f'{{"resident_id": "{raw}"}}')
    assert raw not in str(caught.value)
    assert raw not in caught.value.json()


@pytest.mark.parametrize("raw", [320902194503121230, None, b"32090219450312123X", ["a"]])
def test_pydantic_refuses_non_strings(raw: object) -> None:
    with pytest.raises(ValidationError) as caught:
        Person(resident_id=raw)  # type: ignore[arg-type]
    assert caught.value.errors()[0]["type"] == "resident_id.type"
    assert "320902194503121230" not in str(caught.value)


def test_optional_field_accepts_none() -> None:
    assert OptionalPerson(resident_id=None).resident_id is None
    assert OptionalPerson(resident_id=VALID_X).resident_id == VALID_X


def test_json_schema() -> None:
    prop = Person.model_json_schema()["properties"]["resident_id"]
    assert prop["type"] == "string"
    assert prop["pattern"] == r"^[0-9]{17}[0-9X]$"
    assert prop["minLength"] == prop["maxLength"] == 18
