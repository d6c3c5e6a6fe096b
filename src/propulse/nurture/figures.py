"""A sequence's figures: per step (sent, delivered, opened...), a funnel and the totals.

Everything is counted by the database with GROUP BY over the step runs, their outbox messages
and the enrolments: a few queries whatever the number of contacts, never a loop over rows.
"reached" counts the runs of a step (a contact looping back through it counts each time).
"""

from __future__ import annotations

import time

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from propulse.delivery.models import DeliveryMessage, DeliveryStatus
from propulse.kit.i18n import gettext as _
from propulse.nurture.models import (
    Enrolment,
    EnrolmentStatus,
    ExitGoal,
    SequenceStep,
    StepKind,
    StepOutcome,
    StepRun,
)
from propulse.nurture.schemas import SequenceFigures, StepFigures

__all__ = ["SequenceFigures", "StepFigures", "sequence_figures"]

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


# A big sequence's figures are kept a minute in this process: counting a million step runs
# and their messages takes a second or more, and the sequence page is read often.
BIG_SEQUENCE_RUNS = 20_000
CACHE_SECONDS = 60.0
_cache: dict[int, tuple[float, SequenceFigures]] = {}


def forget(sequence_id: int | None = None) -> None:
    """Drop the kept figures of a sequence (its steps changed), or of all."""
    if sequence_id is None:
        _cache.clear()
    else:
        _cache.pop(sequence_id, None)


def sequence_figures(session: Session, *, sequence_id: int) -> SequenceFigures:
    """Count what each step did and where the contacts of a sequence are."""
    now = time.monotonic()
    cached = _cache.get(sequence_id)
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        found = cached[1].model_copy(deep=True)
        found.funnel[0] = (_("Enrolled"), found.funnel[0][1])  # in the reader's language
        return found
    found = _count(session, sequence_id)
    if sum(step.reached for step in found.steps) >= BIG_SEQUENCE_RUNS:
        if len(_cache) > 100:
            _cache.clear()
        _cache[sequence_id] = (now, found.model_copy(deep=True))
    return found


def _count(session: Session, sequence_id: int) -> SequenceFigures:
    steps = list(
        session.execute(
            select(SequenceStep.id, SequenceStep.key, SequenceStep.kind)
            .where(SequenceStep.sequence_id == sequence_id)
            .order_by(SequenceStep.position, SequenceStep.id)
        )
    )
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
