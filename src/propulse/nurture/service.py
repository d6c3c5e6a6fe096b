"""Nurturing sequences: define them, switch them on and off, enrol contacts, list who is where.

Other domains and the edges reach nurturing through this module. Enrolling by hand lives in
``enrolling`` (re-exported here), the engine (``engine``) runs the steps, the scheduler
(``scheduler``) finds due enrolments, figures are counted in ``figures``. Managers define and
switch sequences; members enrol.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.db import utcnow
from propulse.delivery import service as delivery
from propulse.delivery.models import DeliveryStream
from propulse.kit.errors import Conflict, InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.nurture import enrolment, figures, triggers
from propulse.nurture.enrolling import (
    cancel_enrolment,
    enrol_contact,
    enrol_emails,
    enrol_segment,
    list_enrolments,
)
from propulse.nurture.lookup import ensure_enroller, ensure_manager, get_sequence
from propulse.nurture.models import (
    Enrolment,
    EnrolmentStatus,
    Sequence,
    SequenceStatus,
    SequenceStep,
)
from propulse.nurture.references import check_references
from propulse.nurture.schemas import (
    SequenceIn,
    SequenceSummary,
)
from propulse.nurture.subscribers import enrol_new_mqls
from propulse.workspace import service as workspace
from propulse.workspace.models import User

__all__ = [
    "activate_sequence",
    "cancel_enrolment",
    "create_sequence",
    "eligibility_rule_text",
    "enrol_contact",
    "enrol_emails",
    "enrol_new_mqls",
    "enrol_segment",
    "ensure_enroller",
    "ensure_manager",
    "get_sequence",
    "list_enrolments",
    "list_sequences",
    "pause_sequence",
    "resume_sequence",
    "update_sequence",
]


def eligibility_rule_text() -> str:
    """Return the rule, in the user's language, of who may receive a sequence's e-mails."""
    return _(
        "Sequence e-mails go only to contacts with an opt-in consent or a recorded legitimate "
        "interest for e-mail. Contacts marked do-not-contact, who withdrew their consent, or "
        "whose address is suppressed (unsubscribed, bounced, erased) are never written to: "
        "they leave the sequence at its first e-mail step. The rule is checked again when "
        "each e-mail is sent."
    )


# ---- Reading ----------------------------------------------------------------------------------


def _paused_streams(session: Session) -> dict[str, str | None]:
    rows = session.execute(
        select(DeliveryStream.name, DeliveryStream.paused_reason).where(
            DeliveryStream.paused.is_(True), DeliveryStream.name.like("sequence-%")
        )
    )
    return {row.name: row.paused_reason for row in rows}


def list_sequences(session: Session) -> list[SequenceSummary]:
    """Return every sequence by name, with its step count and where its contacts are."""
    step_counts = dict(
        session.execute(
            select(SequenceStep.sequence_id, func.count()).group_by(SequenceStep.sequence_id)
        ).all()
    )
    sequences = list(session.scalars(select(Sequence).order_by(Sequence.name, Sequence.id)))
    # Big sequences: where their contacts are comes from the figures job's last count.
    by_status = figures.stored_status_counts(session)
    counted_live = [sequence.id for sequence in sequences if sequence.id not in by_status]
    if counted_live:
        for sequence_id, status, count in session.execute(
            select(Enrolment.sequence_id, Enrolment.status, func.count())
            .where(Enrolment.sequence_id.in_(counted_live))
            .group_by(Enrolment.sequence_id, Enrolment.status)
        ):
            by_status.setdefault(sequence_id, {})[status] = count
    paused_streams = _paused_streams(session)
    summaries = []
    for sequence in sequences:
        counts = by_status.get(sequence.id, {})
        status, reason = effective_status(sequence, paused_streams)
        summaries.append(
            SequenceSummary(
                id=sequence.id,
                name=sequence.name,
                status=status,
                paused_reason=reason,
                steps=step_counts.get(sequence.id, 0),
                active_enrolments=counts.get(EnrolmentStatus.active, 0),
                completed=counts.get(EnrolmentStatus.completed, 0),
                exited=counts.get(EnrolmentStatus.exited, 0),
            )
        )
    return summaries


def effective_status(
    sequence: Sequence, paused_streams: dict[str, str | None]
) -> tuple[str, str | None]:
    """Return the status shown: an active sequence whose stream paused itself is paused."""
    if sequence.status == SequenceStatus.active and sequence.stream in paused_streams:
        return SequenceStatus.paused.value, paused_streams[sequence.stream]
    return sequence.status, sequence.paused_reason


def sequence_state(session: Session, *, sequence_id: int) -> tuple[str, str | None]:
    """Return the status and the pause reason to show for one sequence."""
    sequence = get_sequence(session, sequence_id=sequence_id)
    stream = session.get(DeliveryStream, sequence.stream)
    paused = {stream.name: stream.paused_reason} if stream is not None and stream.paused else {}
    return effective_status(sequence, paused)


# ---- Writing ----------------------------------------------------------------------------------


def _check_name(session: Session, name: str, sequence_id: int | None) -> None:
    clash = session.scalar(select(Sequence.id).where(Sequence.name == name))
    if clash is not None and clash != sequence_id:
        raise InvalidInput.on_field("name", _("Another sequence already has this name."))


def _apply(sequence: Sequence, data: SequenceIn) -> None:
    sequence.name = data.name
    sequence.description = data.description
    sequence.triggers = [trigger.stored() for trigger in data.triggers]
    sequence.reenrolment = data.reenrolment.value
    sequence.reenrol_after_days = data.reenrol_after_days
    sequence.exit_goals = [goal.value for goal in data.exit_goals]
    sequence.sending_windows = {
        key: window.model_dump() for key, window in data.sending_windows.items()
    }


def create_sequence(session: Session, *, actor: User, data: SequenceIn) -> Sequence:
    """Create a sequence as a draft (it enrols nobody until activated)."""
    ensure_manager(actor)
    _check_name(session, data.name, None)
    check_references(session, data)
    sequence = Sequence(status=SequenceStatus.draft, owner_id=actor.id)
    _apply(sequence, data)
    sequence.steps = [
        SequenceStep(
            key=step.key,
            position=index,
            kind=step.kind.value,
            config=step.config,
            next_key=step.next_key,
        )
        for index, step in enumerate(data.steps)
    ]
    session.add(sequence)
    session.flush()
    _audit(session, actor, sequence, "created")
    triggers.forget_cache(session)
    return sequence


def _next_surviving(old_steps: list[SequenceStep], index: int, kept: set[str]) -> str | None:
    for step in old_steps[index + 1 :]:
        if step.key in kept:
            return step.key
    return None


def update_sequence(
    session: Session, *, actor: User, sequence_id: int, data: SequenceIn
) -> Sequence:
    """Replace a sequence's settings and steps; steps keep their id (and figures) by key.

    Contacts waiting on a removed step move on to the next step that remains (or finish).
    """
    ensure_manager(actor)
    sequence = get_sequence(session, sequence_id=sequence_id)
    workspace.check_version(sequence, data.version)
    _check_name(session, data.name, sequence.id)
    check_references(session, data)
    old_steps = list(sequence.steps)
    by_key = {step.key: step for step in old_steps}
    kept = {step.key for step in data.steps}
    new_steps: list[SequenceStep] = []
    for index, step_in in enumerate(data.steps):
        step = by_key.get(step_in.key)
        if step is None:
            step = SequenceStep(sequence_id=sequence.id, key=step_in.key)
            session.add(step)
        step.position = index
        step.kind = step_in.kind.value
        step.config = step_in.config
        step.next_key = step_in.next_key
        new_steps.append(step)
    _apply(sequence, data)
    session.flush()
    new_ids = {step.key: step.id for step in new_steps}
    now = utcnow()
    # Move the contacts waiting on removed steps before the steps go (their FK would clear).
    for index, old in enumerate(old_steps):
        if old.key in kept:
            continue
        target = _next_surviving(old_steps, index, kept)
        session.execute(
            update(Enrolment)
            .where(
                Enrolment.current_step_id == old.id,
                Enrolment.status == EnrolmentStatus.active,
            )
            .values(
                current_step_id=new_ids.get(target) if target else None,
                next_run_at=now,
                version=Enrolment.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
    sequence.steps = new_steps
    # Flag the sequence changed even when only steps did (the version refuses stale edits).
    sequence.updated_at = now
    session.flush()
    _audit(session, actor, sequence, "updated")
    triggers.forget_cache(session)
    figures.mark_due(session, sequence_id=sequence.id)
    return sequence


def _audit(session: Session, actor: User | None, sequence: Sequence, action: str) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="sequence",
        object_id=sequence.id,
        summary=f"sequence {sequence.name}",
    )


def activate_sequence(session: Session, *, actor: User | None, sequence_id: int) -> Sequence:
    """Switch a draft or paused sequence on: triggers enrol, due steps run."""
    if actor is not None:
        ensure_manager(actor)
    sequence = get_sequence(session, sequence_id=sequence_id)
    if not sequence.steps:
        raise Conflict(_("Add at least one step before activating the sequence."))
    return _switch_on(session, actor, sequence, "activated")


def resume_sequence(session: Session, *, actor: User | None, sequence_id: int) -> Sequence:
    """Resume a paused sequence (and its delivery stream, if it paused itself on failures)."""
    if actor is not None:
        ensure_manager(actor)
    sequence = get_sequence(session, sequence_id=sequence_id)
    if sequence.status == SequenceStatus.draft:
        raise Conflict(_("This sequence is a draft: activate it first."))
    return _switch_on(session, actor, sequence, "resumed")


def _switch_on(session: Session, actor: User | None, sequence: Sequence, action: str) -> Sequence:
    sequence.status = SequenceStatus.active
    sequence.paused_reason = None
    delivery.ensure_stream(session, name=sequence.stream)
    delivery.resume_stream(session, actor=None, name=sequence.stream)
    session.flush()
    _audit(session, actor, sequence, action)
    triggers.forget_cache(session)
    enrolment.wake_after_commit(session)
    return sequence


def pause_sequence(
    session: Session, *, actor: User | None, sequence_id: int, reason: str | None = None
) -> Sequence:
    """Pause a sequence: no step runs, no trigger enrols, its queued e-mails wait."""
    if actor is not None:
        ensure_manager(actor)
    sequence = get_sequence(session, sequence_id=sequence_id)
    if sequence.status == SequenceStatus.draft:
        raise Conflict(_("This sequence is a draft: there is nothing to pause."))
    if reason is None:
        who = actor.name if actor is not None else _("the system")
        reason = _("Paused by %(who)s.", who=who)
    sequence.status = SequenceStatus.paused
    sequence.paused_reason = reason[:500]
    delivery.pause_stream(session, name=sequence.stream, reason=reason)
    session.flush()
    _audit(session, actor, sequence, "paused")
    triggers.forget_cache(session)
    return sequence
