"""Custom fields of contacts (admins): the list, adding one, changing it, deleting it."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from propulse.contacts import fields
from propulse.contacts.contact_page import RowId
from propulse.contacts.models import FieldKind
from propulse.contacts.schemas import CustomFieldIn, CustomFieldPatch
from propulse.kit.errors import Conflict, InvalidInput
from propulse.kit.forms import errors_by_field, validate
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext
from propulse.web import flash, get_db, html_router, redirect, render, require_role
from propulse.workspace.models import Role, User

router = html_router()
admins = require_role(Role.admin, lazy_gettext("define custom fields"))
KIND_LABELS = {
    FieldKind.text: lazy_gettext("Text"),
    FieldKind.number: lazy_gettext("Number"),
    FieldKind.date: lazy_gettext("Date"),
    FieldKind.choice: lazy_gettext("Choice in a list"),
}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[FieldKind(kind)]) if kind in FieldKind.__members__ else kind


def _values(form: FormData) -> dict[str, Any]:
    names = ("key", "label", "kind", "choices", "position")
    return {name: str(form.get(name, "")).strip() for name in names}


def _data(values: dict[str, Any], *, editing: bool) -> dict[str, Any]:
    """Turn the form into a definition: one choice per line, a blank position means 0."""
    data: dict[str, Any] = {
        "label": values["label"],
        "choices": [line.strip() for line in values["choices"].splitlines() if line.strip()],
        "position": values["position"] or 0,
    }
    if not editing:
        data.update(key=values["key"], kind=values["kind"] or FieldKind.text.value)
    return data


def _list_context(
    session: Session,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
) -> dict[str, Any]:
    return {
        "definitions": fields.list_fields(session),
        "values": values or {"kind": FieldKind.text.value},
        "errors": errors or {},
        "problem": problem,
        "kinds": [(kind.value, kind_label(kind.value)) for kind in FieldKind],
        "kind_label": kind_label,
    }


@router.get("/contacts/fields")
def fields_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(admins)
) -> Response:
    return render(request, "contacts/fields.html", _list_context(session))


@router.post("/contacts/fields")
async def create_field(
    request: Request, session: Session = Depends(get_db), user: User = Depends(admins)
) -> Response:
    values = _values(await request.form())
    try:
        data = validate(CustomFieldIn, _data(values, editing=False))
        created = fields.create_field(session, actor=user, data=data)
    except InvalidInput as error:
        session.rollback()
        errors = errors_by_field(error.problems) or {"key": error.message}
        context = _list_context(session, values, errors)
        return render(request, "contacts/fields.html", context, status_code=422)
    except Conflict as error:
        session.rollback()
        context = _list_context(session, values, {"key": error.message})
        return render(request, "contacts/fields.html", context, status_code=409)
    session.commit()
    flash(request, _("The custom field %(label)s is added.", label=created.label))
    return redirect("/contacts/fields")


def _edit_context(
    session: Session,
    field_id: RowId,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    definition = fields.get_field(session, field_id=field_id)
    if values is None:
        values = {
            "label": definition.label,
            "choices": "\n".join(definition.choices),
            "position": definition.position,
        }
    return {
        "definition": definition,
        "values": values,
        "errors": errors or {},
        "kind_label": kind_label,
    }


@router.get("/contacts/fields/{field_id:int}")
def field_page(
    request: Request,
    field_id: RowId,
    session: Session = Depends(get_db),
    user: User = Depends(admins),
) -> Response:
    return render(request, "contacts/field_edit.html", _edit_context(session, field_id))


@router.post("/contacts/fields/{field_id:int}")
async def update_field(
    request: Request,
    field_id: RowId,
    session: Session = Depends(get_db),
    user: User = Depends(admins),
) -> Response:
    values = _values(await request.form())
    try:
        data = validate(CustomFieldPatch, _data(values, editing=True))
        fields.update_field(session, actor=user, field_id=field_id, data=data)
    except InvalidInput as error:
        session.rollback()
        errors = errors_by_field(error.problems) or {"label": error.message}
        context = _edit_context(session, field_id, values, errors)
        return render(request, "contacts/field_edit.html", context, status_code=422)
    session.commit()
    flash(request, _("The custom field is saved."))
    return redirect("/contacts/fields")


@router.post("/contacts/fields/{field_id:int}/delete")
def delete_field(
    request: Request,
    field_id: RowId,
    session: Session = Depends(get_db),
    user: User = Depends(admins),
) -> Response:
    definition = fields.get_field(session, field_id=field_id)
    label = definition.label
    try:
        fields.delete_field(session, actor=user, field_id=field_id)
    except Conflict as error:
        session.rollback()
        context = _list_context(session, problem=error.message)
        return render(request, "contacts/fields.html", context, status_code=409)
    session.commit()
    flash(request, _("The custom field %(label)s and its values are deleted.", label=label))
    return redirect("/contacts/fields")
