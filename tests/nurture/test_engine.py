"""The engine: each kind of step, exit goals before each step, who may receive e-mail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.contacts import service as contacts
from propulse.contacts.models import ContactEvent, SuppressionReason
from propulse.delivery.models import DeliveryMessage
from propulse.notifications.models import Notification
from propulse.nurture import service
from propulse.nurture.models import EnrolmentSource, EnrolmentStatus, Sequence
from propulse.segments.models import Segment, SegmentKind, SegmentMember
from tests.nurture.factories import (
    TUESDAY,
    active_sequence,
    enrolment_of,
    make_contact,
    make_template,
    run_at,
    runs_of,
)

PARIS = ZoneInfo("Europe/Paris")


def enrol(session: Session, sequence: Sequence, contact: Any) -> None:
    outcome = service.enrol_contact(
        session,
        actor=None,
        sequence_id=sequence.id,
        contact_id=contact.id,
        source=EnrolmentSource.api,
    )
    assert outcome.enrolled


def messages_to(session: Session, contact: Any) -> list[DeliveryMessage]:
    return list(
        session.scalars(
            select(DeliveryMessage)
            .where(DeliveryMessage.contact_id == contact.id)
            .order_by(DeliveryMessage.id)
        )
    )


def test_send_wait_and_send_again(session: Session, cast: Any) -> None:
    first, second = make_template(session, cast.manager), make_template(session, cast.manager)
    sequence = active_sequence(
        session,
        cast.manager,
        [
            {"key": "one", "kind": "send_email", "config": {"template_id": first}},
            {"key": "pause", "kind": "wait", "config": {"days": 2}},
            {"key": "two", "kind": "send_email", "config": {"template_id": second}},
        ],
    )
    reader = make_contact(session, first_name="Amélie", language="fr")
    enrol(session, sequence, reader)
    run_at(session, TUESDAY)
    (message,) = messages_to(session, reader)
    assert message.subject == "Votre e-book, Amélie" and "l'e-book" in message.text_body
    assert message.stream == sequence.stream and message.next_attempt_at == TUESDAY
    enrolment = enrolment_of(session, sequence, reader)
    assert enrolment.next_run_at == TUESDAY + timedelta(days=2)
    assert runs_of(session, enrolment) == [("one", "done"), ("pause", "done")]

    assert run_at(session, TUESDAY + timedelta(days=1)) == 0  # still waiting
    run_at(session, TUESDAY + timedelta(days=2))
    assert len(messages_to(session, reader)) == 2
    enrolment = enrolment_of(session, sequence, reader)
    assert enrolment.status == EnrolmentStatus.completed
    assert enrolment.exit_reason == "completed"


def test_an_email_outside_the_window_holds_the_contact_until_it_goes(
    session: Session, cast: Any
) -> None:
    template_id = make_template(session, cast.manager)
    sequence = active_sequence(
        session,
        cast.manager,
        [
            {"key": "one", "kind": "send_email", "config": {"template_id": template_id}},
            {"key": "two", "kind": "send_email", "config": {"template_id": template_id}},
        ],
        sending_windows={"DE": {"start": "08:00", "end": "12:00", "weekdays": [0, 1, 2, 3, 4]}},
    )
    berliner = make_contact(session, country="DE", timezone="Europe/Berlin")
    enrol(session, sequence, berliner)
    saturday = TUESDAY + timedelta(days=4)
    run_at(session, saturday)
    (message,) = messages_to(session, berliner)
    monday_eight = (TUESDAY + timedelta(days=6)).astimezone(ZoneInfo("Europe/Berlin"))
    assert message.next_attempt_at == monday_eight.replace(hour=8).astimezone(
        message.next_attempt_at.tzinfo
    )
    enrolment = enrolment_of(session, sequence, berliner)
    assert enrolment.next_run_at == message.next_attempt_at
    assert enrolment.current_step_id == sequence.steps[0].id  # "who is at which step"
    run_at(session, message.next_attempt_at)
    second = messages_to(session, berliner)[1]
    assert second.next_attempt_at == message.next_attempt_at


def test_nobody_without_consent_do_not_contact_or_suppressed_is_written_to(
    session: Session, cast: Any
) -> None:
    template_id = make_template(session, cast.manager)
    sequence = active_sequence(
        session,
        cast.manager,
        [{"key": "one", "kind": "send_email", "config": {"template_id": template_id}}],
    )
    allowed = make_contact(session, consent="legitimate_interest")
    no_consent = make_contact(session, consent=None)
    withdrawn = make_contact(session, consent="withdrawn")
    dnc = make_contact(session, do_not_contact=True, do_not_contact_reason="asked by phone")
    suppressed = make_contact(session)
    contacts.suppress(session, email=suppressed.email, reason=SuppressionReason.bounced)
    people = [allowed, no_consent, withdrawn, dnc, suppressed]
    for person in people:
        enrol(session, sequence, person)
    run_at(session, TUESDAY)
    assert [len(messages_to(session, p)) for p in people] == [1, 0, 0, 0, 0]
    details = []
    for person in people[1:]:
        enrolment = enrolment_of(session, sequence, person)
        assert enrolment.status == EnrolmentStatus.exited
        assert enrolment.exit_reason == "not_eligible"
        assert runs_of(session, enrolment) == [("one", "blocked")]
        details.append(session.scalar(select_detail(enrolment.id)))
    assert details == ["no_consent", "withdrawn", "do_not_contact", "suppressed"]


def select_detail(enrolment_id: int) -> Any:
    from propulse.nurture.models import StepRun

    return select(StepRun.detail).where(StepRun.enrolment_id == enrolment_id)


def test_branch_on_opened_and_on_score(session: Session, cast: Any) -> None:
    template_id = make_template(session, cast.manager)
    sequence = active_sequence(
        session,
        cast.manager,
        [
            {"key": "one", "kind": "send_email", "config": {"template_id": template_id}},
            {"key": "pause", "kind": "wait", "config": {"days": 1}},
            {
                "key": "opened",
                "kind": "branch",
                "config": {"condition": {"type": "opened", "step": "one"}, "yes": "warm"},
                "next_key": "cold",
            },
            {"key": "warm", "kind": "set_stage", "config": {"stage": "lead"}, "next_key": "end"},
            {
                "key": "cold",
                "kind": "branch",
                "config": {
                    "condition": {"type": "score", "op": ">=", "value": 50},
                    "yes": "warm",
                    "no": "end",
                },
            },
            {"key": "end", "kind": "end"},
        ],
    )
    opener, high, low = (
        make_contact(session),
        make_contact(session, score=70),
        make_contact(session),
    )
    for person in (opener, high, low):
        enrol(session, sequence, person)
    run_at(session, TUESDAY)
    messages_to(session, opener)[0].opened_at = TUESDAY + timedelta(hours=2)
    run_at(session, TUESDAY + timedelta(days=1))
    assert [k for k, _ in runs_of(session, enrolment_of(session, sequence, opener))] == [
        "one",
        "pause",
        "opened",
        "warm",
        "end",
    ]
    assert [k for k, _ in runs_of(session, enrolment_of(session, sequence, high))] == [
        "one",
        "pause",
        "opened",
        "cold",
        "warm",
        "end",
    ]
    assert [k for k, _ in runs_of(session, enrolment_of(session, sequence, low))] == [
        "one",
        "pause",
        "opened",
        "cold",
        "end",
    ]
    assert (opener.lifecycle_stage, high.lifecycle_stage, low.lifecycle_stage) == (
        "lead",
        "lead",
        "subscriber",
    )


def test_branch_on_segment_and_field_then_update_lists_and_notify(
    session: Session, cast: Any
) -> None:
    vip = Segment(name="VIP", kind=SegmentKind.static)
    followed = Segment(name="Followed", kind=SegmentKind.static)
    session.add_all([vip, followed])
    session.flush()
    sequence = active_sequence(
        session,
        cast.manager,
        [
            {
                "key": "is-vip",
                "kind": "branch",
                "config": {"condition": {"type": "segment", "segment_id": vip.id}, "no": "done"},
            },
            {
                "key": "german",
                "kind": "branch",
                "config": {
                    "condition": {"type": "field", "field": "country", "op": "eq", "value": "de"},
                    "no": "done",
                },
            },
            {
                "key": "title",
                "kind": "update_field",
                "config": {"field": "job_title", "value": "Head of VIP"},
            },
            {"key": "follow", "kind": "add_to_segment", "config": {"segment_id": followed.id}},
            {"key": "unvip", "kind": "remove_from_segment", "config": {"segment_id": vip.id}},
            {"key": "tell", "kind": "notify_owner", "config": {"message": "Call them."}},
            {"key": "done", "kind": "end"},
        ],
    )
    german_vip = make_contact(session, country="DE", owner_id=cast.intern.id)
    french_vip = make_contact(session, country="FR")
    session.add_all(
        [SegmentMember(segment_id=vip.id, contact_id=c.id) for c in (german_vip, french_vip)]
    )
    enrol(session, sequence, german_vip)
    enrol(session, sequence, french_vip)
    run_at(session, TUESDAY)
    assert german_vip.job_title == "Head of VIP" and french_vip.job_title is None
    members = set(
        session.scalars(
            select(SegmentMember.contact_id).where(SegmentMember.segment_id == followed.id)
        )
    )
    assert members == {german_vip.id}
    still_vip = set(
        session.scalars(select(SegmentMember.contact_id).where(SegmentMember.segment_id == vip.id))
    )
    assert still_vip == {french_vip.id}
    (note,) = session.scalars(select(Notification).where(Notification.user_id == cast.intern.id))
    assert "tell" in note.title and note.body == "Call them."
    assert enrolment_of(session, sequence, german_vip).status == EnrolmentStatus.completed


def test_wait_until_a_weekday_in_the_contacts_zone(session: Session, cast: Any) -> None:
    sequence = active_sequence(
        session,
        cast.manager,
        [
            {"key": "thursday", "kind": "wait", "config": {"until_weekday": 3, "until_hour": 10}},
            {"key": "stage", "kind": "set_stage", "config": {"stage": "lead"}},
        ],
    )
    new_yorker = make_contact(session, timezone="America/New_York", country="US")
    enrol(session, sequence, new_yorker)
    run_at(session, TUESDAY)
    due = enrolment_of(session, sequence, new_yorker).next_run_at
    assert due is not None
    local = due.astimezone(ZoneInfo("America/New_York"))
    assert (local.weekday(), local.hour, local.day) == (3, 10, 4)


def test_exit_goals_are_checked_before_each_step(session: Session, cast: Any) -> None:
    template_id = make_template(session, cast.manager)
    steps = [
        {"key": "one", "kind": "send_email", "config": {"template_id": template_id}},
        {"key": "pause", "kind": "wait", "config": {"days": 1}},
        {"key": "two", "kind": "send_email", "config": {"template_id": template_id}},
    ]
    sequence = active_sequence(
        session,
        cast.manager,
        steps,
        exit_goals=["became_sql", "booked_meeting", "unsubscribed", "replied"],
    )
    sql, meeting, unsubscribed, replied, idle = (make_contact(session) for _ in range(5))
    for person in (sql, meeting, unsubscribed, replied, idle):
        enrol(session, sequence, person)
    run_at(session, TUESDAY)
    sql.lifecycle_stage = "opportunity"
    session.add(ContactEvent(contact_id=meeting.id, type="meeting", occurred_at=TUESDAY))
    messages_to(session, unsubscribed)[0].unsubscribed_at = TUESDAY
    messages_to(session, replied)[0].replied_at = TUESDAY
    run_at(session, TUESDAY + timedelta(days=1))
    reasons = [
        enrolment_of(session, sequence, person).exit_reason
        for person in (sql, meeting, unsubscribed, replied, idle)
    ]
    assert reasons == ["became_sql", "booked_meeting", "unsubscribed", "replied", "completed"]
    assert [len(messages_to(session, p)) for p in (sql, meeting, unsubscribed, replied, idle)] == [
        1,
        1,
        1,
        1,
        2,
    ]


def test_a_deleted_template_skips_the_step(session: Session, cast: Any) -> None:
    from propulse.email_templates.models import EmailTemplate

    template_id = make_template(session, cast.manager)
    sequence = active_sequence(
        session,
        cast.manager,
        [
            {"key": "one", "kind": "send_email", "config": {"template_id": template_id}},
            {"key": "stage", "kind": "set_stage", "config": {"stage": "lead"}},
        ],
    )
    reader = make_contact(session)
    enrol(session, sequence, reader)
    template = session.get(EmailTemplate, template_id)
    session.delete(template)
    run_at(session, TUESDAY)
    enrolment = enrolment_of(session, sequence, reader)
    assert runs_of(session, enrolment) == [("one", "skipped"), ("stage", "done")]
    assert reader.lifecycle_stage == "lead"


def test_leaving_cancels_the_emails_still_waiting_for_their_window(
    session: Session, cast: Any
) -> None:
    template_id = make_template(session, cast.manager)
    sequence = active_sequence(
        session,
        cast.manager,
        [
            {"key": "one", "kind": "send_email", "config": {"template_id": template_id}},
            {"key": "two", "kind": "send_email", "config": {"template_id": template_id}},
        ],
        exit_goals=["became_sql"],
    )
    cancelled_by_hand, became_sql = make_contact(session), make_contact(session)
    enrol(session, sequence, cancelled_by_hand)
    enrol(session, sequence, became_sql)
    saturday = TUESDAY + timedelta(days=4)
    run_at(session, saturday)  # queued for Monday morning
    service.cancel_enrolment(
        session,
        actor=cast.intern,
        enrolment_id=enrolment_of(session, sequence, cancelled_by_hand).id,
    )
    became_sql.lifecycle_stage = "sql"
    monday = enrolment_of(session, sequence, became_sql).next_run_at
    assert monday is not None
    run_at(session, monday)
    for person in (cancelled_by_hand, became_sql):
        (message,) = messages_to(session, person)
        assert message.status == "cancelled"
    assert enrolment_of(session, sequence, became_sql).exit_reason == "became_sql"


def test_one_failing_enrolment_does_not_stop_the_others(
    session: Session, cast: Any, monkeypatch: Any
) -> None:
    from propulse.nurture import steps
    from propulse.nurture.scheduler import RETRY_AFTER_ERROR

    sequence = active_sequence(
        session, cast.manager, [{"key": "stage", "kind": "set_stage", "config": {"stage": "lead"}}]
    )
    broken, fine = make_contact(session), make_contact(session)
    enrol(session, sequence, broken)
    enrol(session, sequence, fine)
    real = steps.run_step

    def run_step(session: Session, **arguments: Any) -> Any:
        if arguments["contact"].id == broken.id:
            raise RuntimeError("a bug")
        return real(session, **arguments)

    monkeypatch.setattr(steps, "run_step", run_step)
    assert run_at(session, TUESDAY) == 2
    assert enrolment_of(session, sequence, fine).status == EnrolmentStatus.completed
    stuck = enrolment_of(session, sequence, broken)
    assert stuck.status == EnrolmentStatus.active
    assert stuck.next_run_at == TUESDAY + RETRY_AFTER_ERROR
    assert runs_of(session, stuck) == []
