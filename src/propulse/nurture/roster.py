"""Who is in a sequence, at which step: the enrolments list, newest first, by key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.contacts.models import Contact
from propulse.kit.errors import InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import SortKey, check_limit, decode_cursor, encode_cursor
from propulse.nurture.models import Enrolment, EnrolmentStatus, SequenceStep
from propulse.nurture.schemas import EnrolmentRow

ENROLMENT_STATUSES = {status.value for status in EnrolmentStatus}


def enrolment_rows(
    session: Session,
    *,
    sequence_id: int,
    step_id: int | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[EnrolmentRow], str | None]:
    """Return who is in a sequence (newest first), one page at a time by key."""
    if status is not None and status not in ENROLMENT_STATUSES:
        raise InvalidInput.on_field(
            "status",
            _("Choose one of: %(choices)s.", choices=", ".join(sorted(ENROLMENT_STATUSES))),
        )
    size = check_limit(limit)
    conditions = [Enrolment.sequence_id == sequence_id]
    if step_id is not None:
        conditions.append(Enrolment.current_step_id == step_id)
    if status is not None:
        conditions.append(Enrolment.status == status)
    if cursor:
        (last_id,) = decode_cursor(cursor, [SortKey(Enrolment.id)])
        conditions.append(Enrolment.id < last_id)
    statement = (
        select(Enrolment, Contact.email, Contact.first_name, Contact.last_name, SequenceStep.key)
        .join(Contact, Contact.id == Enrolment.contact_id)
        .outerjoin(SequenceStep, SequenceStep.id == Enrolment.current_step_id)
        .order_by(Enrolment.id.desc())
        .limit(size + 1)
    )
    # Each filter has its index, ending with the id: one range read backwards, never a sort.
    rows: list[Any] = list(session.execute(statement.where(*conditions)).all())
    next_cursor = encode_cursor([rows[size - 1][0].id]) if len(rows) > size else None
    return [_row(*row) for row in rows[:size]], next_cursor


def _row(
    found: Enrolment, email: str, first_name: str, last_name: str, step_key: str | None
) -> EnrolmentRow:
    name: Any = f"{first_name} {last_name}".strip() or email
    return EnrolmentRow(
        id=found.id,
        contact_id=found.contact_id,
        email=email,
        name=name,
        step_id=found.current_step_id,
        step_key=step_key,
        status=found.status,
        source=found.source,
        enrolled_at=found.enrolled_at,
        next_run_at=found.next_run_at,
        finished_at=found.finished_at,
        exit_reason=found.exit_reason,
    )
