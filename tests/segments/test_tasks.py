"""The jobs: a rebuild after a definition change, and the hourly sweep for time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse import jobs
from propulse.contacts.models import ContactEvent
from propulse.segments import membership, tasks
from propulse.segments.models import SegmentMember
from tests.segments.factories import NOW, make_contact, make_event, make_segment


def members(session: Session, segment_id: int) -> set[int]:
    return set(
        session.scalars(
            select(SegmentMember.contact_id).where(SegmentMember.segment_id == segment_id)
        )
    )


def test_the_sweep_lets_a_contact_leave_when_its_event_ages_out(session: Session) -> None:
    anne = make_contact(session)
    make_event(session, anne, "email_clicked", occurred_at=NOW - timedelta(days=20))
    clicked = make_segment(
        session, name="Clicked in 30 days", definition={"event": "email_clicked", "within_days": 30}
    )
    follows = make_segment(
        session, name="Did not click", definition={"segment": clicked.id, "member": False}
    )
    static = make_segment(
        session, name="Country", definition={"field": "country", "op": "is_empty"}
    )
    clicked.time_dependent = True
    session.flush()
    for segment in (clicked, follows, static):
        membership.rebuild(session, segment_id=segment.id, now=NOW)
    session.commit()
    assert members(session, clicked.id) == {anne.id}

    # Nothing changed yet: ten days later the click is 30 days old, still inside.
    results = tasks.sweep(now=NOW + timedelta(days=10))
    assert [r.name for r in results] == ["Clicked in 30 days", "Did not click"]
    assert all(r.entered == r.left == 0 for r in results)

    results = tasks.sweep(now=NOW + timedelta(days=11))
    assert [(r.name, r.entered, r.left) for r in results] == [
        ("Clicked in 30 days", 0, 1),
        ("Did not click", 1, 0),
    ]
    assert members(session, clicked.id) == set()
    assert members(session, follows.id) == {anne.id}
    left = session.scalars(
        select(ContactEvent.type).where(
            ContactEvent.contact_id == anne.id, ContactEvent.type.like("segment_%")
        )
    ).all()
    assert sorted(left) == ["segment_entered", "segment_left"]
    # Idempotent: the same sweep again changes nothing.
    assert all(r.entered == r.left == 0 for r in tasks.sweep(now=NOW + timedelta(days=11)))


def test_the_sweep_catches_a_lost_rebuild_job(session: Session) -> None:
    anne = make_contact(session, country="FR")
    segment = make_segment(session, definition={"field": "country", "op": "eq", "value": "FR"})
    segment.needs_rebuild = True
    session.commit()
    assert [r.members for r in tasks.sweep(now=NOW)] == [1]
    assert members(session, segment.id) == {anne.id}
    assert tasks.sweep(now=NOW) == []


def test_the_rebuild_job(session: Session, cast: Any) -> None:
    make_contact(session, country="FR")
    segment = make_segment(session, definition={"field": "country", "op": "eq", "value": "FR"})
    session.commit()
    jobs.enqueue("propulse.rebuild_segment", segment.id)
    assert jobs.run_pending() == 1
    session.expire_all()
    assert segment.member_count == 1
    jobs.enqueue("propulse.rebuild_segment", 12345)  # deleted meanwhile: nothing to do
    assert jobs.run_pending() == 1
