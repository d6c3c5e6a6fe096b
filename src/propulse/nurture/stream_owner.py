"""Nurturing owns the streams named ``sequence-{id}``: the preference centre lets a contact
leave one sequence without unsubscribing from everything (see ``delivery.stream_owners``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.delivery import stream_owners
from propulse.nurture import enrolment
from propulse.nurture.models import Enrolment, EnrolmentStatus, Sequence

PREFIX = "sequence-"
LEFT_REASON = "left_by_contact"


def _sequence_id(stream: str) -> int | None:
    number = stream.removeprefix(PREFIX)
    return int(number) if stream.startswith(PREFIX) and number.isdigit() else None


def _active(session: Session, sequence_id: int, contact_id: int) -> list[Enrolment]:
    return list(
        session.scalars(
            select(Enrolment).where(
                Enrolment.sequence_id == sequence_id,
                Enrolment.contact_id == contact_id,
                Enrolment.status == EnrolmentStatus.active,
            )
        )
    )


class SequenceStreams:
    def describe(self, session: Session, *, stream: str, contact_id: int) -> str | None:
        sequence_id = _sequence_id(stream)
        if sequence_id is None or not _active(session, sequence_id, contact_id):
            return None
        sequence = session.get(Sequence, sequence_id)
        return sequence.name if sequence is not None else None

    def leave(self, session: Session, *, stream: str, contact_id: int) -> bool:
        sequence_id = _sequence_id(stream)
        if sequence_id is None:
            return False
        left = _active(session, sequence_id, contact_id)
        for found in left:
            enrolment.take_out(
                session,
                found,
                status=EnrolmentStatus.exited,
                reason=LEFT_REASON,
                why="the contact left the sequence",
            )
            audit.record(
                session,
                actor=None,
                action="left",
                object_type="sequence_enrolment",
                object_id=found.id,
                summary=f"enrolment #{found.id}: the contact left from the preference centre",
            )
        return bool(left)


stream_owners.register(SequenceStreams())
