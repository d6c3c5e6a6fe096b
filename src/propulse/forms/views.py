"""Pages of sign-up forms (members edit, signed-in people read): list, builder, submissions."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from propulse.forms import service
from propulse.forms.askable import askable_fields
from propulse.forms.embed import embed_code
from propulse.forms.models import SignupForm
from propulse.forms.page import inputs
from propulse.forms.schemas import FormIn
from propulse.kit.errors import InvalidInput
from propulse.kit.forms import errors_by_field, validate
from propulse.kit.i18n import LANGUAGE_NAMES
from propulse.kit.i18n import gettext as _
from propulse.web import current_user, flash, get_db, html_router, redirect, render
from propulse.workspace.models import User

router = html_router()

SUBMISSIONS_PAGE_SIZE = 50
TEXT_FIELDS = (
    "name",
    "slug",
    "language",
    "title",
    "introduction",
    "consent_wording",
    "wording_version",
    "thank_you_message",
    "download_url",
    "version",
)


@router.get("/forms")
def forms_page(request: Request, session: Session = Depends(get_db)) -> Response:
    context = {"forms": service.list_forms(session), "counts": service.submission_counts(session)}
    return render(request, "forms/list.html", context)


def _blank_values() -> dict[str, Any]:
    return {
        "name": "",
        "slug": "",
        "language": "en",
        "title": "",
        "introduction": "",
        "consent_wording": _(
            "I agree to receive marketing e-mails. I can unsubscribe at any time with the link "
            "in each e-mail."
        ),
        "wording_version": "1",
        "double_opt_in": True,
        "thank_you_message": "",
        "download_url": "",
        "active": True,
        "version": "",
        "fields": {"first_name": {"ask": True, "label": "", "required": False}},
    }


def _stored_values(form: SignupForm) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(form, name) or "" for name in TEXT_FIELDS}
    values["double_opt_in"] = form.double_opt_in
    values["active"] = form.active
    values["fields"] = {
        str(spec.get("key")): {
            "ask": True,
            "label": spec.get("label") or "",
            "required": bool(spec.get("required")),
        }
        for spec in form.fields
    }
    return values


def _posted_values(form: FormData, session: Session) -> dict[str, Any]:
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in TEXT_FIELDS}
    values["double_opt_in"] = form.get("double_opt_in") == "on"
    values["active"] = form.get("active") == "on"
    values["fields"] = {
        item.key: {
            "ask": form.get(f"ask_{item.key}") == "on",
            "label": str(form.get(f"label_{item.key}", "")),
            "required": form.get(f"required_{item.key}") == "on",
        }
        for item in askable_fields(session)
        if form.get(f"ask_{item.key}") == "on"
    }
    return values


def _form_in(values: dict[str, Any]) -> FormIn:
    data = {name: values[name] for name in TEXT_FIELDS if name != "version"}
    data["version"] = values["version"] or None
    data["double_opt_in"] = values["double_opt_in"]
    data["active"] = values["active"]
    data["fields"] = [
        {"key": key, "label": spec["label"], "required": spec["required"]}
        for key, spec in values["fields"].items()
    ]
    return validate(FormIn, data)


def _builder(
    request: Request,
    session: Session,
    *,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    form: SignupForm | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "values": values,
        "errors": errors or {},
        "form": form,
        "askable": askable_fields(session),
        "languages": list(LANGUAGE_NAMES.items()),
    }
    return render(request, "forms/form.html", context, status_code=status_code)


def _errors(error: InvalidInput) -> dict[str, str]:
    found = errors_by_field(error.problems)
    for name in list(found):
        if name.startswith("fields"):
            found.setdefault("fields", found[name])
    return found or {"form": error.message}


@router.get("/forms/new")
def new_form_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    service.ensure_editor(user)
    return _builder(request, session, values=_blank_values())


@router.post("/forms/new")
async def create_form(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    service.ensure_editor(user)
    values = _posted_values(await request.form(), session)
    try:
        created = service.create_form(session, actor=user, data=_form_in(values))
    except InvalidInput as error:
        session.rollback()
        return _builder(request, session, values=values, errors=_errors(error), status_code=422)
    session.commit()
    flash(request, _("Form %(name)s is saved.", name=created.name))
    return redirect(f"/forms/{created.id}")


@router.get("/forms/{form_id:int}")
def form_page(
    request: Request,
    form_id: int,
    cursor: str | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    """Show a form: its public address, its embed code and its submissions (newest first)."""
    form = service.get_form(session, form_id=form_id)
    found, next_cursor = service.submissions(
        session, form_id=form.id, cursor=cursor, limit=SUBMISSIONS_PAGE_SIZE
    )
    url = service.hosted_url(form)
    context = {
        "form": form,
        "hosted_url": url,
        "embed": embed_code(form, action=url, inputs=inputs(session, form)),
        "submissions": found,
        "next_cursor": next_cursor,
        "counts": service.submission_counts(session).get(form.id, service.FormCounts()),
        "language_name": LANGUAGE_NAMES.get(form.language, form.language),
    }
    return render(request, "forms/detail.html", context)


@router.get("/forms/{form_id:int}/edit")
def edit_form_page(
    request: Request,
    form_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    service.ensure_editor(user)
    form = service.get_form(session, form_id=form_id)
    return _builder(request, session, values=_stored_values(form), form=form)


@router.post("/forms/{form_id:int}/edit")
async def update_form(
    request: Request,
    form_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    service.ensure_editor(user)
    values = _posted_values(await request.form(), session)
    try:
        updated = service.update_form(session, actor=user, form_id=form_id, data=_form_in(values))
    except InvalidInput as error:
        session.rollback()
        form = service.get_form(session, form_id=form_id)
        return _builder(
            request, session, values=values, errors=_errors(error), form=form, status_code=422
        )
    session.commit()
    flash(request, _("Form %(name)s is saved.", name=updated.name))
    return redirect(f"/forms/{updated.id}")


@router.post("/forms/{form_id:int}/delete")
def delete_form(
    request: Request,
    form_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    form = service.get_form(session, form_id=form_id)
    name = form.name
    service.delete_form(session, actor=user, form_id=form_id)
    session.commit()
    flash(request, _("Form %(name)s is deleted.", name=name))
    return redirect("/forms")
