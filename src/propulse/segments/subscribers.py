"""How segments reacts to contact changes (see propulse.contacts.hooks)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from propulse.contacts import hooks
from propulse.segments import snapshot
from propulse.segments.membership import refresh_memberships


@hooks.subscribe("segments", order=20)
def on_contact_change(session: Session, change: hooks.ContactChange) -> None:
    """Re-evaluate the dynamic segments of contacts that received events or were edited.

    A change caused by segments themselves is ignored: refresh already settled every segment
    in dependency order, and reacting would loop.
    """
    loaded = snapshot.take(session, change)  # what scoring loaded for this change, if anything
    if change.cause == "segment":
        return
    refresh_memberships(session, contact_ids=change.contact_ids, snapshot=loaded)
