"""How scoring reacts to contact changes (see propulse.contacts.hooks): at once, in the caller's
transaction, before segments (order 10), so segments on the score see the new one.

For a few contacts, the contacts and their events are loaded once, for the score and for the
segments that follow (see segments/snapshot.py); the statement that reads the rules also reads
the segments' plan key, and the one that writes the score also writes the new activity time
and the MQL stamp (see writes.py): on PostgreSQL each statement is a round trip.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from propulse.contacts import events as contact_events
from propulse.contacts.hooks import ContactChange, subscribe
from propulse.contacts.models import EventType
from propulse.scoring import config, service
from propulse.scoring.arithmetic import Plan

SEGMENT_EVENTS = frozenset({EventType.segment_entered.value, EventType.segment_left.value})

# What a plan reacts to, by the plan's identity (plans are cached by config): the event types
# its rules count, and whether a fit rule tests last_activity_at.
_traits: dict[int, tuple[Plan, frozenset[str], bool]] = {}


def _traits_of(plan: Plan) -> tuple[frozenset[str], bool]:
    cached = _traits.get(id(plan))
    if cached is None or cached[0] is not plan:
        activity = any("last_activity_at" in str(rule.condition) for rule in plan.fit_rules)
        if len(_traits) >= 32:
            _traits.clear()
        cached = _traits[id(plan)] = (plan, plan.event_types, activity)
    return cached[1], cached[2]


def _concerns(plan: Plan, change: ContactChange) -> bool:
    """Tell whether the change can move a score: edits and imports always may."""
    if change.cause not in ("event", "segment") or not change.event_types:
        return True
    counted, tests_activity = _traits_of(plan)
    if change.event_types & counted:
        return True
    # New activity moves last_activity_at, which a fit rule may test.
    return change.cause == "event" and tests_activity


@subscribe("scoring", order=10)
def rescore_changed_contacts(session: Session, change: ContactChange) -> None:
    """Refresh the scores of contacts that received events, were edited or imported.

    The first subscriber: the new last_activity_at of the change's contacts is written here,
    with the scores when they are computed on a snapshot (one write of each row), before
    anything else reads the rows otherwise (see ``contacts.events.take_activity``).
    """
    from propulse.segments import plan as segment_plans
    from propulse.segments import snapshot as shared

    # The segments' plan key rides along with the rules: segments then reads no plan itself.
    plan, segment_key = config.load_plan_and(session, segment_plans.PLAN_KEY)
    segment_plans.remember_key(session, segment_key)
    if not _concerns(plan, change):
        contact_events.settle_activity(session)
        return

    ids = sorted(set(change.contact_ids))
    loaded = None
    activity: dict[int, datetime] = {}
    if shared.worth_sharing(session, change, ids):
        counted, _activity = _traits_of(plan)
        loaded = shared.load(session, ids, counted | shared.segment_event_types(session))
        shared.keep(session, change, loaded)
        activity = contact_events.take_activity(session)
    else:
        contact_events.settle_activity(session)
    service.refresh_scores(
        session,
        contact_ids=ids,
        cause=change.cause,
        plan=plan,
        snapshot=loaded,
        activity=activity,
    )
