"""A sequence's figures: per step (sent, delivered, opened...), a funnel and the totals.

Everything is counted by the database with GROUP BY over the step runs, their outbox messages
and the enrolments: a few queries whatever the number of contacts, never a loop over rows.
"reached" counts the runs of a step (a contact looping back through it counts each time).

Counting a million step runs still takes a second or more, so a big sequence is counted by a
job (``tasks.count_sequence_figures``, every minute at most) into ``FiguresSnapshot``, and its
pages read that row: a million scheduled steps do not slow the pages, and a page that only
reads never competes with the scheduler for the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from propulse.delivery.models import DeliveryMessage, DeliveryStatus
from propulse.kit.changes import apply_changes
from propulse.kit.i18n import gettext as _
from propulse.nurture.models import (
    Enrolment,
    EnrolmentStatus,
    ExitGoal,
    FiguresSnapshot,
    Sequence,
    SequenceStatus,
    SequenceStep,
    StepKind,
    StepOutcome,
    StepRun,
)
from propulse.nurture.schemas import SequenceFigures, StepFigures

__all__ = ["SequenceFigures", "StepFigures", "count_figures", "sequence_figures"]

GOALS = tuple(goal.value for goal in ExitGoal)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _outcomes(session: Session, step_ids: list[int]) -> dict[int, dict[str, int]]:
    """Count the step runs by step and outcome (the index on step runs answers alone)."""
    found: dict[int, dict[str, int]] = {}
    statement = (
        select(StepRun.step_id, StepRun.outcome, func.count())
        .where(StepRun.step_id.in_(step_ids))
        .group_by(StepRun.step_id, StepRun.outcome)
    )
    for step_id, outcome, count in session.execute(statement):
        counts = found.setdefault(step_id, {"reached": 0, "ran": 0, "blocked": 0})
        counts["reached"] += count
        if outcome == StepOutcome.done:
            counts["ran"] += count
        elif outcome == StepOutcome.blocked:
            counts["blocked"] += count
    return found


def _messages(session: Session, step_ids: list[int]) -> dict[int, dict[str, int]]:
    """Count what became of the e-mails of these steps (a join with the outbox)."""
    message = DeliveryMessage
    statement = (
        select(
            StepRun.step_id,
            _count_if(message.status == DeliveryStatus.queued).label("queued"),
            _count_if(message.status == DeliveryStatus.sent).label("sent"),
            _count_if(
                and_(message.status == DeliveryStatus.sent, message.bounced_at.is_(None))
            ).label("delivered"),
            func.count(message.opened_at).label("opened"),
            func.count(message.clicked_at).label("clicked"),
            _count_if(
                or_(message.bounced_at.is_not(None), message.status == DeliveryStatus.failed)
            ).label("bounced"),
            func.count(message.unsubscribed_at).label("unsubscribed"),
        )
        .select_from(StepRun)
        .join(message, message.id == StepRun.message_pk)
        .where(StepRun.step_id.in_(step_ids))
        .group_by(StepRun.step_id)
    )
    found: dict[int, dict[str, int]] = {}
    for row in session.execute(statement):
        values = row._mapping
        found[row.step_id] = {name: int(values[name] or 0) for name in values if name != "step_id"}
    return found


# A sequence with this many enrolments and step runs is counted by the figures job, every
# minute at most (less often when the count is slow: see ``interval``), and its pages read the
# stored count; a smaller one is counted for each request (a few milliseconds).
BIG_SEQUENCE_ROWS = 20_000
MIN_INTERVAL = timedelta(minutes=1)
# A recount may take at most this share of the time between two recounts.
MAX_COUNTING_SHARE = 0.05


def interval(counting_ms: int) -> timedelta:
    """Return how long a stored count stays current: a minute, more when counting is slow."""
    return max(MIN_INTERVAL, timedelta(milliseconds=counting_ms / MAX_COUNTING_SHARE))


def sequence_figures(session: Session, *, sequence_id: int) -> SequenceFigures:
    """Return what each step did and where the contacts of a sequence are.

    A big sequence's figures come from the last count of the figures job (``counted_at``
    says when), aligned with the steps as they are now; a small one's are counted now.
    """
    snapshot = session.get(FiguresSnapshot, sequence_id)
    if snapshot is None or snapshot.rows_counted < BIG_SEQUENCE_ROWS:
        return count_figures(session, sequence_id=sequence_id)
    stored = SequenceFigures.model_validate(snapshot.figures)
    by_step = {step.step_id: step for step in stored.steps}
    steps = []
    for row in _steps(session, sequence_id):  # steps added since the count show zeros
        step = by_step.get(row.id) or StepFigures(step_id=row.id, key=row.key, kind=row.kind)
        step.key, step.kind = row.key, row.kind  # a renamed step keeps its figures
        steps.append(step)
    return stored.model_copy(
        update={
            "steps": steps,
            "funnel": [(_("Enrolled"), stored.enrolled)] + [(s.key, s.reached) for s in steps],
            "counted_at": snapshot.counted_at,
        }
    )


def stored_status_counts(session: Session) -> dict[int, dict[str, int]]:
    """Return the enrolments by status of each big sequence, as last counted by the job."""
    found: dict[int, dict[str, int]] = {}
    for sequence_id, stored in session.execute(
        select(FiguresSnapshot.sequence_id, FiguresSnapshot.figures).where(
            FiguresSnapshot.rows_counted >= BIG_SEQUENCE_ROWS
        )
    ):
        found[sequence_id] = {
            status.value: int(stored.get(status.value, 0)) for status in EnrolmentStatus
        }
    return found


def rows_counted(found: SequenceFigures) -> int:
    return found.enrolled + sum(step.reached for step in found.steps)


def store(
    session: Session, *, sequence_id: int, found: SequenceFigures, counted_at: datetime, ms: int
) -> None:
    """Keep a count (a big sequence's) for the pages; drop the kept one of a small sequence."""
    snapshot = session.get(FiguresSnapshot, sequence_id)
    size = rows_counted(found)
    if size < BIG_SEQUENCE_ROWS:
        if snapshot is not None:
            session.delete(snapshot)
        return
    values = {
        "figures": found.model_dump(mode="json", exclude={"counted_at"}),
        "rows_counted": size,
        "counted_at": counted_at,
        "counting_ms": ms,
        "due": False,
    }
    if snapshot is None:
        session.add(FiguresSnapshot(sequence_id=sequence_id, **values))
    else:
        apply_changes(snapshot, values)


def mark_due(session: Session, *, sequence_id: int) -> None:
    """Ask the figures job to count a sequence at its next run (its steps changed)."""
    session.execute(
        update(FiguresSnapshot)
        .where(FiguresSnapshot.sequence_id == sequence_id)
        .values(due=True)
        .execution_options(synchronize_session=False)
    )


def due_for_count(session: Session, *, now: datetime) -> list[int]:
    """Return the sequences whose figures the job should count now.

    Those with a stored count that is due or older than its interval, and every sequence
    without one (counting a small sequence costs milliseconds and tells whether it grew big).
    Drafts never enrolled anyone: they are skipped.
    """
    rows = session.execute(
        select(
            Sequence.id,
            Sequence.status,
            FiguresSnapshot.counted_at,
            FiguresSnapshot.counting_ms,
            FiguresSnapshot.due,
        )
        .outerjoin(FiguresSnapshot, FiguresSnapshot.sequence_id == Sequence.id)
        .order_by(Sequence.id)
    )
    wanted: list[int] = []
    for sequence_id, status, counted_at, counting_ms, due in rows:
        if counted_at is None:
            if status != SequenceStatus.draft:
                wanted.append(sequence_id)
        elif due or now - counted_at >= interval(counting_ms):
            wanted.append(sequence_id)
    return wanted


def _steps(session: Session, sequence_id: int) -> list[Any]:
    return list(
        session.execute(
            select(SequenceStep.id, SequenceStep.key, SequenceStep.kind)
            .where(SequenceStep.sequence_id == sequence_id)
            .order_by(SequenceStep.position, SequenceStep.id)
        )
    )


def count_figures(session: Session, *, sequence_id: int) -> SequenceFigures:
    """Count a sequence's figures now (a few queries, GROUP BY in the database)."""
    steps = _steps(session, sequence_id)
    step_ids = [row.id for row in steps]
    waiting = dict(
        session.execute(
            select(Enrolment.current_step_id, func.count())
            .where(
                Enrolment.sequence_id == sequence_id,
                Enrolment.status == EnrolmentStatus.active,
            )
            .group_by(Enrolment.current_step_id)
        ).all()
    )
    goals_at = dict(
        session.execute(
            select(Enrolment.current_step_id, func.count())
            .where(
                Enrolment.sequence_id == sequence_id,
                Enrolment.status == EnrolmentStatus.exited,
                Enrolment.exit_reason.in_(GOALS),
            )
            .group_by(Enrolment.current_step_id)
        ).all()
    )
    totals: dict[str, int] = {}
    statement = (
        select(
            Enrolment.status,
            func.count(),
            _count_if(Enrolment.exit_reason.in_(GOALS)),
        )
        .where(Enrolment.sequence_id == sequence_id)
        .group_by(Enrolment.status)
    )
    for status, count, goal_count in session.execute(statement):
        totals[status] = int(count)
        if status == EnrolmentStatus.exited:
            totals["goal_reached"] = int(goal_count or 0)
    runs = _outcomes(session, step_ids) if step_ids else {}
    email_steps = [row.id for row in steps if row.kind == StepKind.send_email]
    messages = _messages(session, email_steps) if email_steps else {}
    figures: list[StepFigures] = []
    funnel: list[tuple[str, int]] = []
    enrolled = sum(count for key, count in totals.items() if key != "goal_reached")
    funnel.append((_("Enrolled"), enrolled))
    for row in steps:
        counted = {**runs.get(row.id, {}), **messages.get(row.id, {})}
        reached = counted.pop("reached", 0)
        figures.append(
            StepFigures(
                step_id=row.id,
                key=row.key,
                kind=row.kind,
                at_step=int(waiting.get(row.id, 0)),
                reached=reached,
                goal_reached=int(goals_at.get(row.id, 0)),
                **counted,
            )
        )
        funnel.append((row.key, reached))
    return SequenceFigures(
        steps=figures,
        funnel=funnel,
        enrolled=enrolled,
        active=totals.get(EnrolmentStatus.active, 0),
        completed=totals.get(EnrolmentStatus.completed, 0),
        exited=totals.get(EnrolmentStatus.exited, 0),
        cancelled=totals.get(EnrolmentStatus.cancelled, 0),
        goal_reached=totals.get("goal_reached", 0),
    )
