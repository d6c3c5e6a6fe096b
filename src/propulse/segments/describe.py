"""A definition in words: "Country is one of FR, BE AND clicked an e-mail in the last 30 days"."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from propulse.kit.i18n import format_date, format_number, lazy_gettext
from propulse.kit.i18n import gettext as _
from propulse.segments.definition import (
    Condition,
    ConsentTest,
    EventTest,
    FieldTest,
    Group,
    MembershipTest,
    Not,
)
from propulse.segments.fields import BUILT_IN_FIELDS, Kind, custom_key, is_custom

EVENT_PHRASES = {
    "email_sent": lazy_gettext("was sent an e-mail"),
    "email_opened": lazy_gettext("opened an e-mail"),
    "email_clicked": lazy_gettext("clicked an e-mail"),
    "page_visited": lazy_gettext("visited a page"),
    "form_submitted": lazy_gettext("submitted a form"),
    "webinar_registered": lazy_gettext("registered for a webinar"),
    "webinar_attended": lazy_gettext("attended a webinar"),
    "content_downloaded": lazy_gettext("downloaded content"),
    "meeting": lazy_gettext("had a meeting"),
    "segment_entered": lazy_gettext("entered a segment"),
    "segment_left": lazy_gettext("left a segment"),
}
CONSENT_LABELS = {
    "opt_in": lazy_gettext("opt-in"),
    "legitimate_interest": lazy_gettext("legitimate interest"),
    "withdrawn": lazy_gettext("withdrawn"),
}
# How each operator reads; dates read differently from numbers ("after" rather than "more than").
OPERATOR_PHRASES = {
    "eq": lazy_gettext("%(field)s is %(value)s"),
    "ne": lazy_gettext("%(field)s is not %(value)s"),
    "in": lazy_gettext("%(field)s is one of %(value)s"),
    "not_in": lazy_gettext("%(field)s is none of %(value)s"),
    "contains": lazy_gettext("%(field)s contains %(value)s"),
    "not_contains": lazy_gettext("%(field)s does not contain %(value)s"),
    "starts_with": lazy_gettext("%(field)s starts with %(value)s"),
    "gt": lazy_gettext("%(field)s is more than %(value)s"),
    "gte": lazy_gettext("%(field)s is at least %(value)s"),
    "lt": lazy_gettext("%(field)s is less than %(value)s"),
    "lte": lazy_gettext("%(field)s is at most %(value)s"),
    "between": lazy_gettext("%(field)s is between %(value)s"),
    "is_empty": lazy_gettext("%(field)s is empty"),
    "is_not_empty": lazy_gettext("%(field)s is filled in"),
    "within_days": lazy_gettext("%(field)s is in the last %(value)s days"),
    "before_days": lazy_gettext("%(field)s is more than %(value)s days ago"),
}
DATE_PHRASES = {
    "eq": lazy_gettext("%(field)s is on %(value)s"),
    "gt": lazy_gettext("%(field)s is after %(value)s"),
    "gte": lazy_gettext("%(field)s is on or after %(value)s"),
    "lt": lazy_gettext("%(field)s is before %(value)s"),
    "lte": lazy_gettext("%(field)s is on or before %(value)s"),
}


def event_phrase(event_type: str) -> str:
    """Return what a contact did, e.g. "clicked an e-mail"; a custom type keeps its name."""
    phrase = EVENT_PHRASES.get(event_type)
    return _(phrase) if phrase else _("did “%(type)s”", type=event_type)


def field_label(name: str, custom_labels: Mapping[str, str]) -> str:
    if is_custom(name):
        return custom_labels.get(custom_key(name), custom_key(name))
    return _(BUILT_IN_FIELDS[name].label)


def _value(value: Any, kind: Kind, owners: Mapping[int, str]) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, date):
        return format_date(value)
    if kind == Kind.reference and isinstance(value, int):
        return owners.get(value, f"#{value}")
    if isinstance(value, int | float):
        return format_number(value, 0 if float(value).is_integer() else 2)
    return str(value)


class Describer:
    """Words for conditions, with the names only the database knows."""

    def __init__(
        self,
        *,
        custom_labels: Mapping[str, str] | None = None,
        segment_names: Mapping[int, str] | None = None,
        owners: Mapping[int, str] | None = None,
    ) -> None:
        self.custom_labels = custom_labels or {}
        self.segment_names = segment_names or {}
        self.owners = owners or {}

    def __call__(self, node: Condition) -> str:
        return self.describe(node, top=True)

    def describe(self, node: Condition, *, top: bool = False) -> str:
        if isinstance(node, Group):
            if not node.children:
                return _("every contact") if node.kind == "all" else _("no contact")
            # Written apart from the f-string so that Babel extracts the words.
            word = _("AND") if node.kind == "all" else _("OR")
            joiner = f" {word} "
            text = joiner.join(self.describe(child) for child in node.children)
            return text if top or len(node.children) == 1 else f"({text})"
        if isinstance(node, Not):
            return _("NOT %(condition)s", condition=self.describe(node.child))
        if isinstance(node, FieldTest):
            return self.field(node)
        if isinstance(node, EventTest):
            return self.event(node)
        if isinstance(node, ConsentTest):
            or_word = _("or")
            bases = f" {or_word} ".join(_(CONSENT_LABELS.get(b, b)) for b in node.bases)
            return _("e-mail consent is %(bases)s", bases=bases)
        assert isinstance(node, MembershipTest)
        name = self.segment_names.get(node.segment_id, f"#{node.segment_id}")
        if node.member:
            return _("is in %(segment)s", segment=name)
        return _("is not in %(segment)s", segment=name)

    def field(self, node: FieldTest) -> str:
        label = field_label(node.field, self.custom_labels)
        dated = node.kind in (Kind.moment, Kind.day) and isinstance(node.value, date)
        phrase = DATE_PHRASES.get(node.op) if dated else None
        phrase = phrase or OPERATOR_PHRASES[node.op]
        value = node.value
        if node.op == "between":
            shown = _(
                "%(low)s and %(high)s",
                low=_value(value[0], node.kind, self.owners),
                high=_value(value[1], node.kind, self.owners),
            )
        elif isinstance(value, tuple):
            shown = ", ".join(_value(item, node.kind, self.owners) for item in value)
        elif node.op in ("contains", "not_contains", "starts_with"):
            shown = f"“{value}”"
        else:
            shown = _value(value, node.kind, self.owners) if value is not None else ""
        return _(phrase, field=label, value=shown)

    def event(self, node: EventTest) -> str:
        text = event_phrase(node.type)
        if node.min_count > 1:
            text = _("%(action)s at least %(n)s times", action=text, n=node.min_count)
        if node.where:
            and_word = _("and")
            pairs = f" {and_word} ".join(
                f"{name} = {_value(value, Kind.text, {})}" for name, value in node.where
            )
            text = _("%(action)s with %(properties)s", action=text, properties=pairs)
        if node.within_days is not None:
            text = _("%(action)s in the last %(n)s days", action=text, n=node.within_days)
        return text
