"""One row of a file turned into a contact record, or into the reason it is rejected.

The steps, in order: undo the formula neutralisation of an export (kit/spreadsheets.restore),
take the first non-empty value of the columns mapped to each field, convert names to codes,
then pass ``ContactIn``, the single gate every contact goes through.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from pydantic import ValidationError

from propulse.contacts.importing import values
from propulse.contacts.importing.fastpath import FastFields
from propulse.contacts.importing.mapping import CUSTOM_PREFIX, CustomDefinition, header_key
from propulse.contacts.models import company_key
from propulse.contacts.schemas import ContactIn
from propulse.kit.forms import problems_from
from propulse.kit.i18n import colon
from propulse.kit.i18n import gettext as _
from propulse.kit.spreadsheets import restore

# The fields an import merges into a contact (contacts/merge.py), in the table's order.
MERGED_FIELDS = (
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
    "owner_id",
    "source",
    "custom",
)
_CONVERTERS = {
    "country": values.country,
    "language": values.language,
    "timezone": values.timezone,
    "lifecycle_stage": values.lifecycle_stage,
    "maturity": values.maturity,
}


CACHE_SIZE = 10_000
_PLAIN, _CONVERTED, _CUSTOM, _OWNER = "plain", "converted", "custom", "owner"


def _kind(target: str) -> str:
    if target in _CONVERTERS:
        return _CONVERTED
    if target.startswith(CUSTOM_PREFIX):
        return _CUSTOM
    return _OWNER if target == "owner" else _PLAIN


def _first_problem(error: ValidationError) -> tuple[str, str]:
    """Return the field (as a mapping target) and the message of ContactIn's first problem."""
    first = error.errors()[0]
    location = str(first["loc"][0]) if first.get("loc") else ""
    if first.get("type") == "value_error" and first.get("ctx", {}).get("error"):
        # Our validators' messages are already translated and name the value.
        message = str(first["ctx"]["error"])
    else:
        message = problems_from(error)[0].message
    return location.replace("owner_email", "owner"), message


class Record(NamedTuple):
    """A valid row: the normalised e-mail and the fields to merge (company as its name key).

    A named tuple, like ``reader.Row``: it crosses processes in big imports.
    """

    email: str
    fields: dict[str, Any]
    company_name: str | None


class Rejected(Exception):
    """A row that cannot be imported, with the reason shown in the rejects file."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def owner_index(users: Sequence[tuple[int, str, str]]) -> dict[str, int]:
    """Index users (id, e-mail, name) by e-mail, and by name when no one else has it."""
    index: dict[str, int] = {}
    names: dict[str, list[int]] = {}
    for user_id, email, name in users:
        index[email.strip().lower()] = user_id
        names.setdefault(header_key(name), []).append(user_id)
    for name, ids in names.items():
        if name and len(ids) == 1:
            index.setdefault(name, ids[0])
    return index


class RowConverter:
    """Turn the rows of one file, under one mapping, into records."""

    def __init__(
        self,
        *,
        headers: Sequence[str],
        targets: Sequence[str | None],
        custom_fields: Sequence[CustomDefinition],
        owners: Mapping[str, int],
    ) -> None:
        self.headers = list(headers)
        self.owners = owners
        self.custom = {CUSTOM_PREFIX + field.key: field for field in custom_fields}
        columns: dict[str, list[int]] = {}
        for index, target in enumerate(targets):
            if target is not None:
                columns.setdefault(target, []).append(index)
        # What to do with each target's text, decided once rather than on every row.
        self.columns = [(target, indexes, _kind(target)) for target, indexes in columns.items()]
        self._cache: dict[tuple[str, str], tuple[Any, str | None]] = {}
        self._fast = FastFields()

    def convert(self, row: Sequence[str]) -> Record:
        """Return the record of a row, or raise Rejected with the reason."""
        width = len(row)
        data: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        owner_id: int | None = None
        origin: dict[str, int] = {}
        for target, indexes, kind in self.columns:
            text = ""
            for index in indexes:
                if index < width and (text := row[index]):
                    if text[0] == "'":
                        text = restore(text)
                    text = text.strip()
                    if text:
                        break
            if not text:
                continue
            origin[target] = index
            if kind is _PLAIN:
                data[target] = text
                continue
            try:
                if kind is _CONVERTED:
                    data[target] = self._converted(target, text)
                elif kind is _CUSTOM:
                    definition = self.custom[target]
                    custom[definition.key] = values.custom_value(definition, text)
                else:
                    owner_id = self._owner(text)
                    data["owner_email"] = text
            except ValueError as error:
                raise self._rejected(index, str(error)) from None
        if "email" not in data:
            raise Rejected(_("No e-mail address."))
        data["custom"] = custom
        plain = self._fast.fields(data, owner_id)
        if plain is not None:
            email, fields = plain
            return Record(email, fields, data.get("company"))
        try:
            contact = ContactIn.model_validate(data)
        except ValidationError as error:
            field, message = _first_problem(error)
            raise self._rejected(origin.get(field), message) from None
        fields = {
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "phone": contact.phone,
            "job_title": contact.job_title,
            "company": company_key(contact.company) if contact.company else None,
            "sector": contact.sector,
            "company_size": contact.company_size,
            "maturity": contact.maturity,
            "country": contact.country,
            "language": contact.language,
            "timezone": contact.timezone,
            "lifecycle_stage": contact.lifecycle_stage.value if contact.lifecycle_stage else None,
            "owner_id": owner_id,
            "source": contact.source,
            "custom": contact.custom,
        }
        return Record(email=contact.email, fields=fields, company_name=contact.company)

    def _converted(self, target: str, text: str) -> Any:
        """Convert a code or a label, remembering it: a file repeats the same few countries."""
        key = (target, text)
        found = self._cache.get(key)
        if found is None:
            try:
                found = (_CONVERTERS[target](text), None)
            except ValueError as error:
                found = (None, str(error))
            if len(self._cache) > CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = found
        value, problem = found
        if problem is not None:
            raise ValueError(problem)
        return value

    def _owner(self, text: str) -> int:
        found = self.owners.get(text.lower()) or self.owners.get(header_key(text))
        if found is None:
            raise ValueError(
                _(
                    "No Propulse user has the e-mail or name %(value)s "
                    "(leave the owner column out to import without owners).",
                    value=text,
                )
            )
        return found

    def _rejected(self, column: int | None, message: str) -> Rejected:
        if column is None:
            return Rejected(message)
        return Rejected(f"{self.headers[column]}{colon()} {message}")
