"""Static lists: contacts added and removed by hand (members) or by the system (actor None)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.contacts.emails import normalise_email
from propulse.contacts.models import Contact
from propulse.db import utcnow
from propulse.kit.errors import Conflict, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.segments.membership import refresh_memberships
from propulse.segments.models import Segment, SegmentKind, SegmentMember
from propulse.segments.plan import segment_graph
from propulse.segments.writes import Change, apply_changes
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

MAX_AT_ONCE = 10_000


def _static_list(session: Session, segment_id: int) -> Segment:
    segment = session.get(Segment, segment_id)
    if segment is None:
        raise NotFound(_("This segment does not exist."))
    if segment.kind != SegmentKind.static:
        raise Conflict(
            _(
                "%(name)s is a dynamic segment: its conditions decide who is in it.",
                name=segment.name,
            )
        )
    return segment


def _change(
    session: Session,
    *,
    actor: User | None,
    segment_id: int,
    contact_ids: Sequence[int],
    entering: bool,
) -> int:
    if actor is not None:
        ensure_role(actor, Role.member, action=_("change the members of lists"))
    segment = _static_list(session, segment_id)
    wanted = sorted(set(contact_ids))
    if len(wanted) > MAX_AT_ONCE:
        raise InvalidInput.on_field(
            "contact_ids", _("Change at most %(n)s contacts at a time.", n=MAX_AT_ONCE)
        )
    if not wanted:
        return 0
    session.flush()
    existing = set(session.scalars(select(Contact.id).where(Contact.id.in_(wanted))))
    inside = set(
        session.scalars(
            select(SegmentMember.contact_id).where(
                SegmentMember.segment_id == segment.id, SegmentMember.contact_id.in_(wanted)
            )
        )
    )
    targets = sorted(existing - inside) if entering else sorted(existing & inside)
    if not targets:
        return 0
    now = utcnow()
    changes = [Change(segment.id, contact_id, entering) for contact_id in targets]
    apply_changes(session, changes, {segment.id: segment.name}, now)
    audit.record(
        session,
        actor=actor,
        action="members_added" if entering else "members_removed",
        object_type="segment",
        object_id=segment.id,
        summary=(
            f"{len(targets)} contacts {'added to' if entering else 'removed from'} "
            f"list {segment.name!r}"
        ),
        # Ids, never addresses: the audit log keeps no personal data.
        details={"count": len(targets), "contact_ids": targets[:100]},
    )
    # Dynamic segments testing this list follow at once.
    if any(segment.id in tested for tested in segment_graph(session).values()):
        refresh_memberships(session, contact_ids=targets, now=now)
    return len(targets)


def add_members(
    session: Session, *, actor: User | None, segment_id: int, contact_ids: Sequence[int]
) -> int:
    """Add contacts to a static list (members and above; None is the system); return how many."""
    return _change(
        session, actor=actor, segment_id=segment_id, contact_ids=contact_ids, entering=True
    )


def remove_members(
    session: Session, *, actor: User | None, segment_id: int, contact_ids: Sequence[int]
) -> int:
    """Remove contacts from a static list; return how many were in it."""
    return _change(
        session, actor=actor, segment_id=segment_id, contact_ids=contact_ids, entering=False
    )


def ids_for_emails(session: Session, emails: Sequence[str]) -> tuple[list[int], list[str]]:
    """Return the ids of the contacts with these addresses, and the addresses nobody has."""
    wanted: dict[str, str] = {}
    unknown: list[str] = []
    for raw in emails:
        normal = normalise_email(raw)
        if normal is None:
            unknown.append(raw)
        else:
            wanted.setdefault(normal, raw)
    found: dict[str, int] = {}
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        statement = select(Contact.email, Contact.id).where(
            Contact.email.in_(keys[start : start + 500])
        )
        found.update({row.email: row.id for row in session.execute(statement)})
    unknown += [raw for normal, raw in wanted.items() if normal not in found]
    return sorted(found.values()), unknown


def add_members_by_email(
    session: Session, *, actor: User | None, segment_id: int, emails: Sequence[str]
) -> tuple[int, list[str]]:
    """Add the contacts with these addresses; return how many, and the unknown addresses."""
    contact_ids, unknown = ids_for_emails(session, emails)
    added = add_members(session, actor=actor, segment_id=segment_id, contact_ids=contact_ids)
    return added, unknown


def existing_contacts(session: Session, *, contact_ids: Sequence[int]) -> list[int]:
    """Return which of these ids are contacts."""
    wanted = sorted(set(contact_ids))
    found: list[int] = []
    for start in range(0, len(wanted), 500):
        found += session.scalars(
            select(Contact.id).where(Contact.id.in_(wanted[start : start + 500]))
        )
    return found
