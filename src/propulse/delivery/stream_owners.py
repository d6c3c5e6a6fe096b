"""Who sends on a stream, so the preference centre can name it and stop it for one person.

Delivery knows streams by name only ("sequence-12"); the domains that send on them register
an owner here (as contact subscribers do in ``contacts.hooks``), loaded the first time a
stream is asked about, so delivery never imports them.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from sqlalchemy.orm import Session

OWNER_MODULES = ("propulse.nurture.stream_owner",)


class StreamOwner(Protocol):
    def describe(self, session: Session, *, stream: str, contact_id: int) -> str | None:
        """Name the stream when it is this owner's and still writes to the contact."""

    def leave(self, session: Session, *, stream: str, contact_id: int) -> bool:
        """Stop this stream's mail to the contact; tell whether anything stopped."""


_owners: list[StreamOwner] = []
_loaded = False


def register(owner: StreamOwner) -> None:
    _owners.append(owner)


def _all() -> list[StreamOwner]:
    global _loaded
    if not _loaded:
        for module in OWNER_MODULES:
            importlib.import_module(module)
        _loaded = True
    return _owners


def describe(session: Session, *, stream: str, contact_id: int) -> str | None:
    """Return the name of what writes to the contact on this stream, if anything still does."""
    for owner in _all():
        name = owner.describe(session, stream=stream, contact_id=contact_id)
        if name is not None:
            return name
    return None


def leave(session: Session, *, stream: str, contact_id: int) -> bool:
    """Stop the stream's mail to the contact (its other mail goes on)."""
    return any(owner.leave(session, stream=stream, contact_id=contact_id) for owner in _all())
