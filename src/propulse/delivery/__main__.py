"""``python -m propulse.delivery worker``: the delivery worker without the rest of the CLI.

``propulse delivery worker`` replaces itself with this process, which imports delivery and
the tables only (about 60 MB instead of the whole command line's 200 MB).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from types import FrameType


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="propulse delivery")
    commands = parser.add_subparsers(dest="command", required=True)
    worker_parser = commands.add_parser("worker", help="run the delivery worker until stopped")
    worker_parser.add_argument("--connections", type=int, default=None)
    worker_parser.add_argument("--poll", type=float, default=1.0)
    worker_parser.add_argument("--until-idle", action="store_true")
    arguments = parser.parse_args(argv)

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from propulse import models  # noqa: F401 - every table, so that relationships resolve
    from propulse.delivery.settings import load_effective_settings
    from propulse.delivery.worker import DeliveryWorker
    from propulse.kit.errors import DomainError

    try:
        worker = DeliveryWorker.from_settings(
            load_effective_settings(),
            connections=arguments.connections,
            poll_seconds=arguments.poll,
            until_idle=arguments.until_idle or None,
        )
    except DomainError as error:
        sys.stderr.write(f"Error: {error.message}\n")
        return 2

    def stop(_signal: int, _frame: FrameType | None) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logging.getLogger("propulse.delivery").info(
        "delivery worker %s started with %d connections",
        worker.owner_prefix,
        worker.options.connections,
    )
    tally = worker.run()
    logging.getLogger("propulse.delivery").info("delivery worker stopped: %s", tally.as_dict())
    return 0


if __name__ == "__main__":
    sys.exit(main())
