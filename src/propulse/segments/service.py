"""Segments: define them, keep them current, list their members.

After a definition changes, the segment (and those testing its membership) is rebuilt at once
when the base is small enough to answer within the request (``SYNC_REBUILD_LIMIT`` contacts);
above, the rebuild goes to the ``propulse.rebuild_segment`` job after commit, and the segment
shows as pending until it ran (the hourly sweep catches a job that was lost).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from propulse import jobs
from propulse.audit import service as audit
from propulse.contacts.models import Contact
from propulse.db import after_commit, utcnow
from propulse.kit.errors import Conflict, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import SortKey, paginate
from propulse.segments import membership
from propulse.segments.compiler import compile_condition
from propulse.segments.definition import check_definition, is_time_dependent
from propulse.segments.lists import (
    add_members,
    add_members_by_email,
    existing_contacts,
    remove_members,
)
from propulse.segments.membership import RebuildResult, refresh_memberships
from propulse.segments.models import Segment, SegmentKind, SegmentMember
from propulse.segments.plan import dynamic_plan, segment_graph, with_dependents
from propulse.segments.schemas import SegmentIn, SegmentPatch
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

__all__ = [
    "RebuildResult",
    "add_members",
    "add_members_by_email",
    "count_matching",
    "create_segment",
    "delete_segment",
    "existing_contacts",
    "get_segment",
    "list_segments",
    "members",
    "rebuild",
    "rebuild_all",
    "rebuild_segment",
    "refresh_memberships",
    "remove_members",
    "segments_of_contact",
    "update_segment",
]

# Up to this many contacts a rebuild answers within the request (about a second on SQLite).
SYNC_REBUILD_LIMIT = 50_000


def _manage_action() -> str:
    return _("manage segments")


def ensure_manager(user: User) -> None:
    """Refuse someone below manager the builder (defining segments)."""
    ensure_role(user, Role.manager, action=_manage_action())


def list_segments(session: Session) -> list[Segment]:
    """Return every segment and list, by name."""
    return list(session.scalars(select(Segment).order_by(Segment.name, Segment.id)))


def list_segments_page(
    session: Session, *, cursor: str | None = None, limit: int | None = None
) -> tuple[list[Segment], str | None]:
    """Return segments by id, one page at a time (the API)."""
    return paginate(
        session, select(Segment), keys=[SortKey(Segment.id)], cursor=cursor, limit=limit
    )


def get_segment(session: Session, *, segment_id: int) -> Segment:
    found = session.get(Segment, segment_id)
    if found is None:
        raise NotFound(_("This segment does not exist."))
    return found


def segments_of_contact(session: Session, *, contact_id: int) -> list[Segment]:
    """Return the segments and lists a contact is in, by name."""
    statement = (
        select(Segment)
        .join(SegmentMember, SegmentMember.segment_id == Segment.id)
        .where(SegmentMember.contact_id == contact_id)
        .order_by(Segment.name, Segment.id)
    )
    return list(session.scalars(statement))


def members(
    session: Session, *, segment_id: int, cursor: str | None = None, limit: int | None = 50
) -> tuple[list[Contact], str | None]:
    """Return a segment's members, newest contacts first, one page at a time (by key)."""
    get_segment(session, segment_id=segment_id)
    statement = select(Contact).join(
        SegmentMember,
        (SegmentMember.contact_id == Contact.id) & (SegmentMember.segment_id == segment_id),
    )
    keys = [SortKey(Contact.id, descending=True)]
    return paginate(session, statement, keys=keys, cursor=cursor, limit=limit)


def added_at(
    session: Session, *, segment_id: int, contact_ids: Sequence[int]
) -> dict[int, datetime]:
    """Return when each of these contacts joined the segment."""
    if not contact_ids:
        return {}
    statement = select(SegmentMember.contact_id, SegmentMember.added_at).where(
        SegmentMember.segment_id == segment_id, SegmentMember.contact_id.in_(contact_ids)
    )
    return {row.contact_id: row.added_at for row in session.execute(statement)}


def count_matching(session: Session, *, condition: Any, now: datetime | None = None) -> int:
    """Count the contacts a definition selects (the builder's live count)."""
    checked = check_definition(session, condition)
    statement = (
        select(func.count())
        .select_from(Contact)
        .where(compile_condition(checked, now=now or utcnow()))
    )
    return int(session.scalar(statement) or 0)


def _check_name(session: Session, name: str, *, segment_id: int | None = None) -> None:
    statement = select(Segment.id).where(func.lower(Segment.name) == name.lower())
    if segment_id is not None:
        statement = statement.where(Segment.id != segment_id)
    if session.scalar(statement) is not None:
        raise InvalidInput.on_field(
            "name", _("A segment named %(name)s already exists: choose another name.", name=name)
        )


def _checked_definition(
    session: Session, raw: Any, *, segment_id: int | None = None
) -> dict[str, Any]:
    if raw is None or raw == "" or raw == {}:
        raise InvalidInput.on_field(
            "definition", _("Say which contacts belong to the segment: add a condition.")
        )
    check_definition(session, raw, segment_id=segment_id)
    assert isinstance(raw, Mapping)  # the parser accepts nothing else
    return dict(raw)


def _rebuild_after_change(session: Session, segment: Segment, now: datetime) -> None:
    """Rebuild now for a small base, else in a job after commit (see the module's note)."""
    contacts = int(session.scalar(select(func.count()).select_from(Contact)) or 0)
    if contacts <= SYNC_REBUILD_LIMIT:
        for item in with_dependents(session, [segment.id]):
            membership.rebuild(session, segment_id=item.id, now=now)
        return
    segment.needs_rebuild = True
    session.flush()
    segment_id = segment.id
    after_commit(session, lambda: jobs.enqueue("propulse.rebuild_segment", segment_id))


def create_segment(
    session: Session, *, actor: User, data: SegmentIn, now: datetime | None = None
) -> Segment:
    """Create a dynamic segment (built at once or by a job) or an empty static list."""
    ensure_manager(actor)
    _check_name(session, data.name)
    definition: dict[str, Any] | None = None
    if data.kind == SegmentKind.dynamic:
        definition = _checked_definition(session, data.definition)
    elif data.definition not in (None, {}, ""):
        raise InvalidInput.on_field(
            "definition", _("A static list has no conditions: add its members instead.")
        )
    segment = Segment(
        name=data.name,
        description=data.description,
        kind=data.kind.value,
        definition=definition,
        time_dependent=definition is not None and is_time_dependent(definition),
        created_by_id=actor.id,
    )
    session.add(segment)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="segment",
        object_id=segment.id,
        summary=f"{segment.kind} segment {segment.name!r}",
        details={"definition": definition} if definition else {},
    )
    if definition is not None:
        _rebuild_after_change(session, segment, now or utcnow())
    return segment


def update_segment(
    session: Session,
    *,
    actor: User,
    segment_id: int,
    data: SegmentPatch,
    now: datetime | None = None,
) -> Segment:
    """Rename, describe or redefine a segment; a new definition rebuilds it."""
    ensure_manager(actor)
    segment = get_segment(session, segment_id=segment_id)
    workspace.check_version(segment, data.version)
    sent = data.model_fields_set
    changed: list[str] = []
    if "name" in sent and data.name is not None and data.name != segment.name:
        _check_name(session, data.name, segment_id=segment.id)
        segment.name = data.name
        changed.append("name")
    if data.description is not None and data.description != segment.description:
        segment.description = data.description
        changed.append("description")
    redefined = False
    if "definition" in sent:
        if segment.kind == SegmentKind.static:
            if data.definition not in (None, {}, ""):
                raise InvalidInput.on_field(
                    "definition", _("A static list has no conditions: add its members instead.")
                )
        else:
            definition = _checked_definition(session, data.definition, segment_id=segment.id)
            if definition != segment.definition:
                segment.definition = definition
                segment.time_dependent = is_time_dependent(definition)
                changed.append("definition")
                redefined = True
    session.flush()
    if changed:
        audit.record(
            session,
            actor=actor,
            action="updated",
            object_type="segment",
            object_id=segment.id,
            summary=f"segment {segment.name!r}: {', '.join(changed)}",
            details={"definition": segment.definition} if redefined else {},
        )
    if redefined:
        _rebuild_after_change(session, segment, now or utcnow())
    return segment


def delete_segment(session: Session, *, actor: User, segment_id: int) -> None:
    """Delete a segment and its memberships, unless another segment tests it."""
    ensure_manager(actor)
    segment = get_segment(session, segment_id=segment_id)
    users = [user_id for user_id, tested in segment_graph(session).items() if segment.id in tested]
    if users:
        names = session.scalars(select(Segment.name).where(Segment.id.in_(users)))
        raise Conflict(
            _(
                "Segment %(name)s is tested by %(users)s: change those first.",
                name=segment.name,
                users=", ".join(sorted(names)),
            )
        )
    audit.record(
        session,
        actor=actor,
        action="deleted",
        object_type="segment",
        object_id=segment.id,
        summary=f"{segment.kind} segment {segment.name!r} ({segment.member_count} members)",
    )
    session.delete(segment)
    session.flush()


def rebuild(session: Session, *, segment_id: int, now: datetime | None = None) -> RebuildResult:
    """Recompute one dynamic segment from scratch (see membership.rebuild)."""
    return membership.rebuild(session, segment_id=segment_id, now=now)


def rebuild_segment(
    session: Session, *, actor: User, segment_id: int, now: datetime | None = None
) -> list[RebuildResult]:
    """Rebuild a segment and those testing its membership, in order (managers)."""
    ensure_role(actor, Role.manager, action=_("rebuild segments"))
    segment = get_segment(session, segment_id=segment_id)
    if segment.kind != SegmentKind.dynamic:
        raise Conflict(_("A static list is not rebuilt: add or remove its members."))
    moment = now or utcnow()
    results = [
        membership.rebuild(session, segment_id=item.id, now=moment)
        for item in with_dependents(session, [segment.id])
    ]
    _audit_rebuild(session, actor, results)
    return results


def rebuild_all(
    session: Session,
    *,
    actor: User | None,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[RebuildResult]:
    """Rebuild every dynamic segment, those testing others after them.

    ``progress(done, total)`` is called after each segment (the CLI's progress bar).
    """
    if actor is not None:
        ensure_role(actor, Role.manager, action=_("rebuild segments"))
    moment = now or utcnow()
    plan = dynamic_plan(session)
    results: list[RebuildResult] = []
    for item in plan:
        results.append(membership.rebuild(session, segment_id=item.id, now=moment))
        if progress is not None:
            progress(len(results), len(plan))
    _audit_rebuild(session, actor, results)
    return results


def _audit_rebuild(session: Session, actor: User | None, results: list[RebuildResult]) -> None:
    for result in results:
        audit.record(
            session,
            actor=actor,
            action="rebuilt",
            object_type="segment",
            object_id=result.segment_id,
            summary=(
                f"segment {result.name!r}: {result.entered} entered, {result.left} left, "
                f"{result.members} members"
            ),
            details={"entered": result.entered, "left": result.left, "members": result.members},
        )
