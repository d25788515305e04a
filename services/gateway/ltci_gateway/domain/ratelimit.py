"""Token buckets per client: ``rate`` tokens a second up to ``burst``; a request takes one."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


def refill(tokens: float, last: float, now: float, rate: float, burst: int) -> float:
    return min(float(burst), tokens + max(0.0, now - last) * rate)


def retry_after(tokens: float, rate: float) -> int:
    """Whole seconds until one token is back (Retry-After is in seconds, at least 1)."""
    return max(1, math.ceil((1.0 - tokens) / rate))


@dataclass
class MemoryBuckets:
    """The embedded mode's buckets: one process, so a dict is the whole truth."""

    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    max_buckets: int = 100_000

    async def take(self, bucket: str, rate: float, burst: int, now: float) -> int | None:
        """None when allowed; else the seconds to wait."""
        tokens, last = self.buckets.get(bucket, (float(burst), now))
        level = refill(tokens, last, now, rate, burst)
        if len(self.buckets) >= self.max_buckets and bucket not in self.buckets:
            self.buckets.clear()  # bounded memory; a reset only ever lets a client through
        if level >= 1.0:
            self.buckets[bucket] = (level - 1.0, now)
            return None
        self.buckets[bucket] = (level, now)
        return retry_after(level, rate)
