"""Exact money: ``Decimal`` yuan with two places (fen), rounded half-up (四舍五入, ties away
from zero), never float; allocation helpers that always sum exactly; pydantic types."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation
from fractions import Fraction
from typing import Annotated, Final

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

__all__ = [
    "FEN",
    "MAX_INTEGER_DIGITS",
    "Money",
    "NonNegativeMoney",
    "PositiveMoney",
    "allocate",
    "from_fen",
    "round_half_up",
    "split_by_ratio",
    "to_fen",
    "to_money",
]

FEN: Final = Decimal("0.01")
MAX_INTEGER_DIGITS: Final = 13
FLOAT_REFUSED: Final = "money must be a decimal string or integer, not a float"
MONEY_PATTERN: Final = r"^-?\d{1,13}(\.\d{1,2})?$"
_MONEY_RE: Final = re.compile(r"-?[0-9]{1,13}(?:\.[0-9]{1,2})?")
_LOOSE_RE: Final = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
# Private contexts: independent of whatever the thread's decimal context was set to.
_ROUND_CTX: Final = Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation])
_EXACT_CTX: Final = Context(prec=60, traps=[InvalidOperation, Inexact])


def _finite_decimal(value: object) -> Decimal:
    """Coerce an int, Decimal or plain decimal string; refuse float, bool, NaN and Infinity."""
    if isinstance(value, float):
        raise TypeError(FLOAT_REFUSED)
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise TypeError(f"money must be a decimal string or integer, not {type(value).__name__}")
    if isinstance(value, str):
        if not _LOOSE_RE.fullmatch(value):
            raise ValueError("money string must be a plain decimal like '12.34'")
        return Decimal(value)
    if isinstance(value, int):
        return Decimal(value)
    if not value.is_finite():
        raise ValueError("money must be a finite number, not NaN or Infinity")
    return value


_QUANTA: Final = {places: Decimal(1).scaleb(-places) for places in range(9)}


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round to ``places`` decimals, ties away from zero; a negative zero becomes zero."""
    quantum = _QUANTA.get(places) if type(places) is int else None
    if quantum is None:
        if isinstance(places, bool) or not isinstance(places, int) or places < 0:
            raise ValueError("places must be a non-negative integer")
        quantum = Decimal(1).scaleb(-places)
    number = value if type(value) is Decimal and value.is_finite() else _finite_decimal(value)
    try:
        rounded = number.quantize(quantum, context=_ROUND_CTX)
    except InvalidOperation:
        raise ValueError("amount is too large to round") from None
    return abs(rounded) if rounded.is_zero() else rounded


def to_money(value: Decimal | int | str) -> Decimal:
    """An amount as a ``Decimal`` quantized half-up to the fen.

    Accepts a ``Decimal``, an ``int`` or a plain decimal string (``"12.345"``, ``"-3"``);
    refuses float, bool, NaN, Infinity, exponents and anything else.
    """
    return round_half_up(_finite_decimal(value), 2)


def _exact_fen(amount: Decimal, what: str) -> Decimal:
    """``amount`` scaled to whole fen (exactly), refusing non-Decimals and sub-fen amounts."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise TypeError(f"{what} must be a finite Decimal")
    scaled = amount.scaleb(2, context=_EXACT_CTX)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{what} has fractions of a fen; round it with to_money first")
    return scaled


def to_fen(amount: Decimal) -> int:
    """Whole fen in ``amount`` (``Decimal("12.34")`` -> 1234); refuses sub-fen amounts."""
    return int(_exact_fen(amount, "amount"))


def from_fen(fen: int) -> Decimal:
    """Yuan with two places from whole fen (1234 -> ``Decimal("12.34")``), exactly."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("fen must be an integer")
    sign, digits, _ = Decimal(fen).as_tuple()
    return Decimal((sign, digits, -2))


def _weights(weights: Sequence[Decimal]) -> list[Fraction]:
    if not weights:
        raise ValueError("allocate needs at least one weight")
    exact = [Fraction(_finite_decimal(weight)) for weight in weights]
    if any(weight < 0 for weight in exact):
        raise ValueError("weights must not be negative")
    if sum(exact) == 0:
        raise ValueError("weights must not all be zero")
    return exact


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights``; the parts sum exactly to ``total``.

    Each part is its exact share rounded down to the fen (towards zero); the fen left over
    go one each to the parts with the largest remainders, earlier parts winning ties
    (largest-remainder / Hamilton method). Every part is within one fen of its exact share.
    """
    total_fen = to_fen(total)
    exact = _weights(weights)
    magnitude, weight_sum = abs(total_fen), sum(exact)
    shares = [magnitude * weight / weight_sum for weight in exact]
    parts = [share.numerator // share.denominator for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] - parts[i]), i))
    for index in by_remainder[: magnitude - sum(parts)]:
        parts[index] += 1
    sign = -1 if total_fen < 0 else 1
    return [from_fen(sign * part) for part in parts]


def split_by_ratio(total: Decimal, ratio: Decimal) -> tuple[Decimal, Decimal]:
    """``(fund_part, rest)`` with ``fund_part = round_half_up(total * ratio)``; sums exactly.

    ``ratio`` is a ``Decimal`` (or int) between 0 and 1, e.g. ``Decimal("0.70")``.
    """
    _exact_fen(total, "total")
    amount = total
    share = _finite_decimal(ratio)
    if not 0 <= share <= 1:
        raise ValueError("ratio must be between 0 and 1")
    try:
        product = _EXACT_CTX.multiply(amount, share)
    except (Inexact, InvalidOperation):
        raise ValueError("total * ratio has too many digits to compute exactly") from None
    fund = round_half_up(product, 2)
    return fund, round_half_up(amount - fund, 2)


# --- pydantic -----------------------------------------------------------------------------


def _parse_str(value: str) -> Decimal:
    if _MONEY_RE.fullmatch(value):
        return Decimal(value)
    if _LOOSE_RE.fullmatch(value):
        _, _, fraction = value.partition(".")
        if len(fraction) > 2:
            raise PydanticCustomError("money.decimal_places", "at most 2 decimal places")
        raise PydanticCustomError("money.too_large", "at most 13 digits before the decimal point")
    raise PydanticCustomError(
        "money.format", "money must be a plain decimal string like '12.34' or '-0.50'"
    )


def _parse_money(value: object) -> Decimal:
    """Before-validator: str/int/Decimal in, an exact two-place Decimal out; no float."""
    if isinstance(value, float):
        raise PydanticCustomError("money.float", FLOAT_REFUSED)
    if isinstance(value, str):
        number = _parse_str(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, Decimal) and value.is_finite():
        if value != round_half_up(value, 2):
            raise PydanticCustomError("money.decimal_places", "at most 2 decimal places")
        number = value
    else:
        raise PydanticCustomError("money.type", "money must be a decimal string or integer")
    if abs(number) >= Decimal(10) ** MAX_INTEGER_DIGITS:
        raise PydanticCustomError("money.too_large", "at most 13 digits before the decimal point")
    return round_half_up(number, 2)


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise PydanticCustomError("money.negative", "amount must not be negative")
    return value


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise PydanticCustomError("money.not_positive", "amount must be greater than zero")
    return value


def _to_json(value: Decimal) -> str:
    return format(round_half_up(value, 2), "f")


def _schema(pattern: str, description: str) -> WithJsonSchema:
    return WithJsonSchema(
        {"type": "string", "pattern": pattern, "description": description, "examples": ["12.30"]}
    )


_SERIALIZER: Final = PlainSerializer(_to_json, return_type=str, when_used="json")

Money = Annotated[
    Decimal,
    BeforeValidator(_parse_money),
    _SERIALIZER,
    _schema(MONEY_PATTERN, "Amount in yuan, a decimal string with at most 2 places"),
]
"""An amount of any sign. Input: a string matching ``^-?\\d{1,13}(\\.\\d{1,2})?$`` or an
integer (a JSON number with a fraction is a float and is refused). JSON output: a string
with exactly two decimals, e.g. ``"12.30"``; Python output: a two-place ``Decimal``."""

NonNegativeMoney = Annotated[
    Money,
    AfterValidator(_non_negative),
    _schema(MONEY_PATTERN.replace("-?", ""), "Amount in yuan, zero or more, at most 2 places"),
]
"""Like :data:`Money`, but zero or more."""

PositiveMoney = Annotated[
    Money,
    AfterValidator(_positive),
    _schema(MONEY_PATTERN.replace("-?", ""), "Amount in yuan, more than zero, at most 2 places"),
]
"""Like :data:`Money`, but more than zero."""
