"""Pages of e-mail templates: the list, the editor with its live preview, test send, delete."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.contacts import service as contacts
from propulse.email_templates import service
from propulse.email_templates.form_data import (
    data_from_values,
    empty_values,
    filled_languages,
    form_errors,
    values_from_form,
    values_from_template,
    variant_from_values,
)
from propulse.email_templates.models import BodyFormat, EmailTemplate
from propulse.kit.errors import Conflict, InvalidInput
from propulse.kit.i18n import SUPPORTED_LANGUAGES
from propulse.kit.i18n import gettext as _
from propulse.web import current_user, flash, get_db, html_router, redirect, render
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import has_role

router = html_router()


@router.get("/email-templates")
def templates_page(request: Request, session: Session = Depends(get_db)) -> Response:
    return render(
        request, "email_templates/list.html", {"templates": service.list_templates(session)}
    )


def _form_context(
    *,
    user: User,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    template: EmailTemplate | None = None,
) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors or {},
        "template": template,
        "languages": SUPPORTED_LANGUAGES,
        "formats": [
            (BodyFormat.markdown.value, _("Markdown")),
            (BodyFormat.html.value, "HTML"),
        ],
        "can_edit": has_role(user, Role.member),
        "preview_language": values.get("preview_language") or values["default_language"],
    }


@router.get("/email-templates/new")
def new_template_page(request: Request, user: User = Depends(current_user)) -> Response:
    service.ensure_editor(user)
    context = _form_context(user=user, values=empty_values())
    return render(request, "email_templates/form.html", context)


@router.post("/email-templates/new")
async def create_template(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    values = values_from_form(await request.form())
    try:
        created = service.create_template(session, actor=user, data=data_from_values(values))
    except InvalidInput as error:
        session.rollback()
        context = _form_context(user=user, values=values, errors=form_errors(error))
        return render(request, "email_templates/form.html", context, status_code=422)
    session.commit()
    flash(request, _("Template %(name)s is saved.", name=created.name))
    return redirect(f"/email-templates/{created.id}")


@router.get("/email-templates/{template_id:int}")
def template_page(
    request: Request,
    template_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    template = service.get_template(session, template_id=template_id)
    context = _form_context(user=user, values=values_from_template(template), template=template)
    context["used_by"] = service.sequences_using(session, template_id=template.id)
    return render(request, "email_templates/form.html", context)


@router.post("/email-templates/{template_id:int}")
async def update_template(
    request: Request,
    template_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    values = values_from_form(await request.form())
    try:
        updated = service.update_template(
            session, actor=user, template_id=template_id, data=data_from_values(values)
        )
    except InvalidInput as error:
        session.rollback()
        template = service.get_template(session, template_id=template_id)
        context = _form_context(
            user=user, values=values, errors=form_errors(error), template=template
        )
        context["used_by"] = service.sequences_using(session, template_id=template.id)
        return render(request, "email_templates/form.html", context, status_code=422)
    session.commit()
    flash(request, _("Template %(name)s is saved.", name=updated.name))
    return redirect(f"/email-templates/{updated.id}")


@router.post("/email-templates/preview")
async def preview_fragment(request: Request, session: Session = Depends(get_db)) -> Response:
    """Render the form's unsaved text in the chosen language, for a contact or a sample one."""
    form = await request.form()
    values = values_from_form(form)
    language = values["preview_language"]
    if language not in SUPPORTED_LANGUAGES:
        language = values["default_language"]
    filled = filled_languages(values)
    if language not in filled and filled:
        language = values["default_language"] if values["default_language"] in filled else filled[0]
    context: dict[str, Any] = {"rendered": None, "problem": None, "notice": None}
    contact_id = None
    if values["preview_contact"]:
        found = contacts.find_by_email(session, email=values["preview_contact"])
        if found is None:
            context["notice"] = _(
                "No contact has the e-mail %(email)s: the preview uses a sample contact.",
                email=values["preview_contact"],
            )
        else:
            contact_id = found.id
    if not filled:
        context["problem"] = _("Write a subject and a body to see the preview.")
        return render(request, "email_templates/_preview.html", context)
    try:
        variant = variant_from_values(values, language)
        context["rendered"] = service.preview(
            session, template_id=None, variant_data=variant, contact_id=contact_id
        )
    except InvalidInput as error:
        context["problem"] = (
            "; ".join(problem.message for problem in error.problems) or error.message
        )
    return render(request, "email_templates/_preview.html", context)


@router.post("/email-templates/{template_id:int}/test")
async def send_test(
    request: Request,
    template_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    form = await request.form()
    language = str(form.get("language") or "") or None
    try:
        service.send_test(session, actor=user, template_id=template_id, language=language)
    except InvalidInput as error:
        session.rollback()
        flash(request, error.message, "error")
        return redirect(f"/email-templates/{template_id}")
    session.commit()
    flash(request, _("A test is on its way to %(email)s.", email=user.email))
    return redirect(f"/email-templates/{template_id}")


@router.post("/email-templates/{template_id:int}/delete")
def delete_template(
    request: Request,
    template_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    template = service.get_template(session, template_id=template_id)
    name = template.name
    try:
        service.delete_template(session, actor=user, template_id=template_id)
    except Conflict as error:
        session.rollback()
        flash(request, error.message, "error")
        return redirect(f"/email-templates/{template_id}")
    session.commit()
    flash(request, _("Template %(name)s is deleted.", name=name))
    return redirect("/email-templates")
