"""Custom fields of contacts: definitions kept by an admin, and the values checked against them."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.contacts.models import Contact, CustomField, FieldKind
from propulse.contacts.schemas import ContactIn, CustomFieldIn, CustomFieldPatch
from propulse.kit.errors import Conflict, FieldProblem, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_TEXT = 1000

# A custom key may not shadow a built-in field: conditions name both in the same namespace.
BUILT_IN_NAMES = frozenset(
    {*Contact.__table__.columns.keys(), *ContactIn.model_fields, "company", "custom", "name"}
)


def list_fields(session: Session) -> list[CustomField]:
    """Return the definitions in their display order."""
    return list(session.scalars(select(CustomField).order_by(CustomField.position, CustomField.id)))


def get_field(session: Session, *, field_id: int) -> CustomField:
    found = session.get(CustomField, field_id)
    if found is None:
        raise NotFound(_("This custom field does not exist."))
    return found


def _check_choices(kind: str, choices: list[str]) -> list[str]:
    cleaned = [choice.strip() for choice in choices if choice.strip()]
    if kind == FieldKind.choice and not cleaned:
        raise InvalidInput.on_field("choices", _("A choice field needs at least one choice."))
    if len({choice.casefold() for choice in cleaned}) != len(cleaned):
        raise InvalidInput.on_field("choices", _("Each choice must appear only once."))
    return cleaned if kind == FieldKind.choice else []


def create_field(session: Session, *, actor: User, data: CustomFieldIn) -> CustomField:
    """Add a custom field to every contact (admins)."""
    ensure_role(actor, Role.admin, action=_("define custom fields"))
    key = data.key
    if not KEY_PATTERN.match(key):
        raise InvalidInput.on_field(
            "key",
            _(
                "Use 2 to 40 lowercase letters, digits or underscores, starting with a letter "
                "(e.g. budget_eur)."
            ),
        )
    if key in BUILT_IN_NAMES:
        raise InvalidInput.on_field(
            "key", _("%(key)s is the name of a built-in field: choose another key.", key=key)
        )
    if session.scalar(select(CustomField.id).where(CustomField.key == key)) is not None:
        raise Conflict(_("A custom field with the key %(key)s already exists.", key=key))
    created = CustomField(
        key=key,
        label=data.label,
        kind=data.kind.value,
        choices=_check_choices(data.kind, data.choices),
        position=data.position,
    )
    session.add(created)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="contact_field",
        object_id=created.id,
        summary=f"custom field {key} ({data.kind.value})",
    )
    return created


def update_field(
    session: Session, *, actor: User, field_id: int, data: CustomFieldPatch
) -> CustomField:
    """Change a field's label, choices or position; its key and kind stay."""
    ensure_role(actor, Role.admin, action=_("define custom fields"))
    found = get_field(session, field_id=field_id)
    sent = data.model_fields_set
    if "label" in sent and data.label is not None:
        found.label = data.label
    if "choices" in sent and data.choices is not None:
        found.choices = _check_choices(found.kind, data.choices)
    if "position" in sent and data.position is not None:
        found.position = data.position
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="updated",
        object_type="contact_field",
        object_id=found.id,
        summary=f"custom field {found.key}",
        details={"changed": sorted(sent)},
    )
    return found


def field_users(session: Session, *, key: str) -> list[str]:
    """Return the names of the segments and scoring rules whose conditions use this field."""
    from propulse.scoring.models import ScoringRule
    from propulse.segments import service as segments

    needle = f'"custom.{key}"'
    users = [
        _("segment %(name)s", name=segment.name)
        for segment in segments.list_segments(session)
        if segment.definition and needle in json.dumps(segment.definition)
    ]
    for name, condition in session.execute(select(ScoringRule.name, ScoringRule.condition)):
        if condition and needle in json.dumps(condition):
            users.append(_("scoring rule %(name)s", name=name))
    return users


def delete_field(session: Session, *, actor: User, field_id: int) -> None:
    """Delete a field and its values, unless a segment or a scoring rule still uses it."""
    ensure_role(actor, Role.admin, action=_("define custom fields"))
    found = get_field(session, field_id=field_id)
    users = field_users(session, key=found.key)
    if users:
        raise Conflict(
            _(
                "The field %(key)s is used by %(users)s: change them first.",
                key=found.key,
                users=", ".join(users),
            )
        )
    _drop_values(session, key=found.key)
    audit.record(
        session,
        actor=actor,
        action="deleted",
        object_type="contact_field",
        object_id=found.id,
        summary=f"custom field {found.key}",
    )
    session.delete(found)
    session.flush()


def _drop_values(session: Session, *, key: str) -> None:
    """Remove the key from every contact's values in one statement (no row loaded)."""
    # The key matches KEY_PATTERN, so the JSON path below cannot be injected.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "UPDATE contacts SET custom = (custom::jsonb - :key)::json "
                "WHERE custom::jsonb ? :key"
            ).bindparams(key=key)
        )
    else:
        path = f"$.{key}"
        session.execute(
            update(Contact)
            .where(func.json_type(Contact.custom, path).is_not(None))
            .values(custom=func.json_remove(Contact.custom, path))
            .execution_options(synchronize_session=False)
        )
    # Contacts already loaded would otherwise keep the dropped value in memory.
    for item in list(session.identity_map.values()):
        if isinstance(item, Contact):
            session.expire(item, ["custom"])


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _coerce(definition: CustomField, value: Any) -> Any:
    """Return the value in its stored form, or raise ValueError with the user's message."""
    if _is_blank(value):
        return None
    if definition.kind == FieldKind.number:
        if isinstance(value, bool):
            raise ValueError(_("Enter a number."))
        if isinstance(value, str):
            cleaned = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
            if "," in cleaned and "." not in cleaned:
                cleaned = cleaned.replace(",", ".")
            try:
                value = float(cleaned)
            except ValueError:
                raise ValueError(_("Enter a number.")) from None
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(_("Enter a number."))
        return float(value)
    if definition.kind == FieldKind.date:
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str) and _ISO_DATE.match(value.strip()):
            try:
                return date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                pass
        raise ValueError(_("Enter a date as YYYY-MM-DD."))
    if definition.kind == FieldKind.choice:
        wanted = str(value).strip().casefold()
        for choice in definition.choices:
            if choice.casefold() == wanted:
                return choice
        raise ValueError(_("Choose one of: %(choices)s.", choices=", ".join(definition.choices)))
    if isinstance(value, dict | list | bool):
        raise ValueError(_("Enter a text."))
    text_value = str(value).strip()
    if len(text_value) > MAX_TEXT:
        raise ValueError(_("Use at most %(n)s characters.", n=MAX_TEXT))
    return text_value


def coerce_custom_values(
    definitions: Mapping[str, CustomField], values: Mapping[str, Any]
) -> dict[str, Any]:
    """Check values against already loaded definitions; a blank value comes back as None."""
    checked: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            problems.append(
                FieldProblem(f"custom.{key}", _("There is no custom field %(key)s.", key=key))
            )
            continue
        try:
            checked[key] = _coerce(definition, value)
        except ValueError as error:
            problems.append(FieldProblem(f"custom.{key}", str(error)))
    if problems:
        message = (
            problems[0].message if len(problems) == 1 else _("Some fields need your attention.")
        )
        raise InvalidInput(message, problems)
    return checked


def definitions_by_key(session: Session) -> dict[str, CustomField]:
    return {definition.key: definition for definition in list_fields(session)}


def check_custom_values(session: Session, *, values: Mapping[str, Any]) -> dict[str, Any]:
    """Coerce custom values by kind (number → float, date → "YYYY-MM-DD", choice among its own).

    An unknown key or a bad value raises InvalidInput on "custom.<key>"; a blank value is
    returned as None (the caller decides whether it clears the value or is ignored).
    """
    if not values:
        return {}
    return coerce_custom_values(definitions_by_key(session), values)
