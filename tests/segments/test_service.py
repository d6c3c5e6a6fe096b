"""The segments service: who may define segments, rebuilds after a change, static lists."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse import jobs
from propulse.audit.models import AuditEntry
from propulse.kit.errors import Conflict, Forbidden, InvalidInput
from propulse.segments import service
from propulse.segments.models import Segment
from propulse.segments.schemas import SegmentIn, SegmentPatch
from tests.segments.factories import NOW, make_contact, make_event, make_segment

FRENCH = {"field": "country", "op": "eq", "value": "FR"}


def create(session: Session, actor: Any, name: str = "French", **values: Any) -> Segment:
    values.setdefault("definition", FRENCH)
    return service.create_segment(
        session, actor=actor, data=SegmentIn(name=name, **values), now=NOW
    )


def test_a_manager_creates_a_segment_built_at_once(session: Session, cast: Any) -> None:
    anne = make_contact(session, country="FR")
    make_contact(session, country="DE")
    segment = create(session, cast.manager, description="Our French contacts")
    assert segment.member_count == 1
    assert segment.rebuilt_at == NOW
    assert not segment.time_dependent
    found, cursor = service.members(session, segment_id=segment.id)
    assert [contact.id for contact in found] == [anne.id] and cursor is None
    assert [s.name for s in service.segments_of_contact(session, contact_id=anne.id)] == ["French"]
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "segment")
    ).all()
    assert actions == ["created"]


def test_only_managers_define_segments(session: Session, cast: Any) -> None:
    with pytest.raises(Forbidden):
        create(session, cast.intern)
    segment = create(session, cast.manager)
    with pytest.raises(Forbidden):
        service.update_segment(
            session, actor=cast.salesperson, segment_id=segment.id, data=SegmentPatch(name="x")
        )
    with pytest.raises(Forbidden):
        service.delete_segment(session, actor=cast.intern, segment_id=segment.id)
    with pytest.raises(Forbidden):
        service.rebuild_segment(session, actor=cast.intern, segment_id=segment.id)


def test_names_are_unique_whatever_the_case(session: Session, cast: Any) -> None:
    create(session, cast.manager, name="French")
    with pytest.raises(InvalidInput) as caught:
        create(session, cast.manager, name="  french ")
    assert caught.value.problems[0].field == "name"
    assert "already exists" in caught.value.message


def test_a_dynamic_segment_needs_conditions_and_a_list_none(session: Session, cast: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        create(session, cast.manager, definition=None)
    assert caught.value.problems[0].field == "definition"
    with pytest.raises(InvalidInput) as caught:
        create(session, cast.manager, name="List", kind="static", definition=FRENCH)
    assert "static list has no conditions" in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        create(
            session,
            cast.manager,
            definition={"all": [{"field": "country", "op": "in", "value": "FR"}]},
        )
    assert caught.value.message == 'all[0].value: a list is expected for "in"'


def test_a_new_definition_rebuilds_the_segment_and_its_dependents(
    session: Session, cast: Any
) -> None:
    anne = make_contact(session, country="FR", score=70)
    bob = make_contact(session, country="BE", score=70)
    french = create(session, cast.manager)
    hot = create(
        session,
        cast.manager,
        name="Hot",
        definition={"all": [{"segment": french.id}, {"field": "score", "op": "gte", "value": 50}]},
    )
    assert hot.time_dependent  # the score fades with time
    assert [c.id for c in service.members(session, segment_id=hot.id)[0]] == [anne.id]

    updated = service.update_segment(
        session,
        actor=cast.manager,
        segment_id=french.id,
        data=SegmentPatch(
            definition={"field": "country", "op": "in", "value": ["FR", "BE"]},
            version=french.version,
        ),
        now=NOW,
    )
    assert updated.member_count == 2
    assert {c.id for c in service.members(session, segment_id=hot.id)[0]} == {anne.id, bob.id}


def test_a_stale_edit_is_refused(session: Session, cast: Any) -> None:
    segment = create(session, cast.manager)
    service.update_segment(
        session, actor=cast.manager, segment_id=segment.id, data=SegmentPatch(name="France")
    )
    with pytest.raises(Conflict):
        service.update_segment(
            session,
            actor=cast.manager,
            segment_id=segment.id,
            data=SegmentPatch(name="Gaul", version=1),
        )


def test_a_big_base_is_rebuilt_by_a_job(
    session: Session, cast: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "SYNC_REBUILD_LIMIT", 1)
    make_contact(session, country="FR")
    make_contact(session, country="FR")
    segment = create(session, cast.manager)
    assert segment.needs_rebuild and segment.rebuilt_at is None
    session.commit()
    assert jobs.run_pending() == 1
    session.expire_all()
    assert segment.member_count == 2 and not segment.needs_rebuild


def test_a_segment_tested_by_another_cannot_be_deleted(session: Session, cast: Any) -> None:
    french = create(session, cast.manager)
    other = create(
        session, cast.manager, name="Not French", definition={"segment": french.id, "member": False}
    )
    with pytest.raises(Conflict) as caught:
        service.delete_segment(session, actor=cast.manager, segment_id=french.id)
    assert "Not French" in caught.value.message
    service.delete_segment(session, actor=cast.manager, segment_id=other.id)
    service.delete_segment(session, actor=cast.manager, segment_id=french.id)
    assert service.list_segments(session) == []


def test_the_live_count(session: Session, cast: Any) -> None:
    anne = make_contact(session, country="FR")
    make_contact(session, country="FR")
    make_event(session, anne, "webinar_attended", properties={"sector": "Industry"})
    webinar = {"event": "webinar_attended", "where": {"sector": "industry"}}
    assert service.count_matching(session, condition=FRENCH, now=NOW) == 2
    assert service.count_matching(session, condition={"all": [FRENCH, webinar]}, now=NOW) == 1
    with pytest.raises(InvalidInput):
        service.count_matching(session, condition={"field": "nope", "op": "eq", "value": 1})


def test_static_lists(session: Session, cast: Any) -> None:
    anne = make_contact(session, email="anne@example.org")
    bob = make_contact(session)
    listed = create(session, cast.manager, name="Trade show", kind="static", definition=None)
    follow = create(session, cast.manager, name="Listed", definition={"segment": listed.id})

    with pytest.raises(Forbidden):
        service.add_members(
            session, actor=cast.salesperson, segment_id=listed.id, contact_ids=[anne.id]
        )
    assert (
        service.add_members(
            session, actor=cast.intern, segment_id=listed.id, contact_ids=[anne.id, anne.id, 999]
        )
        == 1
    )
    added, unknown = service.add_members_by_email(
        session,
        actor=None,
        segment_id=listed.id,
        emails=["ANNE@example.org", "nobody@example.org", "x"],
    )
    assert (added, unknown) == (0, ["x", "nobody@example.org"])
    assert service.add_members(session, actor=None, segment_id=listed.id, contact_ids=[bob.id]) == 1
    session.refresh(listed)
    assert listed.member_count == 2
    # The dynamic segment testing the list followed at once.
    assert {c.id for c in service.members(session, segment_id=follow.id)[0]} == {anne.id, bob.id}

    assert (
        service.remove_members(
            session, actor=cast.intern, segment_id=listed.id, contact_ids=[anne.id]
        )
        == 1
    )
    assert {c.id for c in service.members(session, segment_id=follow.id)[0]} == {bob.id}
    with pytest.raises(Conflict):
        service.add_members(
            session, actor=cast.manager, segment_id=follow.id, contact_ids=[anne.id]
        )
    with pytest.raises(Conflict):
        service.rebuild_segment(session, actor=cast.manager, segment_id=listed.id)
    details = session.scalars(
        select(AuditEntry.details).where(AuditEntry.action == "members_added")
    ).all()
    assert "anne@example.org" not in str(details)


def test_members_are_paginated_by_key(session: Session, cast: Any) -> None:
    people = [make_contact(session, country="FR") for _ in range(5)]
    segment = create(session, cast.manager)
    page, cursor = service.members(session, segment_id=segment.id, limit=2)
    seen = [c.id for c in page]
    while cursor:
        page, cursor = service.members(session, segment_id=segment.id, cursor=cursor, limit=2)
        seen += [c.id for c in page]
    assert seen == sorted((p.id for p in people), reverse=True)


def test_rebuild_all_goes_in_dependency_order(session: Session, cast: Any) -> None:
    make_contact(session, country="FR")
    later = make_segment(session, name="Depends", definition={"segment": 0})
    base = make_segment(session, name="Base", definition=FRENCH)
    later.definition = {"segment": base.id}
    session.flush()
    results = service.rebuild_all(session, actor=cast.manager, now=NOW)
    assert [r.name for r in results] == ["Base", "Depends"]
    assert [r.members for r in results] == [1, 1]
