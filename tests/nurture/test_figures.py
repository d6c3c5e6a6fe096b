"""Per-step figures, the funnel and the totals, counted by the database in a few queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from propulse.delivery.models import DeliveryMessage, DeliveryStatus
from propulse.nurture import figures, service
from propulse.nurture.models import EnrolmentSource
from tests.nurture.factories import TUESDAY, active_sequence, make_contact, make_template, run_at


def test_figures_per_step_and_funnel(session: Session, cast: Any) -> None:
    template_id = make_template(session, cast.manager)
    sequence = active_sequence(
        session,
        cast.manager,
        [
            {"key": "one", "kind": "send_email", "config": {"template_id": template_id}},
            {"key": "pause", "kind": "wait", "config": {"days": 1}},
            {"key": "two", "kind": "send_email", "config": {"template_id": template_id}},
        ],
        exit_goals=["became_sql"],
    )
    people = [make_contact(session) for _ in range(5)] + [make_contact(session, consent=None)]
    for person in people:
        service.enrol_contact(
            session,
            actor=None,
            sequence_id=sequence.id,
            contact_id=person.id,
            source=EnrolmentSource.api,
        )
    run_at(session, TUESDAY)
    messages = list(session.scalars(select(DeliveryMessage).order_by(DeliveryMessage.id)))
    assert len(messages) == 5
    for message in messages[:4]:
        message.status = DeliveryStatus.sent
    messages[0].opened_at = messages[1].opened_at = TUESDAY
    messages[0].clicked_at = TUESDAY
    messages[2].bounced_at = TUESDAY
    messages[3].unsubscribed_at = TUESDAY
    people[1].lifecycle_stage = "sql"
    session.flush()
    run_at(session, TUESDAY + timedelta(days=1))

    sequence_id = sequence.id
    statements: list[str] = []
    connection = session.connection()

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(connection, "before_cursor_execute", count)
    try:
        found = figures.sequence_figures(session, sequence_id=sequence_id)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert len(statements) <= 6  # whatever the number of contacts

    one, pause, two = found.steps
    assert (one.sent, one.delivered, one.opened, one.clicked) == (4, 3, 2, 1)
    assert (one.bounced, one.unsubscribed, one.blocked, one.queued) == (1, 1, 1, 1)
    assert (pause.reached, two.reached) == (5, 4)
    assert two.goal_reached == 1 and two.queued == 4  # the SQL left before the second e-mail
    assert (found.enrolled, found.active, found.completed, found.exited) == (6, 0, 4, 2)
    assert found.goal_reached == 1
    assert [count for _label, count in found.funnel] == [6, 6, 5, 4]


def test_a_big_sequences_figures_are_kept_a_minute(
    session: Session, cast: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(figures, "BIG_SEQUENCE_RUNS", 1)
    sequence = active_sequence(
        session, cast.manager, [{"key": "stage", "kind": "set_stage", "config": {"stage": "lead"}}]
    )
    reader = make_contact(session)
    service.enrol_contact(
        session,
        actor=None,
        sequence_id=sequence.id,
        contact_id=reader.id,
        source=EnrolmentSource.api,
    )
    run_at(session, TUESDAY)
    assert figures.sequence_figures(session, sequence_id=sequence.id).completed == 1
    other = make_contact(session)
    service.enrol_contact(
        session,
        actor=None,
        sequence_id=sequence.id,
        contact_id=other.id,
        source=EnrolmentSource.api,
    )
    assert figures.sequence_figures(session, sequence_id=sequence.id).enrolled == 1  # kept
    figures.forget(sequence.id)
    assert figures.sequence_figures(session, sequence_id=sequence.id).enrolled == 2
