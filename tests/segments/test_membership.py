"""Memberships: the set-based rebuild, the refresh of a few contacts, the events they record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.contacts.hooks import ContactChange
from propulse.contacts.models import ContactEvent
from propulse.segments import membership
from propulse.segments.membership import refresh_memberships
from propulse.segments.models import Segment, SegmentMember
from propulse.segments.subscribers import on_contact_change
from tests.segments.factories import NOW, make_contact, make_event, make_segment

FRENCH = {"field": "country", "op": "eq", "value": "FR"}
CLICKED_LATELY = {"event": "email_clicked", "within_days": 30}


def member_ids(session: Session, segment: Segment) -> set[int]:
    return set(
        session.scalars(
            select(SegmentMember.contact_id).where(SegmentMember.segment_id == segment.id)
        )
    )


def segment_events(session: Session, contact_id: int) -> list[tuple[str, dict[str, Any] | None]]:
    rows = session.execute(
        select(ContactEvent.type, ContactEvent.properties)
        .where(
            ContactEvent.contact_id == contact_id,
            ContactEvent.type.in_(["segment_entered", "segment_left"]),
        )
        .order_by(ContactEvent.id)
    )
    return [(row.type, row.properties) for row in rows]


def test_a_rebuild_diffs_members_and_records_who_entered_and_left(session: Session) -> None:
    anne = make_contact(session, country="FR")
    bob = make_contact(session, country="BE")
    segment = make_segment(session, name="France", definition=FRENCH)

    first = membership.rebuild(session, segment_id=segment.id, now=NOW)
    assert (first.entered, first.left, first.members) == (1, 0, 1)
    assert member_ids(session, segment) == {anne.id}
    # The first build records no entry: the segment was defined around its members.
    assert segment_events(session, anne.id) == []

    anne.country = "BE"
    bob.country = "FR"
    session.flush()
    second = membership.rebuild(session, segment_id=segment.id, now=NOW)
    assert (second.entered, second.left, second.members) == (1, 1, 1)
    assert member_ids(session, segment) == {bob.id}
    properties = {"segment_id": segment.id, "segment": "France"}
    assert segment_events(session, anne.id) == [("segment_left", properties)]
    assert segment_events(session, bob.id) == [("segment_entered", properties)]
    session.refresh(segment)
    assert segment.member_count == 1
    assert segment.rebuilt_at == NOW
    assert segment.version == 1  # figures are not an edit

    again = membership.rebuild(session, segment_id=segment.id, now=NOW)
    assert (again.entered, again.left, again.members) == (0, 0, 1)


def test_one_event_makes_a_contact_enter_at_once(session: Session) -> None:
    anne = make_contact(session)
    segment = make_segment(session, name="Clicked lately", definition=CLICKED_LATELY)
    membership.rebuild(session, segment_id=segment.id, now=NOW)
    assert member_ids(session, segment) == set()

    make_event(session, anne, "email_clicked", occurred_at=NOW)
    on_contact_change(
        session, ContactChange([anne.id], cause="event", event_types=frozenset({"email_clicked"}))
    )

    assert member_ids(session, segment) == {anne.id}
    assert segment_events(session, anne.id) == [
        ("segment_entered", {"segment_id": segment.id, "segment": "Clicked lately"})
    ]
    session.refresh(segment)
    assert segment.member_count == 1


def test_segments_ignore_their_own_news(session: Session) -> None:
    anne = make_contact(session, country="FR")
    segment = make_segment(session, definition=FRENCH)
    on_contact_change(session, ContactChange([anne.id], cause="segment"))
    assert member_ids(session, segment) == set()


def test_static_lists_are_never_changed_by_a_refresh(session: Session) -> None:
    anne = make_contact(session, country="FR")
    bob = make_contact(session)
    listed = make_segment(session, name="Hand-picked", members=[bob])
    refresh_memberships(session, contact_ids=[anne.id, bob.id], now=NOW)
    assert member_ids(session, listed) == {bob.id}


def test_segments_testing_others_are_computed_after_them(session: Session) -> None:
    anne = make_contact(session, country="FR", score=80)
    # Created in the "wrong" order: the dependent segment has the smaller id.
    hot = make_segment(
        session, name="Hot French", definition={"field": "score", "op": "gte", "value": 50}
    )
    french = make_segment(session, name="French", definition=FRENCH)
    hot.definition = {"all": [{"segment": french.id}, {"field": "score", "op": "gte", "value": 50}]}
    session.flush()

    refresh_memberships(session, contact_ids=[anne.id], now=NOW)
    assert member_ids(session, french) == {anne.id}
    assert member_ids(session, hot) == {anne.id}

    anne.country = "DE"
    session.flush()
    refresh_memberships(session, contact_ids=[anne.id], now=NOW)
    assert member_ids(session, french) == set()
    assert member_ids(session, hot) == set()


@pytest.mark.parametrize("batch", [4, 120])
def test_a_batch_refresh_matches_a_rebuild(session: Session, batch: int) -> None:
    """Few contacts go through Python, many through SQL: both reach what a rebuild finds."""
    people = [
        make_contact(session, country="FR" if index % 3 else "BE", score=index % 100)
        for index in range(batch)
    ]
    for person in people[::2]:
        make_event(session, person, "email_clicked", occurred_at=NOW - timedelta(days=3))
    french = make_segment(session, name="French", definition=FRENCH)
    engaged = make_segment(
        session,
        name="Engaged French",
        definition={"all": [{"segment": french.id}, CLICKED_LATELY]},
    )
    refresh_memberships(session, contact_ids=[person.id for person in people], now=NOW)
    refreshed = (member_ids(session, french), member_ids(session, engaged))
    assert refreshed[1] and refreshed[1] < refreshed[0]

    for segment in (french, engaged):
        result = membership.rebuild(session, segment_id=segment.id, now=NOW)
        assert (result.entered, result.left) == (0, 0)
    assert (member_ids(session, french), member_ids(session, engaged)) == refreshed
    session.refresh(engaged)
    assert engaged.member_count == len(refreshed[1])


def test_an_event_recorded_by_the_contacts_service_moves_memberships(session: Session) -> None:
    """The whole event path: record_events publishes, segments refreshes in the same transaction."""
    from propulse.contacts import service as contacts
    from propulse.contacts.schemas import EventIn

    anne = make_contact(session, email="anne@example.org")
    webinar = make_segment(
        session,
        name="Industry webinar",
        definition={"event": "webinar_attended", "where": {"sector": "industry"}},
    )
    membership.rebuild(session, segment_id=webinar.id, now=NOW)
    contacts.record_events(
        session,
        events=[
            EventIn.model_validate(
                {
                    "email": "anne@example.org",
                    "type": "webinar_attended",
                    "occurred_at": NOW.isoformat(),
                    "properties": {"sector": "Industry"},
                }
            )
        ],
    )
    assert member_ids(session, webinar) == {anne.id}
    assert [kind for kind, _properties in segment_events(session, anne.id)] == ["segment_entered"]
