"""API of segments: definitions, members, rebuilds and the count of a definition."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Request, Response
from sqlalchemy.orm import Session

from propulse.contacts.models import Contact
from propulse.kit.errors import InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import Page
from propulse.segments import service
from propulse.segments.lists import ids_for_emails
from propulse.segments.schemas import (
    CountIn,
    CountOut,
    MemberOut,
    MembersChanged,
    MembersIn,
    RebuildOut,
    SegmentIn,
    SegmentOut,
    SegmentPatch,
)
from propulse.web import get_db
from propulse.workspace.models import User

router = APIRouter(tags=["segments"])


def _user(request: Request) -> User:
    user: User = request.state.user
    return user


def _out(segment: object) -> SegmentOut:
    return SegmentOut.model_validate(segment)


@router.get("/segments", response_model=Page[SegmentOut])
def list_segments(
    cursor: str | None = None, limit: int | None = None, session: Session = Depends(get_db)
) -> Page[SegmentOut]:
    """List segments and static lists by id."""
    found, next_cursor = service.list_segments_page(session, cursor=cursor, limit=limit)
    return Page(items=[_out(segment) for segment in found], next_cursor=next_cursor)


@router.post("/segments", response_model=SegmentOut, status_code=201)
def create_segment(
    request: Request, data: SegmentIn, session: Session = Depends(get_db)
) -> SegmentOut:
    """Create a dynamic segment (``definition``, see docs/segments.md) or a static list."""
    created = service.create_segment(session, actor=_user(request), data=data)
    session.commit()
    return _out(created)


@router.post("/segments/count", response_model=CountOut)
def count(data: CountIn, session: Session = Depends(get_db)) -> CountOut:
    """Count the contacts a definition selects now, without saving anything."""
    return CountOut(count=service.count_matching(session, condition=data.definition))


@router.get("/segments/{segment_id}", response_model=SegmentOut)
def read_segment(segment_id: int, session: Session = Depends(get_db)) -> SegmentOut:
    return _out(service.get_segment(session, segment_id=segment_id))


@router.patch("/segments/{segment_id}", response_model=SegmentOut)
def update_segment(
    request: Request, segment_id: int, data: SegmentPatch, session: Session = Depends(get_db)
) -> SegmentOut:
    """Rename or redefine a segment; send the ``version`` you read to refuse a stale edit."""
    updated = service.update_segment(
        session, actor=_user(request), segment_id=segment_id, data=data
    )
    session.commit()
    return _out(updated)


@router.delete("/segments/{segment_id}", status_code=204)
def delete_segment(
    request: Request, segment_id: int, session: Session = Depends(get_db)
) -> Response:
    service.delete_segment(session, actor=_user(request), segment_id=segment_id)
    session.commit()
    return Response(status_code=204)


def _member(contact: Contact, added: dict[int, object]) -> MemberOut:
    return MemberOut.model_validate(
        {
            "id": contact.id,
            "email": contact.email,
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "company": contact.company.name if contact.company else None,
            "score": contact.score,
            "grade": contact.grade,
            "added_at": added.get(contact.id),
        }
    )


@router.get("/segments/{segment_id}/members", response_model=Page[MemberOut])
def list_members(
    segment_id: int,
    cursor: str | None = None,
    limit: int | None = None,
    session: Session = Depends(get_db),
) -> Page[MemberOut]:
    """List a segment's members, newest contacts first, one page at a time."""
    found, next_cursor = service.members(session, segment_id=segment_id, cursor=cursor, limit=limit)
    added: dict[int, object] = dict(
        service.added_at(session, segment_id=segment_id, contact_ids=[c.id for c in found])
    )
    return Page(items=[_member(contact, added) for contact in found], next_cursor=next_cursor)


def _targets(session: Session, data: MembersIn) -> tuple[list[int], MembersChanged]:
    if bool(data.emails) == bool(data.contact_ids):
        raise InvalidInput(_('Send either "emails" or "contact_ids", not both and not neither.'))
    if data.emails:
        contact_ids, unknown = ids_for_emails(session, data.emails)
        return contact_ids, MembersChanged(changed=0, unknown_emails=unknown)
    known = set(service.existing_contacts(session, contact_ids=data.contact_ids))
    missing = sorted(set(data.contact_ids) - known)
    return sorted(known), MembersChanged(changed=0, unknown_contact_ids=missing)


@router.post("/segments/{segment_id}/members", response_model=MembersChanged)
def add_members(
    request: Request, segment_id: int, data: MembersIn, session: Session = Depends(get_db)
) -> MembersChanged:
    """Add contacts to a static list by e-mail or id; unknown ones are reported, not added."""
    contact_ids, outcome = _targets(session, data)
    outcome.changed = service.add_members(
        session, actor=_user(request), segment_id=segment_id, contact_ids=contact_ids
    )
    session.commit()
    return outcome


@router.delete("/segments/{segment_id}/members", response_model=MembersChanged)
def remove_members(
    request: Request,
    segment_id: int,
    data: MembersIn = Body(...),
    session: Session = Depends(get_db),
) -> MembersChanged:
    """Remove contacts from a static list by e-mail or id."""
    contact_ids, outcome = _targets(session, data)
    outcome.changed = service.remove_members(
        session, actor=_user(request), segment_id=segment_id, contact_ids=contact_ids
    )
    session.commit()
    return outcome


@router.post("/segments/{segment_id}/rebuild", response_model=RebuildOut)
def rebuild(request: Request, segment_id: int, session: Session = Depends(get_db)) -> RebuildOut:
    """Rebuild a dynamic segment now (and those testing its membership); managers."""
    results = service.rebuild_segment(session, actor=_user(request), segment_id=segment_id)
    session.commit()
    first = results[0]
    return RebuildOut(
        segment_id=first.segment_id,
        name=first.name,
        entered=first.entered,
        left=first.left,
        members=first.members,
        seconds=first.seconds,
    )
