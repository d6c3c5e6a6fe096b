"""``python -m propulse.delivery worker``: the delivery worker without the rest of the CLI.

``propulse delivery worker`` replaces itself with this process, which imports delivery and
the tables only (about 60 MB instead of the whole command line's 200 MB).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from propulse.delivery.outbox import Claimed
    from propulse.delivery.smtp_pool import SendResult

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _Formatter(logging.Formatter):
    """The usual format, its date and time formatted once per second instead of per line."""

    _stamp: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        return self.stamp(record.created)

    def stamp(self, created: float) -> str:
        """Return what ``%(asctime)s`` shows for a record made at ``created``."""
        second, text = self._stamp  # one read: lanes log from several threads
        if second != int(created):
            second = int(created)
            text = time.strftime(self.default_time_format, self.converter(second))
            self._stamp = (second, text)
        return f"{text},{int((created - second) * 1000):03d}"  # as ``default_msec_format``


class SentLines:
    """Write the line of each message sent straight to the log's stream.

    The very line ``logging`` would write (this module sets the format and the handler),
    without making a ``LogRecord``: at one line per message, the logging machinery cost a
    tenth of the worker's CPU. One write per line, flushed, as the handler does.
    """

    def __init__(
        self,
        handler: logging.StreamHandler[Any],
        formatter: _Formatter,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._handler = handler
        self._formatter = formatter
        self._clock = clock
        self._logger = logging.getLogger("propulse.delivery")

    def __call__(self, message: Claimed, result: SendResult) -> None:
        if not self._logger.isEnabledFor(logging.INFO):
            return
        line = (
            f"{self._formatter.stamp(self._clock())} INFO propulse.delivery: sent #{message.id} "
            f"{message.message_id} [{message.stream}] {result.describe()}\n"
        )
        handler = self._handler
        handler.acquire()
        try:
            handler.stream.write(line)
            handler.flush()
        finally:
            handler.release()


def configure_logging() -> tuple[logging.StreamHandler[Any], _Formatter]:
    """Log to stderr at the least cost per line: the worker writes one line per message."""
    # What the logging documentation lists under "Optimization": no caller lookup, no
    # thread or process names (the format shows none of them).
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler()
    formatter = _Formatter(LOG_FORMAT)
    handler.setFormatter(formatter)
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    return handler, formatter


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="propulse delivery")
    commands = parser.add_subparsers(dest="command", required=True)
    worker_parser = commands.add_parser("worker", help="run the delivery worker until stopped")
    worker_parser.add_argument("--connections", type=int, default=None)
    worker_parser.add_argument("--poll", type=float, default=1.0)
    worker_parser.add_argument("--until-idle", action="store_true")
    arguments = parser.parse_args(argv)

    handler, formatter = configure_logging()
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

    worker.log_sent = SentLines(handler, formatter)

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
