"""``ltci run``: the whole platform on one machine, no server to install."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from pathlib import Path

from ltci_embedded.launcher import EmbeddedPlatform, build, serve
from ltci_shared.logging import configure_logging


def main() -> None:
    parser = argparse.ArgumentParser(prog="ltci")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run all five services embedded (SQLite + in-process bus)")
    run.add_argument("--host", default=os.environ.get("LTCI_HOST", "127.0.0.1"))
    run.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("LTCI_PORT", "8000")),
        help="gateway port; the services take the next four",
    )
    run.add_argument("--data-dir", type=Path, default=Path(os.environ.get("LTCI_DATA_DIR", "var")))
    run.add_argument("--log-json", action="store_true", help="JSON logs instead of plain lines")
    args = parser.parse_args()
    configure_logging("ltci", os.environ.get("LTCI_LOG_LEVEL", "INFO"), json_output=args.log_json)
    platform = build(args.data_dir, args.host, args.port)
    asyncio.run(_run(platform, args.host))


async def _run(platform: EmbeddedPlatform, host: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await serve(platform, host, stop)


if __name__ == "__main__":
    main()
