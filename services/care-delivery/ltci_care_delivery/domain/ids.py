"""Time-ordered ids (UUIDv7, RFC 9562) and the opaque cursors lists page with."""

from __future__ import annotations

import base64
import binascii
import os
import re
import time
import uuid

from ltci_care_delivery.domain.errors import InvalidCursor

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def new_id() -> str:
    """A UUIDv7: ids sort by creation time, so keyset pagination can order by id alone."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80 | (0x7 << 76) | (rand & ((1 << 76) - 1))
    value = (value & ~(0xC << 60)) | (0x8 << 60)  # RFC 4122 variant bits
    return str(uuid.UUID(int=value))


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    """The id a page continues after; a cursor this service did not issue is a 422."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor("the cursor is not one this service issued") from None
    if not _UUID.match(raw):
        raise InvalidCursor("the cursor is not one this service issued")
    return raw
