"""Marketing-qualified leads: what happens once, when a score first reaches the threshold.

``contacts.mql_at`` records that moment; a contact whose score falls below the threshold and
rises again keeps it, so the owner is told once and the actions never run twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from propulse.contacts.models import Contact, LifecycleStage
from propulse.kit.errors import DomainError
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import use_locale
from propulse.notifications import service as notifications
from propulse.scoring.statements import CONTACTS, Scope
from propulse.workspace import service as workspace
from propulse.workspace.models import User

logger = logging.getLogger(__name__)

# Stages before "mql": the action moves these forward, never a contact further along.
EARLIER_STAGES = (LifecycleStage.subscriber.value, LifecycleStage.lead.value)
# Beyond this many new MQLs in one go, an owner gets one summary instead of one per contact.
NOTIFY_EACH_UP_TO = 5
ID_CHUNK = 1000
SEGMENT_CHUNK = 5000  # segments take at most 10,000 contacts at a time


class MqlSettings(Protocol):
    """What the stamp and the actions read of the scoring settings (the row, or a copy of it)."""

    @property
    def mql_threshold(self) -> int: ...
    @property
    def mql_notify_owner(self) -> bool: ...
    @property
    def mql_set_stage(self) -> bool: ...
    @property
    def mql_segment_id(self) -> int | None: ...


@dataclass(frozen=True)
class NewMql:
    contact_id: int
    owner_id: int | None
    lifecycle_stage: str


def mark(session: Session, *, scope: Scope, settings: MqlSettings, now: datetime) -> list[NewMql]:
    """Stamp ``mql_at`` on the contacts in scope at or above the threshold for the first time."""
    table = CONTACTS
    statement = (
        update(table)
        .where(
            table.c.mql_at.is_(None),
            table.c.score >= settings.mql_threshold,
            *scope.on(table.c.id),
        )
        .values(mql_at=now)
        .returning(table.c.id, table.c.owner_id, table.c.lifecycle_stage)
    )
    found = [
        NewMql(row.id, row.owner_id, row.lifecycle_stage) for row in session.execute(statement)
    ]
    _expire(session, [item.contact_id for item in found], ["mql_at", "updated_at"])
    return found


def run_actions(
    session: Session, *, new: Sequence[NewMql], settings: MqlSettings, now: datetime
) -> bool:
    """Run the MQL actions the settings turn on for contacts that just became MQL.

    Returns whether an action may have changed the contacts (a stage, a list, an enrolment):
    the event path then reads them again rather than trust what it loaded.
    """
    if not new:
        return False
    advancing = [item for item in new if item.lifecycle_stage in EARLIER_STAGES]
    changed = bool(settings.mql_set_stage and advancing)
    if changed:
        _advance_stage(session, advancing)
    if settings.mql_segment_id is not None:
        _add_to_segment(session, settings.mql_segment_id, [item.contact_id for item in new])
        changed = True
    if settings.mql_notify_owner:
        _notify_owners(session, new, threshold=settings.mql_threshold)
    return _enrol_in_sequences(session, [item.contact_id for item in new]) > 0 or changed


def _expire(session: Session, contact_ids: Sequence[int], attributes: list[str]) -> None:
    """Make contacts loaded in this session read again what SQL just wrote behind the ORM."""
    for contact_id in contact_ids:
        loaded = session.identity_map.get(session.identity_key(Contact, contact_id))
        if loaded is not None:
            session.expire(loaded, attributes)


def _advance_stage(session: Session, items: Sequence[NewMql]) -> None:
    ids = [item.contact_id for item in items]
    table = CONTACTS
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        session.execute(
            update(table)
            .where(table.c.id.in_(chunk), table.c.lifecycle_stage.in_(EARLIER_STAGES))
            # A real change of the contact: an edit form opened before it must not overwrite it.
            .values(lifecycle_stage=LifecycleStage.mql.value, version=table.c.version + 1)
        )
    _expire(session, ids, ["lifecycle_stage", "version", "updated_at"])


def _add_to_segment(session: Session, segment_id: int, contact_ids: list[int]) -> None:
    from propulse.segments import service as segments

    try:
        for start in range(0, len(contact_ids), SEGMENT_CHUNK):
            chunk = contact_ids[start : start + SEGMENT_CHUNK]
            segments.add_members(session, actor=None, segment_id=segment_id, contact_ids=chunk)
    except DomainError as error:  # e.g. the list became dynamic: scoring must go on
        logger.warning("MQL action: could not add to segment %s: %s", segment_id, error.message)


def _enrol_in_sequences(session: Session, contact_ids: list[int]) -> int:
    """Enrol new MQLs in the active sequences whose trigger is "became an MQL"; say how many."""
    from propulse.nurture import service as nurture

    return nurture.enrol_new_mqls(session, contact_ids=contact_ids)


def _notify_owners(session: Session, new: Sequence[NewMql], *, threshold: int) -> None:
    by_owner: dict[int, list[int]] = defaultdict(list)
    for item in new:
        if item.owner_id is not None:
            by_owner[item.owner_id].append(item.contact_id)
    if not by_owner:
        return
    default_language = workspace.get_workspace(session).language
    owners = session.scalars(select(User).where(User.id.in_(list(by_owner)))).all()
    for owner in owners:
        if not owner.is_active:
            continue
        contact_ids = by_owner[owner.id]
        with use_locale(owner.ui_language or default_language):
            if len(contact_ids) > NOTIFY_EACH_UP_TO:
                notifications.notify(
                    session,
                    user=owner,
                    title=_(
                        "%(n)s of your contacts became marketing-qualified leads",
                        n=len(contact_ids),
                    ),
                    body=_("Their score reached %(threshold)s.", threshold=threshold),
                    link=f"/contacts?owner_id={owner.id}&min_score={threshold}",
                )
                continue
            people = session.execute(
                select(
                    Contact.id, Contact.first_name, Contact.last_name, Contact.email, Contact.score
                )
                .where(Contact.id.in_(contact_ids))
                .order_by(Contact.id)
            )
            for person in people:
                name = f"{person.first_name} {person.last_name}".strip() or person.email
                notifications.notify(
                    session,
                    user=owner,
                    title=_("%(name)s is now a marketing-qualified lead", name=name),
                    body=_(
                        "Score %(score)s: the threshold is %(threshold)s.",
                        score=person.score,
                        threshold=threshold,
                    ),
                    link=f"/contacts/{person.id}",
                )
