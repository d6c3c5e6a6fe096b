"""Exit goals, checked before each step: once one is reached the contact leaves the sequence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from propulse.contacts import service as contacts
from propulse.contacts.models import ConsentBasis, Contact, ContactEvent, LifecycleStage
from propulse.delivery.models import DeliveryMessage
from propulse.nurture.models import Enrolment, ExitGoal, StepRun

SQL_OR_LATER = frozenset(
    {LifecycleStage.sql.value, LifecycleStage.opportunity.value, LifecycleStage.customer.value}
)
MEETING_EVENT = "meeting"
REPLY_EVENT = "email_replied"


def _event_since(session: Session, enrolment: Enrolment, event_type: str) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    ContactEvent.contact_id == enrolment.contact_id,
                    ContactEvent.type == event_type,
                    ContactEvent.occurred_at >= enrolment.enrolled_at,
                )
            )
        )
    )


def _own_message_has(session: Session, enrolment: Enrolment, column: Any) -> bool:
    """Tell whether one of the e-mails this enrolment sent has ``column`` set."""
    return bool(
        session.scalar(
            select(
                exists()
                .where(StepRun.enrolment_id == enrolment.id)
                .where(DeliveryMessage.id == StepRun.message_pk)
                .where(column.is_not(None))
            )
        )
    )


def reached_goal(
    session: Session, *, enrolment: Enrolment, contact: Contact, goals: Iterable[str]
) -> ExitGoal | None:
    """Return the first exit goal this contact reached since enrolment, else None."""
    for goal in goals:
        if goal == ExitGoal.became_sql and contact.lifecycle_stage in SQL_OR_LATER:
            return ExitGoal.became_sql
        if goal == ExitGoal.booked_meeting and _event_since(session, enrolment, MEETING_EVENT):
            return ExitGoal.booked_meeting
        if goal == ExitGoal.unsubscribed and (
            contact.email_consent == ConsentBasis.withdrawn
            or contacts.is_suppressed(session, email=contact.email)
            or _own_message_has(session, enrolment, DeliveryMessage.unsubscribed_at)
        ):
            return ExitGoal.unsubscribed
        if goal == ExitGoal.replied and (
            _own_message_has(session, enrolment, DeliveryMessage.replied_at)
            or _event_since(session, enrolment, REPLY_EVENT)
        ):
            return ExitGoal.replied
    return None
