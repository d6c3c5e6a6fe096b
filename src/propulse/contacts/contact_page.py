"""What the contact page shows: the contact, its score and why, segments, consent, timeline.

Shared by the page itself and by the forms that post to it, which render it again with the
errors of the form that failed (and what was typed in it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import Path
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from propulse.contacts import fields as custom_fields
from propulse.contacts import labels
from propulse.contacts import service as contacts
from propulse.contacts.models import ConsentBasis, Contact, CustomField, FieldKind, LifecycleStage
from propulse.kit.charts import Series, line_chart
from propulse.kit.i18n import format_date, format_number
from propulse.kit.i18n import gettext as _
from propulse.scoring import config as scoring_config
from propulse.scoring import service as scoring
from propulse.scoring.models import ScoreChange
from propulse.segments import service as segments
from propulse.segments.models import SegmentKind
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import has_role

# Ids are 32-bit integers in PostgreSQL: a larger one in an address is refused (422) before any
# query, rather than failing in the database.
ID_MAX = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=ID_MAX)]
TIMELINE_PAGE = 50
HISTORY_ROWS = 50
# The fields of the contact form, in the order of the form (custom fields come after).
TEXT_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "job_title",
    "company",
    "sector",
    "company_size",
    "maturity",
    "country",
    "language",
    "timezone",
    "lifecycle_stage",
    "source",
)
CHANNELS = ("email", "phone", "sms", "post")


def today() -> date:
    """Return the day the page works with (tests put their own)."""
    return date.today()


def form_values(form: FormData, names: Sequence[str]) -> dict[str, Any]:
    """Read the contact form: the named fields trimmed, and ``custom.<key>`` into ``custom``."""
    values: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in names}
    values["custom"] = {
        name.removeprefix("custom."): str(value).strip()
        for name, value in form.multi_items()
        if name.startswith("custom.") and isinstance(value, str)
    }
    return values


def contact_values(contact: Contact) -> dict[str, Any]:
    """Return the edit form's values for a contact as it is stored."""
    values: dict[str, Any] = {name: getattr(contact, name, None) for name in TEXT_FIELDS}
    values["company"] = contact.company.name if contact.company else ""
    values["owner_id"] = contact.owner_id or ""
    values["version"] = contact.version
    values["custom"] = dict(contact.custom or {})
    return values


def form_options(session: Session) -> dict[str, Any]:
    """Return the choices the contact form offers (stages, owners, maturity, custom fields)."""
    people = [person for person in workspace.all_users(session) if person.is_active]
    return {
        "stages": [(stage.value, labels.lifecycle_label(stage.value)) for stage in LifecycleStage],
        "people": people,
        "custom_fields": custom_fields.list_fields(session),
        "maturities": [(level, str(level)) for level in range(1, 6)],
    }


def _shown(definition: CustomField, value: Any) -> str:
    """Write a custom value as the reader's locale does (numbers, dates)."""
    if definition.kind == FieldKind.number and isinstance(value, int | float):
        return format_number(value, 0 if float(value).is_integer() else 2)
    if definition.kind == FieldKind.date and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def custom_display(
    definitions: Sequence[CustomField], values: dict[str, Any]
) -> list[tuple[str, str]]:
    """Return (label, shown value) of the custom fields that have a value, in display order."""
    return [
        (definition.label, _shown(definition, values[definition.key]))
        for definition in definitions
        if values.get(definition.key) not in (None, "")
    ]


def score_chart(history: Sequence[ScoreChange], *, today: date) -> Markup | None:
    """Draw the score over time (the last change of each day), or None with no history."""
    if not history:
        return None
    by_day: dict[date, float] = {}
    for change in sorted(history, key=lambda item: (item.changed_at, item.id)):
        by_day[change.changed_at.date()] = float(change.score)
    points = sorted(by_day.items())
    return line_chart(
        title=_("Score over time"),
        description=_("The contact's score after each change, by day"),
        series=[Series(label=_("Score"), points=points)],
        x_start=points[0][0],
        x_end=max(points[-1][0], today),
        y_min=0,
        x_format=lambda day: format_date(day, "short"),
        empty_text=_("No change yet"),
    )


def _static_lists_to_join(session: Session, member_of: set[int]) -> list[Any]:
    return [
        segment
        for segment in segments.list_segments(session)
        if segment.kind == SegmentKind.static and segment.id not in member_of
    ]


def contact_page_context(
    session: Session,
    user: User,
    contact_id: int,
    *,
    events_cursor: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    failed_form: str | None = None,
    conflict: str | None = None,
) -> dict[str, Any]:
    """Return everything the contact page needs, loaded up front."""
    contact = contacts.get_contact(session, contact_id=contact_id)
    events, next_events = contacts.timeline(
        session, contact_id=contact.id, cursor=events_cursor, limit=TIMELINE_PAGE
    )
    history = scoring.score_history(session, contact_id=contact.id, limit=HISTORY_ROWS)
    member_of = segments.segments_of_contact(session, contact_id=contact.id)
    options = form_options(session)
    may_edit = has_role(user, Role.member)
    edit_values = contact_values(contact)
    if failed_form == "edit" and values is not None:
        edit_values = values
    explanation = scoring.explain(session, contact_id=contact.id)
    # The caps and the limit are named only when they held the score back.
    limits = (
        scoring_config.get_settings(session)
        if explanation.capped_groups or explanation.total_limited
        else None
    )
    return {
        "contact": contact,
        "explanation": explanation,
        "group_caps": limits.group_caps if limits else {},
        "total_limit": limits.total_limit if limits else None,
        "history": sorted(history, key=lambda item: (item.changed_at, item.id), reverse=True),
        "chart": score_chart(history, today=today()),
        "segments": member_of,
        "static_lists": _static_lists_to_join(session, {s.id for s in member_of})
        if may_edit
        else [],
        "consents": contacts.consent_history(session, contact_id=contact.id),
        "events": events,
        "next_events": next_events,
        "events_from_start": events_cursor is None,
        "custom_values": custom_display(options["custom_fields"], contact.custom or {}),
        "may_edit": may_edit,
        "may_export": has_role(user, Role.manager),
        "may_erase": has_role(user, Role.admin),
        "errors": errors or {},
        "values": edit_values,
        "form_values": values if values is not None and failed_form != "edit" else {},
        "failed_form": failed_form,
        "conflict": conflict,
        "channels": [(channel, labels.channel_label(channel)) for channel in CHANNELS],
        "bases": [(basis.value, labels.consent_label(basis.value)) for basis in ConsentBasis],
        "labels": labels,
        **options,
    }
