"""How nurturing reacts to contact changes (see propulse.contacts.hooks): enrolment triggers.

This runs on every event ingested, so it costs nothing when no active sequence has a
matching trigger: the triggers come from an in-process cache (``triggers``), and the
database is touched only when a change matches one (or, with a score trigger, once to read
the changed contacts' stored scores).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.contacts import hooks
from propulse.contacts.models import Contact
from propulse.nurture import enrolment, triggers
from propulse.nurture.models import EnrolmentSource, SequenceStatus
from propulse.nurture.models import Sequence as SequenceRow

SEGMENT_ENTERED = "segment_entered"
Wanted = dict[tuple[int, EnrolmentSource], set[int]]


def _matches(properties: Mapping[str, Any] | None, wanted: Mapping[str, Any]) -> bool:
    given = properties or {}
    return all(str(given.get(key)) == str(value) for key, value in wanted.items())


def _from_facts(active: triggers.ActiveTriggers, facts: Iterable[hooks.EventFact]) -> Wanted:
    wanted: Wanted = defaultdict(set)
    for fact in facts:
        if fact.type == SEGMENT_ENTERED and active.by_segment:
            segment_id = (fact.properties or {}).get("segment_id")
            for sequence_id in active.by_segment.get(segment_id, ()):  # type: ignore[arg-type]
                wanted[(sequence_id, EnrolmentSource.segment)].add(fact.contact_id)
        for sequence_id, properties in active.by_event.get(fact.type, ()):
            if _matches(fact.properties, properties):
                wanted[(sequence_id, EnrolmentSource.event)].add(fact.contact_id)
    return wanted


def _from_scores(
    session: Session, active: triggers.ActiveTriggers, contact_ids: Sequence[int], wanted: Wanted
) -> None:
    lowest = active.by_score[0][0]
    rows = session.execute(
        select(Contact.id, Contact.score).where(
            Contact.id.in_(list(contact_ids)), Contact.score >= lowest
        )
    )
    for contact_id, score in rows:
        for threshold, sequence_id in active.by_score:
            if score >= threshold:
                wanted[(sequence_id, EnrolmentSource.score)].add(contact_id)


def enrol_wanted(session: Session, wanted: Wanted) -> int:
    """Enrol the contacts matched, sequence by sequence; return how many were enrolled."""
    enrolled = 0
    for (sequence_id, source), contact_ids in sorted(wanted.items()):
        sequence = session.get(SequenceRow, sequence_id)
        # The cache may be a few seconds old: the stored status decides.
        if sequence is None or sequence.status != SequenceStatus.active:
            continue
        summary = enrolment.enrol_many(
            session,
            sequence=sequence,
            contact_ids=sorted(contact_ids),
            source=source,
            actor_id=None,
        )
        enrolled += summary.enrolled
    return enrolled


@hooks.subscribe("nurture", order=30)
def enrol_on_triggers(session: Session, change: hooks.ContactChange) -> None:
    """Enrol contacts whose change matches an active sequence's trigger."""
    active = triggers.active_triggers(session)
    if active.empty:
        return
    wanted = _from_facts(active, change.facts) if change.facts else defaultdict(set)
    if active.by_score:
        _from_scores(session, active, change.contact_ids, wanted)
    if wanted:
        enrol_wanted(session, wanted)


def enrol_new_mqls(session: Session, *, contact_ids: Sequence[int]) -> int:
    """Enrol contacts that just became MQL in the active sequences with an MQL trigger."""
    active = triggers.active_triggers(session)
    if not active.on_mql or not contact_ids:
        return 0
    wanted: Wanted = {
        (sequence_id, EnrolmentSource.mql): set(contact_ids) for sequence_id in active.on_mql
    }
    return enrol_wanted(session, wanted)
