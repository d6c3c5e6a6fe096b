"""Per-step figures, the funnel and the totals, counted by the database in a few queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from propulse.delivery.models import DeliveryMessage, DeliveryStatus
from propulse.nurture import figures, service, tasks
from propulse.nurture.models import EnrolmentSource, FiguresSnapshot
from tests.nurture.factories import (
    TUESDAY,
    active_sequence,
    make_contact,
    make_template,
    run_at,
    sequence_in,
)


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
    assert len(statements) <= 7  # whatever the number of contacts (one reads a stored count)

    one, pause, two = found.steps
    assert (one.sent, one.delivered, one.opened, one.clicked) == (4, 3, 2, 1)
    assert (one.bounced, one.unsubscribed, one.blocked, one.queued) == (1, 1, 1, 1)
    assert (pause.reached, two.reached) == (5, 4)
    assert two.goal_reached == 1 and two.queued == 4  # the SQL left before the second e-mail
    assert (found.enrolled, found.active, found.completed, found.exited) == (6, 0, 4, 2)
    assert found.goal_reached == 1
    assert [count for _label, count in found.funnel] == [6, 6, 5, 4]


def test_a_big_sequences_figures_come_from_the_figures_job(
    session: Session, cast: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(figures, "BIG_SEQUENCE_ROWS", 2)
    sequence = active_sequence(
        session, cast.manager, [{"key": "stage", "kind": "set_stage", "config": {"stage": "lead"}}]
    )

    def enrol() -> None:
        service.enrol_contact(
            session,
            actor=None,
            sequence_id=sequence.id,
            contact_id=make_contact(session).id,
            source=EnrolmentSource.api,
        )

    enrol()
    run_at(session, TUESDAY)
    live = figures.sequence_figures(session, sequence_id=sequence.id)
    assert (live.completed, live.counted_at) == (1, None)  # no count stored yet: counted now

    assert tasks.count_due_figures(now=TUESDAY) == 1
    enrol()  # after the count
    stored = figures.sequence_figures(session, sequence_id=sequence.id)
    assert (stored.enrolled, stored.completed, stored.counted_at) == (1, 1, TUESDAY)
    assert [count for _label, count in stored.funnel] == [1, 1]
    line = next(s for s in service.list_sequences(session) if s.id == sequence.id)
    assert (line.completed, line.active_enrolments) == (1, 0)  # the list reads the same count
    assert figures.count_figures(session, sequence_id=sequence.id).enrolled == 2  # the CLI's

    assert tasks.count_due_figures(now=TUESDAY + timedelta(seconds=30)) == 0  # not yet
    assert tasks.count_due_figures(now=TUESDAY + timedelta(minutes=1)) == 1
    again = figures.sequence_figures(session, sequence_id=sequence.id)
    assert (again.enrolled, again.active) == (2, 1)

    # A step added: the stored count shows it with zeros, and the job counts at its next run.
    steps = [
        {"key": "stage", "kind": "set_stage", "config": {"stage": "lead"}},
        {"key": "later", "kind": "wait", "config": {"days": 1}},
    ]
    service.update_sequence(
        session,
        actor=cast.manager,
        sequence_id=sequence.id,
        data=sequence_in(steps, name=sequence.name, version=sequence.version),
    )
    shown = figures.sequence_figures(session, sequence_id=sequence.id)
    assert [(step.key, step.reached) for step in shown.steps] == [("stage", 1), ("later", 0)]
    assert tasks.count_due_figures(now=TUESDAY + timedelta(minutes=1, seconds=5)) == 1


def test_a_small_sequence_keeps_no_stored_count(session: Session, cast: Any) -> None:
    sequence = active_sequence(
        session, cast.manager, [{"key": "stage", "kind": "set_stage", "config": {"stage": "lead"}}]
    )
    assert tasks.count_due_figures(now=TUESDAY) == 1
    assert session.get(FiguresSnapshot, sequence.id) is None
    assert tasks.count_due_figures(now=TUESDAY) == 1  # counted live each time: milliseconds


def test_the_interval_grows_with_a_slow_count() -> None:
    assert figures.interval(50) == timedelta(minutes=1)
    assert figures.interval(6_000) == timedelta(minutes=2)  # 5 % of the time at most
