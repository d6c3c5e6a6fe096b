"""Pages of contacts: the list with its filters, a new contact, a contact's page and its edit.

The contact page's other forms (consent, do-not-contact, segments, privacy) are in
action_views.py, custom fields in field_views.py, companies in company_views.py; their routes
join this router.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.contacts import action_views, company_views, field_views, labels
from propulse.contacts import service as contacts
from propulse.contacts.contact_page import (
    ID_MAX,
    TEXT_FIELDS,
    RowId,
    contact_page_context,
    form_options,
    form_values,
)
from propulse.contacts.listing import GRADES, SORTS, ContactFilters, list_contacts
from propulse.contacts.schemas import ContactIn, ContactPatch
from propulse.kit.errors import Conflict, InvalidInput
from propulse.kit.forms import errors_by_field, validate
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext
from propulse.segments import service as segments
from propulse.web import current_user, flash, get_db, html_router, redirect, render, require_role
from propulse.workspace.models import Role, User

router = html_router()
members = require_role(Role.member, lazy_gettext("edit contacts"))
PAGE_SIZE = 50
FILTER_NAMES = (
    "search",
    "country",
    "lifecycle_stage",
    "grade",
    "owner_id",
    "segment_id",
    "min_score",
)
SORT_LABELS = {
    "score": lazy_gettext("Score, highest first"),
    "recent": lazy_gettext("Recent activity"),
    "created": lazy_gettext("Newest contacts"),
}


# The list


def _whole_number(raw: str, name: str, errors: dict[str, str]) -> int | None:
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = ID_MAX + 1
    if abs(value) > ID_MAX:
        errors[name] = _("Enter a whole number.")
        return None
    return value


def read_filters(params: dict[str, str]) -> tuple[ContactFilters, dict[str, str]]:
    """Turn the list's query string into filters; a bad value is reported and left out."""
    errors: dict[str, str] = {}
    country = params.get("country", "").upper()
    if country and (len(country) != 2 or not country.isalpha()):
        errors["country"] = _("Enter a two-letter country code (e.g. FR, DE).")
        country = ""
    stage = params.get("lifecycle_stage", "")
    if stage and stage not in labels.LIFECYCLE_LABELS:
        errors["lifecycle_stage"] = _("Choose a lifecycle stage from the list.")
        stage = ""
    grade = params.get("grade", "").upper()
    if grade and grade not in GRADES:
        errors["grade"] = _("Choose a grade from A1 to C3.")
        grade = ""
    filters = ContactFilters(
        search=params.get("search") or None,
        country=country or None,
        lifecycle_stage=stage or None,
        grade=grade or None,
        owner_id=_whole_number(params.get("owner_id", ""), "owner_id", errors),
        segment_id=_whole_number(params.get("segment_id", ""), "segment_id", errors),
        min_score=_whole_number(params.get("min_score", ""), "min_score", errors),
    )
    return filters, errors


@router.get("/contacts")
def contacts_page(
    request: Request,
    sort: str = "score",
    cursor: str | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    """List contacts, 50 at a time, filtered and sorted as the query string says."""
    params = {name: request.query_params.get(name, "").strip() for name in FILTER_NAMES}
    filters, errors = read_filters(params)
    if sort not in SORTS:
        errors["sort"] = _("Choose a sort order from the list.")
        sort = "score"
    found, next_cursor = list_contacts(
        session, filters=filters, sort=sort, cursor=cursor or None, limit=PAGE_SIZE
    )
    all_segments = segments.list_segments(session)
    chosen_segment = next((s for s in all_segments if s.id == filters.segment_id), None)
    kept = {name: value for name, value in params.items() if value and name not in errors}
    if sort != "score":
        kept["sort"] = sort
    context: dict[str, Any] = {
        "contacts": found,
        "next_cursor": next_cursor,
        "pager_base": "?" + (urlencode(kept) + "&" if kept else ""),
        "params": params,
        "sort": sort,
        "sorts": [(name, _(SORT_LABELS[name])) for name in SORTS],
        "errors": errors,
        "filtered": bool(kept) or bool(cursor),
        "grades": GRADES,
        "segments": all_segments,
        "chosen_segment": chosen_segment,
        "labels": labels,
        **form_options(session),
    }
    return render(request, "contacts/list.html", context)


# A new contact


def _new_context(
    session: Session, values: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    return {"values": values, "errors": errors, **form_options(session)}


@router.get("/contacts/new")
def new_contact_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(members)
) -> Response:
    values: dict[str, Any] = {"lifecycle_stage": "subscriber", "custom": {}}
    return render(request, "contacts/new.html", _new_context(session, values, {}))


@router.post("/contacts/new")
async def create_contact(
    request: Request, session: Session = Depends(get_db), user: User = Depends(members)
) -> Response:
    values = form_values(await request.form(), ("email", *TEXT_FIELDS, "owner_email"))
    data = {**values, "custom": {k: v for k, v in values["custom"].items() if v}}
    try:
        created = contacts.create_contact(session, actor=user, data=validate(ContactIn, data))
    except InvalidInput as error:
        session.rollback()
        problems = errors_by_field(error.problems) or {"email": error.message}
        return render(
            request, "contacts/new.html", _new_context(session, values, problems), status_code=422
        )
    except Conflict as error:
        session.rollback()
        existing = contacts.find_by_email(session, email=values["email"])
        context = _new_context(session, values, {"email": error.message})
        context["existing"] = existing
        return render(request, "contacts/new.html", context, status_code=409)
    session.commit()
    flash(request, _("The contact %(name)s is created.", name=created.name))
    return redirect(f"/contacts/{created.id}")


# A contact


@router.get("/contacts/{contact_id:int}")
def contact_page(
    request: Request,
    contact_id: RowId,
    events: str | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    context = contact_page_context(session, user, contact_id, events_cursor=events or None)
    return render(request, "contacts/detail.html", context)


def _patch_data(values: dict[str, Any]) -> dict[str, Any]:
    """Turn the edit form into a ContactPatch: every field is sent, blank clears it."""
    data = {name: values[name] for name in TEXT_FIELDS}
    owner = values["owner_id"]
    if owner and (not owner.isdigit() or int(owner) > ID_MAX):
        raise InvalidInput.on_field("owner_id", _("Choose an owner from the list."))
    data["owner_id"] = owner or None
    data["version"] = values["version"] or None
    data["custom"] = values["custom"]
    return data


@router.post("/contacts/{contact_id:int}")
async def update_contact(
    request: Request,
    contact_id: RowId,
    session: Session = Depends(get_db),
    user: User = Depends(members),
) -> Response:
    values = form_values(await request.form(), (*TEXT_FIELDS, "owner_id", "version"))
    try:
        data = validate(ContactPatch, _patch_data(values))
        contacts.update_contact(session, actor=user, contact_id=contact_id, data=data)
    except InvalidInput as error:
        session.rollback()
        errors = errors_by_field(error.problems) or {"form": error.message}
        context = contact_page_context(
            session,
            user,
            contact_id,
            errors=errors,
            values=values,
            failed_form="edit",
        )
        return render(request, "contacts/detail.html", context, status_code=422)
    except Conflict as error:
        # Keep what was typed; saving again now replaces the other person's changes.
        session.rollback()
        current = contacts.get_contact(session, contact_id=contact_id)
        values["version"] = str(current.version)
        context = contact_page_context(
            session,
            user,
            contact_id,
            values=values,
            failed_form="edit",
            conflict=error.message,
        )
        return render(request, "contacts/detail.html", context, status_code=409)
    session.commit()
    flash(request, _("The contact is saved."))
    return redirect(f"/contacts/{contact_id}")


router.include_router(action_views.router)
router.include_router(field_views.router)
router.include_router(company_views.router)
