"""Readable, translated names of stored codes: lifecycle stages, consent bases, event types.

Pure: codes and property dicts in, short texts out, so pages, e-mails and exports agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext

LIFECYCLE_LABELS = {
    "subscriber": lazy_gettext("Subscriber"),
    "lead": lazy_gettext("Lead"),
    "mql": lazy_gettext("Marketing-qualified lead (MQL)"),
    "sql": lazy_gettext("Sales-qualified lead (SQL)"),
    "opportunity": lazy_gettext("Opportunity"),
    "customer": lazy_gettext("Customer"),
}

CONSENT_LABELS = {
    "opt_in": lazy_gettext("Opt-in"),
    "legitimate_interest": lazy_gettext("Legitimate interest"),
    "withdrawn": lazy_gettext("Withdrawn"),
}

CHANNEL_LABELS = {
    "email": lazy_gettext("E-mail"),
    "phone": lazy_gettext("Phone"),
    "sms": lazy_gettext("SMS"),
    "post": lazy_gettext("Post"),
}

EVENT_LABELS = {
    "email_sent": lazy_gettext("E-mail sent"),
    "email_opened": lazy_gettext("E-mail opened"),
    "email_clicked": lazy_gettext("E-mail link clicked"),
    "page_visited": lazy_gettext("Page visited"),
    "form_submitted": lazy_gettext("Form submitted"),
    "webinar_registered": lazy_gettext("Registered for a webinar"),
    "webinar_attended": lazy_gettext("Attended a webinar"),
    "content_downloaded": lazy_gettext("Content downloaded"),
    "meeting": lazy_gettext("Meeting"),
    "segment_entered": lazy_gettext("Entered a segment"),
    "segment_left": lazy_gettext("Left a segment"),
}

CAUSE_LABELS = {
    "event": lazy_gettext("Activity"),
    "edit": lazy_gettext("Details changed"),
    "rescore": lazy_gettext("Rules changed"),
    "decay": lazy_gettext("Time passed"),
}

# The properties worth a glance in a timeline, most telling first; ids stay out of sight.
KEY_PROPERTIES = (
    "segment",
    "subject",
    "title",
    "campaign",
    "webinar",
    "form",
    "content",
    "name",
    "url",
    "page",
    "path",
)
MAX_PROPERTIES = 3
MAX_VALUE_LENGTH = 80


def lifecycle_label(stage: str | None) -> str:
    if not stage:
        return ""
    return _(LIFECYCLE_LABELS[stage]) if stage in LIFECYCLE_LABELS else stage


def consent_label(basis: str | None) -> str:
    if not basis:
        return _("None recorded")
    return _(CONSENT_LABELS[basis]) if basis in CONSENT_LABELS else basis


def channel_label(channel: str) -> str:
    return _(CHANNEL_LABELS[channel]) if channel in CHANNEL_LABELS else channel


def event_label(event_type: str) -> str:
    """Name a known event type; a custom type reads as its slug with spaces ("trial_started")."""
    if event_type in EVENT_LABELS:
        return _(EVENT_LABELS[event_type])
    return event_type.replace("_", " ").capitalize()


def cause_label(cause: str) -> str:
    """Say what made a score change."""
    return _(CAUSE_LABELS[cause]) if cause in CAUSE_LABELS else cause


def _shorten(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"


def key_properties(properties: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Return up to three (name, value) pairs to show beside an event, known names first."""
    if not properties:
        return []
    plain = {
        key: value
        for key, value in properties.items()
        if value not in (None, "")
        and not isinstance(value, dict | list)
        and key != "id"
        and not key.endswith("_id")
    }
    known = [key for key in KEY_PROPERTIES if key in plain]
    others = sorted(key for key in plain if key not in KEY_PROPERTIES)
    return [(key, _shorten(plain[key])) for key in [*known, *others][:MAX_PROPERTIES]]
