"""The fields a form may ask besides the e-mail: some contact fields and the custom fields."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from propulse.contacts import fields as contact_fields
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext

# (key on ContactIn, label, input kind); the key is what a form's ``fields`` store.
CONTACT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("first_name", lazy_gettext("First name"), "text"),
    ("last_name", lazy_gettext("Last name"), "text"),
    ("company", lazy_gettext("Company"), "text"),
    ("job_title", lazy_gettext("Job title"), "text"),
    ("phone", lazy_gettext("Phone"), "tel"),
    ("country", lazy_gettext("Country"), "country"),
)
CONTACT_KEYS = frozenset(key for key, _label, _kind in CONTACT_FIELDS)
MAX_VALUE_LENGTH = 200


@dataclass(frozen=True)
class AskableField:
    """A field as the form builder and the hosted page show it."""

    key: str
    default_label: str
    kind: str  # text, tel, country, number, date, choice
    custom: bool = False
    choices: Sequence[str] = field(default_factory=tuple)


def askable_fields(session: Session) -> list[AskableField]:
    """Return the contact fields, then the custom fields in their display order."""
    found = [AskableField(key, _(label), kind) for key, label, kind in CONTACT_FIELDS]
    for definition in contact_fields.list_fields(session):
        found.append(
            AskableField(
                definition.key,
                definition.label,
                definition.kind,
                custom=True,
                choices=tuple(definition.choices or ()),
            )
        )
    return found


def askable_by_key(session: Session) -> dict[str, AskableField]:
    return {item.key: item for item in askable_fields(session)}
