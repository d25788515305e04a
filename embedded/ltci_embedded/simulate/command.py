"""``ltci simulate``: the command-line options and the printed summary."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

from ltci_embedded.simulate.client import SimulationError
from ltci_embedded.simulate.options import DEFAULT_REGION, DEFAULT_SEED, SCALES, Month, Options
from ltci_embedded.simulate.runner import render, simulate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    env = os.environ.get
    parser.add_argument("--url", default=env("LTCI_URL", "http://127.0.0.1:8000"), help="gateway")
    parser.add_argument(
        "--size",
        choices=sorted(SCALES),
        default="small",
        help="small: ~2,000 insured (under a minute embedded); medium ~20,000; large ~100,000",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="same seed, same city")
    parser.add_argument("--region", default=DEFAULT_REGION, help="city code of a policy pack")
    parser.add_argument(
        "--month",
        type=Month.parse,
        default=None,
        help="YYYY-MM, a complete month (default: the last one)",
    )
    parser.add_argument("--client-id", default=None, help="or LTCI_CLIENT_ID")
    parser.add_argument("--client-secret", default=None, help="or LTCI_CLIENT_SECRET")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(env("LTCI_DATA_DIR", "var")),
        help="embedded platform's data dir (its admin credentials are used)",
    )
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    options = Options(
        url=args.url,
        size=args.size,
        seed=args.seed,
        region=args.region,
        month=args.month,
        client_id=args.client_id,
        client_secret=args.client_secret,
        data_dir=args.data_dir,
        concurrency=max(1, args.concurrency),
        progress=not args.quiet,
    )
    try:
        summary = asyncio.run(simulate(options))
    except SimulationError as exc:
        print(f"ltci simulate: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(summary, ensure_ascii=False, indent=2) if args.json else render(summary))
    balanced = summary["settlement"]["trial_balance"]["balanced"]
    return 0 if balanced and summary["settlement"]["run_status"] == "completed" else 2
