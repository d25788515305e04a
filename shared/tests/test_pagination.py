"""Cursors round-trip and foreign cursors are a clear error."""

import pytest

from ltci_shared.errors import InvalidInput
from ltci_shared.pagination import decode_cursor, encode_cursor


def test_a_cursor_round_trips_its_key() -> None:
    assert decode_cursor(encode_cursor("2026-01-01", "abc", 7), 3) == ["2026-01-01", "abc", 7]
    assert decode_cursor(None) is None


@pytest.mark.parametrize("bad", ["%%%", "bm90IGpzb24", encode_cursor("a", "b")])
def test_a_cursor_not_issued_here_is_invalid_input(bad: str) -> None:
    with pytest.raises(InvalidInput):
        decode_cursor(bad, 1)
