"""API of the custom field definitions of contacts (included by the contacts API)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from propulse.contacts import fields
from propulse.contacts.schemas import CustomFieldIn, CustomFieldOut, CustomFieldPatch
from propulse.kit.pagination import Page
from propulse.web import get_db
from propulse.workspace.models import User

router = APIRouter(tags=["contacts"])


def _user(request: Request) -> User:
    user: User = request.state.user
    return user


@router.get("/contact-fields", response_model=Page[CustomFieldOut])
def list_fields(session: Session = Depends(get_db)) -> Page[CustomFieldOut]:
    """List the custom fields of contacts in their display order (all of them, one page)."""
    found = fields.list_fields(session)
    return Page(items=[CustomFieldOut.model_validate(f) for f in found], next_cursor=None)


@router.post("/contact-fields", response_model=CustomFieldOut, status_code=201)
def create_field(
    request: Request, data: CustomFieldIn, session: Session = Depends(get_db)
) -> CustomFieldOut:
    """Add a custom field (admins): text, number, date or choice (with its choices)."""
    created = fields.create_field(session, actor=_user(request), data=data)
    session.commit()
    return CustomFieldOut.model_validate(created)


@router.patch("/contact-fields/{field_id}", response_model=CustomFieldOut)
def update_field(
    request: Request, field_id: int, data: CustomFieldPatch, session: Session = Depends(get_db)
) -> CustomFieldOut:
    """Change a field's label, choices or position (admins)."""
    updated = fields.update_field(session, actor=_user(request), field_id=field_id, data=data)
    session.commit()
    return CustomFieldOut.model_validate(updated)


@router.delete("/contact-fields/{field_id}", status_code=204, response_class=Response)
def delete_field(request: Request, field_id: int, session: Session = Depends(get_db)) -> None:
    """Delete a field and its values (admins); refused while a segment or rule uses it."""
    fields.delete_field(session, actor=_user(request), field_id=field_id)
    session.commit()
