"""The policy book, loaded and validated once per process (an invalid pack stops start-up)."""

from __future__ import annotations

from functools import lru_cache

from ltci_shared.policy import PolicyBook


@lru_cache(maxsize=1)
def policy_book() -> PolicyBook:
    return PolicyBook.load()


def pack_region(code: str) -> str:
    """The city pack a (county) code belongs to; an unknown code is kept as it is."""
    book = policy_book()
    return book.region(code).code if book.knows_region(code) else code
