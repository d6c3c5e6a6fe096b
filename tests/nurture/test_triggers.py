"""Enrolment triggers: entering a segment, an event, a score, becoming an MQL; re-enrolment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from propulse.contacts import hooks
from propulse.contacts import service as contacts
from propulse.contacts.schemas import EventIn
from propulse.nurture import service, subscribers, triggers
from propulse.nurture.models import Enrolment, EnrolmentSource, Sequence
from propulse.scoring import config as scoring_config
from propulse.scoring import mql
from propulse.scoring.models import ScoringSettings
from propulse.segments import service as segments
from propulse.segments.models import SegmentKind
from propulse.segments.schemas import SegmentIn
from tests.nurture.factories import active_sequence, make_contact, sequence_in
from tests.scoring.factories import make_rule

STEPS = [{"key": "stage", "kind": "set_stage", "config": {"stage": "lead"}}]


def enrolments(session: Session, sequence: Sequence) -> list[tuple[int, str, str]]:
    rows = session.execute(
        select(Enrolment.contact_id, Enrolment.source, Enrolment.status)
        .where(Enrolment.sequence_id == sequence.id)
        .order_by(Enrolment.id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def static_list(session: Session, cast: Any, name: str = "Downloaders") -> int:
    data = SegmentIn(name=name, kind=SegmentKind.static)
    return segments.create_segment(session, actor=cast.manager, data=data).id


def test_entering_a_segment_enrols_once(session: Session, cast: Any) -> None:
    list_id = static_list(session, cast)
    sequence = active_sequence(
        session,
        cast.manager,
        STEPS,
        triggers=[{"kind": "segment_entered", "segment_id": list_id}],
        reenrolment="never",
    )
    reader = make_contact(session)
    segments.add_members(session, actor=cast.intern, segment_id=list_id, contact_ids=[reader.id])
    assert enrolments(session, sequence) == [(reader.id, "segment", "active")]
    # leaving and entering again while enrolled: still once
    segments.remove_members(session, actor=cast.intern, segment_id=list_id, contact_ids=[reader.id])
    segments.add_members(session, actor=cast.intern, segment_id=list_id, contact_ids=[reader.id])
    assert len(enrolments(session, sequence)) == 1
    # finished, and the rule says never again
    (enrolment,) = session.scalars(select(Enrolment).where(Enrolment.sequence_id == sequence.id))
    service.cancel_enrolment(session, actor=cast.intern, enrolment_id=enrolment.id)
    segments.remove_members(session, actor=cast.intern, segment_id=list_id, contact_ids=[reader.id])
    segments.add_members(session, actor=cast.intern, segment_id=list_id, contact_ids=[reader.id])
    assert len(enrolments(session, sequence)) == 1


def test_after_exit_enrols_again_once_the_first_ended(session: Session, cast: Any) -> None:
    list_id = static_list(session, cast)
    sequence = active_sequence(
        session,
        cast.manager,
        STEPS,
        triggers=[{"kind": "segment_entered", "segment_id": list_id}],
        reenrolment="after_exit",
    )
    reader = make_contact(session)
    segments.add_members(session, actor=cast.intern, segment_id=list_id, contact_ids=[reader.id])
    (enrolment,) = session.scalars(select(Enrolment).where(Enrolment.sequence_id == sequence.id))
    service.cancel_enrolment(session, actor=cast.intern, enrolment_id=enrolment.id)
    segments.remove_members(session, actor=cast.intern, segment_id=list_id, contact_ids=[reader.id])
    segments.add_members(session, actor=cast.intern, segment_id=list_id, contact_ids=[reader.id])
    assert [row[2] for row in enrolments(session, sequence)] == ["cancelled", "active"]


def test_a_draft_or_paused_sequence_enrols_nobody(session: Session, cast: Any) -> None:
    list_id = static_list(session, cast)
    trigger = [{"kind": "segment_entered", "segment_id": list_id}]
    draft = service.create_sequence(
        session, actor=cast.manager, data=sequence_in(STEPS, triggers=trigger)
    )
    paused = active_sequence(session, cast.manager, STEPS, triggers=trigger)
    service.pause_sequence(session, actor=cast.manager, sequence_id=paused.id)
    reader = make_contact(session)
    segments.add_members(session, actor=cast.intern, segment_id=list_id, contact_ids=[reader.id])
    assert enrolments(session, draft) == [] and enrolments(session, paused) == []


def test_an_event_with_matching_properties_enrols(session: Session, cast: Any) -> None:
    sequence = active_sequence(
        session,
        cast.manager,
        STEPS,
        triggers=[
            {
                "kind": "event",
                "event_type": "form_submitted",
                "properties": {"form": "ebook-ai"},
            }
        ],
    )
    fan, other = make_contact(session), make_contact(session)
    contacts.record_events(
        session,
        events=[
            EventIn(email=fan.email, type="form_submitted", properties={"form": "ebook-ai"}),
            EventIn(email=other.email, type="form_submitted", properties={"form": "newsletter"}),
            EventIn(email=other.email, type="webinar_registered", properties={"form": "ebook-ai"}),
        ],
    )
    assert enrolments(session, sequence) == [(fan.id, "event", "active")]


def test_reaching_a_score_enrols(session: Session, cast: Any) -> None:
    sequence = active_sequence(
        session, cast.manager, STEPS, triggers=[{"kind": "score_reached", "score": 50}]
    )
    scoring_config.get_settings(session)  # the settings row, as a real workspace has it
    make_rule(session, "Meeting", points=60, event_type="meeting")
    low, high = make_contact(session), make_contact(session)
    contacts.record_events(
        session,
        events=[
            EventIn(email=low.email, type="page_visited"),
            EventIn(email=high.email, type="meeting"),
        ],
    )
    assert high.score >= 50 and low.score < 50
    assert enrolments(session, sequence) == [(high.id, "score", "active")]


def test_becoming_an_mql_enrols_through_the_mql_action(session: Session, cast: Any) -> None:
    sequence = active_sequence(session, cast.manager, STEPS, triggers=[{"kind": "mql"}])
    lead = make_contact(session, score=70)
    settings = ScoringSettings(mql_threshold=60, mql_notify_owner=False, mql_set_stage=False)
    now = datetime(2027, 3, 2, tzinfo=UTC)
    mql.run_actions(
        session, new=[mql.NewMql(lead.id, None, "subscriber")], settings=settings, now=now
    )
    assert enrolments(session, sequence) == [(lead.id, "mql", "active")]


def test_the_trigger_cache_spares_the_database(
    session: Session, cast: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = make_contact(session)
    change = hooks.ContactChange(
        [reader.id],
        cause="event",
        event_types=frozenset({"page_visited"}),
        facts=[hooks.EventFact(reader.id, "page_visited", {"url": "/pricing"})],
    )
    statements: list[str] = []
    from sqlalchemy import event

    connection = session.connection()

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    subscribers.enrol_on_triggers(session, change)  # loads the (empty) cache
    event.listen(connection, "before_cursor_execute", count)
    try:
        for _ in range(100):
            subscribers.enrol_on_triggers(session, change)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert statements == []
    # saving a sequence forgets the cache at once
    active_sequence(
        session, cast.manager, STEPS, triggers=[{"kind": "event", "event_type": "page_visited"}]
    )
    subscribers.enrol_on_triggers(session, change)
    total = session.scalar(select(func.count()).select_from(Enrolment))
    assert total == 1
    assert triggers.active_triggers(session).by_event["page_visited"]


def test_a_racing_enrolment_is_refused_by_the_index(session: Session, cast: Any) -> None:
    from propulse.nurture import enrolment

    sequence = active_sequence(session, cast.manager, STEPS)
    reader = make_contact(session)
    service.enrol_contact(
        session,
        actor=None,
        sequence_id=sequence.id,
        contact_id=reader.id,
        source=EnrolmentSource.api,
    )
    # Pretend the check saw nothing (another worker enrolled them in between).
    real_active = enrolment._active
    try:
        enrolment._active = lambda *args: set()
        again = enrolment.enrol_one(
            session,
            sequence=sequence,
            contact_id=reader.id,
            source=EnrolmentSource.api,
            actor_id=None,
        )
        many = enrolment.enrol_many(
            session,
            sequence=sequence,
            contact_ids=[reader.id],
            source=EnrolmentSource.api,
            actor_id=None,
        )
    finally:
        enrolment._active = real_active
    assert again.reason == "already_enrolled" and many.already_enrolled == 1
    assert len(enrolments(session, sequence)) == 1
