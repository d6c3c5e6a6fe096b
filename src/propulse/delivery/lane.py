"""A lane of the delivery worker: one SMTP connection and the messages it sends, in order.

A lane claims a small batch under a lease owner of its own, re-checks each address, sends
the rows in id order over its persistent connection and commits each answer before the
next message: a kill leaves at most one message per lane accepted but unrecorded (see
``outbox``).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from propulse import db
from propulse.contacts import service as contacts
from propulse.contacts.models import SuppressionReason
from propulse.db import utcnow
from propulse.delivery import outbox, recheck, service
from propulse.delivery.models import DeliveryStatus
from propulse.delivery.outbox import Claimed
from propulse.delivery.ratelimit import retry_delay_seconds
from propulse.delivery.record_sql import SentRecorder
from propulse.delivery.smtp_pool import Outcome, SendResult, SmtpConnection, Stage
from propulse.kit.errors import NotFound

if TYPE_CHECKING:
    from propulse.delivery.worker import DeliveryWorker

logger = logging.getLogger("propulse.delivery")

BOUNCED_EVENT = "email_bounced"
LONG_WAIT_SECONDS = 5.0  # past this, a lane gives its batch back rather than sit on leases
ERROR_PAUSE_SECONDS = 2.0
ERRORS_BEFORE_GIVING_UP = 3  # a one-off run (``until_idle``) stops after this many in a row
COMPOSE_AHEAD_BYTES = 1_000_000  # what a lane's messages composed ahead may weigh in all
# Lanes without a connection of their own (tests bind every session to one connection)
# take turns: one connection cannot carry two threads' transactions at once.
_SHARED_CONNECTION = threading.RLock()


class Lane:
    """One SMTP connection and the messages it sends, one after the other."""

    def __init__(self, worker: DeliveryWorker, index: int) -> None:
        self.worker = worker
        self.index = index
        self.connection = SmtpConnection(worker.smtp)
        self._batches = 0
        self._connect_failures = 0
        self._session: Session | None = None
        self._held: Connection | None = None
        self._recorder: SentRecorder | None = None
        self._shared = False  # ``_held`` is the worker's SQLite connection
        self.lease_lost = False

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Run one transaction on the lane's own session (kept open: the hot path is short)."""
        if self._session is None:
            self._session = self._open_session()
        session = self._session
        with self._turn():
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def _turn(self) -> AbstractContextManager[object]:
        """Return what a lane holds while it uses its database connection.

        SQLite has one writer at a time: lanes with connections of their own polled for the
        file's lock with sleeps of 1, 2, 5 ms and more (``busy_timeout``), long after it was
        free, and each found its page cache dropped because another had written. The lanes
        of one worker share one connection instead and take turns on a lock handed over at
        once; other processes (the web app) still meet the busy timeout.
        """
        if self._held is None:
            return _SHARED_CONNECTION
        if self._shared:
            return self.worker.sqlite_writes
        return nullcontext()

    def _open_session(self) -> Session:
        """Open the lane's session on a connection held between transactions.

        Taking a pooled connection and giving it back (with its reset) for every message
        cost as much as the message's own update. On SQLite the worker's lanes share one
        connection (see ``DeliveryWorker.sqlite_connection``). Tests bind the factory to one
        connection (their transaction): the lane then uses the factory as it is.
        """
        factory = db.get_session_factory()  # looked up now: tests replace it
        bind = factory.kw.get("bind")
        if isinstance(bind, Engine):
            if bind.dialect.name == "sqlite":
                self._held = self.worker.sqlite_connection(bind)
                self._shared = True
            else:
                self._held = bind.connect()
            return Session(bind=self._held, expire_on_commit=False)
        return factory()

    def _abandon_session(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
        if self._held is not None:
            if self._shared:  # the other lanes' too: left out of any transaction
                with self._turn(), suppress(Exception):
                    if self._held.in_transaction():
                        self._held.rollback()
            else:
                if self._recorder is not None:
                    with suppress(Exception):  # a broken connection is discarded by the pool
                        self._recorder.release(self._held)
                self._held.close()
            self._held = None
            self._shared = False
        self._recorder = None

    def close(self) -> None:
        self.connection.close()
        self._abandon_session()

    def next_owner(self) -> str:
        """Return a lease owner for the next batch (one per batch: a crash leaves one open)."""
        self._batches += 1
        return f"{self.worker.owner_prefix}/{self.index}.{self._batches}"

    def run(self) -> None:
        worker = self.worker
        next_reclaim = 0.0
        errors = 0
        try:
            while not worker.stopping():
                try:
                    if self.index == 0 and time.monotonic() >= next_reclaim:
                        with self._turn():
                            worker.reclaim()
                        next_reclaim = time.monotonic() + worker.options.lease_seconds / 2
                    owner = self.next_owner()
                    batch = self._claim(owner)
                    if not batch:
                        if worker.options.until_idle:
                            return
                        worker.sleep(worker.options.poll_seconds)
                        continue
                    self._work(batch, owner)
                    errors = 0
                except Exception:  # the database, or a bug: the lane must live on
                    # Its rows stay leased and come back when the lease expires.
                    logger.exception("error in delivery lane %d", self.index)
                    self._abandon_session()
                    errors += 1
                    if worker.options.until_idle and errors >= ERRORS_BEFORE_GIVING_UP:
                        return  # a one-off run ends; the sweep or the next run comes back
                    worker.sleep(ERROR_PAUSE_SECONDS)
        finally:
            self.close()

    def _claim(self, owner: str) -> list[Claimed]:
        """Lease a batch and drop (as ``suppressed``) the addresses no longer allowed."""
        worker = self.worker
        sendable: list[Claimed] = []
        with self.transaction() as session:
            batch = outbox.claim(
                session,
                owner=owner,
                limit=worker.batch_size,
                lease_seconds=worker.options.lease_seconds,
                now=utcnow(),
            )
            blocked = recheck.blocked_among(session, messages=batch)
            for message in batch:
                block = blocked.get(message.id)
                if block is None:
                    sendable.append(message)
                    continue
                outbox.record_final(
                    session,
                    message_pk=message.id,
                    owner=owner,
                    status=DeliveryStatus.suppressed,
                    error=f"not sent: {block.value}",
                    count_attempt=False,
                )
        if len(sendable) < len(batch):
            worker.tally.add(suppressed=len(batch) - len(sendable))
        return sendable

    def _release(self, messages: list[Claimed], owner: str) -> None:
        if messages:
            with self.transaction() as session:
                outbox.release(session, message_pks=[m.id for m in messages], owner=owner)

    def _work(self, batch: list[Claimed], owner: str) -> None:
        worker = self.worker
        lease = worker.options.lease_seconds
        lease_until = time.monotonic() + lease
        pending = list(batch)
        long_wait = 0.0
        # The batch is composed in a row before its first send: composing runs on warm CPU
        # caches then, where composing each message between two sends found them cold
        # (about 1.5 times the CPU). One at a time under a rate limit, where a batch may
        # take minutes to go out: the Date header stays close to the sending time.
        ahead_count = len(pending) if worker.limiter.limits.unlimited else 1
        ahead: dict[int, bytes | Exception] = {}
        while pending and not worker.stopping():
            message = pending[0]
            if message.stream in worker.paused_here:
                self._release([pending.pop(0)], owner)
                continue
            if message.to_address in worker.bounced_here:  # refused for good since the claim
                self._suppress(pending.pop(0), owner)
                continue
            long_wait = self._pace()
            if long_wait:
                break
            if time.monotonic() > lease_until - lease / 2:
                pending = self._renew(pending, owner)
                lease_until = time.monotonic() + lease
                if not pending or pending[0] is not message:
                    continue
            if message.id not in ahead:
                ahead = self._compose(pending[:ahead_count])
            result = self.deliver(message, owner, ahead.pop(message.id))
            pending.pop(0)
            if self.lease_lost:
                self.lease_lost = False
                break
            if result.stage == Stage.connect:
                self._connect_failures += 1
                if worker.options.until_idle:  # a one-off run ends; the sweep comes back
                    worker.stop()
                break
            self._connect_failures = 0
        self._release(pending, owner)
        if self._connect_failures:  # the server is unreachable: wait before trying again
            worker.sleep(min(60.0, 2.0 ** min(self._connect_failures, 6)))
        elif long_wait:
            worker.sleep(min(long_wait, 30.0))

    def _suppress(self, message: Claimed, owner: str) -> None:
        with self.transaction() as session:
            outbox.record_final(
                session,
                message_pk=message.id,
                owner=owner,
                status=DeliveryStatus.suppressed,
                error=f"not sent: {service.Block.suppressed.value}",
                count_attempt=False,
            )
        self.worker.tally.add(suppressed=1)

    def _pace(self) -> float:
        """Wait for the rate limit; return 0 to send, or the long wait the lane should take."""
        while True:
            delay = self.worker.limiter.try_acquire()
            if delay <= 0:
                return 0.0
            if delay > LONG_WAIT_SECONDS or self.worker.sleep(delay):
                return delay

    def _renew(self, pending: list[Claimed], owner: str) -> list[Claimed]:
        until = utcnow() + timedelta(seconds=self.worker.options.lease_seconds)
        with self.transaction() as session:
            held = set(
                outbox.renew(session, message_pks=[m.id for m in pending], owner=owner, until=until)
            )
        return [message for message in pending if message.id in held]

    def _compose(self, messages: list[Claimed]) -> dict[int, bytes | Exception]:
        """Compose messages in a row, by row id, up to about ``COMPOSE_AHEAD_BYTES``; a
        message that cannot be composed has its error instead."""
        composer = self.worker.composer
        now = utcnow()
        composed: dict[int, bytes | Exception] = {}
        size = 0
        for message in messages:
            try:
                payload = composer.payload(message, now=now)
            except Exception as error:  # a bad row must not stop the lane
                composed[message.id] = error
                continue
            composed[message.id] = payload
            size += len(payload)
            if size >= COMPOSE_AHEAD_BYTES:  # large messages: the rest when their turn comes
                break
        return composed

    def deliver(
        self, message: Claimed, owner: str, composed: bytes | Exception | None = None
    ) -> SendResult:
        """Compose (unless done), send and record one message (the record commits before
        the next send)."""
        worker = self.worker
        if composed is None:
            composed = self._compose([message])[message.id]
        if isinstance(composed, Exception):
            logger.error("cannot compose message #%d", message.id, exc_info=composed)
            failed = SendResult(Outcome.permanent, Stage.compose, None, str(composed))
            with self.transaction() as session:
                outbox.record_final(
                    session,
                    message_pk=message.id,
                    owner=owner,
                    status=DeliveryStatus.failed,
                    error=failed.describe(),
                )
            worker.tally.add(failed=1)
            return failed
        result = self.connection.send(
            sender=worker.composer.envelope_for(message.id),
            recipient=message.to_address,
            payload=composed,
        )
        self._record(message, owner, result)
        return result

    def _record(self, message: Claimed, owner: str, result: SendResult) -> None:
        if result.outcome == Outcome.accepted and self._held is not None:
            self._record_accepted(message, owner, result)
            return
        worker = self.worker
        options = worker.options
        now = utcnow()
        paused = False
        with self.transaction() as session:
            if result.outcome == Outcome.accepted:
                settled = outbox.record_sent(
                    session, message_pk=message.id, owner=owner, reply=result.describe(), now=now
                )
                if worker.should_reset(message.stream):
                    outbox.reset_failures(session, stream=message.stream)
            elif (
                result.outcome == Outcome.permanent or message.attempts + 1 >= options.max_attempts
            ):
                settled = outbox.record_final(
                    session,
                    message_pk=message.id,
                    owner=owner,
                    status=DeliveryStatus.failed,
                    error=result.describe(),
                )
                if result.outcome == Outcome.permanent and result.code is not None:
                    _bounce(session, message, result)
                    worker.bounced_here.add(message.to_address)
            else:
                delay = retry_delay_seconds(
                    message.attempts + 1,
                    base_seconds=options.retry_seconds,
                    jitter=random.uniform(-1, 1),
                )
                settled = outbox.record_retry(
                    session,
                    message_pk=message.id,
                    owner=owner,
                    error=result.describe(),
                    next_attempt_at=now + timedelta(seconds=delay),
                    in_doubt=result.in_doubt,
                )
            if result.outcome != Outcome.accepted and result.recipient_failure:
                worker.failing_streams.add(message.stream)
                paused = outbox.count_failure(
                    session,
                    stream=message.stream,
                    error=result.describe(),
                    pause_after=options.pause_after_failures,
                    now=now,
                )
        self._log(message, result)
        if not settled:  # this lane's lease ran out: another worker owns the batch now
            self.lease_lost = True
            logger.warning("lease of #%d lost before its answer was recorded", message.id)
        if paused:
            worker.paused_here.add(message.stream)
            logger.warning("stream %s paused: %s", message.stream, result.describe())

    def _record_accepted(self, message: Claimed, owner: str, result: SendResult) -> None:
        """Record an acceptance on the lane's held connection, in its own commit.

        The hot path: one UPDATE and one COMMIT straight on the connection (``record_sql``).
        """
        connection = self._held
        assert connection is not None
        if self._recorder is None:
            self._recorder = SentRecorder(connection)
        settled: bool | None = None
        with self._turn():  # the check too: on SQLite the connection is the lanes' in common
            if self._recorder.supported and not connection.in_transaction():
                settled = self._recorder.record(
                    connection,
                    message_pk=message.id,
                    owner=owner,
                    reply=result.describe(),
                    now=utcnow(),
                )
        if settled is None:
            with self.transaction() as session:
                settled = outbox.record_sent(
                    session,
                    message_pk=message.id,
                    owner=owner,
                    reply=result.describe(),
                    now=utcnow(),
                )
        if self.worker.should_reset(message.stream):  # rare: at most every few seconds
            with self.transaction() as session:
                outbox.reset_failures(session, stream=message.stream)
        self._log(message, result)
        if not settled:  # this lane's lease ran out: another worker owns the batch now
            self.lease_lost = True
            logger.warning("lease of #%d lost before its answer was recorded", message.id)

    def _log(self, message: Claimed, result: SendResult) -> None:
        tally = self.worker.tally
        if result.outcome == Outcome.accepted:
            tally.add_sent()
            self.worker.log_sent(message, result)
        elif result.outcome == Outcome.permanent:
            tally.add(failed=1)
            logger.warning("bounced #%d [%s] %s", message.id, message.stream, result.describe())
        elif message.attempts + 1 >= self.worker.options.max_attempts:
            tally.add(failed=1)
            logger.warning("gave up #%d [%s] %s", message.id, message.stream, result.describe())
        else:
            tally.add(retried=1)
            logger.info("will retry #%d [%s] %s", message.id, message.stream, result.describe())


def _bounce(session: Session, message: Claimed, result: SendResult) -> None:
    """Suppress a refused address for good and tell the contact's timeline."""
    contacts.suppress(session, email=message.to_address, reason=SuppressionReason.bounced)
    if message.contact_id is not None and _contact_exists(session, message.contact_id):
        properties = {"stream": message.stream, "code": result.code, "stage": result.stage.value}
        contacts.add_events(
            session,
            contact_id=message.contact_id,
            events=[(BOUNCED_EVENT, utcnow(), properties)],
        )


def _contact_exists(session: Session, contact_id: int) -> bool:
    try:
        contacts.get_contact(session, contact_id=contact_id)
    except NotFound:
        return False  # erased since the message was queued
    return True
