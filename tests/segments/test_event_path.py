"""One new event: scoring and segments share what they load, and both stay exact."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from propulse.contacts import service as contacts
from propulse.contacts.events import MEMO_KEY
from propulse.contacts.models import Contact, ContactEvent
from propulse.contacts.schemas import EventIn
from propulse.db import utcnow
from propulse.scoring import config
from propulse.scoring.models import ScoreChange, ScoringRule
from propulse.segments.models import Segment, SegmentMember
from tests.segments.factories import make_contact, make_segment


def click(session: Session, email: str, kind: str = "email_clicked") -> None:
    event = EventIn.model_validate({"email": email, "type": kind, "occurred_at": utcnow()})
    result = contacts.record_events(session, events=[event])
    assert result.accepted == 1


def members(session: Session, segment: Segment) -> set[int]:
    found = select(SegmentMember.contact_id).where(SegmentMember.segment_id == segment.id)
    return set(session.scalars(found))


def segment_news(session: Session, contact_id: int) -> list[tuple[str, Any]]:
    rows = session.execute(
        select(ContactEvent.type, ContactEvent.properties)
        .where(
            ContactEvent.contact_id == contact_id,
            ContactEvent.type.in_(["segment_entered", "segment_left"]),
        )
        .order_by(ContactEvent.id)
    )
    return [(row.type, row.properties["segment"]) for row in rows]


def add_rule(session: Session, points: int, event_type: str = "email_clicked") -> ScoringRule:
    rule = ScoringRule(
        name=f"{event_type} {points}", kind="engagement", points=points, event_type=event_type
    )
    session.add(rule)
    session.flush()
    return rule


def test_segments_on_the_score_see_the_score_the_same_event_gave(session: Session) -> None:
    anne = make_contact(session, email="anne@example.org")
    add_rule(session, 25)
    warm = make_segment(
        session, name="Warm", definition={"field": "score", "op": "gte", "value": 20}
    )
    warm_and_clicked = make_segment(
        session,
        name="Warm clickers",
        definition={
            "all": [
                {"segment": warm.id, "member": True},
                {"event": "email_clicked", "within_days": 30},
            ]
        },
    )
    click(session, "anne@example.org")
    assert session.scalar(select(Contact.score).where(Contact.id == anne.id)) == 25
    assert members(session, warm) == {anne.id}
    assert members(session, warm_and_clicked) == {anne.id}
    assert segment_news(session, anne.id) == [
        ("segment_entered", "Warm"),
        ("segment_entered", "Warm clickers"),
    ]
    history = session.scalars(select(ScoreChange.score).where(ScoreChange.contact_id == anne.id))
    assert list(history) == [25]
    session.refresh(warm)
    assert warm.member_count == 1
    # The memo the subscribers shared is gone with the call.
    assert MEMO_KEY not in session.info


def test_an_mql_action_is_seen_by_the_segments_of_the_same_event(session: Session) -> None:
    """Crossing the threshold sets the stage: the segments re-read the contact, not a copy."""
    anne = make_contact(session, email="anne@example.org")
    settings = config.get_settings(session)
    settings.mql_threshold, settings.mql_set_stage, settings.mql_notify_owner = 20, True, False
    add_rule(session, 25)
    mqls = make_segment(
        session, name="MQLs", definition={"field": "lifecycle_stage", "op": "eq", "value": "mql"}
    )
    click(session, "anne@example.org")
    assert session.scalar(select(Contact.lifecycle_stage).where(Contact.id == anne.id)) == "mql"
    assert members(session, mqls) == {anne.id}


def test_changed_rules_and_segments_apply_from_the_next_event(session: Session) -> None:
    anne = make_contact(session, email="anne@example.org")
    rule = add_rule(session, 10)
    high = make_segment(
        session, name="High", definition={"field": "score", "op": "gte", "value": 25}
    )
    click(session, "anne@example.org")
    assert session.scalar(select(Contact.score).where(Contact.id == anne.id)) == 10
    assert members(session, high) == set()

    rule.points = 15
    session.flush()
    click(session, "anne@example.org")  # two clicks at 15 points
    assert session.scalar(select(Contact.score).where(Contact.id == anne.id)) == 30
    assert members(session, high) == {anne.id}

    high.definition = {"field": "score", "op": "gte", "value": 50}
    session.flush()
    click(session, "anne@example.org", kind="page_visited")
    assert members(session, high) == set()
    assert segment_news(session, anne.id) == [
        ("segment_entered", "High"),
        ("segment_left", "High"),
    ]
    count = select(func.count()).select_from(ScoreChange).where(ScoreChange.contact_id == anne.id)
    assert session.scalar(count) == 2


def test_the_activity_of_an_event_is_seen_by_the_rules_and_segments_it_moves(
    session: Session,
) -> None:
    """last_activity_at is written with the score, and what evaluates the event sees it."""
    long_ago = utcnow() - timedelta(days=200)
    anne = make_contact(session, email="anne@example.org", last_activity_at=long_ago)
    active = {"field": "last_activity_at", "op": "within_days", "value": 7}
    session.add(ScoringRule(name="Active this week", kind="fit", points=7, condition=active))
    add_rule(session, 5)
    dormant_rule = {"field": "last_activity_at", "op": "before_days", "value": 90}
    dormant = make_segment(session, name="Dormant", definition=dormant_rule, members=[anne])
    click(session, "anne@example.org")
    stored = select(Contact.score, Contact.last_activity_at).where(Contact.id == anne.id)
    score, last_activity = session.execute(stored).one()
    assert score == 12 and last_activity > utcnow() - timedelta(minutes=1)
    assert members(session, dormant) == set()

    # An event older than the last activity leaves it where it is.
    older = EventIn(email="anne@example.org", type="email_clicked", occurred_at=long_ago)
    contacts.record_events(session, events=[older])
    assert session.execute(stored).one() == (17, last_activity)
    assert members(session, dormant) == set()
