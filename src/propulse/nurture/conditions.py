"""Branch conditions: opened or clicked an earlier e-mail, score, segment, a field's value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from propulse.contacts.lookup import PLAIN_FIELDS
from propulse.contacts.models import Contact
from propulse.delivery.models import DeliveryMessage
from propulse.nurture.models import Enrolment, SequenceStep, StepRun
from propulse.segments.models import SegmentMember

# Every field a condition may test: the contact's plain fields and what scoring and consent keep.
CONTACT_FIELDS = frozenset(PLAIN_FIELDS) | {"email", "score", "grade", "email_consent"}


def field_value(contact: Contact, name: str) -> Any:
    """Return a contact's field (a plain one, else a custom one; unknown: None)."""
    if name in CONTACT_FIELDS:
        return getattr(contact, name)
    return (contact.custom or {}).get(name)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _same(actual: Any, expected: Any) -> bool:
    """Compare loosely: numbers as numbers, text without case or surrounding spaces."""
    if _blank(actual) or _blank(expected):
        return _blank(actual) and _blank(expected)
    try:
        return float(actual) == float(expected)
    except (TypeError, ValueError):
        return str(actual).strip().casefold() == str(expected).strip().casefold()


def _message_flag(session: Session, enrolment: Enrolment, step_key: str, column: Any) -> bool:
    statement = select(
        exists()
        .where(StepRun.enrolment_id == enrolment.id)
        .where(SequenceStep.id == StepRun.step_id)
        .where(SequenceStep.sequence_id == enrolment.sequence_id)
        .where(SequenceStep.key == step_key)
        .where(DeliveryMessage.id == StepRun.message_pk)
        .where(column.is_not(None))
    )
    return bool(session.scalar(statement))


def holds(
    session: Session, *, condition: Mapping[str, Any], enrolment: Enrolment, contact: Contact
) -> bool:
    """Tell whether a branch condition holds for this contact now."""
    kind = condition.get("type")
    if kind == "opened":
        return _message_flag(session, enrolment, condition["step"], DeliveryMessage.opened_at)
    if kind == "clicked":
        return _message_flag(session, enrolment, condition["step"], DeliveryMessage.clicked_at)
    if kind == "score":
        value = int(condition["value"])
        return contact.score >= value if condition["op"] == ">=" else contact.score < value
    if kind == "segment":
        statement = select(
            exists().where(
                SegmentMember.segment_id == int(condition["segment_id"]),
                SegmentMember.contact_id == contact.id,
            )
        )
        return bool(session.scalar(statement))
    if kind == "field":
        actual = field_value(contact, str(condition["field"]))
        op = condition["op"]
        if op == "empty":
            return _blank(actual)
        if op == "not_empty":
            return not _blank(actual)
        same = _same(actual, condition.get("value"))
        return same if op == "eq" else not same
    return False
