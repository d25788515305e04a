"""Unified social credit codes (统一社会信用代码, GB 32100-2015) of employers, care
institutions and other organisations: strict parsing and a pydantic type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

__all__ = ["USCC_CHARSET", "InvalidUscc", "Uscc", "UsccStr", "parse_uscc", "uscc_check_char"]

USCC_LENGTH: Final = 18
USCC_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES: Final = {char: index for index, char in enumerate(USCC_CHARSET)}
_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_LOWER: Final = frozenset("abcdefghijklmnopqrstuvwxyz")


class InvalidUscc(ValueError):
    """A unified social credit code was refused; ``code`` is a stable machine name."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Uscc:
    """A validated unified social credit code and its parts."""

    value: str
    registration_authority: str  # 登记管理部门代码, char 1 (e.g. 9 = market regulation)
    org_type: str  # 机构类别代码, char 2
    region_code: str  # 登记管理机关行政区划码, chars 3-8
    org_code: str  # 主体标识码 (组织机构代码), chars 9-17


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for 17 characters from :data:`USCC_CHARSET`."""
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def _check_characters(text: str) -> None:
    if any("\uff01" <= char <= "\uff5e" or char == "\u3000" for char in text):
        raise InvalidUscc(
            "uscc.full_width",
            "unified social credit code contains full-width characters; "
            "use half-width ASCII digits and letters",
        )
    if len(text) != USCC_LENGTH:
        raise InvalidUscc(
            "uscc.length",
            f"unified social credit code must be exactly 18 characters, got {len(text)}",
        )
    if any(char in _LOWER for char in text):
        raise InvalidUscc(
            "uscc.lowercase",
            "unified social credit code contains lower-case letters; use upper-case letters",
        )
    if any(char not in _VALUES for char in text):
        raise InvalidUscc(
            "uscc.characters",
            "unified social credit code may contain only digits and the upper-case letters "
            f"{USCC_CHARSET[10:]} (never I, O, S, V or Z)",
        )


def parse_uscc(raw: str) -> Uscc:
    """Validate an 18-character unified social credit code; raise :class:`InvalidUscc`.

    Only surrounding whitespace is removed: lower-case and full-width characters are
    refused, never silently normalised.
    """
    if not isinstance(raw, str):
        raise InvalidUscc("uscc.type", "unified social credit code must be a string")
    text = raw.strip()
    _check_characters(text)
    if uscc_check_char(text[:17]) != text[17]:
        raise InvalidUscc(
            "uscc.checksum",
            "unified social credit code check character (character 18) does not match",
        )
    return Uscc(
        value=text,
        registration_authority=text[0],
        org_type=text[1],
        region_code=text[2:8],
        org_code=text[8:17],
    )


def _validate(value: str) -> str:
    try:
        return parse_uscc(value).value
    except InvalidUscc as exc:
        raise PydanticCustomError(exc.code, exc.message) from None


UsccStr = Annotated[
    str,
    AfterValidator(_validate),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 18,
            "maxLength": 18,
            "pattern": r"^[0-9A-HJ-NPQRTUWXY]{18}$",
            "description": "Unified social credit code (GB 32100-2015)",
        }
    ),
]
"""A unified social credit code validated by :func:`parse_uscc`, canonicalised (stripped);
errors carry the code (e.g. ``uscc.checksum``) as their ``type``."""
