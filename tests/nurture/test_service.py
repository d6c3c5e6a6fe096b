"""Define sequences, switch them, enrol contacts (by hand, a segment, e-mails), list who is where."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from propulse.kit.errors import Conflict, Forbidden, InvalidInput, NotFound
from propulse.nurture import service
from propulse.nurture.models import EnrolmentSource, EnrolmentStatus, SequenceStatus
from propulse.segments.models import Segment, SegmentKind, SegmentMember
from tests.nurture.factories import (
    TUESDAY,
    active_sequence,
    enrolment_of,
    make_contact,
    make_template,
    run_at,
    sequence_in,
)


def three_steps(template_id: int) -> list[dict[str, Any]]:
    return [
        {"key": "hello", "kind": "send_email", "config": {"template_id": template_id}},
        {"key": "pause", "kind": "wait", "config": {"days": 2}},
        {"key": "stage", "kind": "set_stage", "config": {"stage": "lead"}},
    ]


def test_create_is_a_draft_and_only_managers_define(session: Session, cast: Any) -> None:
    template_id = make_template(session, cast.manager)
    data = sequence_in(three_steps(template_id), name="Welcome")
    with pytest.raises(Forbidden):
        service.create_sequence(session, actor=cast.intern, data=data)
    created = service.create_sequence(session, actor=cast.manager, data=data)
    assert created.status == SequenceStatus.draft
    assert [step.key for step in created.steps] == ["hello", "pause", "stage"]
    with pytest.raises(InvalidInput) as same_name:
        service.create_sequence(session, actor=cast.manager, data=data)
    assert same_name.value.problems[0].field == "name"
    summary = service.list_sequences(session)
    assert [(s.name, s.status, s.steps) for s in summary] == [("Welcome", "draft", 3)]


def test_templates_and_segments_must_exist(session: Session, cast: Any) -> None:
    data = sequence_in(
        [
            {"key": "hello", "kind": "send_email", "config": {"template_id": 99999}},
            {"key": "list", "kind": "add_to_segment", "config": {"segment_id": 99999}},
        ],
        triggers=[{"kind": "segment_entered", "segment_id": 99999}],
    )
    with pytest.raises(InvalidInput) as error:
        service.create_sequence(session, actor=cast.manager, data=data)
    fields = {problem.field for problem in error.value.problems}
    assert fields == {"steps.0.config", "steps.1.config", "triggers.0.segment_id"}
    unknown_fields = sequence_in(
        [
            {"key": "set", "kind": "update_field", "config": {"field": "shoe_size", "value": 4}},
            {
                "key": "test",
                "kind": "branch",
                "config": {"condition": {"type": "field", "field": "mood", "op": "empty"}},
            },
            {"key": "ok", "kind": "update_field", "config": {"field": "job_title", "value": "CTO"}},
        ]
    )
    with pytest.raises(InvalidInput) as error:
        service.create_sequence(session, actor=cast.manager, data=unknown_fields)
    messages = {problem.field: problem.message for problem in error.value.problems}
    assert set(messages) == {"steps.0.config", "steps.1.config"}
    assert "shoe_size" in messages["steps.0.config"]


def test_an_edit_keeps_step_ids_and_moves_contacts_off_removed_steps(
    session: Session, cast: Any
) -> None:
    template_id = make_template(session, cast.manager)
    sequence = active_sequence(session, cast.manager, three_steps(template_id))
    ids = {step.key: step.id for step in sequence.steps}
    reader = make_contact(session)
    service.enrol_contact(
        session,
        actor=cast.intern,
        sequence_id=sequence.id,
        contact_id=reader.id,
        source=EnrolmentSource.manual,
    )
    run_at(session, TUESDAY)  # sent, now waiting on "pause"
    assert enrolment_of(session, sequence, reader).current_step_id == ids["pause"]

    steps = three_steps(template_id)
    steps[0]["config"] = {"template_id": make_template(session, cast.manager)}
    edited = [steps[0], steps[2], {"key": "bye", "kind": "end"}]
    updated = service.update_sequence(
        session,
        actor=cast.manager,
        sequence_id=sequence.id,
        data=sequence_in(edited, name=sequence.name, version=sequence.version),
    )
    session.commit()
    new_ids = {step.key: step.id for step in updated.steps}
    assert new_ids["hello"] == ids["hello"] and new_ids["stage"] == ids["stage"]
    assert "pause" not in new_ids
    moved = enrolment_of(session, sequence, reader)
    assert moved.current_step_id == ids["stage"] and moved.status == EnrolmentStatus.active
    with pytest.raises(Conflict):  # the version read before is now stale
        service.update_sequence(
            session,
            actor=cast.manager,
            sequence_id=sequence.id,
            data=sequence_in(edited, name=sequence.name, version=1),
        )


def test_enrol_by_hand_never_twice_at_once(session: Session, cast: Any) -> None:
    template_id = make_template(session, cast.manager)
    draft = service.create_sequence(
        session, actor=cast.manager, data=sequence_in(three_steps(template_id))
    )
    reader = make_contact(session)
    with pytest.raises(Conflict):  # a draft enrols nobody
        service.enrol_contact(
            session,
            actor=cast.intern,
            sequence_id=draft.id,
            contact_id=reader.id,
            source=EnrolmentSource.manual,
        )
    service.activate_sequence(session, actor=cast.manager, sequence_id=draft.id)
    with pytest.raises(Forbidden):
        service.enrol_contact(
            session,
            actor=cast.salesperson,
            sequence_id=draft.id,
            contact_id=reader.id,
            source=EnrolmentSource.manual,
        )
    first = service.enrol_contact(
        session,
        actor=cast.intern,
        sequence_id=draft.id,
        contact_id=reader.id,
        source=EnrolmentSource.manual,
    )
    again = service.enrol_contact(
        session,
        actor=cast.intern,
        sequence_id=draft.id,
        contact_id=reader.id,
        source=EnrolmentSource.manual,
    )
    assert first.enrolled and not again.enrolled and again.reason == "already_enrolled"
    with pytest.raises(NotFound):
        service.enrol_contact(
            session,
            actor=cast.intern,
            sequence_id=draft.id,
            contact_id=999999,
            source=EnrolmentSource.manual,
        )


def test_reenrolment_rules(session: Session, cast: Any) -> None:
    template_id = make_template(session, cast.manager)
    steps = three_steps(template_id)
    reader = make_contact(session)

    def enrol_twice(**rule: Any) -> str | None:
        sequence = active_sequence(session, cast.manager, steps, **rule)
        service.enrol_contact(
            session,
            actor=None,
            sequence_id=sequence.id,
            contact_id=reader.id,
            source=EnrolmentSource.api,
        )
        enrolment = enrolment_of(session, sequence, reader)
        service.cancel_enrolment(session, actor=cast.intern, enrolment_id=enrolment.id)
        again = service.enrol_contact(
            session,
            actor=None,
            sequence_id=sequence.id,
            contact_id=reader.id,
            source=EnrolmentSource.api,
        )
        return None if again.enrolled else again.reason

    assert enrol_twice(reenrolment="never") == "not_allowed"
    assert enrol_twice(reenrolment="after_exit") is None
    assert enrol_twice(reenrolment="after_days", reenrol_after_days=10) == "not_allowed"


def test_enrol_a_segment_and_emails(session: Session, cast: Any) -> None:
    template_id = make_template(session, cast.manager)
    sequence = active_sequence(session, cast.manager, three_steps(template_id))
    people = [make_contact(session) for _ in range(4)]
    segment = Segment(name="Readers", kind=SegmentKind.static)
    session.add(segment)
    session.flush()
    session.add_all([SegmentMember(segment_id=segment.id, contact_id=p.id) for p in people[:3]])
    session.flush()
    service.enrol_contact(
        session,
        actor=None,
        sequence_id=sequence.id,
        contact_id=people[0].id,
        source=EnrolmentSource.api,
    )
    summary = service.enrol_segment(
        session, actor=cast.intern, sequence_id=sequence.id, segment_id=segment.id
    )
    assert (summary.enrolled, summary.already_enrolled) == (2, 1)
    by_email = service.enrol_emails(
        session,
        actor=cast.intern,
        sequence_id=sequence.id,
        emails=[people[3].email.upper(), people[1].email, "nobody@example.org"],
    )
    assert by_email.enrolled == 1 and by_email.already_enrolled == 1
    assert {(r.item, r.reason) for r in by_email.rejects} == {
        (people[1].email, "already_enrolled"),
        ("nobody@example.org", "unknown"),
    }
    with pytest.raises(InvalidInput):
        service.enrol_segment(session, actor=cast.intern, sequence_id=sequence.id, segment_id=999)


def test_list_enrolments_by_key(session: Session, cast: Any) -> None:
    template_id = make_template(session, cast.manager)
    sequence = active_sequence(session, cast.manager, three_steps(template_id))
    people = [make_contact(session) for _ in range(5)]
    for person in people:
        service.enrol_contact(
            session,
            actor=None,
            sequence_id=sequence.id,
            contact_id=person.id,
            source=EnrolmentSource.api,
        )
    first, cursor = service.list_enrolments(session, sequence_id=sequence.id, limit=3)
    second, last = service.list_enrolments(session, sequence_id=sequence.id, cursor=cursor, limit=3)
    assert [row.email for row in first + second] == [p.email for p in reversed(people)]
    assert last is None and first[0].step_key == "hello" and first[0].status == "active"
    hello = sequence.steps[0].id
    at_hello, _ = service.list_enrolments(session, sequence_id=sequence.id, step_id=hello)
    assert len(at_hello) == 5
    with pytest.raises(InvalidInput):
        service.list_enrolments(session, sequence_id=sequence.id, status="lost")
    with pytest.raises(InvalidInput):
        service.list_enrolments(session, sequence_id=sequence.id, cursor="@@@")


def test_pause_and_resume(session: Session, cast: Any) -> None:
    template_id = make_template(session, cast.manager)
    sequence = active_sequence(session, cast.manager, three_steps(template_id))
    reader = make_contact(session)
    service.enrol_contact(
        session,
        actor=None,
        sequence_id=sequence.id,
        contact_id=reader.id,
        source=EnrolmentSource.api,
    )
    with pytest.raises(Forbidden):
        service.pause_sequence(session, actor=cast.intern, sequence_id=sequence.id)
    service.pause_sequence(session, actor=cast.manager, sequence_id=sequence.id)
    assert run_at(session, TUESDAY) == 0
    (summary,) = service.list_sequences(session)
    assert summary.status == "paused" and "Julien" in (summary.paused_reason or "")
    service.resume_sequence(session, actor=cast.manager, sequence_id=sequence.id)
    assert run_at(session, TUESDAY) == 1
    assert enrolment_of(session, sequence, reader).current_step_id == sequence.steps[1].id


def test_a_stream_paused_by_failures_pauses_the_sequence(session: Session, cast: Any) -> None:
    from propulse.delivery import service as delivery

    template_id = make_template(session, cast.manager)
    sequence = active_sequence(session, cast.manager, three_steps(template_id))
    make_contact(session)
    delivery.pause_stream(session, name=sequence.stream, reason="5 failures in a row")
    (summary,) = service.list_sequences(session)
    assert (summary.status, summary.paused_reason) == ("paused", "5 failures in a row")
    service.resume_sequence(session, actor=cast.manager, sequence_id=sequence.id)
    assert service.list_sequences(session)[0].status == "active"


def test_the_rule_of_who_may_receive_email_is_told() -> None:
    text = service.eligibility_rule_text()
    assert "opt-in" in text and "legitimate interest" in text and "do-not-contact" in text
