"""Which column goes to which contact field: proposed from the headers, editable by the user.

A mapping is one target per column (``None``: the column is ignored). Several columns may go to
the same field: the first non-empty value, from left to right, wins (e.g. "Phone Number" then
"Mobile Phone Number"). Headers are compared without accents, case or punctuation, so
"E-mail", "EMAIL" and "Adresse e-mail" are all recognised.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from propulse.kit.errors import InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext

CUSTOM_PREFIX = "custom."
IGNORE = ("", "ignore", "-")

# The contact fields a column can fill, with their label (translated when shown).
FIELD_LABELS: dict[str, str] = {
    "email": lazy_gettext("E-mail"),
    "first_name": lazy_gettext("First name"),
    "last_name": lazy_gettext("Last name"),
    "phone": lazy_gettext("Phone"),
    "job_title": lazy_gettext("Job title"),
    "company": lazy_gettext("Company"),
    "sector": lazy_gettext("Sector"),
    "company_size": lazy_gettext("Company size"),
    "maturity": lazy_gettext("Maturity (1 to 5)"),
    "country": lazy_gettext("Country"),
    "language": lazy_gettext("Language"),
    "timezone": lazy_gettext("Time zone"),
    "lifecycle_stage": lazy_gettext("Lifecycle stage"),
    "owner": lazy_gettext("Owner (a user's e-mail)"),
    "source": lazy_gettext("Source"),
}

# Headers recognised for each field (compared once normalised, see ``header_key``): the field's
# own name (what ``propulse contacts export`` writes), a HubSpot contacts export's headers, and
# common English and French ones.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "email": (
        "email", "e mail", "email address", "e mail address", "mail", "courriel",
        "adresse e mail", "adresse email", "adresse mail", "adresse electronique",
        "adresse de messagerie", "work email", "business email",
    ),
    "first_name": ("first name", "firstname", "given name", "prenom"),
    "last_name": (
        "last name", "lastname", "surname", "family name", "nom", "nom de famille",
    ),
    "phone": (
        "phone", "phone number", "telephone", "telephone number", "tel", "work phone",
        "business phone", "numero de telephone", "telephone fixe", "mobile", "mobile phone",
        "mobile phone number", "mobile number", "cell phone", "portable",
        "telephone portable", "telephone mobile", "numero de portable", "gsm",
    ),
    "job_title": (
        "job title", "title", "position", "job position", "role", "fonction", "poste",
        "titre", "intitule du poste", "intitule de poste",
    ),
    "company": (
        "company", "company name", "organization", "organisation", "organization name",
        "account", "account name", "employer", "societe", "entreprise", "nom de l entreprise",
        "nom de la societe", "raison sociale", "structure",
    ),
    "sector": (
        "sector", "industry", "secteur", "secteur d activite", "industrie", "activite",
    ),
    "company_size": (
        "company size", "size", "number of employees", "employees", "headcount",
        "taille", "taille de l entreprise", "effectif", "effectifs", "nombre d employes",
        "nombre de salaries", "tranche d effectif",
    ),
    "maturity": ("maturity", "maturity level", "maturite", "niveau de maturite"),
    "country": ("country", "country region", "pays", "country code", "code pays"),
    "language": ("language", "preferred language", "langue", "langue preferee"),
    "timezone": ("timezone", "time zone", "fuseau horaire", "fuseau"),
    "lifecycle_stage": (
        "lifecycle stage", "lifecycle", "stage", "cycle de vie", "statut",
        "etape du cycle de vie", "phase du cycle de vie",
    ),
    "owner": (
        "owner", "contact owner", "owner email", "hubspot owner", "sales owner",
        "proprietaire", "proprietaire du contact", "responsable", "commercial",
    ),
    "source": (
        "source", "original source", "lead source", "origine", "source d origine",
        "source originale",
    ),
}  # fmt: skip

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def header_key(text: str) -> str:
    """Return a header without accents, case or punctuation: "Adresse e-mail" → "adresse e mail"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", plain.casefold()).strip()


_RECOGNISED: dict[str, str] = {
    header_key(synonym): target for target, synonyms in SYNONYMS.items() for synonym in synonyms
} | {header_key(target): target for target in FIELD_LABELS}


@dataclass(frozen=True)
class CustomDefinition:
    """A custom field a column can fill, and what its values must be."""

    key: str
    label: str
    kind: str = "text"
    choices: tuple[str, ...] = ()


def propose(
    headers: Sequence[str], custom_fields: Iterable[CustomDefinition] = ()
) -> list[str | None]:
    """Return the proposed target of each column (``None`` for a column left out)."""
    custom: dict[str, str] = {}
    for definition in custom_fields:
        target = CUSTOM_PREFIX + definition.key
        for name in (definition.label, definition.key):
            custom.setdefault(header_key(name), target)
        custom[header_key(target)] = target
    proposed: list[str | None] = []
    for header in headers:
        key = header_key(header)
        if key.startswith("custom "):
            proposed.append(custom.get(key))
        else:
            proposed.append(_RECOGNISED.get(key) or custom.get(key))
    return proposed


def valid_targets(custom_fields: Iterable[CustomDefinition]) -> list[str]:
    """Return every target a column may have, built-in fields first."""
    return [*FIELD_LABELS, *(CUSTOM_PREFIX + field.key for field in custom_fields)]


def apply_overrides(
    headers: Sequence[str],
    targets: Sequence[str | None],
    overrides: Sequence[str],
    custom_fields: Iterable[CustomDefinition] = (),
) -> list[str | None]:
    """Apply ``Column=field`` choices (``Column=`` or ``Column=ignore`` leaves it out)."""
    allowed = valid_targets(custom_fields)
    result = list(targets)
    for override in overrides:
        column, sep, target = override.partition("=")
        if not sep:
            raise InvalidInput.on_field(
                "map", _('Write each mapping as "Column=field", not %(given)s.', given=override)
            )
        index = find_column(headers, column.strip())
        if index is None:
            raise InvalidInput.on_field(
                "map",
                _(
                    "The file has no column %(column)s; its columns are: %(columns)s.",
                    column=column.strip(),
                    columns=", ".join(headers),
                ),
            )
        chosen = target.strip()
        if chosen.lower() in IGNORE:
            result[index] = None
        elif chosen in allowed:
            result[index] = chosen
        else:
            raise InvalidInput.on_field(
                "map",
                _(
                    "%(field)s is not a contact field; use one of: %(fields)s.",
                    field=chosen,
                    fields=", ".join(allowed),
                ),
            )
    return result


def find_column(headers: Sequence[str], name: str) -> int | None:
    """Return the index of the column named ``name``: exact header first, then loosely."""
    for index, header in enumerate(headers):
        if header == name:
            return index
    wanted = header_key(name)
    for index, header in enumerate(headers):
        if header_key(header) == wanted:
            return index
    return None


def check_targets(targets: Sequence[str | None], custom_fields: Iterable[CustomDefinition]) -> None:
    """Refuse a mapping without an e-mail column, or naming a field that does not exist."""
    allowed = set(valid_targets(custom_fields))
    for target in targets:
        if target is not None and target not in allowed:
            raise InvalidInput.on_field(
                "mapping", _("%(field)s is not a contact field.", field=target)
            )
    if "email" not in targets:
        raise InvalidInput.on_field(
            "mapping",
            _(
                "No column holds the e-mail address, which identifies each contact: "
                "map one column to the e-mail."
            ),
        )


def ignored_columns(headers: Sequence[str], targets: Sequence[str | None]) -> list[str]:
    """Return the headers of the columns the import leaves out."""
    return [header for header, target in zip(headers, targets, strict=False) if target is None]


def to_stored(targets: Sequence[str | None]) -> dict[str, str]:
    """Return a mapping as ContactImport keeps it: column index (as text) → target."""
    return {str(index): target for index, target in enumerate(targets) if target}


def from_stored(stored: Mapping[str, str], width: int) -> list[str | None]:
    """Return the per-column targets of a stored mapping."""
    return [stored.get(str(index)) for index in range(width)]
