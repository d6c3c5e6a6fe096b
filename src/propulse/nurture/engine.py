"""Run one enrolment from its current step until it must wait, reaches a goal or ends.

A step that holds the contact (a wait, an e-mail held for its sending window) keeps them on
it with ``next_run_at`` set; when that time comes and the enrolment's latest step run is that
step, the hold is over and the contact moves on. Exit goals are checked before each step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.contacts.models import Contact
from propulse.nurture import goals, steps, windows
from propulse.nurture.enrolment import cancel_queued_messages, finish
from propulse.nurture.models import (
    Enrolment,
    EnrolmentStatus,
    Sequence,
    SequenceStep,
    StepKind,
    StepRun,
)
from propulse.nurture.steps import RunContext

# Steps run at most this many times in one go: a branch looping back without a wait cannot
# spin; the enrolment resumes an hour later.
MAX_STEPS_PER_RUN = 50
LOOP_PAUSE = timedelta(hours=1)
HOLDING_KINDS = frozenset({StepKind.wait.value, StepKind.send_email.value})


@dataclass(frozen=True)
class Defaults:
    """The workspace's time zone and country, for contacts that have none."""

    timezone: str | None
    country: str | None


class Walk:
    """A sequence's steps by id and key, in order."""

    def __init__(self, sequence: Sequence) -> None:
        self.sequence = sequence
        self.ordered = list(sequence.steps)
        self.by_id = {step.id: step for step in self.ordered}
        self.by_key = {step.key: step for step in self.ordered}
        self.index = {step.id: index for index, step in enumerate(self.ordered)}

    def after(self, step: SequenceStep, jump: str | None) -> SequenceStep | None:
        """Return the step that follows ``step`` (a jump, its next_key, else the next one)."""
        target = jump or step.next_key
        if target is not None:
            return self.by_key.get(target)
        position = self.index[step.id] + 1
        return self.ordered[position] if position < len(self.ordered) else None


def _held_here(session: Session, enrolment: Enrolment, step: SequenceStep) -> bool:
    if step.kind not in HOLDING_KINDS:
        return False
    last = session.scalar(
        select(StepRun.step_id)
        .where(StepRun.enrolment_id == enrolment.id)
        .order_by(StepRun.id.desc())
        .limit(1)
    )
    return last == step.id


def context_for(contact: Contact, defaults: Defaults, now: datetime) -> RunContext:
    """Return when and where a contact is: their zone and country, else the workspace's."""
    return RunContext(
        now=now,
        zone=windows.zone_of(contact.timezone, defaults.timezone),
        country=contact.country or defaults.country,
    )


def run_enrolment(
    session: Session,
    *,
    enrolment: Enrolment,
    walk: Walk,
    defaults: Defaults,
    now: datetime,
) -> None:
    """Run the enrolment's due steps; leave it waiting, finished or exited."""
    contact = session.get(Contact, enrolment.contact_id)
    if contact is None:
        finish(enrolment, status=EnrolmentStatus.exited, reason="contact_deleted", now=now)
        return
    ctx = context_for(contact, defaults, now)
    first = True
    for _ in range(MAX_STEPS_PER_RUN):
        step = walk.by_id.get(enrolment.current_step_id) if enrolment.current_step_id else None
        if step is None:
            finish(enrolment, status=EnrolmentStatus.completed, reason="completed", now=now)
            return
        if first and _held_here(session, enrolment, step):
            first = False
            _move(enrolment, walk.after(step, None), now)
            continue
        first = False
        goal = goals.reached_goal(
            session, enrolment=enrolment, contact=contact, goals=walk.sequence.exit_goals
        )
        if goal is not None:
            finish(enrolment, status=EnrolmentStatus.exited, reason=goal.value, now=now)
            session.flush()
            cancel_queued_messages(
                session, enrolment_id=enrolment.id, reason=f"sequence exit: {goal.value}"
            )
            return
        result = steps.run_step(
            session,
            sequence=walk.sequence,
            step=step,
            enrolment=enrolment,
            contact=contact,
            ctx=ctx,
        )
        session.add(
            StepRun(
                enrolment_id=enrolment.id,
                step_id=step.id,
                outcome=result.outcome.value,
                message_pk=result.message_pk,
                detail=result.detail[:300] if result.detail else None,
                ran_at=now,
            )
        )
        if result.finish is not None:
            status = (
                EnrolmentStatus.completed
                if result.finish == "completed"
                else EnrolmentStatus.exited
            )
            finish(enrolment, status=status, reason=result.finish, now=now)
            return
        if result.hold_until is not None and result.hold_until > now:
            enrolment.next_run_at = result.hold_until
            return
        _move(enrolment, walk.after(step, result.jump), now)
    enrolment.next_run_at = now + LOOP_PAUSE


def _move(enrolment: Enrolment, step: SequenceStep | None, now: datetime) -> None:
    enrolment.current_step_id = step.id if step is not None else None
    enrolment.next_run_at = now
