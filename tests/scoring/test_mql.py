"""Reaching the MQL threshold: the owner is told once, the stage moves on, the list grows."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from propulse.notifications.models import Notification
from propulse.scoring import config, service
from propulse.segments.models import Segment, SegmentKind, SegmentMember
from tests.scoring.factories import NOW, add_event, make_contact, make_rule


def notifications_of(session, user):
    return list(
        session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def mql_setup(session, **settings):
    make_rule(session, "Meeting", points=25, event_type="meeting", decay="expiry", decay_days=30)
    current = config.get_settings(session)
    current.mql_threshold = 20
    for name, value in settings.items():
        setattr(current, name, value)
    session.flush()
    return current


def refresh(session, contact, now=NOW):
    return service.refresh_scores(session, contact_ids=[contact.id], cause="event", now=now)


def test_crossing_the_threshold_runs_every_action_once(session, cast):
    vip = Segment(name="Marketing-qualified", kind=SegmentKind.static, definition=None)
    session.add(vip)
    session.flush()
    mql_setup(session, mql_segment_id=vip.id)
    contact = make_contact(
        session,
        first_name="Ana",
        last_name="Lopes",
        lifecycle_stage="lead",
        owner_id=cast.salesperson.id,
    )
    add_event(session, contact, "meeting", NOW)
    refresh(session, contact)
    assert contact.score == 25 and contact.mql_at == NOW
    assert contact.lifecycle_stage == "mql"
    (told,) = notifications_of(session, cast.salesperson)
    assert "Ana Lopes" in told.title and told.link == f"/contacts/{contact.id}"
    members = session.scalars(
        select(SegmentMember.contact_id).where(SegmentMember.segment_id == vip.id)
    )
    assert list(members) == [contact.id]

    # The score falls below the threshold (the meeting expires), then rises again.
    refresh(session, contact, NOW + timedelta(days=40))
    assert contact.score == 0
    add_event(session, contact, "meeting", NOW + timedelta(days=41))
    refresh(session, contact, NOW + timedelta(days=41))
    assert contact.score == 25 and contact.mql_at == NOW
    assert len(notifications_of(session, cast.salesperson)) == 1


def test_a_contact_further_along_keeps_its_stage(session, cast):
    mql_setup(session)
    contact = make_contact(session, lifecycle_stage="customer", owner_id=cast.manager.id)
    version = contact.version
    add_event(session, contact, "meeting", NOW)
    refresh(session, contact)
    assert contact.mql_at == NOW and contact.lifecycle_stage == "customer"
    assert contact.version == version
    assert len(notifications_of(session, cast.manager)) == 1


def test_moving_the_stage_is_a_change_an_open_edit_form_must_notice(session, cast):
    mql_setup(session)
    contact = make_contact(session, lifecycle_stage="subscriber")
    version = contact.version
    add_event(session, contact, "meeting", NOW)
    refresh(session, contact)
    assert contact.lifecycle_stage == "mql" and contact.version == version + 1


def test_actions_turned_off_do_nothing_but_the_date(session, cast):
    mql_setup(session, mql_notify_owner=False, mql_set_stage=False)
    contact = make_contact(session, lifecycle_stage="lead", owner_id=cast.salesperson.id)
    add_event(session, contact, "meeting", NOW)
    refresh(session, contact)
    assert contact.mql_at == NOW and contact.lifecycle_stage == "lead"
    assert notifications_of(session, cast.salesperson) == []


def test_a_batch_of_new_mqls_gives_their_owner_one_summary(session, cast):
    mql_setup(session)
    people = [make_contact(session, owner_id=cast.manager.id) for _ in range(7)]
    for person in people:
        add_event(session, person, "meeting", NOW)
    single = make_contact(session, owner_id=cast.salesperson.id, first_name="Solo")
    add_event(session, single, "meeting", NOW)
    service.rescore_all(session, now=NOW)
    assert all(person.mql_at == NOW for person in people)
    (summary,) = notifications_of(session, cast.manager)
    assert summary.title.startswith("7 of your contacts")
    assert summary.link == f"/contacts?owner_id={cast.manager.id}&min_score=20"
    (one,) = notifications_of(session, cast.salesperson)
    assert "Solo" in one.title
    # Rescoring again finds nobody new.
    service.rescore_all(session, now=NOW)
    assert len(notifications_of(session, cast.manager)) == 1
