"""The whole path: a segment entered → enrolled → the job runs the steps → the outbox → the
delivery worker → a real SMTP server receives the e-mails; figures counted; pause holds mail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse import jobs
from propulse.config import get_settings
from propulse.contacts import service as contacts
from propulse.contacts.schemas import ConsentIn, ContactIn
from propulse.db import utcnow
from propulse.delivery.models import DeliveryMessage, DeliveryStatus
from propulse.delivery.worker import DeliveryWorker
from propulse.nurture import figures, service
from propulse.segments import service as segments
from propulse.segments.models import SegmentKind
from propulse.segments.schemas import SegmentIn
from tests.nurture.factories import active_sequence, make_template

ALWAYS = {
    "default": {
        "start": "00:00",
        "end": "24:00",
        "weekdays": list(range(7)),
        "skip_holidays": False,
    }
}


def deliver(session: Session) -> dict[str, int]:
    session.commit()
    worker = DeliveryWorker.from_settings(get_settings(), connections=1, until_idle=True)
    tally: dict[str, int] = worker.run().as_dict()
    session.expire_all()
    return tally


def person(session: Session, cast: Any, email: str, basis: str | None = "opt_in") -> Any:
    contact = contacts.create_contact(
        session,
        actor=cast.intern,
        data=ContactIn(email=email, first_name=email.split("@")[0].title(), language="en"),
    )
    if basis is not None:
        contacts.record_consent(
            session,
            actor=cast.intern,
            contact_id=contact.id,
            data=ConsentIn(basis=basis, source="e-book form"),
        )
    return contact


def test_segment_entered_to_smtp_server(session: Session, cast: Any, smtp_server: Any) -> None:
    welcome, follow_up = make_template(session, cast.manager), make_template(session, cast.manager)
    downloaders = segments.create_segment(
        session, actor=cast.manager, data=SegmentIn(name="Downloaders", kind=SegmentKind.static)
    )
    sequence = active_sequence(
        session,
        cast.manager,
        [
            {"key": "welcome", "kind": "send_email", "config": {"template_id": welcome}},
            {"key": "pause", "kind": "wait", "config": {"days": 2}},
            {"key": "follow-up", "kind": "send_email", "config": {"template_id": follow_up}},
        ],
        triggers=[{"kind": "segment_entered", "segment_id": downloaders.id}],
        sending_windows=ALWAYS,
    )
    anna = person(session, cast, "anna@client.example")
    ben = person(session, cast, "ben@client.example", basis="legitimate_interest")
    carl = person(session, cast, "carl@client.example", basis=None)  # no consent
    segments.add_members(
        session,
        actor=cast.intern,
        segment_id=downloaders.id,
        contact_ids=[anna.id, ben.id, carl.id],
    )
    session.commit()  # the wake job is queued after commit; then delivery's
    jobs.run_pending()
    received = smtp_server.wait_for(2)
    assert sorted(message["To"] for message in received) == [
        "anna@client.example",
        "ben@client.example",
    ]
    assert {str(message["Subject"]) for message in received} == {
        "Your e-book, Anna",
        "Your e-book, Ben",
    }
    assert all(message["List-Unsubscribe"] for message in received)

    sent = list(session.scalars(select(DeliveryMessage).order_by(DeliveryMessage.id)))
    assert [m.status for m in sent] == [DeliveryStatus.sent, DeliveryStatus.sent]
    sent[0].opened_at = utcnow()
    sent[0].clicked_at = utcnow()
    session.flush()
    found = figures.sequence_figures(session, sequence_id=sequence.id)
    welcome_figures = found.steps[0]
    assert (welcome_figures.sent, welcome_figures.delivered, welcome_figures.opened) == (2, 2, 1)
    assert (welcome_figures.clicked, welcome_figures.blocked) == (1, 1)
    assert found.steps[1].at_step == 2 and found.enrolled == 3 and found.exited == 1
    assert found.funnel[0][1] == 3 and found.funnel[1] == ("welcome", 3)

    # Two days later the follow-ups are due; a paused sequence holds them, resuming sends them.
    service.pause_sequence(session, actor=cast.manager, sequence_id=sequence.id)
    session.commit()
    from propulse.nurture.scheduler import run_due

    later = utcnow() + timedelta(days=2, minutes=1)
    assert run_due(now=later).processed == 0
    service.resume_sequence(session, actor=cast.manager, sequence_id=sequence.id)
    session.commit()
    assert run_due(now=later).processed == 2
    session.expire_all()
    queued = session.scalars(
        select(DeliveryMessage).where(DeliveryMessage.status == DeliveryStatus.queued)
    ).all()
    assert len(queued) == 2  # due in two days' time, in the outbox
    service.pause_sequence(session, actor=cast.manager, sequence_id=sequence.id)
    for message in queued:
        message.next_attempt_at = utcnow() - timedelta(seconds=1)
    assert deliver(session)["sent"] == 0  # the paused stream holds them
    service.resume_sequence(session, actor=cast.manager, sequence_id=sequence.id)
    assert deliver(session)["sent"] == 2
    assert len(smtp_server.wait_for(4)) == 4
    done = figures.sequence_figures(session, sequence_id=sequence.id)
    assert done.completed == 2 and done.steps[2].sent == 2


def test_unsubscribing_through_the_link_ends_the_sequence(
    session: Session, cast: Any, smtp_server: Any, client: Any
) -> None:
    import re

    from propulse.nurture.models import Enrolment
    from propulse.nurture.scheduler import run_due

    template_id = make_template(session, cast.manager)
    sequence = active_sequence(
        session,
        cast.manager,
        [
            {"key": "welcome", "kind": "send_email", "config": {"template_id": template_id}},
            {"key": "pause", "kind": "wait", "config": {"days": 1}},
            {"key": "again", "kind": "send_email", "config": {"template_id": template_id}},
        ],
        sending_windows=ALWAYS,
        exit_goals=["unsubscribed"],
    )
    anna = person(session, cast, "anna@client.example")
    service.enrol_emails(session, actor=cast.intern, sequence_id=sequence.id, emails=[anna.email])
    session.commit()
    jobs.run_pending()
    (received,) = smtp_server.wait_for(1)
    link = re.fullmatch(r"<http://testserver(/u/[\w.-]+)>", received["List-Unsubscribe"])
    assert link is not None
    response = client.post(link.group(1), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert run_due(now=utcnow() + timedelta(days=1, minutes=1)).processed == 1
    session.expire_all()
    enrolment = session.scalars(select(Enrolment).where(Enrolment.contact_id == anna.id)).one()
    assert (enrolment.status, enrolment.exit_reason) == ("exited", "unsubscribed")
    assert len(session.scalars(select(DeliveryMessage)).all()) == 1
