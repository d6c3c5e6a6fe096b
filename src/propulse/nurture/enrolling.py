"""Enrol contacts by hand, from the command line or the API; take them out; list them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.contacts import service as contacts
from propulse.kit.errors import Conflict, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.nurture import enrolment, roster
from propulse.nurture.lookup import ensure_enroller, get_sequence
from propulse.nurture.models import (
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    Sequence,
    SequenceStatus,
)
from propulse.nurture.schemas import EnrolmentRow, EnrolOutcome, EnrolReject, EnrolSummary
from propulse.segments.models import Segment, SegmentMember
from propulse.workspace.models import User

MAX_EMAILS = 1000


def _enrollable(session: Session, sequence_id: int) -> Sequence:
    sequence = get_sequence(session, sequence_id=sequence_id)
    if sequence.status == SequenceStatus.draft:
        raise Conflict(_("This sequence is a draft: activate it before enrolling contacts."))
    return sequence


def enrol_contact(
    session: Session,
    *,
    actor: User | None,
    sequence_id: int,
    contact_id: int,
    source: EnrolmentSource,
) -> EnrolOutcome:
    """Enrol one contact (by hand, the API or an MQL action); say why not when refused."""
    if actor is not None:
        ensure_enroller(actor)
    sequence = _enrollable(session, sequence_id)
    contacts.get_contact(session, contact_id=contact_id)
    outcome = enrolment.enrol_one(
        session,
        sequence=sequence,
        contact_id=contact_id,
        source=source,
        actor_id=actor.id if actor else None,
    )
    if outcome.enrolled and actor is not None:
        _audit_enrol(session, actor, sequence, 1)
    return outcome


def _audit_enrol(session: Session, actor: User | None, sequence: Sequence, count: int) -> None:
    audit.record(
        session,
        actor=actor,
        action="enrolled",
        object_type="sequence",
        object_id=sequence.id,
        summary=f"{count} contact(s) enrolled in sequence {sequence.name}",
        details={"count": count},
    )


def enrol_segment(
    session: Session,
    *,
    actor: User | None,
    sequence_id: int,
    segment_id: int,
    source: EnrolmentSource | None = None,
) -> EnrolSummary:
    """Enrol every current member of a segment or list."""
    if actor is not None:
        ensure_enroller(actor)
    sequence = _enrollable(session, sequence_id)
    if session.get(Segment, segment_id) is None:
        raise InvalidInput.on_field("segment_id", _("This segment does not exist."))
    members = list(
        session.scalars(
            select(SegmentMember.contact_id).where(SegmentMember.segment_id == segment_id)
        )
    )
    if source is None:
        source = EnrolmentSource.manual if actor is not None else EnrolmentSource.segment
    summary = enrolment.enrol_many(
        session,
        sequence=sequence,
        contact_ids=members,
        source=source,
        actor_id=actor.id if actor else None,
    )
    if summary.enrolled:
        _audit_enrol(session, actor, sequence, summary.enrolled)
    return summary


def enrol_emails(
    session: Session,
    *,
    actor: User | None,
    sequence_id: int,
    emails: list[str],
    source: EnrolmentSource = EnrolmentSource.api,
) -> EnrolSummary:
    """Enrol the contacts with these addresses; unknown or refused ones are listed by address."""
    if actor is not None:
        ensure_enroller(actor)
    if len(emails) > MAX_EMAILS:
        raise InvalidInput.on_field(
            "emails", _("Enrol at most %(n)s addresses at a time.", n=MAX_EMAILS)
        )
    sequence = _enrollable(session, sequence_id)
    summary = EnrolSummary()
    for raw in emails:
        contact = contacts.find_by_email(session, email=raw)
        if contact is None:
            summary.rejects.append(
                EnrolReject(item=raw, reason="unknown", message=_("No contact has this address."))
            )
            continue
        outcome = enrolment.enrol_one(
            session,
            sequence=sequence,
            contact_id=contact.id,
            source=source,
            actor_id=actor.id if actor else None,
        )
        if outcome.enrolled:
            summary.enrolled += 1
            continue
        if outcome.reason == "not_allowed":
            summary.not_allowed += 1
            message = _("The re-enrolment rule of this sequence keeps this contact out.")
        else:
            summary.already_enrolled += 1
            message = _("This contact is already in the sequence.")
        summary.rejects.append(EnrolReject(item=raw, reason=outcome.reason or "", message=message))
    if summary.enrolled:
        _audit_enrol(session, actor, sequence, summary.enrolled)
    return summary


def cancel_enrolment(session: Session, *, actor: User, enrolment_id: int) -> Enrolment:
    """Take a contact out of a sequence by hand (the enrolment stays, as cancelled)."""
    ensure_enroller(actor)
    found = session.get(Enrolment, enrolment_id)
    if found is None:
        raise NotFound(_("This enrolment does not exist."))
    if found.status != EnrolmentStatus.active:
        raise Conflict(_("This contact is no longer in the sequence."))
    enrolment.take_out(
        session,
        found,
        status=EnrolmentStatus.cancelled,
        reason="cancelled",
        why="enrolment cancelled by hand",
    )
    audit.record(
        session,
        actor=actor,
        action="cancelled",
        object_type="sequence_enrolment",
        object_id=found.id,
        summary=f"enrolment #{found.id} cancelled",
    )
    return found


def list_enrolments(
    session: Session,
    *,
    sequence_id: int,
    step_id: int | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[EnrolmentRow], str | None]:
    """Return who is in a sequence (newest first), one page at a time by key."""
    get_sequence(session, sequence_id=sequence_id)
    return roster.enrolment_rows(
        session,
        sequence_id=sequence_id,
        step_id=step_id,
        status=status,
        cursor=cursor,
        limit=limit,
    )
