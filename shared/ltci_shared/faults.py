"""Crash points for the fault suite: the process dies on the spot, as under SIGKILL.

``LTCI_FAULTS="http_after_commit:3,relay_after_publish:1"`` makes the process exit (status
137, no cleanup, no flush) the 3rd time a use case commits and the 1st time the relay has the
broker's acknowledgement but has not yet marked the rows sent. Unset (always, outside the
fault suite) every point is a no-op costing one dictionary look-up.

Points: ``http_after_commit`` (an HTTP write committed, the response not yet sent),
``relay_before_publish``, ``relay_after_publish``, ``consumer_after_commit`` (effects and
inbox row committed, the Kafka offset not yet committed).
"""

from __future__ import annotations

import logging
import os
import sys
from collections import Counter

log = logging.getLogger(__name__)
_hits: Counter[str] = Counter()


def crash_point(name: str) -> None:
    spec = os.environ.get("LTCI_FAULTS")
    if not spec:
        return
    for item in spec.split(","):
        point, _, nth = item.strip().partition(":")
        if point != name:
            continue
        _hits[name] += 1
        if _hits[name] == int(nth or "1"):
            sys.stderr.write(f"LTCI_FAULTS: crashing at {name} (hit {_hits[name]})\n")
            sys.stderr.flush()
            os._exit(137)
