"""Put contacts into a sequence: the re-enrolment rule, never twice at once, in bulk.

Bulk enrolment is set-based (a few queries per 500 contacts); two writers racing on the same
contact meet the partial unique index, and the loser falls back to one SAVEPOINT per contact.
"""

from __future__ import annotations

from collections.abc import Sequence as Seq
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from propulse import db, jobs
from propulse.delivery.models import DeliveryMessage, DeliveryStatus
from propulse.nurture.models import (
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    Reenrolment,
    Sequence,
    SequenceStep,
    StepRun,
)
from propulse.nurture.schemas import EnrolOutcome, EnrolSummary

WAKE_JOB = "propulse.run_sequences"
CHUNK = 500


def _wake() -> None:
    jobs.enqueue(WAKE_JOB)


def wake_after_commit(session: Session) -> None:
    """Run the due enrolments once the transaction commits (once per transaction)."""
    if _wake not in session.info.get(db.AFTER_COMMIT_KEY, []):
        db.after_commit(session, _wake)


def first_step_id(session: Session, sequence_id: int) -> int | None:
    return session.scalar(
        select(SequenceStep.id)
        .where(SequenceStep.sequence_id == sequence_id)
        .order_by(SequenceStep.position, SequenceStep.id)
        .limit(1)
    )


def _active(session: Session, sequence_id: int, contact_ids: Seq[int]) -> set[int]:
    return set(
        session.scalars(
            select(Enrolment.contact_id).where(
                Enrolment.sequence_id == sequence_id,
                Enrolment.status == EnrolmentStatus.active,
                Enrolment.contact_id.in_(contact_ids),
            )
        )
    )


def _refused_by_rule(
    session: Session, sequence: Sequence, contact_ids: Seq[int], now: datetime
) -> set[int]:
    """Return the contacts the re-enrolment rule keeps out (they were enrolled before)."""
    if sequence.reenrolment == Reenrolment.after_exit:
        return set()
    statement = (
        select(Enrolment.contact_id, func.max(Enrolment.finished_at))
        .where(
            Enrolment.sequence_id == sequence.id,
            Enrolment.status != EnrolmentStatus.active,
            Enrolment.contact_id.in_(contact_ids),
        )
        .group_by(Enrolment.contact_id)
    )
    if sequence.reenrolment == Reenrolment.never:
        return {row[0] for row in session.execute(statement)}
    days = sequence.reenrol_after_days or 0
    limit = now - timedelta(days=days)
    refused = set()
    for contact_id, finished_at in session.execute(statement):
        if finished_at is None:
            refused.add(contact_id)
            continue
        finished = finished_at if finished_at.tzinfo else finished_at.replace(tzinfo=now.tzinfo)
        if finished > limit:
            refused.add(contact_id)
    return refused


def _row(
    sequence_id: int,
    contact_id: int,
    step_id: int | None,
    source: EnrolmentSource,
    actor_id: int | None,
    now: datetime,
) -> dict[str, object]:
    return {
        "sequence_id": sequence_id,
        "contact_id": contact_id,
        "status": EnrolmentStatus.active.value,
        "current_step_id": step_id,
        "next_run_at": now,
        "source": source.value,
        "enrolled_by_id": actor_id,
        "enrolled_at": now,
        "version": 1,
    }


def enrol_one(
    session: Session,
    *,
    sequence: Sequence,
    contact_id: int,
    source: EnrolmentSource,
    actor_id: int | None,
) -> EnrolOutcome:
    """Enrol one contact unless active already or kept out by the re-enrolment rule."""
    now = db.utcnow()
    session.flush()
    if _active(session, sequence.id, [contact_id]):
        return EnrolOutcome(enrolled=False, reason="already_enrolled")
    if _refused_by_rule(session, sequence, [contact_id], now):
        return EnrolOutcome(enrolled=False, reason="not_allowed")
    enrolment = Enrolment(
        sequence_id=sequence.id,
        contact_id=contact_id,
        status=EnrolmentStatus.active,
        current_step_id=first_step_id(session, sequence.id),
        next_run_at=now,
        source=source,
        enrolled_by_id=actor_id,
        enrolled_at=now,
    )
    try:
        with session.begin_nested():
            session.add(enrolment)
            session.flush()
    except IntegrityError:  # another writer enrolled them a moment ago
        return EnrolOutcome(enrolled=False, reason="already_enrolled")
    wake_after_commit(session)
    return EnrolOutcome(enrolled=True, enrolment_id=enrolment.id)


def enrol_many(
    session: Session,
    *,
    sequence: Sequence,
    contact_ids: Seq[int],
    source: EnrolmentSource,
    actor_id: int | None,
) -> EnrolSummary:
    """Enrol many contacts, 500 at a time, with the same rules as ``enrol_one``."""
    summary = EnrolSummary()
    wanted = sorted(set(contact_ids))
    if not wanted:
        return summary
    session.flush()
    step_id = first_step_id(session, sequence.id)
    now = db.utcnow()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        active = _active(session, sequence.id, chunk)
        refused = _refused_by_rule(session, sequence, chunk, now) - active
        fresh = [c for c in chunk if c not in active and c not in refused]
        summary.already_enrolled += len(active)
        summary.not_allowed += len(refused)
        if not fresh:
            continue
        try:
            with session.begin_nested():
                session.execute(
                    insert(Enrolment),
                    [_row(sequence.id, c, step_id, source, actor_id, now) for c in fresh],
                )
            summary.enrolled += len(fresh)
        except IntegrityError:  # a racing writer: redo this chunk one contact at a time
            for contact_id in fresh:
                outcome = enrol_one(
                    session,
                    sequence=sequence,
                    contact_id=contact_id,
                    source=source,
                    actor_id=actor_id,
                )
                if outcome.enrolled:
                    summary.enrolled += 1
                elif outcome.reason == "not_allowed":
                    summary.not_allowed += 1
                else:
                    summary.already_enrolled += 1
    if summary.enrolled:
        wake_after_commit(session)
    return summary


def finish(found: Enrolment, *, status: EnrolmentStatus, reason: str, now: datetime) -> None:
    """End an enrolment: nothing more is scheduled for it (the row stays, for the figures)."""
    found.status = status
    found.exit_reason = reason
    found.finished_at = now
    found.next_run_at = None


def take_out(
    session: Session, found: Enrolment, *, status: EnrolmentStatus, reason: str, why: str
) -> None:
    """End an active enrolment from outside the engine (by hand, by the contact): its e-mails
    still waiting in the outbox are cancelled with ``why``."""
    finish(found, status=status, reason=reason, now=db.utcnow())
    session.flush()
    cancel_queued_messages(session, enrolment_id=found.id, reason=why)


def cancel_queued_messages(session: Session, *, enrolment_id: int, reason: str) -> int:
    """Cancel this enrolment's e-mails still waiting in the outbox (not those being sent).

    A worker claims a row by moving it from ``queued`` to ``sending`` in one statement, so a
    row still ``queued`` here is not in anyone's hands.
    """
    own = select(StepRun.message_pk).where(
        StepRun.enrolment_id == enrolment_id, StepRun.message_pk.is_not(None)
    )
    result = session.execute(
        update(DeliveryMessage)
        .where(DeliveryMessage.id.in_(own), DeliveryMessage.status == DeliveryStatus.queued)
        .values(status=DeliveryStatus.cancelled, last_error=reason[:1000])
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
