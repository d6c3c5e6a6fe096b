"""The delivery worker: lanes (``lane``), each with its own SMTP connection, run side by side.

The worker holds what lanes share: the options, the SMTP server, the composer (links and
DKIM), the rate limiter, the tally, and the streams paused or addresses bounced meanwhile.
The first lane also reclaims the leases of dead workers.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from propulse.config import Settings
from propulse.db import unit_of_work, utcnow
from propulse.delivery import outbox
from propulse.delivery.composer import Composer
from propulse.delivery.errors import NotConfigured
from propulse.delivery.lane import Lane
from propulse.delivery.outbox import Claimed
from propulse.delivery.ratelimit import RateLimiter, RateLimits
from propulse.delivery.smtp_pool import SendResult
from propulse.kit.i18n import gettext as _
from propulse.kit.mail import SmtpSettings, SmtpUrlError

logger = logging.getLogger("propulse.delivery")


@dataclass(frozen=True)
class WorkerOptions:
    connections: int = 4
    batch_size: int = 50
    lease_seconds: float = 120.0
    max_attempts: int = 8
    retry_seconds: float = 60.0
    pause_after_failures: int = 20
    poll_seconds: float = 1.0
    until_idle: bool = False
    max_seconds: float | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> WorkerOptions:
        values: dict[str, object] = {
            "connections": settings.delivery_connections,
            "lease_seconds": float(settings.delivery_lease_seconds),
            "max_attempts": settings.delivery_max_attempts,
            "retry_seconds": float(settings.delivery_retry_seconds),
            "pause_after_failures": settings.delivery_pause_after_failures,
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)  # type: ignore[arg-type]


@dataclass
class Tally:
    """What a run did, for the logs and the commands."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    suppressed: int = 0
    reclaimed: int = 0
    in_doubt: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def add_sent(self) -> None:
        """Count one message sent (the hot path: no keyword arguments to walk)."""
        with self.lock:
            self.sent += 1

    def as_dict(self) -> dict[str, int]:
        names = ("sent", "retried", "failed", "suppressed", "reclaimed", "in_doubt")
        return {name: getattr(self, name) for name in names}


def log_sent(message: Claimed, result: SendResult) -> None:
    """Log a message the server accepted (the worker process writes the same line faster)."""
    logger.info(
        "sent #%d %s [%s] %s",
        message.id,
        message.message_id,
        message.stream,
        result.describe(),
    )


def limits_from(settings: Settings) -> RateLimits:
    return RateLimits(
        per_second=settings.delivery_max_per_second,
        per_window=settings.delivery_max_per_window,
        window_seconds=float(settings.delivery_window_seconds),
    )


def smtp_settings(settings: Settings) -> SmtpSettings:
    """Return the SMTP server of the settings; refused clearly when missing or malformed."""
    if not settings.smtp_url:
        raise NotConfigured(_("No SMTP server is configured: set PROPULSE_SMTP_URL."))
    try:
        return SmtpSettings.from_url(settings.smtp_url)
    except SmtpUrlError as error:
        message = _("PROPULSE_SMTP_URL is not valid: %(error)s", error=str(error))
        raise NotConfigured(message) from None


class DeliveryWorker:
    """Run lanes until stopped (or, with ``until_idle``, until nothing is due)."""

    def __init__(
        self,
        *,
        options: WorkerOptions,
        smtp: SmtpSettings,
        composer: Composer,
        limiter: RateLimiter,
    ) -> None:
        self.options = options
        self.smtp = smtp
        self.composer = composer
        self.limiter = limiter
        self.tally = Tally()
        self.owner_prefix = f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"
        self.paused_here: set[str] = set()
        self.bounced_here: set[str] = set()
        # Streams whose run of failures this worker must end at its next success; others are
        # reset at most every few seconds (another worker's failures), not on every message.
        self.failing_streams: set[str] = set()
        self._reset_at: dict[str, float] = {}
        self.log_sent: Callable[[Claimed, SendResult], None] = log_sent
        # On SQLite, the connection the lanes share and their turns at it (``Lane._turn``).
        self.sqlite_writes = threading.RLock()
        self._sqlite_connection: Connection | None = None
        self._stop = threading.Event()
        self._deadline = (
            time.monotonic() + options.max_seconds if options.max_seconds is not None else None
        )
        per_second = limiter.limits.per_second
        batch = options.batch_size
        if per_second > 0:  # a batch must go out well within its lease
            paced = int(per_second * options.lease_seconds / (4 * options.connections))
            batch = max(1, min(batch, paced))
        self.batch_size = batch

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> DeliveryWorker:
        options = WorkerOptions.from_settings(settings, **overrides)
        return cls(
            options=options,
            smtp=smtp_settings(settings),
            composer=Composer(settings),
            limiter=RateLimiter(limits_from(settings), time.monotonic),
        )

    def stop(self) -> None:
        self._stop.set()

    def sqlite_connection(self, engine: Engine) -> Connection:
        """Return the SQLite connection the lanes share, opened on first use."""
        with self.sqlite_writes:
            held = self._sqlite_connection
            if held is None or held.closed or held.invalidated:
                held = self._sqlite_connection = engine.connect()
            return held

    def close_sqlite_connection(self) -> None:
        with self.sqlite_writes:
            if self._sqlite_connection is not None:
                self._sqlite_connection.close()
                self._sqlite_connection = None

    def should_reset(self, stream: str) -> bool:
        """Say whether a success must reset the stream's failure count now."""
        now = time.monotonic()
        if stream in self.failing_streams or now - self._reset_at.get(stream, -1e9) > 5.0:
            self.failing_streams.discard(stream)
            self._reset_at[stream] = now
            return True
        return False

    def stopping(self) -> bool:
        if self._deadline is not None and time.monotonic() >= self._deadline:
            self._stop.set()
        return self._stop.is_set()

    def sleep(self, seconds: float) -> bool:
        """Wait, waking early when stopped; True when stopped."""
        return self._stop.wait(max(0.0, seconds)) or self.stopping()

    def run(self) -> Tally:
        """Run the lanes: the first in this thread (signals reach it), the others in threads."""
        lanes = [Lane(self, index) for index in range(self.options.connections)]
        threads = [
            threading.Thread(target=lane.run, name=f"delivery-lane-{lane.index}", daemon=True)
            for lane in lanes[1:]
        ]
        for thread in threads:
            thread.start()
        try:
            lanes[0].run()
        finally:
            for thread in threads:
                thread.join()
            self.close_sqlite_connection()
        return self.tally

    def reclaim(self) -> None:
        """Requeue what dead workers left ``sending``; their in-doubt rows are flagged."""
        with unit_of_work() as session:
            reclaimed = outbox.reclaim_expired(session, now=utcnow())
        if reclaimed.requeued:
            self.tally.add(reclaimed=reclaimed.requeued, in_doubt=len(reclaimed.in_doubt))
            logger.warning(
                "reclaimed %d messages of stopped workers; possible duplicates: %s",
                reclaimed.requeued,
                reclaimed.in_doubt,
            )

    def send_now(self, message_pk: int) -> SendResult | None:
        """Send one queued message at once on a connection of its own (a test send)."""
        lane = Lane(self, 0)
        owner = lane.next_owner()
        with unit_of_work() as session:
            message = outbox.claim_one(
                session,
                message_pk=message_pk,
                owner=owner,
                lease_seconds=self.options.lease_seconds,
                now=utcnow(),
            )
        if message is None:
            return None
        try:
            return lane.deliver(message, owner)
        finally:
            lane.close()
            self.close_sqlite_connection()
