"""Transport-neutral message types and the publisher port both bus adapters implement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Message:
    """One record on a topic: key (the person's internal id), value (an Envelope as JSON)."""

    topic: str
    key: str
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()
    partition: int | None = None
    offset: int | None = None


class Publisher(Protocol):
    """Publishes a batch; returns only when every message is acknowledged, else raises."""

    async def publish(self, messages: Sequence[Message]) -> None: ...
