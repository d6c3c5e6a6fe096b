"""API of e-mail templates: list, create, read, replace, delete, and preview for a contact."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from propulse.contacts import service as contacts
from propulse.email_templates import service
from propulse.email_templates.models import EmailTemplate
from propulse.email_templates.schemas import PreviewIn, RenderedOut, TemplateIn, TemplateOut
from propulse.kit.errors import InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import Page
from propulse.web import get_db
from propulse.workspace.models import User

router = APIRouter(tags=["email templates"])


def _user(request: Request) -> User:
    user: User = request.state.user
    return user


def _out(template: EmailTemplate) -> TemplateOut:
    return TemplateOut.model_validate(template)


@router.get("/email-templates", response_model=Page[TemplateOut])
def list_templates(
    cursor: str | None = None, limit: int | None = None, session: Session = Depends(get_db)
) -> Page[TemplateOut]:
    """List templates with their language variants, by id, one page at a time."""
    found, next_cursor = service.list_templates_page(session, cursor=cursor, limit=limit)
    return Page(items=[_out(template) for template in found], next_cursor=next_cursor)


@router.post("/email-templates", response_model=TemplateOut, status_code=201)
def create_template(
    request: Request, data: TemplateIn, session: Session = Depends(get_db)
) -> TemplateOut:
    """Create a template; each variant must render for a sample contact (422 says where)."""
    created = service.create_template(session, actor=_user(request), data=data)
    session.commit()
    return _out(created)


@router.get("/email-templates/{template_id}", response_model=TemplateOut)
def read_template(template_id: int, session: Session = Depends(get_db)) -> TemplateOut:
    return _out(service.get_template(session, template_id=template_id))


@router.put("/email-templates/{template_id}", response_model=TemplateOut)
def replace_template(
    request: Request, template_id: int, data: TemplateIn, session: Session = Depends(get_db)
) -> TemplateOut:
    """Replace a template and its variants; send the ``version`` you read to refuse a stale edit."""
    updated = service.update_template(
        session, actor=_user(request), template_id=template_id, data=data
    )
    session.commit()
    return _out(updated)


@router.delete("/email-templates/{template_id}", status_code=204)
def delete_template(
    request: Request, template_id: int, session: Session = Depends(get_db)
) -> Response:
    """Delete a template; 409 when a sequence step sends it."""
    service.delete_template(session, actor=_user(request), template_id=template_id)
    session.commit()
    return Response(status_code=204)


@router.post("/email-templates/{template_id}/preview", response_model=RenderedOut)
def preview(template_id: int, data: PreviewIn, session: Session = Depends(get_db)) -> RenderedOut:
    """Render a saved template for a contact (by e-mail) or for a sample contact."""
    contact = None
    if data.contact_email:
        try:
            contact = contacts.get_by_email(session, email=data.contact_email)
        except NotFound as error:
            raise InvalidInput.on_field("contact_email", error.message) from None
    if data.language is not None and not data.language.strip():
        raise InvalidInput.on_field("language", _("Give a language code such as en or fr."))
    rendered = service.preview_template(
        session, template_id=template_id, contact=contact, language=data.language
    )
    return RenderedOut(
        language=rendered.language,
        subject=rendered.subject,
        preheader=rendered.preheader,
        html_body=rendered.html_body,
        text_body=rendered.text_body,
    )
