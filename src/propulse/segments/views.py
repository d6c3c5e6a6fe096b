"""Pages of segments: the list, the builder with its live count, a segment and its members."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from propulse.contacts import fields as contact_fields
from propulse.kit.errors import InvalidInput
from propulse.kit.forms import errors_by_field, validate
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import ngettext
from propulse.segments import builder, service
from propulse.segments.definition import parse_condition
from propulse.segments.describe import Describer
from propulse.segments.models import Segment, SegmentKind
from propulse.segments.plan import effectively_time_dependent
from propulse.segments.schemas import SegmentIn, SegmentPatch
from propulse.web import current_user, flash, get_db, html_router, redirect, render
from propulse.workspace import service as workspace
from propulse.workspace.models import User

router = html_router()

MEMBERS_PAGE_SIZE = 50


def describer(session: Session) -> Describer:
    """Return the sentence maker, knowing custom field labels, segment and owner names."""
    return Describer(
        custom_labels={field.key: field.label for field in contact_fields.list_fields(session)},
        segment_names={segment.id: segment.name for segment in service.list_segments(session)},
        owners={person.id: person.name for person in workspace.all_users(session)},
    )


def in_words(session: Session, segment: Segment) -> str:
    if segment.definition is None:
        return ""
    try:
        return describer(session)(parse_condition(segment.definition))
    except InvalidInput as error:
        return error.message


def definition_from_text(text: str) -> Any:
    """Read the definition's JSON, refusing bad JSON with where it broke."""
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput.on_field(
            "definition",
            _(
                "The definition is not valid JSON: %(problem)s (line %(line)s, column %(column)s).",
                problem=error.msg,
                line=error.lineno,
                column=error.colno,
            ),
        ) from None


@router.get("/segments")
def segments_page(request: Request, session: Session = Depends(get_db)) -> Response:
    context = {
        "segments": service.list_segments(session),
        "time_dependent": effectively_time_dependent(session),
    }
    return render(request, "segments/list.html", context)


def _form_context(
    session: Session,
    *,
    kind: str,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    segment: Segment | None = None,
) -> dict[str, Any]:
    catalog = builder.catalog(
        custom_fields=contact_fields.list_fields(session),
        segments=service.list_segments(session),
        owners=[(person.id, person.name) for person in workspace.all_users(session)],
        editing_id=segment.id if segment else None,
    )
    return {
        "kind": kind,
        "values": values,
        "errors": errors or {},
        "segment": segment,
        "catalog": catalog,
        "count": None,
        "count_error": (errors or {}).get("definition"),
    }


def _form_values(form: FormData) -> dict[str, Any]:
    return {
        "name": str(form.get("name", "")),
        "description": str(form.get("description", "")),
        "definition": str(form.get("definition", "")),
        "version": str(form.get("version", "")),
    }


@router.get("/segments/new")
def new_segment_page(
    request: Request,
    kind: str = SegmentKind.dynamic.value,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    """Show the builder for a new segment, or the form of a new static list (managers)."""
    kind = kind if kind in (SegmentKind.dynamic, SegmentKind.static) else SegmentKind.dynamic
    values = {"name": "", "description": "", "definition": json.dumps({"all": []})}
    service.ensure_manager(user)
    return render(request, "segments/form.html", _form_context(session, kind=kind, values=values))


@router.post("/segments/new")
async def create_segment(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    form = await request.form()
    values = _form_values(form)
    kind = str(form.get("kind", SegmentKind.dynamic))
    try:
        data = validate(
            SegmentIn,
            {
                "name": values["name"],
                "description": values["description"],
                "kind": kind,
                "definition": definition_from_text(values["definition"])
                if kind == SegmentKind.dynamic
                else None,
            },
        )
        created = service.create_segment(session, actor=user, data=data)
    except InvalidInput as error:
        session.rollback()
        context = _form_context(session, kind=kind, values=values, errors=_errors(error))
        return render(request, "segments/form.html", context, status_code=422)
    session.commit()
    flash(request, _("Segment %(name)s is saved.", name=created.name))
    return redirect(f"/segments/{created.id}")


def _errors(error: InvalidInput) -> dict[str, str]:
    found = errors_by_field(error.problems)
    if not found:
        found = {"definition": error.message}
    return found


@router.get("/segments/{segment_id:int}")
def segment_page(
    request: Request,
    segment_id: int,
    cursor: str | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    segment = service.get_segment(session, segment_id=segment_id)
    found, next_cursor = service.members(
        session, segment_id=segment.id, cursor=cursor, limit=MEMBERS_PAGE_SIZE
    )
    context = {
        "segment": segment,
        "in_words": in_words(session, segment),
        "members": found,
        "added_at": service.added_at(
            session, segment_id=segment.id, contact_ids=[contact.id for contact in found]
        ),
        "next_cursor": next_cursor,
        "time_dependent": segment.id in effectively_time_dependent(session),
    }
    return render(request, "segments/detail.html", context)


@router.get("/segments/{segment_id:int}/edit")
def edit_segment_page(
    request: Request,
    segment_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    service.ensure_manager(user)
    segment = service.get_segment(session, segment_id=segment_id)
    values = {
        "name": segment.name,
        "description": segment.description,
        "definition": json.dumps(segment.definition, indent=2, ensure_ascii=False)
        if segment.definition is not None
        else "",
        "version": segment.version,
    }
    context = _form_context(session, kind=segment.kind, values=values, segment=segment)
    return render(request, "segments/form.html", context)


@router.post("/segments/{segment_id:int}/edit")
async def update_segment(
    request: Request,
    segment_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    form = await request.form()
    values = _form_values(form)
    segment = service.get_segment(session, segment_id=segment_id)
    try:
        patch: dict[str, Any] = {
            "name": values["name"],
            "description": values["description"],
            "version": values["version"] or None,
        }
        if segment.kind == SegmentKind.dynamic:
            patch["definition"] = definition_from_text(values["definition"])
        data = validate(SegmentPatch, patch)
        updated = service.update_segment(session, actor=user, segment_id=segment_id, data=data)
    except InvalidInput as error:
        session.rollback()
        segment = service.get_segment(session, segment_id=segment_id)
        context = _form_context(
            session, kind=segment.kind, values=values, errors=_errors(error), segment=segment
        )
        return render(request, "segments/form.html", context, status_code=422)
    session.commit()
    flash(request, _("Segment %(name)s is saved.", name=updated.name))
    return redirect(f"/segments/{updated.id}")


@router.post("/segments/count")
async def count_fragment(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    """Count the contacts the builder's definition selects; a bad one shows its message."""
    form = await request.form()
    context: dict[str, Any] = {"count": None, "count_error": None}
    try:
        definition = definition_from_text(str(form.get("definition", "")))
        if definition is None:
            raise InvalidInput.on_field("definition", _("Add a condition to count contacts."))
        context["count"] = service.count_matching(session, condition=definition)
        context["in_words"] = describer(session)(parse_condition(definition))
    except InvalidInput as error:
        context["count_error"] = error.message
    return render(request, "segments/_count.html", context)


@router.post("/segments/{segment_id:int}/delete")
def delete_segment(
    request: Request,
    segment_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    segment = service.get_segment(session, segment_id=segment_id)
    name = segment.name
    service.delete_segment(session, actor=user, segment_id=segment_id)
    session.commit()
    flash(request, _("Segment %(name)s is deleted.", name=name))
    return redirect("/segments")


@router.post("/segments/{segment_id:int}/rebuild")
def rebuild_segment(
    request: Request,
    segment_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    results = service.rebuild_segment(session, actor=user, segment_id=segment_id)
    session.commit()
    first = results[0]
    flash(
        request,
        _(
            "Rebuilt in %(seconds)s s: %(entered)s entered, %(left)s left, %(members)s members.",
            seconds=first.seconds,
            entered=first.entered,
            left=first.left,
            members=first.members,
        ),
    )
    return redirect(f"/segments/{segment_id}")


def _emails(text: str) -> list[str]:
    return [part for part in text.replace(";", ",").replace("\n", ",").split(",") if part.strip()]


@router.post("/segments/{segment_id:int}/members/add")
async def add_members(
    request: Request,
    segment_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    form = await request.form()
    emails = _emails(str(form.get("emails", "")))
    if not emails:
        raise InvalidInput.on_field("emails", _("Give at least one e-mail address."))
    added, unknown = service.add_members_by_email(
        session, actor=user, segment_id=segment_id, emails=emails
    )
    session.commit()
    flash(request, ngettext("%(num)s contact added.", "%(num)s contacts added.", added))
    if unknown:
        flash(
            request,
            _("No contact has these addresses: %(emails)s.", emails=", ".join(unknown)),
            "warning",
        )
    return redirect(f"/segments/{segment_id}")


@router.post("/segments/{segment_id:int}/members/remove")
async def remove_member(
    request: Request,
    segment_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    form = await request.form()
    raw = str(form.get("contact_id", ""))
    if not raw.isdigit():
        raise InvalidInput.on_field("contact_id", _("Say which contact to remove."))
    removed = service.remove_members(
        session, actor=user, segment_id=segment_id, contact_ids=[int(raw)]
    )
    session.commit()
    flash(request, ngettext("%(num)s contact removed.", "%(num)s contacts removed.", removed))
    return redirect(f"/segments/{segment_id}")
