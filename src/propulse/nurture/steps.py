"""What each kind of step does for one contact; the engine records the result as a StepRun."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.orm import Session

from propulse.contacts import fields
from propulse.contacts.lookup import PLAIN_FIELDS, publish_edit
from propulse.contacts.models import ConsentBasis, Contact, LifecycleStage
from propulse.contacts.schemas import ContactPatch
from propulse.delivery import service as delivery
from propulse.email_templates import service as templates
from propulse.kit.errors import DomainError
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import use_locale
from propulse.notifications import service as notifications
from propulse.nurture import conditions, windows
from propulse.nurture.models import Enrolment, Sequence, SequenceStep, StepKind, StepOutcome
from propulse.segments import lists
from propulse.workspace import service as workspace

ELIGIBLE_CONSENTS = frozenset({ConsentBasis.opt_in.value, ConsentBasis.legitimate_interest.value})
# Plain fields an update_field step may set (the stage has a step of its own).
SETTABLE_FIELDS = frozenset(PLAIN_FIELDS) - {"lifecycle_stage"}


@dataclass(frozen=True)
class RunContext:
    """Where and when a contact is: the moment, their time zone and country."""

    now: datetime
    zone: ZoneInfo
    country: str | None


@dataclass(frozen=True)
class StepResult:
    """What a step did, and where the enrolment goes next."""

    outcome: StepOutcome
    detail: str | None = None
    message_pk: int | None = None
    jump: str | None = None  # the key of the next step, when not the following one
    hold_until: datetime | None = None  # stay on this step until then (a wait, a send window)
    finish: str | None = None  # end the enrolment: "completed" or "not_eligible"


def ineligibility(session: Session, contact: Contact) -> str | None:
    """Say why this contact may not receive marketing e-mail now (None: they may)."""
    block = delivery.blocked_reason(session, to_address=contact.email, contact_id=contact.id)
    if block is not None:
        return block.value
    if contact.email_consent not in ELIGIBLE_CONSENTS:
        return "no_consent"
    return None


def _send_email(
    session: Session, sequence: Sequence, step: SequenceStep, contact: Contact, ctx: RunContext
) -> StepResult:
    reason = ineligibility(session, contact)
    if reason is not None:
        return StepResult(StepOutcome.blocked, detail=reason, finish="not_eligible")
    try:
        rendered = templates.render_for_contact(
            session, template_id=int(step.config["template_id"]), contact=contact
        )
        window = windows.pick_window(sequence.sending_windows, ctx.country)
        send_at = windows.next_send_time(ctx.now, window=window, zone=ctx.zone, country=ctx.country)
        message = delivery.enqueue_message(
            session,
            to_address=contact.email,
            subject=rendered.subject,
            preheader=rendered.preheader,
            html_body=rendered.html_body,
            text_body=rendered.text_body,
            contact_id=contact.id,
            stream=sequence.stream,
            send_after=send_at,
        )
    except DomainError as error:  # a deleted template, an empty subject...: skip, go on
        return StepResult(StepOutcome.skipped, detail=error.message[:300])
    hold = send_at if send_at > ctx.now else None
    return StepResult(StepOutcome.done, message_pk=message.id, hold_until=hold)


def _wait(step: SequenceStep, ctx: RunContext) -> StepResult:
    config = step.config
    if config.get("days"):
        until = windows.after_days(ctx.now, days=int(config["days"]), zone=ctx.zone)
    else:
        until = windows.until_weekday(
            ctx.now,
            weekday=int(config["until_weekday"]),
            hour=int(config["until_hour"]),
            zone=ctx.zone,
        )
    return StepResult(StepOutcome.done, detail=until.isoformat(), hold_until=until)


def _branch(
    session: Session, step: SequenceStep, enrolment: Enrolment, contact: Contact
) -> StepResult:
    taken = conditions.holds(
        session, condition=step.config["condition"], enrolment=enrolment, contact=contact
    )
    target = step.config.get("yes" if taken else "no") or step.next_key
    return StepResult(StepOutcome.done, detail="yes" if taken else "no", jump=target)


def _update_field(session: Session, step: SequenceStep, contact: Contact) -> StepResult:
    name, value = str(step.config["field"]), step.config.get("value")
    if name == "lifecycle_stage":
        return _set_stage(session, value, contact)
    try:
        if name in SETTABLE_FIELDS:
            patch = ContactPatch.model_validate({name: value})
            new_value: Any = getattr(patch, name)
            if name in ("first_name", "last_name"):
                new_value = new_value or ""
            if getattr(contact, name) != new_value:
                setattr(contact, name, new_value)
                session.flush()
                publish_edit(session, [contact.id])
            return StepResult(StepOutcome.done, detail=name)
        checked = fields.check_custom_values(session, values={name: value})
        custom = dict(contact.custom or {})
        if checked.get(name) is None:
            custom.pop(name, None)
        else:
            custom[name] = checked[name]
        if custom != (contact.custom or {}):
            contact.custom = custom
            session.flush()
            publish_edit(session, [contact.id])
        return StepResult(StepOutcome.done, detail=name)
    except ValidationError:
        return StepResult(StepOutcome.skipped, detail=_("The value does not fit the field."))
    except DomainError as error:
        return StepResult(StepOutcome.skipped, detail=error.message[:300])


def _set_stage(session: Session, stage: Any, contact: Contact) -> StepResult:
    if stage not in set(LifecycleStage):
        return StepResult(StepOutcome.skipped, detail=str(stage)[:300])
    if contact.lifecycle_stage != stage:
        contact.lifecycle_stage = str(stage)
        session.flush()
        publish_edit(session, [contact.id])
    return StepResult(StepOutcome.done, detail=str(stage))


def _segment(session: Session, step: SequenceStep, contact: Contact, *, add: bool) -> StepResult:
    change = lists.add_members if add else lists.remove_members
    try:
        change(
            session, actor=None, segment_id=int(step.config["segment_id"]), contact_ids=[contact.id]
        )
    except DomainError as error:  # the list was deleted or became dynamic
        return StepResult(StepOutcome.skipped, detail=error.message[:300])
    return StepResult(StepOutcome.done)


def _workspace_language(session: Session) -> str:
    try:
        return workspace.get_workspace(session).language
    except DomainError:
        return "en"


def _notify_owner(
    session: Session, sequence: Sequence, step: SequenceStep, contact: Contact
) -> StepResult:
    owner = contact.owner
    if owner is None or not owner.is_active:
        return StepResult(StepOutcome.skipped, detail="no_owner")
    with use_locale(owner.ui_language or _workspace_language(session)):
        title = _(
            "%(contact)s reached step “%(step)s” of the sequence %(sequence)s",
            contact=contact.name,
            step=step.key,
            sequence=sequence.name,
        )
    notifications.notify(
        session,
        user=owner,
        title=title,
        body=str(step.config.get("message") or ""),
        link=f"/contacts/{contact.id}",
    )
    return StepResult(StepOutcome.done)


def run_step(
    session: Session,
    *,
    sequence: Sequence,
    step: SequenceStep,
    enrolment: Enrolment,
    contact: Contact,
    ctx: RunContext,
) -> StepResult:
    """Run one step for one contact and say what happened."""
    kind = step.kind
    if kind == StepKind.send_email:
        return _send_email(session, sequence, step, contact, ctx)
    if kind == StepKind.wait:
        return _wait(step, ctx)
    if kind == StepKind.branch:
        return _branch(session, step, enrolment, contact)
    if kind == StepKind.update_field:
        return _update_field(session, step, contact)
    if kind == StepKind.set_stage:
        return _set_stage(session, step.config.get("stage"), contact)
    if kind == StepKind.add_to_segment:
        return _segment(session, step, contact, add=True)
    if kind == StepKind.remove_from_segment:
        return _segment(session, step, contact, add=False)
    if kind == StepKind.notify_owner:
        return _notify_owner(session, sequence, step, contact)
    return StepResult(StepOutcome.done, finish="completed")
