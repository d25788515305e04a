"""Time-ordered ids (UUIDv7, RFC 9562)."""

from __future__ import annotations

import os
import time


def new_id() -> str:
    """A UUIDv7: ids sort by creation time, so keyset pagination can order by id alone."""
    ms = f"{time.time_ns() // 1_000_000 & 0xFFFF_FFFF_FFFF:012x}"  # 48 bits of milliseconds
    rand = os.urandom(10).hex()  # 74 of its 80 bits are used
    variant = "89ab"[int(rand[4], 16) & 3]  # RFC 9562 variant bits 10
    return f"{ms[:8]}-{ms[8:]}-7{rand[1:4]}-{variant}{rand[5:8]}-{rand[8:]}"
