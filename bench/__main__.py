"""``scripts/bench [name ...] [--size small|full]``: run benchmarks, print and record results.

Names: references, enrollment-import, month-end, visits-single, visits-batch, onestop,
end-to-end. With no name, every benchmark runs. ``--size small`` (default) finishes in a few
minutes; ``--size full`` uses the sizes quoted in docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from bench import end_to_end, enrollment_import, month_end, onestop, references, visits
from bench.common import Result, record, show

SIZES = {
    "small": {
        "references": 100_000,
        "enrollment-import": 20_000,
        "month-end": 50_000,
        "visits-single": 5_000,
        "visits-batch": 20_000,
        "onestop": 2_020,
        "end-to-end": 8_000,
    },
    "full": {
        "references": 1_000_000,
        "enrollment-import": 100_000,
        "month-end": 1_000_000,
        "visits-single": 20_000,
        "visits-batch": 200_000,
        "onestop": 6_020,
        "end-to-end": 100_000,
    },
}


async def _references(n: int) -> list[Result]:
    copy = await references.pg_copy(n)
    produce, consume = await references.kafka_raw(n)
    return [copy, produce, consume]


async def _enrollment(n: int) -> list[Result]:
    result = await enrollment_import.run(n)
    reference = await references.pg_copy(n)
    result.reference, result.reference_rate = reference.name, reference.rate
    return [result]


async def _with_copy(results: list[Result], n: int) -> list[Result]:
    """Each result next to the raw PostgreSQL COPY of the same number of visit rows."""
    reference = await references.pg_copy(n)
    for result in results:
        result.reference, result.reference_rate = reference.name, reference.rate
    return results


async def _month_end(n: int) -> list[Result]:
    """The run beside the raw COPY of as many visit-shaped rows (it writes a claim line and
    about five postings a visit)."""
    return await _with_copy(await month_end.run(n), n)


async def _visits_single(n: int) -> list[Result]:
    return await _with_copy(await visits.single(n), n)


async def _visits_batch(n: int) -> list[Result]:
    return await _with_copy(await visits.batch(n), n)


async def _end_to_end(n: int) -> list[Result]:
    """Ingest beside the raw COPY of as many rows; the event path beside raw Kafka produce."""
    ingest, sustained, paced, posting = await end_to_end.run(n)
    copy = await references.pg_copy(n)
    produce, _ = await references.kafka_raw(n)
    ingest.reference, ingest.reference_rate = copy.name, copy.rate
    sustained.reference, sustained.reference_rate = produce.name, produce.rate
    return [ingest, sustained, paced, posting]


BENCHMARKS: dict[str, Callable[[int], Coroutine[Any, Any, list[Result]]]] = {
    "references": _references,
    "enrollment-import": _enrollment,
    "month-end": _month_end,
    "visits-single": _visits_single,
    "visits-batch": _visits_batch,
    "onestop": onestop.run,
    "end-to-end": _end_to_end,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("names", nargs="*", metavar="name", help=", ".join(BENCHMARKS))
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    args = parser.parse_args(argv)
    names = args.names or list(BENCHMARKS)
    if unknown := [n for n in names if n not in BENCHMARKS]:
        parser.error(f"unknown benchmark {', '.join(unknown)}; one of {', '.join(BENCHMARKS)}")
    command = "scripts/bench " + " ".join([*args.names, "--size", args.size])
    results: list[Result] = []
    for name in names:
        print(f"== {name} ({args.size})", flush=True)
        for result in asyncio.run(BENCHMARKS[name](SIZES[args.size][name])):
            show(result)
            results.append(result)
    print(f"recorded in {record(results, command)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
