"""Structured JSON logging with request ids, and masking of resident ID numbers in any message."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

# 18-character resident ID numbers (17 digits and a digit or X), not inside a longer number.
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_pii(text: str) -> str:
    """Mask every resident-ID-shaped number in ``text``."""
    return _RESIDENT_ID.sub(lambda m: m.group(1) + "*" * 11 + m.group(2), text)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "service": self._service,
            "logger": record.name,
            "process": record.process,  # which worker (``serve --workers N``)
            "message": mask_pii(record.getMessage()),
        }
        if rid := request_id_var.get():
            entry["request_id"] = rid
        if record.exc_info:
            entry["exception"] = mask_pii(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_pii(super().format(record))


def configure_logging(service: str, level: str = "INFO", *, json_output: bool = True) -> None:
    """Configure the root logger once, at start-up."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(service)
        if json_output
        else MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "kafka"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
