"""Marketing e-mail delivery: put messages in the outbox, read its figures, manage streams.

The outbox in the database is the truth: a message is a row, a worker claims it with a lease
and records the server's answer (see ``outbox`` and ``worker``). Jobs only wake workers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from propulse import db, jobs
from propulse.audit import service as audit
from propulse.contacts import service as contacts
from propulse.contacts.emails import normalise_email
from propulse.contacts.models import ConsentBasis
from propulse.delivery.headers import domain_of, header_problem, new_message_id
from propulse.delivery.models import (
    DeliveryMessage,
    DeliveryMessageBody,
    DeliveryStatus,
    DeliveryStream,
)
from propulse.delivery.settings import sender_address
from propulse.kit.errors import FieldProblem, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

WAKE_JOB = "propulse.deliver_outbox"
STREAM_NAME = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,79}$")
MAX_SUBJECT = 300


class Block(StrEnum):
    """Why an address may not receive marketing e-mail."""

    suppressed = "suppressed"
    do_not_contact = "do_not_contact"
    withdrawn = "withdrawn"


def block_message(block: Block) -> str:
    messages = {
        Block.suppressed: _(
            "This address is suppressed (unsubscribed, bounced or erased): "
            "no e-mail may be sent to it."
        ),
        Block.do_not_contact: _("This contact is marked do-not-contact."),
        Block.withdrawn: _("This contact withdrew their consent to e-mail."),
    }
    return messages[block]


def blocked_reason(session: Session, *, to_address: str, contact_id: int | None) -> Block | None:
    """Say why this address or contact may not be written to now (None: it may)."""
    if contacts.is_suppressed(session, email=to_address):
        return Block.suppressed
    if contact_id is None:
        return None
    try:
        contact = contacts.get_contact(session, contact_id=contact_id)
    except NotFound:
        return None
    if contact.do_not_contact:
        return Block.do_not_contact
    if contact.email_consent == ConsentBasis.withdrawn:
        return Block.withdrawn
    return None


def _check(
    *, subject: str, preheader: str, stream: str, headers: Mapping[str, str] | None
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not subject.strip():
        problems.append(FieldProblem("subject", _("This field is required.")))
    elif len(subject) > MAX_SUBJECT or "\n" in subject or "\r" in subject:
        problems.append(
            FieldProblem("subject", _("Keep the subject to one line of 300 characters."))
        )
    if len(preheader) > MAX_SUBJECT:
        problems.append(FieldProblem("preheader", _("Keep the preheader to 300 characters.")))
    if not STREAM_NAME.match(stream):
        problems.append(
            FieldProblem(
                "stream",
                _("A stream name is lowercase letters, digits and . _ : - (80 at most)."),
            )
        )
    for name, value in (headers or {}).items():
        if header_problem(str(name), str(value)) is not None:
            problems.append(
                FieldProblem(f"headers.{name}", _("This header cannot be added to a message."))
            )
    return problems


def enqueue_message(
    session: Session,
    *,
    to_address: str,
    subject: str,
    html_body: str,
    text_body: str,
    contact_id: int | None = None,
    stream: str,
    headers: Mapping[str, str] | None = None,
    send_after: datetime | None = None,
    preheader: str = "",
) -> DeliveryMessage:
    """Put a message in the outbox; a suppressed or do-not-contact address is refused."""
    address = normalise_email(to_address)
    if address is None:
        raise InvalidInput.on_field("to_address", _("Enter a valid e-mail address."))
    problems = _check(subject=subject, preheader=preheader, stream=stream, headers=headers)
    if problems:
        raise InvalidInput(problems[0].message, problems)
    if contact_id is not None:
        try:
            contacts.get_contact(session, contact_id=contact_id)
        except NotFound as error:
            raise InvalidInput.on_field("contact_id", error.message) from None
    block = blocked_reason(session, to_address=address, contact_id=contact_id)
    if block is not None:
        raise InvalidInput.on_field("to_address", block_message(block))
    ensure_stream(session, name=stream)
    message = DeliveryMessage(
        message_id=new_message_id(domain_of(sender_address(session))),
        to_address=address,
        contact_id=contact_id,
        stream=stream,
        subject=subject.strip(),
        # Written once, in a row of its own: the worker's updates never rewrite it.
        body=DeliveryMessageBody(
            preheader=preheader.strip(),
            html_body=html_body,
            text_body=text_body,
            headers=dict(headers) if headers else None,
        ),
        status=DeliveryStatus.queued,
        next_attempt_at=send_after or db.utcnow(),
    )
    session.add(message)
    session.flush()
    wake_after_commit(session)
    return message


def _wake() -> None:
    jobs.enqueue(WAKE_JOB)


def wake_after_commit(session: Session) -> None:
    """Wake a worker once the transaction commits (once per transaction, not per message)."""
    if _wake not in session.info.get(db.AFTER_COMMIT_KEY, []):
        db.after_commit(session, _wake)


def ensure_stream(session: Session, *, name: str) -> None:
    """Create the stream row if it does not exist yet (two workers may race: no error)."""
    if session.get(DeliveryStream, name) is not None:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(DeliveryStream)
        .values(name=name, paused=False, consecutive_failures=0, created_at=db.utcnow())
        .on_conflict_do_nothing(index_elements=["name"])
    )


# Figures and streams


@dataclass(frozen=True)
class StreamFigures:
    name: str
    counts: dict[str, int] = field(default_factory=dict)
    possible_duplicates: int = 0
    paused: bool = False
    paused_reason: str | None = None
    paused_at: datetime | None = None
    consecutive_failures: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _empty_counts() -> dict[str, int]:
    return {status.value: 0 for status in DeliveryStatus}


def stream_figures(session: Session, *, stream: str) -> StreamFigures:
    """Count a stream's messages by status, with its pause state."""
    row = session.get(DeliveryStream, stream)
    if row is None:
        raise NotFound(_("No messages were ever queued on the stream %(name)s.", name=stream))
    counts = _empty_counts()
    for status, count in session.execute(
        select(DeliveryMessage.status, func.count())
        .where(DeliveryMessage.stream == stream)
        .group_by(DeliveryMessage.status)
    ):
        counts[status] = count
    duplicates = session.scalar(
        select(func.count()).where(
            DeliveryMessage.stream == stream, DeliveryMessage.possible_duplicate == true()
        )
    )
    return StreamFigures(
        name=row.name,
        counts=counts,
        possible_duplicates=duplicates or 0,
        paused=row.paused,
        paused_reason=row.paused_reason,
        paused_at=row.paused_at,
        consecutive_failures=row.consecutive_failures,
    )


def status_counts(session: Session) -> dict[str, int]:
    """Count every message of the outbox by status."""
    counts = _empty_counts()
    for status, count in session.execute(
        select(DeliveryMessage.status, func.count()).group_by(DeliveryMessage.status)
    ):
        counts[status] = count
    return counts


def possible_duplicates(session: Session, *, limit: int = 100) -> list[DeliveryMessage]:
    """Return the messages that may have been delivered twice, newest first."""
    return list(
        session.scalars(
            select(DeliveryMessage)
            .where(DeliveryMessage.possible_duplicate == true())
            .order_by(DeliveryMessage.id.desc())
            .limit(limit)
        )
    )


def count_possible_duplicates(session: Session) -> int:
    return (
        session.scalar(select(func.count()).where(DeliveryMessage.possible_duplicate == true()))
        or 0
    )


def list_streams(session: Session) -> list[DeliveryStream]:
    """Return the streams, paused ones first."""
    return list(
        session.scalars(
            select(DeliveryStream).order_by(DeliveryStream.paused.desc(), DeliveryStream.name)
        )
    )


def sending_action() -> str:
    return _("manage sending")


def resume_stream(session: Session, *, actor: User | None, name: str) -> DeliveryStream:
    """Resume a paused stream: its queued messages go out again, its failure count restarts."""
    if actor is not None:
        ensure_role(actor, Role.admin, action=sending_action())
    stream = session.get(DeliveryStream, name)
    if stream is None:
        raise NotFound(_("There is no stream named %(name)s.", name=name))
    if stream.paused or stream.consecutive_failures:
        stream.paused = False
        stream.paused_reason = None
        stream.paused_at = None
        stream.consecutive_failures = 0
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="resumed",
            object_type="delivery_stream",
            object_id=name,
            summary=f"stream {name} resumed",
        )
        wake_after_commit(session)
    return stream


def pause_stream(session: Session, *, name: str, reason: str) -> DeliveryStream:
    """Pause a stream by hand or from another domain (its messages wait, none is lost)."""
    ensure_stream(session, name=name)
    stream = session.get(DeliveryStream, name)
    assert stream is not None
    stream.paused = True
    stream.paused_reason = reason[:500]
    stream.paused_at = db.utcnow()
    session.flush()
    return stream
