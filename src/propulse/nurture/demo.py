"""The demo sequence: an e-book follow-up in three e-mails, with waits and a branch on opens."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.nurture import service
from propulse.nurture.models import ExitGoal, Reenrolment, Sequence, StepKind, TriggerKind
from propulse.nurture.schemas import SequenceIn, StepIn, TriggerIn, WindowIn
from propulse.segments import service as segments
from propulse.segments.models import Segment, SegmentKind
from propulse.segments.schemas import SegmentIn
from propulse.workspace.models import User

SEQUENCE_NAME = "E-book follow-up: AI in industry"
LIST_NAME = "E-book downloaders"


def trigger_list_id(session: Session, *, actor: User) -> int:
    """Return the static list whose new members enter the demo sequence (created once)."""
    found = session.scalar(select(Segment.id).where(Segment.name == LIST_NAME))
    if found is not None:
        return found
    data = SegmentIn(
        name=LIST_NAME,
        description="Contacts who downloaded the e-book; entering it starts the follow-up.",
        kind=SegmentKind.static,
    )
    return segments.create_segment(session, actor=actor, data=data).id


def demo_sequence(*, segment_id: int, template_ids: list[int]) -> SequenceIn:
    """Return the e-book follow-up: e-book, case study if it was opened, then an invitation."""
    ebook, case_study, invitation = (template_ids[i % len(template_ids)] for i in range(3))
    steps = [
        StepIn(key="ebook", kind=StepKind.send_email, config={"template_id": ebook}),
        StepIn(key="wait-3-days", kind=StepKind.wait, config={"days": 3}),
        StepIn(
            key="opened-ebook",
            kind=StepKind.branch,
            config={
                "condition": {"type": "opened", "step": "ebook"},
                "yes": "case-study",
                "no": "wait-tuesday",
            },
        ),
        StepIn(key="case-study", kind=StepKind.send_email, config={"template_id": case_study}),
        StepIn(
            key="wait-tuesday", kind=StepKind.wait, config={"until_weekday": 1, "until_hour": 10}
        ),
        StepIn(key="invitation", kind=StepKind.send_email, config={"template_id": invitation}),
        StepIn(
            key="tell-owner",
            kind=StepKind.notify_owner,
            config={"message": "The e-book follow-up ended: a good moment to call."},
        ),
        StepIn(key="end", kind=StepKind.end),
    ]
    return SequenceIn(
        name=SEQUENCE_NAME,
        description="Three e-mails over about ten days after the e-book download.",
        triggers=[TriggerIn(kind=TriggerKind.segment_entered, segment_id=segment_id)],
        reenrolment=Reenrolment.never,
        exit_goals=[ExitGoal.became_sql, ExitGoal.booked_meeting, ExitGoal.unsubscribed],
        sending_windows={
            "default": WindowIn(start="09:00", end="18:00", weekdays=[0, 1, 2, 3, 4]),
            "DE": WindowIn(start="08:00", end="17:00", weekdays=[0, 1, 2, 3, 4]),
        },
        steps=steps,
    )


def seed_demo_sequences(session: Session, *, actor: User, template_ids: list[int]) -> None:
    """Create and activate the demo sequence (once: it is found again by name)."""
    if not template_ids:
        return
    if session.scalar(select(Sequence.id).where(Sequence.name == SEQUENCE_NAME)) is not None:
        return
    segment_id = trigger_list_id(session, actor=actor)
    data = demo_sequence(segment_id=segment_id, template_ids=template_ids)
    sequence = service.create_sequence(session, actor=actor, data=data)
    service.activate_sequence(session, actor=actor, sequence_id=sequence.id)
