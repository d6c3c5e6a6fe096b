"""How playbooks read on a page: translated names of categories, anchors, statuses, timings."""

from __future__ import annotations

from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext, ngettext
from propulse.playbooks.content import ANCHORS, CATEGORIES, StepContent

CATEGORY_LABELS = {
    "webinar": lazy_gettext("Webinar"),
    "email_campaign": lazy_gettext("E-mail campaign"),
    "trade_show": lazy_gettext("Trade show"),
    "nurturing_sequence": lazy_gettext("Nurturing sequence"),
    "content_recycling": lazy_gettext("Content recycling"),
    "market_entry": lazy_gettext("Market entry"),
    "onboarding": lazy_gettext("Newcomer onboarding"),
    "custom": lazy_gettext("Custom"),
}
ANCHOR_LABELS = {
    "event": lazy_gettext("the event date"),
    "send": lazy_gettext("the send date"),
    "launch": lazy_gettext("the launch date"),
    "start": lazy_gettext("the start date"),
}
STATUS_LABELS = {
    "draft": lazy_gettext("draft"),
    "published": lazy_gettext("published"),
    "archived": lazy_gettext("archived"),
}
LANGUAGE_LABELS = {"en": "English", "fr": "Français"}


def category_label(category: str) -> str:
    return _(CATEGORY_LABELS.get(category, category))


def anchor_label(anchor: str) -> str:
    return _(ANCHOR_LABELS.get(anchor, anchor))


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


def category_choices() -> list[tuple[str, str]]:
    return [(category, category_label(category)) for category in CATEGORIES]


def anchor_choices() -> list[tuple[str, str]]:
    return [(anchor, anchor_label(anchor)) for anchor in ANCHORS]


def day_kind_choices() -> list[tuple[str, str]]:
    return [("working", _("working days")), ("calendar", _("calendar days"))]


def d_day(offset: int) -> str:
    """Return an offset as planners write it: D-21, D, D+7."""
    if offset == 0:
        return _("D")
    signed = f"{offset:+d}"
    return _("D%(offset)s", offset=signed)


def timing(step: StepContent, titles: dict[str, str]) -> str:
    """Say when a step starts: "D-21", or "after <step> + 2 days"."""
    if step.after_key is None:
        return d_day(step.offset_days or 0)
    title = titles.get(step.after_key, step.after_key)
    if step.lag_days:
        return _("after %(step)s + %(days)s d", step=title, days=step.lag_days)
    return _("after %(step)s", step=title)


def duration(step: StepContent) -> str:
    count = step.duration_days
    if step.day_kind == "calendar":
        return ngettext("%(num)s calendar day", "%(num)s calendar days", count)
    return ngettext("%(num)s working day", "%(num)s working days", count)


def field_label(name: str) -> str:
    """Name a field of a playbook or a step in the reader's language."""
    names = {
        "slug": _("Identifier"),
        "language": _("Language"),
        "translation": _("Linked translation"),
        "steps": _("Steps"),
        "name": _("Name"),
        "category": _("Category"),
        "goal": _("Goal"),
        "anchor": _("Anchor"),
        "anchor_label": _("Anchor's name"),
        "tutorial": _("Tutorial"),
        "best_practices": _("Best practices"),
        "success_measures": _("Success measures"),
        "review_every_months": _("Review every (months)"),
        "title": _("Title"),
        "owner_role": _("Owner role"),
        "offset_days": _("Offset (days)"),
        "after_key": _("Follows the step"),
        "lag_days": _("Lag (days)"),
        "duration_days": _("Duration (days)"),
        "day_kind": _("Days"),
        "effort_hours": _("Effort (hours)"),
        "checklist": _("Checklist"),
        "deliverables": _("Deliverables"),
        "advice": _("Advice"),
        "optional": _("Optional"),
    }
    return names.get(name, name)


def change_label(kind: str) -> str:
    """Name what happened to a step between two versions."""
    kinds = {
        "added": _("added"),
        "removed": _("removed"),
        "changed": _("changed"),
        "moved": _("moved"),
    }
    return kinds.get(kind, kind)
