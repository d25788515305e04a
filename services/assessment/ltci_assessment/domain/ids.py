"""Time-ordered identifiers (UUID version 7 layout), so ordering by id is ordering by creation."""

from __future__ import annotations

import secrets
import time
import uuid


def new_id() -> str:
    """A UUIDv7: 48 bits of Unix milliseconds, then random bits; sorts by creation time."""
    millis = time.time_ns() // 1_000_000
    value = (millis & ((1 << 48) - 1)) << 80 | secrets.randbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return str(uuid.UUID(int=value))
