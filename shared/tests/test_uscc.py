from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from ltci_shared.uscc import USCC_CHARSET, InvalidUscc, Uscc, UsccStr, parse_uscc, uscc_check_char

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def make_uscc(first17: str) -> str:
    """A code with a correct check character, computed independently of the module."""
    assert len(first17) == 17
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return first17 + CHARSET[(31 - total % 31) % 31]


BUILT = make_uscc("91320900MA1" + "XY2K0L")  # 盐城 (320900), market-regulation shape
# Published codes (GB 32100's own example and two well-known companies' public codes).
PUBLISHED = ["91350100M000100Y43", "91110108551385082Q", "91440300708461136T"]


def wrong_check(value: str) -> str:
    return value[:17] + next(c for c in CHARSET if c != value[17])


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


def test_charset_has_31_characters_without_i_o_s_v_z() -> None:
    assert USCC_CHARSET == CHARSET
    assert len(set(CHARSET)) == 31
    assert not set("IOSVZ") & set(CHARSET)


@pytest.mark.parametrize("value", PUBLISHED)
def test_published_codes_validate(value: str) -> None:
    assert parse_uscc(value).value == value
    assert make_uscc(value[:17]) == value


def test_parse_parts() -> None:
    assert parse_uscc(BUILT) == Uscc(
        value=BUILT,
        registration_authority="9",
        org_type="1",
        region_code="320900",
        org_code="MA1XY2K0L",
    )


@pytest.mark.parametrize(
    "first17",
    [
        "91320900MA1XY2K0L",
        "12100000400000000",
        "52320900MJ0000000",
        "Y1320900000000000",
        "00000000000000000",
        "YYYYYYYYYYYYYYYYY",
        "93320900ABCDEFGHJ",
        "91320900KLMNPQRTU",
    ],
)
def test_built_codes_validate(first17: str) -> None:
    value = make_uscc(first17)
    assert parse_uscc(value).value == value
    assert uscc_check_char(first17) == value[-1]


def test_check_char_covers_zero() -> None:
    """31 - (sum % 31) == 31 maps to '0'."""
    first17 = next(
        body
        for n in range(10_000)
        if (body := f"91320900{n:09d}")
        and sum(CHARSET.index(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 31 == 0
    )
    assert make_uscc(first17)[-1] == "0"
    assert parse_uscc(first17 + "0").value == first17 + "0"


@pytest.mark.parametrize("padding", [" ", "\t", "\n ", "\u3000"])
def test_surrounding_whitespace_is_stripped(padding: str) -> None:
    assert parse_uscc(padding + BUILT + padding).value == BUILT


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "uscc.length"),
        (BUILT[:17], "uscc.length"),
        (BUILT + "0", "uscc.length"),
        ("320900123456789", "uscc.length"),
        (BUILT[:8] + " " + BUILT[8:], "uscc.length"),
        (full_width(BUILT), "uscc.full_width"),
        (BUILT[:8] + "\uff2d" + BUILT[9:], "uscc.full_width"),
        (BUILT.lower(), "uscc.lowercase"),
        (BUILT[:8] + "m" + BUILT[9:], "uscc.lowercase"),
        (BUILT[:8] + "I" + BUILT[9:], "uscc.characters"),
        (BUILT[:8] + "O" + BUILT[9:], "uscc.characters"),
        (BUILT[:8] + "Z" + BUILT[9:], "uscc.characters"),
        (BUILT[:8] + "S" + BUILT[9:], "uscc.characters"),
        (BUILT[:8] + "V" + BUILT[9:], "uscc.characters"),
        (BUILT[:17] + "Z", "uscc.characters"),
        (BUILT[:8] + "-" + BUILT[9:], "uscc.characters"),
        (BUILT[:3] + "\u0663" + BUILT[4:], "uscc.characters"),
        (wrong_check(BUILT), "uscc.checksum"),
        *[(wrong_check(value), "uscc.checksum") for value in PUBLISHED],
        (BUILT[:9] + BUILT[10] + BUILT[9] + BUILT[11:], "uscc.checksum"),  # transposition
    ],
)
def test_parse_invalid(raw: str, code: str) -> None:
    with pytest.raises(InvalidUscc) as caught:
        parse_uscc(raw)
    assert caught.value.code == code
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("raw", "hint"),
    [
        (BUILT.lower(), "upper-case"),
        (full_width(BUILT), "half-width"),
        (BUILT[:8] + "O" + BUILT[9:], "never I, O, S, V or Z"),
    ],
)
def test_messages_carry_hints(raw: str, hint: str) -> None:
    with pytest.raises(InvalidUscc, match=hint):
        parse_uscc(raw)


def test_non_string_is_refused() -> None:
    with pytest.raises(InvalidUscc) as caught:
        parse_uscc(123)  # type: ignore[arg-type]
    assert caught.value.code == "uscc.type"


class Employer(BaseModel):
    uscc: UsccStr


@pytest.mark.parametrize("raw", [BUILT, f" {BUILT} ", *PUBLISHED])
def test_pydantic_accepts(raw: str) -> None:
    assert Employer(uscc=raw).uscc == raw.strip()
    assert Employer.model_validate_json(f'{{"uscc": "{raw}"}}').uscc == raw.strip()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (wrong_check(BUILT), "uscc.checksum"),
        (BUILT.lower(), "uscc.lowercase"),
        (BUILT[:8] + "I" + BUILT[9:], "uscc.characters"),
        (BUILT[:10], "uscc.length"),
        (full_width(BUILT), "uscc.full_width"),
    ],
)
def test_pydantic_reports_codes(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Employer(uscc=raw)
    error = caught.value.errors()[0]
    assert error["type"] == code
    assert error["loc"] == ("uscc",)


@pytest.mark.parametrize("raw", [12345, None, 1.5])
def test_pydantic_refuses_non_strings(raw: object) -> None:
    with pytest.raises(ValidationError):
        Employer(uscc=raw)  # type: ignore[arg-type]


def test_json_schema() -> None:
    prop = Employer.model_json_schema()["properties"]["uscc"]
    assert prop["type"] == "string"
    assert prop["minLength"] == prop["maxLength"] == 18
    assert prop["pattern"] == r"^[0-9A-HJ-NPQRTUWXY]{18}$"
