"""Who hears about changes to contacts: scoring first, then segments (later nurturing...).

The contacts service publishes a change after writing (new events, an edit, an import batch);
subscribers run in the same transaction, so a score and the segment memberships are current
when the request commits. Subscriber modules are imported on first use, by name, so that the
contacts domain never imports the domains that build on it.

The contacts' new last_activity_at is written by the first subscriber, scoring, in the same
UPDATE as their score (see ``events.take_activity``): a subscriber that reads it from the
database must come after scoring, or call ``events.settle_activity`` first.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

SUBSCRIBER_MODULES = (
    "propulse.scoring.subscribers",
    "propulse.segments.subscribers",
    "propulse.nurture.subscribers",
)

ChangeCause = Literal["event", "edit", "import", "segment"]


@dataclass(frozen=True)
class EventFact:
    """One event a contact received, for subscribers that react to particular ones (nurturing
    enrols on a form or a segment entered)."""

    contact_id: int
    type: str
    properties: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ContactChange:
    """Contacts that changed, and the types of the events they received (empty for an edit).

    ``facts`` lists the events themselves when the publisher has them at hand (it costs
    nothing: they were just inserted); subscribers that only need types ignore it.
    """

    contact_ids: Sequence[int]
    cause: ChangeCause
    event_types: frozenset[str] = field(default_factory=frozenset)
    facts: Sequence[EventFact] = ()


Handler = Callable[[Session, ContactChange], None]
_handlers: list[tuple[int, str, Handler]] = []
_loaded = False


def subscribe(name: str, *, order: int) -> Callable[[Handler], Handler]:
    """Register a handler; lower ``order`` runs first (scoring 10, segments 20, nurturing 30)."""

    def decorator(handler: Handler) -> Handler:
        if all(existing != name for _order, existing, _h in _handlers):
            _handlers.append((order, name, handler))
            _handlers.sort(key=lambda item: item[0])
        return handler

    return decorator


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in SUBSCRIBER_MODULES:
            importlib.import_module(module)
        _loaded = True


def publish(session: Session, change: ContactChange) -> None:
    """Tell every subscriber, in order, inside the caller's transaction."""
    if not change.contact_ids:
        return
    _load()
    for _order, _name, handler in list(_handlers):
        handler(session, change)
