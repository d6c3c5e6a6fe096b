"""How scoring reacts to contact changes (see propulse.contacts.hooks): at once, in the caller's
transaction, before segments (order 10), so segments on the score see the new one."""

from __future__ import annotations

from sqlalchemy.orm import Session

from propulse.contacts.hooks import ContactChange, subscribe
from propulse.contacts.models import EventType
from propulse.scoring import config, service
from propulse.scoring.arithmetic import Plan

SEGMENT_EVENTS = frozenset({EventType.segment_entered.value, EventType.segment_left.value})


def _concerns(plan: Plan, change: ContactChange) -> bool:
    """Tell whether the change can move a score: edits and imports always may."""
    if change.cause not in ("event", "segment") or not change.event_types:
        return True
    if change.event_types & plan.event_types:
        return True
    # New activity moves last_activity_at, which a fit rule may test.
    return change.cause == "event" and any(
        "last_activity_at" in str(rule.condition) for rule in plan.fit_rules
    )


@subscribe("scoring", order=10)
def rescore_changed_contacts(session: Session, change: ContactChange) -> None:
    """Refresh the scores of contacts that received events, were edited or imported."""
    plan = config.load_plan(session)
    if _concerns(plan, change):
        service.refresh_scores(
            session, contact_ids=change.contact_ids, cause=change.cause, plan=plan
        )
