"""What the segment builder offers: fields with their operators and values, events, segments.

Handed to static/segments.js as JSON, with every label already in the user's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from propulse.contacts.models import ConsentBasis, CustomField, EventType, FieldKind
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext
from propulse.segments.describe import CONSENT_LABELS, event_phrase
from propulse.segments.fields import BUILT_IN_FIELDS, CUSTOM_KINDS, OPERATORS, Kind
from propulse.segments.models import Segment

FIELD_GROUPS = {
    lazy_gettext("Contact"): (
        "email",
        "first_name",
        "last_name",
        "job_title",
        "phone",
        "country",
        "language",
        "timezone",
        "lifecycle_stage",
        "owner_id",
        "source",
        "do_not_contact",
        "email_consent",
    ),
    lazy_gettext("Company"): ("company", "sector", "company_size", "maturity"),
    lazy_gettext("Score"): ("score", "fit_score", "engagement_score", "grade"),
    lazy_gettext("Dates"): ("created_at", "last_activity_at"),
}
OPERATOR_LABELS = {
    "eq": lazy_gettext("is"),
    "ne": lazy_gettext("is not"),
    "in": lazy_gettext("is one of"),
    "not_in": lazy_gettext("is none of"),
    "contains": lazy_gettext("contains"),
    "not_contains": lazy_gettext("does not contain"),
    "starts_with": lazy_gettext("starts with"),
    "gt": lazy_gettext("is more than"),
    "gte": lazy_gettext("is at least"),
    "lt": lazy_gettext("is less than"),
    "lte": lazy_gettext("is at most"),
    "between": lazy_gettext("is between"),
    "is_empty": lazy_gettext("is empty"),
    "is_not_empty": lazy_gettext("is filled in"),
    "within_days": lazy_gettext("is in the last … days"),
    "before_days": lazy_gettext("is more than … days ago"),
}
DATE_OPERATOR_LABELS = {
    "eq": lazy_gettext("is on"),
    "gt": lazy_gettext("is after"),
    "gte": lazy_gettext("is on or after"),
    "lt": lazy_gettext("is before"),
    "lte": lazy_gettext("is on or before"),
}
WORDS = {
    "all": lazy_gettext("all of"),
    "any": lazy_gettext("any of"),
    "none": lazy_gettext("none of"),
    "match": lazy_gettext("Contacts matching"),
    "add_condition": lazy_gettext("Add a condition"),
    "add_group": lazy_gettext("Add a group"),
    "remove": lazy_gettext("Remove"),
    "condition": lazy_gettext("Condition"),
    "operator": lazy_gettext("Operator"),
    "value": lazy_gettext("Value"),
    "and": lazy_gettext("and"),
    "values_hint": lazy_gettext("separate values with commas"),
    "activity": lazy_gettext("Activity"),
    "other": lazy_gettext("Other"),
    "custom": lazy_gettext("Custom fields"),
    "event": lazy_gettext("did an activity…"),
    "consent": lazy_gettext("e-mail consent…"),
    "segment": lazy_gettext("membership of a segment…"),
    "did": lazy_gettext("did"),
    "did_not": lazy_gettext("did not"),
    "event_type": lazy_gettext("Activity type"),
    "within": lazy_gettext("in the last (days, empty: ever)"),
    "days": lazy_gettext("days"),
    "at_least": lazy_gettext("at least (times)"),
    "property": lazy_gettext("with property"),
    "property_value": lazy_gettext("equal to"),
    "add_property": lazy_gettext("Add a property"),
    "consent_is": lazy_gettext("e-mail consent is"),
    "is_in": lazy_gettext("is in"),
    "is_not_in": lazy_gettext("is not in"),
    "yes": lazy_gettext("yes"),
    "no": lazy_gettext("no"),
    "choose": lazy_gettext("Choose…"),
}


def _field(
    name: str, label: str, kind: Kind, choices: Sequence[Any], ops: Sequence[str]
) -> dict[str, Any]:
    return {
        "name": name,
        "label": label,
        "kind": kind.value,
        "ops": list(ops),
        "choices": [
            choice if isinstance(choice, dict) else {"value": choice, "label": str(choice)}
            for choice in choices
        ],
    }


def catalog(
    *,
    custom_fields: Sequence[CustomField],
    segments: Sequence[Segment],
    owners: Sequence[tuple[int, str]],
    editing_id: int | None = None,
) -> dict[str, Any]:
    """Return what the builder needs, labels translated."""
    groups: list[dict[str, Any]] = []
    for group_label, names in FIELD_GROUPS.items():
        fields = []
        for name in names:
            spec = BUILT_IN_FIELDS[name]
            choices: Sequence[Any] = spec.choices
            if name == "owner_id":
                choices = [{"value": user_id, "label": user_name} for user_id, user_name in owners]
            if name == "email_consent":
                choices = [
                    {"value": basis.value, "label": _(CONSENT_LABELS[basis.value])}
                    for basis in ConsentBasis
                ]
            fields.append(_field(name, _(spec.label), spec.kind, choices, spec.operators))
        groups.append({"label": _(group_label), "fields": fields})
    custom = [
        _field(
            f"custom.{field.key}",
            field.label,
            CUSTOM_KINDS[FieldKind(field.kind)],
            field.choices,
            OPERATORS[CUSTOM_KINDS[FieldKind(field.kind)]],
        )
        for field in custom_fields
    ]
    if custom:
        groups.append({"label": _(WORDS["custom"]), "fields": custom})
    return {
        "groups": groups,
        "operators": {op: _(label) for op, label in OPERATOR_LABELS.items()},
        "date_operators": {op: _(label) for op, label in DATE_OPERATOR_LABELS.items()},
        "events": [{"value": kind.value, "label": event_phrase(kind.value)} for kind in EventType],
        "consent": [
            {"value": basis.value, "label": _(CONSENT_LABELS[basis.value])}
            for basis in ConsentBasis
        ],
        "segments": [
            {"value": segment.id, "label": segment.name}
            for segment in segments
            if segment.id != editing_id
        ],
        "words": {key: _(label) for key, label in WORDS.items()},
    }
