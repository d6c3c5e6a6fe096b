"""Activity events: idempotent batches, unknown addresses, last activity, the timeline, hooks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from propulse.contacts import hooks, service
from propulse.contacts.models import ContactEvent
from propulse.contacts.schemas import ContactIn, EventIn
from propulse.kit.errors import Forbidden, InvalidInput

NOW = datetime(2027, 2, 15, 9, 30, tzinfo=UTC)


@pytest.fixture
def anne(session, cast):
    contact = service.create_contact(
        session, actor=cast.intern, data=ContactIn(email="anne@client.fr", first_name="Anne")
    )
    session.commit()
    return contact


@pytest.fixture
def published(monkeypatch):
    """Record what is published, instead of the scoring and segments subscribers."""
    seen: list[hooks.ContactChange] = []
    hooks._load()  # so that no subscriber registers into the replaced list
    monkeypatch.setattr(hooks, "_handlers", [(0, "test", lambda _s, change: seen.append(change))])
    return seen


def event(email="anne@client.fr", type="email_opened", id=None, at=NOW, **properties):
    return EventIn(id=id, email=email, type=type, occurred_at=at, properties=properties)


def stored(session, contact_id):
    return session.query(ContactEvent).filter_by(contact_id=contact_id).count()


def test_an_event_id_is_recorded_once_within_and_across_batches(session, anne):
    first = service.record_events(
        session, events=[event(id="evt-1"), event(id="evt-1"), event(id="evt-2")]
    )
    assert (first.accepted, first.duplicates, first.rejected) == (2, 1, [])
    again = service.record_events(session, events=[event(id="evt-2"), event(id="evt-3")])
    assert (again.accepted, again.duplicates) == (1, 1)
    assert stored(session, anne.id) == 3
    # without an id, an event cannot be recognised: each one counts
    service.record_events(session, events=[event(), event()])
    assert stored(session, anne.id) == 5


def test_an_unknown_address_is_rejected_and_the_rest_accepted(session, anne):
    result = service.record_events(
        session,
        events=[
            event(email="ghost@client.fr"),
            event(email="ANNE@client.fr"),
            event(email="x@y.fr"),
        ],
    )
    assert result.accepted == 1 and result.contact_ids == [anne.id]
    assert result.rejected == [(0, "no contact has this e-mail"), (2, "no contact has this e-mail")]


def test_properties_and_times_are_kept(session, anne):
    naive = datetime(2027, 1, 10, 8, 0)
    service.record_events(
        session,
        events=[
            event(type="webinar_attended", at=naive, webinar="Industry 4.0", sector="industry"),
            EventIn(email="anne@client.fr", type="page_visited"),
        ],
    )
    rows = session.query(ContactEvent).order_by(ContactEvent.type.desc()).all()
    assert rows[0].occurred_at == naive.replace(tzinfo=UTC)
    assert rows[0].properties == {"webinar": "Industry 4.0", "sector": "industry"}
    assert rows[1].properties is None
    assert rows[1].occurred_at > datetime.now(UTC) - timedelta(minutes=1)


def test_last_activity_moves_forward_on_activity_only(session, anne):
    service.record_events(session, events=[event(type="email_sent", at=NOW)])
    session.refresh(anne)
    assert anne.last_activity_at is None
    service.record_events(
        session,
        events=[
            event(type="email_opened", at=NOW),
            event(type="page_visited", at=NOW - timedelta(1)),
        ],
    )
    assert anne.last_activity_at == NOW  # expired and reloaded: current in this session
    service.record_events(session, events=[event(type="email_clicked", at=NOW - timedelta(days=3))])
    service.add_events(
        session,
        contact_id=anne.id,
        events=[("segment_entered", NOW + timedelta(days=1), {"segment_id": 1, "segment": "X"})],
        publish=False,
    )
    session.refresh(anne)
    assert anne.last_activity_at == NOW


def test_record_events_tells_the_subscribers_which_contacts_and_types(
    session, cast, anne, published
):
    other = service.create_contact(session, actor=cast.intern, data=ContactIn(email="b@client.fr"))
    published.clear()
    service.record_events(
        session,
        events=[event(type="email_clicked"), event(email="b@client.fr", type="form_submitted")],
    )
    assert len(published) == 1
    change = published[0]
    assert sorted(change.contact_ids) == sorted([anne.id, other.id]) and change.cause == "event"
    assert change.event_types == frozenset({"email_clicked", "form_submitted"})
    published.clear()
    service.record_events(session, events=[event(email="ghost@client.fr")])
    assert published == []


def test_add_events_publishes_unless_told_not_to(session, anne, published):
    published.clear()
    service.add_events(
        session,
        contact_id=anne.id,
        events=[("segment_left", NOW, {"segment_id": 3})],
        publish=False,
    )
    assert published == []
    service.add_events(session, contact_id=anne.id, events=[("meeting", NOW, None)])
    assert [(list(c.contact_ids), c.event_types) for c in published] == [
        ([anne.id], frozenset({"meeting"}))
    ]


def test_the_timeline_is_newest_first_page_by_page(session, anne):
    service.record_events(
        session, events=[event(type="page_visited", at=NOW + timedelta(hours=h)) for h in range(5)]
    )
    first, cursor = service.timeline(session, contact_id=anne.id, limit=3)
    assert [e.occurred_at for e in first] == [NOW + timedelta(hours=h) for h in (4, 3, 2)]
    rest, end = service.timeline(session, contact_id=anne.id, cursor=cursor, limit=3)
    assert [e.occurred_at for e in rest] == [NOW + timedelta(hours=h) for h in (1, 0)]
    assert end is None


def test_a_batch_is_limited_and_a_viewer_may_not_send_one(session, cast, anne):
    with pytest.raises(InvalidInput, match=r"1000|1,000"):
        service.record_events(session, events=[event()] * 1001)
    with pytest.raises(Forbidden):
        service.record_events(session, events=[event()], actor=cast.salesperson)
    assert service.record_events(session, events=[event()], actor=cast.intern).accepted == 1


@pytest.mark.parametrize("type", ["Email Opened", "x", "opened!", ""])
def test_an_event_type_is_a_lowercase_slug(type):
    with pytest.raises(ValueError):
        EventIn(email="anne@client.fr", type=type)


def test_activity_is_written_when_no_subscriber_takes_it_over(session, anne, published):
    service.record_events(session, events=[event(type="email_opened", at=NOW)])
    session.refresh(anne)
    assert anne.last_activity_at == NOW
