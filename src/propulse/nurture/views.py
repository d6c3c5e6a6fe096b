"""Pages of nurturing sequences: the list, the editor, a sequence as a flow with its figures.

Managers define and switch sequences; members enrol and cancel contacts; everyone signed in
reads. The editor works without JavaScript (buttons post the form and it comes back with the
change); with htmx only the form is swapped.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from propulse.contacts import fields as contact_fields
from propulse.contacts.labels import LIFECYCLE_LABELS, event_label
from propulse.contacts.models import EventType
from propulse.email_templates import service as email_templates
from propulse.kit.charts import Bar, bar_chart
from propulse.kit.errors import Conflict, InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import ngettext
from propulse.nurture import figures, service
from propulse.nurture.conditions import CONTACT_FIELDS
from propulse.nurture.forms import (
    CONDITIONS,
    EXIT_GOALS,
    FIELD_OPS,
    REENROLMENT,
    STEP_KINDS,
    TRIGGER_KINDS,
    WEEKDAYS,
    apply_action,
    choices,
    data_from_values,
    empty_values,
    form_errors,
    single_error,
    values_from_form,
    values_from_sequence,
)
from propulse.nurture.models import EnrolmentStatus, Sequence, StepKind
from propulse.nurture.schemas import SequenceFigures
from propulse.nurture.steps import SETTABLE_FIELDS
from propulse.segments import service as segments
from propulse.segments.models import SegmentKind
from propulse.web import current_user, flash, get_db, html_router, redirect, render
from propulse.workspace.models import User

router = html_router()

ENROLMENTS_PAGE_SIZE = 50
MAX_REJECTS_SHOWN = 10


@router.get("/sequences")
def sequences_page(request: Request, session: Session = Depends(get_db)) -> Response:
    return render(request, "nurture/list.html", {"sequences": service.list_sequences(session)})


# ---- The editor -------------------------------------------------------------------------------


def _no_errors(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "general": [],
        "steps_list": "",
        "step_rows": [[] for _step in values["steps"]],
        "trigger_rows": [[] for _trigger in values["triggers"]],
        "window_rows": [[] for _window in values["windows"]],
    }


def _editor_context(
    session: Session,
    *,
    values: dict[str, Any],
    errors: dict[str, Any] | None = None,
    sequence: Sequence | None = None,
    focus: str | None = None,
) -> dict[str, Any]:
    all_segments = segments.list_segments(session)
    custom = [(field.key, field.label) for field in contact_fields.list_fields(session)]
    return {
        "values": values,
        "errors": errors or _no_errors(values),
        "sequence": sequence,
        "focus": focus,
        "form_action": f"/sequences/{sequence.id}/edit" if sequence else "/sequences/new",
        "templates": [(t.id, t.name) for t in email_templates.list_templates(session)],
        "segments": [(s.id, s.name) for s in all_segments],
        "lists": [(s.id, s.name) for s in all_segments if s.kind == SegmentKind.static],
        "fields": [(name, name) for name in sorted(SETTABLE_FIELDS)] + custom,
        "condition_fields": [(name, name) for name in sorted(CONTACT_FIELDS)] + custom,
        "event_types": [(kind.value, event_label(kind.value)) for kind in EventType],
        "stages": choices(LIFECYCLE_LABELS),
        "step_kinds": choices(STEP_KINDS),
        "trigger_kinds": choices(TRIGGER_KINDS),
        "reenrolment_rules": choices(REENROLMENT),
        "exit_goals": choices(EXIT_GOALS),
        "conditions": choices(CONDITIONS),
        "field_ops": choices(FIELD_OPS),
        "weekdays": [_(day) for day in WEEKDAYS],
        "step_keys": [step["key"] for step in values["steps"]],
        "email_keys": [s["key"] for s in values["steps"] if s["kind"] == StepKind.send_email],
    }


@router.get("/sequences/new")
def new_sequence_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    service.ensure_manager(user)
    context = _editor_context(session, values=empty_values())
    return render(request, "nurture/form.html", context)


@router.get("/sequences/{sequence_id:int}/edit")
def edit_sequence_page(
    request: Request,
    sequence_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    service.ensure_manager(user)
    sequence = service.get_sequence(session, sequence_id=sequence_id)
    context = _editor_context(session, values=values_from_sequence(sequence), sequence=sequence)
    return render(request, "nurture/form.html", context)


async def _editor_post(
    request: Request, session: Session, user: User, sequence_id: int | None
) -> Response:
    """Apply an editor button (add, remove, move...) or save the sequence."""
    service.ensure_manager(user)
    sequence = service.get_sequence(session, sequence_id=sequence_id) if sequence_id else None
    form = await request.form()
    values = values_from_form(form)
    action = str(form.get("action") or "save")
    if action != "save":
        focus = apply_action(values, action, str(form.get("new_step_kind") or ""))
        focus = focus or str(form.get("focus") or "") or None
        context = _editor_context(session, values=values, sequence=sequence, focus=focus)
        return render(request, "nurture/form.html", context)
    try:
        data = data_from_values(values)
        if sequence_id is None:
            saved = service.create_sequence(session, actor=user, data=data)
        else:
            saved = service.update_sequence(session, actor=user, sequence_id=sequence_id, data=data)
    except (InvalidInput, Conflict) as error:
        session.rollback()
        if sequence_id is not None:
            sequence = service.get_sequence(session, sequence_id=sequence_id)
        if isinstance(error, InvalidInput):
            errors, status = form_errors(error, values), 422
        else:
            errors, status = single_error(error.message, values), 409
        context = _editor_context(session, values=values, errors=errors, sequence=sequence)
        return render(request, "nurture/form.html", context, status_code=status)
    session.commit()
    flash(request, _("Sequence %(name)s is saved.", name=saved.name))
    return redirect(f"/sequences/{saved.id}")


@router.post("/sequences/new")
async def create_sequence(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    return await _editor_post(request, session, user, None)


@router.post("/sequences/{sequence_id:int}/edit")
async def update_sequence(
    request: Request,
    sequence_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    return await _editor_post(request, session, user, sequence_id)


# ---- A sequence: its flow, figures, funnel and who is where ---------------------------------


def funnel_chart(found: SequenceFigures, step_labels: dict[str, str]) -> Markup:
    """Draw how many contacts reached each step, enrolment first."""
    bars = [Bar(step_labels.get(label, label), value) for label, value in found.funnel]
    return bar_chart(
        title=_("Funnel"),
        description=_("How many contacts reached each step, from enrolment to the last step."),
        bars=bars,
        empty_text=_("No contact enrolled yet."),
    )


def _template_names(session: Session) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    for template in email_templates.list_templates(session):
        variant = next(
            (v for v in template.variants if v.language == template.default_language),
            template.variants[0] if template.variants else None,
        )
        found[template.id] = {"name": template.name, "subject": variant.subject if variant else ""}
    return found


def _int_or_none(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@router.get("/sequences/{sequence_id:int}")
def sequence_page(
    request: Request,
    sequence_id: int,
    step: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    sequence = service.get_sequence(session, sequence_id=sequence_id)
    state, paused_reason = service.sequence_state(session, sequence_id=sequence_id)
    step_id = _int_or_none(step)
    status = status if status in {s.value for s in EnrolmentStatus} else None
    rows, next_cursor = service.list_enrolments(
        session,
        sequence_id=sequence_id,
        step_id=step_id,
        status=status,
        cursor=cursor,
        limit=ENROLMENTS_PAGE_SIZE,
    )
    found = figures.sequence_figures(session, sequence_id=sequence_id)
    step_labels = {s.key: f"{s.key} · {_(STEP_KINDS.get(s.kind, s.kind))}" for s in sequence.steps}
    filters = {key: value for key, value in (("step", step_id), ("status", status)) if value}
    all_segments = segments.list_segments(session)
    context = {
        "sequence": sequence,
        "state": state,
        "paused_reason": paused_reason,
        "figures": found,
        "by_step": {figure.step_id: figure for figure in found.steps},
        "funnel": funnel_chart(found, step_labels),
        "rule": service.eligibility_rule_text(),
        "enrolments": rows,
        "next_cursor": next_cursor,
        "pager_base": "?" + urlencode(filters) + ("&" if filters else ""),
        "step_filter": step_id,
        "status_filter": status,
        "statuses": [s.value for s in EnrolmentStatus],
        "templates": _template_names(session),
        "segment_names": {s.id: s.name for s in all_segments},
        "segments": [(s.id, s.name) for s in all_segments],
        "step_kinds": STEP_KINDS,
        "trigger_kinds": TRIGGER_KINDS,
        "reenrolment_rules": REENROLMENT,
        "exit_goal_labels": EXIT_GOALS,
        "conditions": CONDITIONS,
        "field_ops": FIELD_OPS,
        "stages": LIFECYCLE_LABELS,
        "weekdays": [_(day) for day in WEEKDAYS],
        "windows": sorted(
            (sequence.sending_windows or {}).items(),
            key=lambda item: (item[0] != "default", item[0]),
        ),
        "event_label": event_label,
    }
    return render(request, "nurture/detail.html", context)


def _switch(request: Request, session: Session, user: User, sequence_id: int, act: Any) -> Response:
    """Activate, pause or resume a sequence; a refusal comes back as a message."""
    try:
        switched = act(session, actor=user, sequence_id=sequence_id)
    except Conflict as error:
        session.rollback()
        flash(request, error.message, "error")
        return redirect(f"/sequences/{sequence_id}")
    session.commit()
    if switched.status == "paused":
        flash(request, _("The sequence is paused: no step runs and no trigger enrols."))
    else:
        flash(request, _("The sequence is active: its triggers enrol and its steps run."))
    return redirect(f"/sequences/{sequence_id}")


@router.post("/sequences/{sequence_id:int}/activate")
def activate_sequence(
    request: Request,
    sequence_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    return _switch(request, session, user, sequence_id, service.activate_sequence)


@router.post("/sequences/{sequence_id:int}/pause")
def pause_sequence(
    request: Request,
    sequence_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    return _switch(request, session, user, sequence_id, service.pause_sequence)


@router.post("/sequences/{sequence_id:int}/resume")
def resume_sequence(
    request: Request,
    sequence_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    return _switch(request, session, user, sequence_id, service.resume_sequence)


def _emails(text: str) -> list[str]:
    parts = text.replace(";", ",").replace("\n", ",").split(",")
    return [part.strip() for part in parts if part.strip()]


@router.post("/sequences/{sequence_id:int}/enrol")
async def enrol(
    request: Request,
    sequence_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    """Enrol a segment's members or the contacts with the typed addresses."""
    form = await request.form()
    segment_id = _int_or_none(str(form.get("segment_id") or ""))
    emails = _emails(str(form.get("emails") or ""))
    try:
        if segment_id is not None:
            summary = service.enrol_segment(
                session, actor=user, sequence_id=sequence_id, segment_id=segment_id
            )
        elif emails:
            summary = service.enrol_emails(
                session, actor=user, sequence_id=sequence_id, emails=emails
            )
        else:
            raise InvalidInput.on_field(
                "emails", _("Choose a segment, or type at least one e-mail address.")
            )
    except (InvalidInput, Conflict) as error:
        session.rollback()
        flash(request, error.message, "error")
        return redirect(f"/sequences/{sequence_id}#enrol")
    session.commit()
    flash(
        request,
        ngettext("%(num)s contact enrolled.", "%(num)s contacts enrolled.", summary.enrolled)
        + " "
        + _(
            "Already in the sequence: %(already)s. Kept out by the re-enrolment rule: "
            "%(not_allowed)s.",
            already=summary.already_enrolled,
            not_allowed=summary.not_allowed,
        ),
    )
    unknown = [reject.item for reject in summary.rejects if reject.reason == "unknown"]
    if unknown:
        shown = ", ".join(unknown[:MAX_REJECTS_SHOWN]) + ("…" if len(unknown) > 10 else "")
        flash(request, _("No contact has these addresses: %(emails)s.", emails=shown), "warning")
    return redirect(f"/sequences/{sequence_id}#enrolments")


@router.post("/sequences/{sequence_id:int}/enrolments/{enrolment_id:int}/cancel")
def cancel_enrolment(
    request: Request,
    sequence_id: int,
    enrolment_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    """Take one contact out of the sequence."""
    try:
        cancelled = service.cancel_enrolment(session, actor=user, enrolment_id=enrolment_id)
        if cancelled.sequence_id != sequence_id:
            raise Conflict(_("This enrolment belongs to another sequence."))
    except Conflict as error:
        session.rollback()
        flash(request, error.message, "error")
        return redirect(f"/sequences/{sequence_id}#enrolments")
    session.commit()
    flash(request, _("The contact left the sequence."))
    return redirect(f"/sequences/{sequence_id}#enrolments")
