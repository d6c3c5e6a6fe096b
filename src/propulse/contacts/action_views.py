"""The contact page's forms: consent, do-not-contact, static lists, timeline, privacy."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.contacts import labels, privacy
from propulse.contacts import service as contacts
from propulse.contacts.contact_page import ID_MAX, TIMELINE_PAGE, RowId, contact_page_context
from propulse.contacts.emails import normalise_email
from propulse.contacts.schemas import ConsentIn
from propulse.kit.errors import InvalidInput
from propulse.kit.forms import errors_by_field, validate
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext
from propulse.segments import service as segments
from propulse.web import current_user, flash, get_db, html_router, redirect, render, require_role
from propulse.workspace.models import Role, User

router = html_router()
members = require_role(Role.member, lazy_gettext("edit contacts"))
exporters = require_role(Role.manager, lazy_gettext("export a contact's personal data"))
erasers = require_role(Role.admin, lazy_gettext("erase contacts"))
CONSENT_FIELDS = ("channel", "basis", "source", "wording_version")


def _page_with_errors(
    request: Request,
    session: Session,
    user: User,
    contact_id: RowId,
    *,
    form: str,
    error: InvalidInput,
    values: dict[str, Any],
) -> Response:
    """Show the contact page again with the failed form's errors and input."""
    session.rollback()
    errors = errors_by_field(error.problems) or {form: error.message}
    context = contact_page_context(
        session, user, contact_id, errors=errors, values=values, failed_form=form
    )
    return render(request, "contacts/detail.html", context, status_code=422)


@router.post("/contacts/{contact_id:int}/consent")
async def record_consent(
    request: Request,
    contact_id: RowId,
    session: Session = Depends(get_db),
    user: User = Depends(members),
) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in CONSENT_FIELDS}
    try:
        data = validate(ConsentIn, {key: value for key, value in values.items() if value})
        contacts.record_consent(session, actor=user, contact_id=contact_id, data=data)
    except InvalidInput as error:
        return _page_with_errors(
            request, session, user, contact_id, form="consent", error=error, values=values
        )
    session.commit()
    flash(
        request,
        _(
            "Consent recorded: %(channel)s, %(basis)s.",
            channel=labels.channel_label(data.channel),
            basis=labels.consent_label(data.basis.value),
        ),
    )
    return redirect(f"/contacts/{contact_id}#consent")


@router.post("/contacts/{contact_id:int}/do-not-contact")
async def set_do_not_contact(
    request: Request,
    contact_id: RowId,
    session: Session = Depends(get_db),
    user: User = Depends(members),
) -> Response:
    form = await request.form()
    reason = str(form.get("reason", "")).strip()
    try:
        if not reason:
            raise InvalidInput.on_field("reason", _("Say why this contact must not be contacted."))
        contacts.set_do_not_contact(session, actor=user, contact_id=contact_id, reason=reason)
    except InvalidInput as error:
        return _page_with_errors(
            request, session, user, contact_id, form="dnc", error=error, values={"reason": reason}
        )
    session.commit()
    flash(request, _("This contact will not be contacted any more."))
    return redirect(f"/contacts/{contact_id}")


@router.post("/contacts/{contact_id:int}/do-not-contact/lift")
def lift_do_not_contact(
    request: Request,
    contact_id: RowId,
    session: Session = Depends(get_db),
    user: User = Depends(members),
) -> Response:
    contacts.set_do_not_contact(session, actor=user, contact_id=contact_id, reason=None)
    session.commit()
    flash(request, _("This contact may be contacted again."))
    return redirect(f"/contacts/{contact_id}")


# Static lists


def _segment_id(raw: Any) -> int:
    text = str(raw or "").strip()
    if not text.isdigit() or int(text) > ID_MAX:
        raise InvalidInput.on_field("segment_id", _("Choose a list."))
    return int(text)


@router.post("/contacts/{contact_id:int}/segments")
async def add_to_list(
    request: Request,
    contact_id: RowId,
    session: Session = Depends(get_db),
    user: User = Depends(members),
) -> Response:
    form = await request.form()
    try:
        segment_id = _segment_id(form.get("segment_id"))
        contacts.get_contact(session, contact_id=contact_id)
        segments.add_members(session, actor=user, segment_id=segment_id, contact_ids=[contact_id])
    except InvalidInput as error:
        values = {"segment_id": str(form.get("segment_id", ""))}
        return _page_with_errors(
            request, session, user, contact_id, form="segments", error=error, values=values
        )
    session.commit()
    flash(request, _("The contact is added to the list."))
    return redirect(f"/contacts/{contact_id}#segments")


@router.post("/contacts/{contact_id:int}/segments/{segment_id:int}/remove")
def remove_from_list(
    request: Request,
    contact_id: RowId,
    segment_id: RowId,
    session: Session = Depends(get_db),
    user: User = Depends(members),
) -> Response:
    contacts.get_contact(session, contact_id=contact_id)
    segments.remove_members(session, actor=user, segment_id=segment_id, contact_ids=[contact_id])
    session.commit()
    flash(request, _("The contact is removed from the list."))
    return redirect(f"/contacts/{contact_id}#segments")


# The timeline, a page at a time


@router.get("/contacts/{contact_id:int}/timeline")
def timeline_rows(
    request: Request,
    contact_id: RowId,
    cursor: str | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    """Return the next events as table rows, for the "more" button (HTMX)."""
    contact = contacts.get_contact(session, contact_id=contact_id)
    events, next_events = contacts.timeline(
        session, contact_id=contact.id, cursor=cursor or None, limit=TIMELINE_PAGE
    )
    context = {"contact": contact, "events": events, "next_events": next_events, "labels": labels}
    return render(request, "contacts/_timeline_rows.html", context)


# Privacy


@router.post("/contacts/{contact_id:int}/export")
def export_contact(
    request: Request,
    contact_id: RowId,
    session: Session = Depends(get_db),
    user: User = Depends(exporters),
) -> Response:
    """Send everything held about the contact as a JSON file (the export is audited)."""
    data = privacy.export_contact(session, actor=user, contact_id=contact_id)
    session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="contact-{contact_id}.json"'},
    )


@router.post("/contacts/{contact_id:int}/erase")
async def erase_contact(
    request: Request,
    contact_id: RowId,
    session: Session = Depends(get_db),
    user: User = Depends(erasers),
) -> Response:
    """Erase a contact once the admin has typed its e-mail address to confirm."""
    form = await request.form()
    typed = str(form.get("confirm", "")).strip()
    contact = contacts.get_contact(session, contact_id=contact_id)
    try:
        if normalise_email(typed) != contact.email:
            raise InvalidInput.on_field(
                "confirm", _("Type the contact's e-mail address exactly to confirm.")
            )
        privacy.erase_contact(session, actor=user, contact_id=contact_id)
    except InvalidInput as error:
        return _page_with_errors(
            request, session, user, contact_id, form="erase", error=error, values={"confirm": typed}
        )
    session.commit()
    flash(
        request,
        _(
            "Contact #%(id)s is erased with all its events; its address stays suppressed.",
            id=contact_id,
        ),
    )
    return redirect("/contacts")
