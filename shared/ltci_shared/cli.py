"""``ltci-bus``: operator commands for the event bus (replay dead letters after a fix)."""

from __future__ import annotations

import argparse
import asyncio
import os

from ltci_shared.messaging.kafka import replay_dead_letters


def main() -> None:
    parser = argparse.ArgumentParser(prog="ltci-bus")
    sub = parser.add_subparsers(dest="command", required=True)
    replay = sub.add_parser(
        "replay-dead-letters",
        help="re-publish a consumer's dead letters (Kafka) to their original topics",
    )
    replay.add_argument("consumer", help="consumer name, e.g. settlement-read-models")
    replay.add_argument(
        "--bootstrap", default=os.environ.get("LTCI_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    )
    replay.add_argument("--prefix", default=os.environ.get("LTCI_KAFKA_TOPIC_PREFIX", "ltci"))
    args = parser.parse_args()
    count = asyncio.run(replay_dead_letters(args.bootstrap, args.consumer, args.prefix))
    print(f"replayed {count} dead letter(s) of {args.consumer}")


if __name__ == "__main__":
    main()
