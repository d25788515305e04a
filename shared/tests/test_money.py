from __future__ import annotations

import decimal
import json
import random
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from ltci_shared.money import (
    FEN,
    Money,
    NonNegativeMoney,
    PositiveMoney,
    allocate,
    from_fen,
    round_half_up,
    split_by_ratio,
    to_fen,
    to_money,
)

D = Decimal


def same(a: Decimal, b: Decimal) -> bool:
    """Equal value and representation (so 12.3 and 12.30 differ)."""
    return a == b and str(a) == str(b)


# --- to_money / round_half_up -------------------------------------------------------------


# fmt: off
TO_MONEY: list[tuple[object, str]] = [
    ("12.34", "12.34"), ("12", "12.00"), ("12.3", "12.30"), ("-0.50", "-0.50"),
    ("0.005", "0.01"), ("0.004", "0.00"), ("-0.005", "-0.01"), ("-0.004", "0.00"),
    ("-0", "0.00"), ("2.675", "2.68"),  # float would give 2.67
    ("1.115", "1.12"), ("0.125", "0.13"),  # half-even would give 0.12
    ("99999999999999999999.995", "100000000000000000000.00"),
    (0, "0.00"), (12, "12.00"), (-7, "-7.00"),
    (D("1.005"), "1.01"), (D("1E+2"), "100.00"), (D("-0.00"), "0.00"),
]
# fmt: on


@pytest.mark.parametrize(("value", "expected"), TO_MONEY)
def test_to_money(value: Decimal | int | str, expected: str) -> None:
    assert same(to_money(value), D(expected))


def test_to_money_ignores_the_ambient_decimal_context() -> None:
    with decimal.localcontext() as ctx:
        ctx.rounding = decimal.ROUND_DOWN
        ctx.prec = 3
        assert same(to_money("12345.675"), D("12345.68"))


@pytest.mark.parametrize("value", [12.34, 0.0, float("nan"), float("inf")])
def test_to_money_refuses_float(value: float) -> None:
    with pytest.raises(TypeError, match="money must be a decimal string or integer, not a float"):
        to_money(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [True, False, None, [1], b"12"])
def test_to_money_refuses_other_types(value: object) -> None:
    with pytest.raises(TypeError):
        to_money(value)  # type: ignore[arg-type]


# fmt: off
NOT_PLAIN: list[object] = [
    "NaN", "nan", "Infinity", "-inf", "1e3", "1E3", " 12", "12 ", "+12", "1,000.00",
    "12.", ".5", "", "-", "0x10", "1_000",
    "١٢",  # Arabic-Indic digits, which Decimal() would accept
    D("NaN"), D("sNaN"), D("Infinity"), D("-Infinity"),
]
# fmt: on


@pytest.mark.parametrize("value", NOT_PLAIN)
def test_to_money_refuses_non_plain_values(value: str | Decimal) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - several messages
        to_money(value)


# fmt: off
ROUNDINGS: list[tuple[str, int, str]] = [
    ("1.2345", 2, "1.23"), ("1.2355", 3, "1.236"), ("2.5", 0, "3"), ("-2.5", 0, "-3"),
    ("-0.4", 0, "0"), ("12", 4, "12.0000"), ("0.125", 2, "0.13"), ("-0.125", 2, "-0.13"),
]
# fmt: on


@pytest.mark.parametrize(("value", "places", "expected"), ROUNDINGS)
def test_round_half_up(value: str, places: int, expected: str) -> None:
    assert same(round_half_up(D(value), places), D(expected))


@pytest.mark.parametrize("places", [-1, True])
def test_round_half_up_refuses_bad_places(places: int) -> None:
    with pytest.raises(ValueError, match="places"):
        round_half_up(D("1"), places)


# --- fen -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "fen"),
    [("12.34", 1234), ("0.00", 0), ("-0.01", -1), ("12.3", 1230), ("100", 10000)],
)
def test_to_fen_and_back(amount: str, fen: int) -> None:
    assert to_fen(D(amount)) == fen
    assert from_fen(fen) == D(amount)
    assert same(from_fen(fen), to_money(amount))


def test_fen_round_trip_random() -> None:
    rng = random.Random(20250601)
    for _ in range(2000):
        fen = rng.randint(-(10**15), 10**15)
        assert to_fen(from_fen(fen)) == fen
        assert same(from_fen(fen), to_money(D(fen) / 100))


def test_from_fen_is_exact_for_huge_values() -> None:
    assert str(from_fen(10**70 + 1)) == "1" + "0" * 68 + ".01"


@pytest.mark.parametrize("amount", [D("0.001"), D("12.345")])
def test_to_fen_refuses_fractions_of_a_fen(amount: Decimal) -> None:
    with pytest.raises(ValueError, match="fractions of a fen"):
        to_fen(amount)


@pytest.mark.parametrize("amount", [12.34, 12, "12", D("NaN")])
def test_to_fen_refuses_non_decimals(amount: object) -> None:
    with pytest.raises(TypeError):
        to_fen(amount)  # type: ignore[arg-type]


@pytest.mark.parametrize("fen", [1.0, True, "12", D(12)])
def test_from_fen_refuses_non_integers(fen: object) -> None:
    with pytest.raises(TypeError):
        from_fen(fen)  # type: ignore[arg-type]


# --- allocate ---------------------------------------------------------------------------


# fmt: off
ALLOCATIONS: list[tuple[str, list[str], list[str]]] = [
    ("100.00", ["1", "1", "1"], ["33.34", "33.33", "33.33"]),
    ("-100.00", ["1", "1", "1"], ["-33.34", "-33.33", "-33.33"]),
    ("0.02", ["1", "1", "1"], ["0.01", "0.01", "0.00"]),
    ("0.10", ["1", "1", "1"], ["0.04", "0.03", "0.03"]),
    ("0.10", ["1", "1", "2"], ["0.03", "0.02", "0.05"]),  # tie: the earlier part wins
    ("10.00", ["0.7", "0.3"], ["7.00", "3.00"]), ("0.05", ["1", "2"], ["0.02", "0.03"]),
    ("1.00", ["0", "1", "0"], ["0.00", "1.00", "0.00"]), ("0.00", ["1", "2"], ["0.00", "0.00"]),
    ("10", ["3"], ["10.00"]),
    ("100.00", ["1", "2", "3", "4"], ["10.00", "20.00", "30.00", "40.00"]),
]
# fmt: on


@pytest.mark.parametrize(("total", "weights", "expected"), ALLOCATIONS)
def test_allocate_examples(total: str, weights: list[str], expected: list[str]) -> None:
    parts = allocate(D(total), [D(w) for w in weights])
    assert [str(p) for p in parts] == expected
    assert sum(parts, D(0)) == D(total)


def test_allocate_accepts_int_weights() -> None:
    assert allocate(D("1.00"), [1, 3]) == [D("0.25"), D("0.75")]  # type: ignore[list-item]


def test_allocate_property_random() -> None:
    rng = random.Random(11643)
    for _ in range(3000):
        total = from_fen(rng.randint(-(10**9), 10**9))
        count = rng.randint(1, 12)
        weights = [D(rng.randint(0, 10_000)).scaleb(-rng.randint(0, 4)) for _ in range(count)]
        if not any(weights):
            weights[0] = D(1)
        parts = allocate(total, weights)
        assert len(parts) == count
        assert sum(parts, D(0)) == total
        weight_sum = sum(weights, D(0))
        for part, weight in zip(parts, weights, strict=True):
            assert part == round_half_up(part, 2)
            exact = total * weight / weight_sum
            assert abs(part - exact) < FEN
            assert part == 0 or (part > 0) == (total > 0)
            if weight == 0:
                assert part == 0


@pytest.mark.parametrize(
    ("total", "weights", "error", "match"),
    [
        (D("1.00"), [], ValueError, "at least one weight"),
        (D("1.00"), [D(0), D(0)], ValueError, "all be zero"),
        (D("1.00"), [D(1), D(-1)], ValueError, "negative"),
        (D("1.001"), [D(1)], ValueError, "fractions of a fen"),
        (D("1.00"), [D("NaN")], ValueError, "finite"),
        (D("1.00"), [0.5], TypeError, "float"),
        (1.0, [D(1)], TypeError, "Decimal"),
    ],
)
def test_allocate_refuses(
    total: Decimal, weights: list[Decimal], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        allocate(total, weights)


# --- split_by_ratio ---------------------------------------------------------------------


# fmt: off
SPLITS: list[tuple[str, str, str, str]] = [
    ("100.00", "0.70", "70.00", "30.00"), ("0.01", "0.5", "0.01", "0.00"),
    ("0.03", "0.5", "0.02", "0.01"), ("33.33", "0.75", "25.00", "8.33"),
    ("12.35", "0.9", "11.12", "1.23"), ("-0.03", "0.5", "-0.02", "-0.01"),
    ("100.00", "0", "0.00", "100.00"), ("100.00", "1", "100.00", "0.00"),
    ("0.00", "0.7", "0.00", "0.00"),
    ("1234567890123.45", "0.123456789", "152415787517.15", "1082152102606.30"),
]
# fmt: on


@pytest.mark.parametrize(("total", "ratio", "fund", "rest"), SPLITS)
def test_split_by_ratio(total: str, ratio: str, fund: str, rest: str) -> None:
    got = split_by_ratio(D(total), D(ratio))
    assert same(got[0], D(fund))
    assert same(got[1], D(rest))


def test_split_by_ratio_property_random() -> None:
    rng = random.Random(32100)
    for _ in range(3000):
        total = from_fen(rng.randint(-(10**12), 10**12))
        ratio = D(rng.randint(0, 10**6)).scaleb(-6)
        fund, rest = split_by_ratio(total, ratio)
        assert fund + rest == total
        assert fund == round_half_up(fund, 2)
        assert rest == round_half_up(rest, 2)
        assert abs(fund - total * ratio) <= FEN / 2


@pytest.mark.parametrize(
    ("total", "ratio", "error", "match"),
    [
        (D("1.00"), D("1.01"), ValueError, "between 0 and 1"),
        (D("1.00"), D("-0.1"), ValueError, "between 0 and 1"),
        (D("1.00"), D("NaN"), ValueError, "finite"),
        (D("1.00"), 0.7, TypeError, "float"),
        (D("1.005"), D("0.5"), ValueError, "fractions of a fen"),
        (1.0, D("0.5"), TypeError, "Decimal"),
    ],
)
def test_split_by_ratio_refuses(
    total: Decimal, ratio: Decimal, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        split_by_ratio(total, ratio)


# --- pydantic ---------------------------------------------------------------------------


class Amounts(BaseModel):
    any_sign: Money = D(0)
    non_negative: NonNegativeMoney = D(0)
    positive: PositiveMoney = D(1)


def from_json(field: str, raw: str) -> Amounts:
    return Amounts.model_validate_json(f'{{"{field}": {raw}}}')


# fmt: off
JSON_ACCEPTED: list[tuple[str, str]] = [
    ('"12.34"', "12.34"), ('"12"', "12.00"), ('"12.3"', "12.30"), ('"-0.50"', "-0.50"),
    ('"-0"', "0.00"), ('"0.00"', "0.00"), ("12", "12.00"), ("-3", "-3.00"), ("0", "0.00"),
    ('"9999999999999.99"', "9999999999999.99"),
    ('"-9999999999999.99"', "-9999999999999.99"),
    ("9999999999999", "9999999999999.00"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "expected"), JSON_ACCEPTED)
def test_money_json_accepts(raw: str, expected: str) -> None:
    value = from_json("any_sign", raw).any_sign
    assert isinstance(value, Decimal)
    assert same(value, D(expected))


# fmt: off
JSON_REFUSED: list[tuple[str, str]] = [
    *[(raw, "money.float") for raw in ["12.34", "12.0", "1e3", "-0.5", "NaN", "Infinity"]],
    *[(f'"{raw}"', "money.format") for raw in
      ["NaN", "Infinity", "1e3", "12,34", " 12.34", "+12.34", "12.", "", "abc"]],
    *[(f'"{raw}"', "money.decimal_places") for raw in ["12.345", "12.340", "0.001"]],
    ('"10000000000000"', "money.too_large"), ('"-10000000000000.00"', "money.too_large"),
    ("10000000000000", "money.too_large"),
    ("123456789012345678901234567890", "money.too_large"),
    ("true", "money.type"), ("null", "money.type"), ("[1]", "money.type"),
    ('{"a": 1}', "money.type"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "code"), JSON_REFUSED)
def test_money_json_refuses(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        from_json("any_sign", raw)
    errors = caught.value.errors()
    assert [e["type"] for e in errors] == [code]
    assert errors[0]["loc"] == ("any_sign",)


@pytest.mark.parametrize(("raw", "match"), [("12.34", "not a float"), ('"1.234"', "2 decimal")])
def test_messages(raw: str, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        from_json("any_sign", raw)


# fmt: off
SIGN_REFUSED: list[tuple[str, str, str]] = [
    ("non_negative", '"-0.01"', "money.negative"), ("non_negative", "-1", "money.negative"),
    ("positive", '"0"', "money.not_positive"), ("positive", '"-0.00"', "money.not_positive"),
    ("positive", '"-5"', "money.not_positive"), ("positive", "0", "money.not_positive"),
    ("non_negative", "0.5", "money.float"), ("positive", "0.5", "money.float"),
    ("positive", '"0.001"', "money.decimal_places"),
]
SIGN_ACCEPTED: list[tuple[str, str, str]] = [
    ("non_negative", '"0"', "0.00"), ("non_negative", '"-0.00"', "0.00"),
    ("non_negative", "5", "5.00"), ("positive", '"0.01"', "0.01"), ("positive", "7", "7.00"),
]
# fmt: on


@pytest.mark.parametrize(("field", "raw", "code"), SIGN_REFUSED)
def test_sign_constraints(field: str, raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        from_json(field, raw)
    assert [e["type"] for e in caught.value.errors()] == [code]


@pytest.mark.parametrize(("field", "raw", "expected"), SIGN_ACCEPTED)
def test_sign_constraints_accept(field: str, raw: str, expected: str) -> None:
    assert same(getattr(from_json(field, raw), field), D(expected))


# fmt: off
PYTHON_INPUT: list[tuple[object, bool]] = [
    (D("12.34"), True), (D("12.340"), True), (D("1E+2"), True), (12, True), ("12.3", True),
    (D("12.345"), False), (D("NaN"), False), (D("Infinity"), False), (12.34, False),
    (12.0, False), (True, False), (None, False),
]
# fmt: on


@pytest.mark.parametrize(("value", "ok"), PYTHON_INPUT)
def test_money_python_input(value: object, ok: bool) -> None:
    if ok:
        assert Amounts(any_sign=value).any_sign == to_money(value)  # type: ignore[arg-type]
    else:
        with pytest.raises(ValidationError):
            Amounts(any_sign=value)  # type: ignore[arg-type]


def test_serialises_as_two_decimal_strings() -> None:
    amounts = Amounts(any_sign="-0.5", non_negative=12, positive="12.3")  # type: ignore[arg-type]
    dumped = json.loads(amounts.model_dump_json())
    assert dumped == {"any_sign": "-0.50", "non_negative": "12.00", "positive": "12.30"}
    python = amounts.model_dump()
    assert python == {"any_sign": D("-0.50"), "non_negative": D("12.00"), "positive": D("12.30")}
    assert all(isinstance(v, Decimal) for v in python.values())
    assert Amounts.model_validate_json(amounts.model_dump_json()) == amounts
    assert Amounts(any_sign=D("1E+2")).model_dump(mode="json")["any_sign"] == "100.00"


UNSIGNED = r"^\d{1,13}(\.\d{1,2})?$"


@pytest.mark.parametrize(
    ("field", "pattern"),
    [("any_sign", r"^-?\d{1,13}(\.\d{1,2})?$"), ("non_negative", UNSIGNED), ("positive", UNSIGNED)],
)
@pytest.mark.parametrize("mode", ["validation", "serialization"])
def test_json_schema(field: str, pattern: str, mode: str) -> None:
    prop = Amounts.model_json_schema(mode=mode)["properties"][field]  # type: ignore[arg-type]
    assert prop["type"] == "string"
    assert prop["pattern"] == pattern
    assert "number" not in json.dumps(prop)
