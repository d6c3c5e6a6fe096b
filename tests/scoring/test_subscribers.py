"""What the contacts hooks make scoring do: events, edits, imports, segment changes."""

from __future__ import annotations

from propulse.contacts import hooks
from propulse.scoring import service
from tests.scoring.factories import add_event, make_contact, make_rule


def publish(session, contact, cause, *types):
    hooks.publish(
        session, hooks.ContactChange([contact.id], cause=cause, event_types=frozenset(types))
    )


def test_events_no_rule_counts_leave_scores_alone(session):
    make_rule(session, "Meeting", points=20, event_type="meeting")
    contact = make_contact(session)
    add_event(session, contact, "meeting")
    publish(session, contact, "event", "email_sent")
    assert contact.score == 0 and contact.grade is None  # not even looked at
    publish(session, contact, "event", "meeting")
    assert contact.score == 20


def test_new_activity_rescores_when_a_fit_rule_tests_it(session):
    make_rule(
        session,
        "Active lately",
        kind="fit",
        points=10,
        condition={"field": "last_activity_at", "op": "within_days", "value": 30},
    )
    from propulse.db import utcnow

    contact = make_contact(session, last_activity_at=utcnow())
    publish(session, contact, "event", "page_visited")
    assert contact.score == 10


def test_segment_changes_count_only_for_rules_on_segment_events(session):
    contact = make_contact(session)
    add_event(session, contact, "segment_entered", properties={"segment_id": 1, "segment": "VIP"})
    publish(session, contact, "segment", "segment_entered")
    assert contact.grade is None
    make_rule(
        session,
        "Joined VIP",
        points=15,
        event_type="segment_entered",
        condition={"where": {"segment": "VIP"}},
    )
    publish(session, contact, "segment", "segment_entered")
    assert contact.score == 15


def test_an_import_batch_rescores_its_contacts(session):
    make_rule(session, "Meeting", points=20, event_type="meeting")
    people = [make_contact(session) for _ in range(3)]
    add_event(session, people[0], "meeting")
    hooks.publish(session, hooks.ContactChange([p.id for p in people], cause="import"))
    assert [p.score for p in people] == [20, 0, 0]
    assert [h.cause for h in service.score_history(session, contact_id=people[0].id)] == ["edit"]
