"""API of sign-up forms: definitions and their submissions."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from propulse.forms import service
from propulse.forms.models import FormSubmission, SignupForm
from propulse.forms.schemas import FormIn, FormOut, SubmissionOut
from propulse.kit.pagination import Page
from propulse.web import get_db
from propulse.workspace.models import User

router = APIRouter(tags=["forms"])


def _user(request: Request) -> User:
    user: User = request.state.user
    return user


def form_out(form: SignupForm) -> FormOut:
    out = FormOut.model_validate(form)
    out.hosted_url = service.hosted_url(form)
    return out


def submission_out(submission: FormSubmission) -> SubmissionOut:
    out = SubmissionOut.model_validate(submission)
    out.status = service.submission_status(submission)
    return out


@router.get("/forms", response_model=Page[FormOut])
def list_forms(
    cursor: str | None = None, limit: int | None = None, session: Session = Depends(get_db)
) -> Page[FormOut]:
    """List sign-up forms by id."""
    found, next_cursor = service.list_forms_page(session, cursor=cursor, limit=limit)
    return Page(items=[form_out(form) for form in found], next_cursor=next_cursor)


@router.post("/forms", response_model=FormOut, status_code=201)
def create_form(request: Request, data: FormIn, session: Session = Depends(get_db)) -> FormOut:
    """Create a form; ``fields`` name contact fields or custom field keys (see docs/forms.md)."""
    created = service.create_form(session, actor=_user(request), data=data)
    session.commit()
    return form_out(created)


@router.get("/forms/{form_id}", response_model=FormOut)
def read_form(form_id: int, session: Session = Depends(get_db)) -> FormOut:
    return form_out(service.get_form(session, form_id=form_id))


@router.put("/forms/{form_id}", response_model=FormOut)
def replace_form(
    request: Request, form_id: int, data: FormIn, session: Session = Depends(get_db)
) -> FormOut:
    """Replace a form's settings; send the ``version`` you read to refuse a stale edit."""
    updated = service.update_form(session, actor=_user(request), form_id=form_id, data=data)
    session.commit()
    return form_out(updated)


@router.delete("/forms/{form_id}", status_code=204)
def delete_form(request: Request, form_id: int, session: Session = Depends(get_db)) -> Response:
    """Delete a form and its submissions (the contacts it created stay)."""
    service.delete_form(session, actor=_user(request), form_id=form_id)
    session.commit()
    return Response(status_code=204)


@router.get("/forms/{form_id}/submissions", response_model=Page[SubmissionOut])
def list_submissions(
    form_id: int,
    cursor: str | None = None,
    limit: int | None = None,
    session: Session = Depends(get_db),
) -> Page[SubmissionOut]:
    """List a form's submissions, newest first, one page at a time."""
    found, next_cursor = service.submissions(session, form_id=form_id, cursor=cursor, limit=limit)
    return Page(items=[submission_out(item) for item in found], next_cursor=next_cursor)
