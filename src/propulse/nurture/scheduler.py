"""Find due enrolments and run them, a batch per transaction, safe with several workers.

PostgreSQL: the batch's rows are locked FOR UPDATE SKIP LOCKED, so a second worker takes the
next ones. SQLite: transactions begin IMMEDIATE (see ``db``), so batches take turns; the
enrolment's version column refuses a write based on a stale read in any case. One enrolment
that fails is rolled back alone (a SAVEPOINT each) and tried again later.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from propulse import db
from propulse.delivery.models import DeliveryStream
from propulse.kit.errors import NotFound
from propulse.nurture.engine import Defaults, Walk, run_enrolment
from propulse.nurture.models import Enrolment, EnrolmentStatus, Sequence, SequenceStatus
from propulse.workspace import service as workspace

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
RETRY_AFTER_ERROR = timedelta(minutes=30)
# SQLite has one writer at a time and no fair queue: a run that starts its next batch the
# instant it commits keeps the lock, and a web request waiting for it times out. On SQLite a
# batch is smaller (it holds the lock less long) and the run pauses between batches, longer
# than the longest sleep of SQLite's busy handler (100 ms), so waiting writers get their turn.
SQLITE_BATCH_SIZE = 25
SQLITE_TURN_SECONDS = 0.12


@dataclass
class RunReport:
    """How a run went: enrolments processed, batches, and failures (tried again later)."""

    processed: int = 0
    batches: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"processed": self.processed, "batches": self.batches, "failed": self.failed}


def runnable_sequences(session: Session) -> list[Sequence]:
    """Return the active sequences whose delivery stream is not paused, with their steps."""
    paused = select(DeliveryStream.name).where(DeliveryStream.paused.is_(True))
    paused_names = set(session.scalars(paused))
    sequences = session.scalars(
        select(Sequence)
        .where(Sequence.status == SequenceStatus.active)
        .options(selectinload(Sequence.steps))
    )
    return [sequence for sequence in sequences if sequence.stream not in paused_names]


def _defaults(session: Session) -> Defaults:
    try:
        found = workspace.get_workspace(session)
    except NotFound:
        return Defaults(timezone=None, country=None)
    return Defaults(timezone=found.timezone, country=found.country)


def run_batch(session: Session, *, now: datetime, limit: int = BATCH_SIZE) -> tuple[int, int]:
    """Run up to ``limit`` due enrolments in the caller's transaction; return (done, failed)."""
    walks = {sequence.id: Walk(sequence) for sequence in runnable_sequences(session)}
    if not walks:
        return 0, 0
    statement = (
        select(Enrolment)
        .where(
            Enrolment.status == EnrolmentStatus.active,
            Enrolment.next_run_at <= now,
            Enrolment.sequence_id.in_(list(walks)),
        )
        .order_by(Enrolment.next_run_at, Enrolment.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Enrolment)
    )
    due = list(session.scalars(statement))
    defaults = _defaults(session)
    failed = 0
    for enrolment in due:
        try:
            with session.begin_nested():
                run_enrolment(
                    session,
                    enrolment=enrolment,
                    walk=walks[enrolment.sequence_id],
                    defaults=defaults,
                    now=now,
                )
                session.flush()
        except Exception:  # one broken enrolment must not stop the others
            logger.exception("nurture: enrolment %s failed; tried again later", enrolment.id)
            failed += 1
            with session.begin_nested():
                session.refresh(enrolment)
                if enrolment.status == EnrolmentStatus.active:
                    enrolment.next_run_at = now + RETRY_AFTER_ERROR
                session.flush()
    return len(due), failed


def run_due(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE, max_batches: int = 10_000
) -> RunReport:
    """Run every due enrolment now, one committed batch at a time, until none is due."""
    report = RunReport()
    factory = db.get_session_factory()
    moment = now or db.utcnow()
    sqlite = db.get_engine().dialect.name == "sqlite"
    if sqlite:
        batch_size = min(batch_size, SQLITE_BATCH_SIZE)
    for number in range(max_batches):
        if sqlite and number:
            time.sleep(SQLITE_TURN_SECONDS)
        with factory() as session:
            done, failed = run_batch(session, now=moment, limit=batch_size)
            session.commit()
        report.processed += done
        report.failed += failed
        if done:
            report.batches += 1
        if done < batch_size:
            break
    return report
