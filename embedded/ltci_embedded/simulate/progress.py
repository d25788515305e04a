"""A small progress bar on stderr: one line per step, redrawn in place on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 28


class Progress:
    """``with progress.step("visits", total) as bar: bar.advance(n)``; silent when disabled."""

    def __init__(self, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()

    def step(self, label: str, total: int = 0) -> Bar:
        return Bar(self, label, total)

    def note(self, text: str) -> None:
        if self.enabled:
            self.stream.write(f"  · {text}\n")
            self.stream.flush()

    def elapsed(self) -> float:
        return time.monotonic() - self.started


class Bar:
    def __init__(self, progress: Progress, label: str, total: int) -> None:
        self.progress, self.label, self.total = progress, label, total
        self.done = 0
        self._drawn = 0.0
        self._t0 = time.monotonic()

    def __enter__(self) -> Bar:
        self._draw(force=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.done = max(self.done, self.total)
        self._draw(force=True, final=True)

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._draw()

    def grow(self, n: int) -> None:
        """More work found on the way (e.g. the exception queue)."""
        self.total += n
        self._draw()

    def _draw(self, force: bool = False, final: bool = False) -> None:
        p = self.progress
        if not p.enabled:
            return
        now = time.monotonic()
        if not force and (not p.tty or now - self._drawn < 0.1):
            return
        self._drawn = now
        total = max(self.total, 1)
        share = min(1.0, self.done / total) if self.total else (1.0 if final else 0.0)
        filled = int(share * WIDTH)
        bar = "█" * filled + "·" * (WIDTH - filled)
        count = f"{self.done:,}/{self.total:,}" if self.total else ""
        line = f"{self.label:<26} [{bar}] {share:4.0%} {count:>15} {now - self._t0:6.1f}s"
        if p.tty:
            p.stream.write("\r" + line + ("\n" if final else ""))
        elif final:
            p.stream.write(line + "\n")
        p.stream.flush()
