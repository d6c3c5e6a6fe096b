"""Values of an imported cell turned into what a contact holds: codes, stages, typed custom values.

Each function takes the text of a cell (already trimmed, never empty) and returns the stored
value, or raises ``ValueError`` with a message for the rejects file.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from functools import lru_cache

from babel import Locale

from propulse.contacts.importing.mapping import CustomDefinition, header_key
from propulse.contacts.models import FieldKind, LifecycleStage
from propulse.kit.i18n import gettext as _
from propulse.workspace.schemas import country_codes, timezone_names

NAME_LOCALES = ("en", "fr")
MAX_TEXT = 1000  # a custom text value, as contacts/fields.py allows
COUNTRY_ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "angleterre": "GB",
    "usa": "US",
    "united states of america": "US",
    "etats unis d amerique": "US",
    "holland": "NL",
    "hollande": "NL",
}

# HubSpot's labels and internal values, their French translations, and common abbreviations.
# "Other"/"Autre" leaves the stage as it is (HubSpot's catch-all says nothing about the contact).
LIFECYCLE_LABELS: dict[str, LifecycleStage | None] = {
    "subscriber": LifecycleStage.subscriber,
    "abonne": LifecycleStage.subscriber,
    "abonnee": LifecycleStage.subscriber,
    "inscrit": LifecycleStage.subscriber,
    "lead": LifecycleStage.lead,
    "prospect": LifecycleStage.lead,
    "marketing qualified lead": LifecycleStage.mql,
    "marketingqualifiedlead": LifecycleStage.mql,
    "mql": LifecycleStage.mql,
    "lead qualifie marketing": LifecycleStage.mql,
    "lead qualifie par le marketing": LifecycleStage.mql,
    "sales qualified lead": LifecycleStage.sql,
    "salesqualifiedlead": LifecycleStage.sql,
    "sql": LifecycleStage.sql,
    "lead qualifie commercial": LifecycleStage.sql,
    "lead qualifie pour la vente": LifecycleStage.sql,
    "lead qualifie par les ventes": LifecycleStage.sql,
    "opportunity": LifecycleStage.opportunity,
    "opportunite": LifecycleStage.opportunity,
    "customer": LifecycleStage.customer,
    "client": LifecycleStage.customer,
    "cliente": LifecycleStage.customer,
    "evangelist": LifecycleStage.customer,
    "evangeliste": LifecycleStage.customer,
    "other": None,
    "autre": None,
}

_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


@lru_cache
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    codes = country_codes()
    for language in NAME_LOCALES:
        for code, name in Locale(language).territories.items():
            if code in codes:
                names.setdefault(header_key(name), str(code))
    names.update(COUNTRY_ALIASES)
    return names


def country(text: str) -> str:
    """Return the ISO code of a country given by code or by its English or French name."""
    if len(text) == 2 and text.upper() in country_codes():
        return text.upper()
    code = _country_names().get(header_key(text))
    if code is None:
        raise ValueError(
            _("%(value)s is not an ISO 3166 country code (e.g. FR, DE, GB).", value=text)
        )
    return code


@lru_cache
def _language_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in NAME_LOCALES:
        for code, name in Locale(language).languages.items():
            if len(code) == 2:
                names.setdefault(header_key(name), code)
    return names


def language(text: str) -> str:
    """Return a two-letter language code from "fr", "fr-FR", "French" or "Français"."""
    code = text.replace("_", "-").split("-")[0].lower()
    if len(code) == 2 and code.isalpha():
        return code
    found = _language_names().get(header_key(text))
    if found is None:
        raise ValueError(_("%(value)s is not a language code (e.g. fr, en, de).", value=text))
    return found


@lru_cache
def _timezones() -> dict[str, str]:
    by_key: dict[str, str] = {}
    cities: dict[str, list[str]] = {}
    for name in timezone_names():
        by_key[name.lower()] = name
        # HubSpot writes Europe/Paris as europe_slash_paris.
        by_key[name.lower().replace("/", "_slash_")] = name
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/")):
            cities.setdefault(header_key(name.rsplit("/", 1)[1]), []).append(name)
    for city, names in cities.items():
        if len(names) == 1:
            by_key.setdefault(city, names[0])
    return by_key


def timezone(text: str) -> str:
    """Return an IANA time zone from its name, any case, HubSpot's form, or "(GMT+01:00) Paris"."""
    zones = _timezones()
    found = zones.get(text.lower())
    if found is None and ")" in text:
        found = zones.get(header_key(text.rsplit(")", 1)[1]))
    if found is None:
        found = zones.get(header_key(text))
    if found is None:
        raise ValueError(_("%(value)s is not a time zone (e.g. Europe/Paris).", value=text))
    return found


def lifecycle_stage(text: str) -> str | None:
    """Return the stage of a Propulse, HubSpot or French label; None for "Other"."""
    key = header_key(text)
    if key in LIFECYCLE_LABELS:
        stage = LIFECYCLE_LABELS[key]
        return stage.value if stage is not None else None
    raise ValueError(
        _(
            "%(value)s is not a lifecycle stage (use %(stages)s).",
            value=text,
            stages=", ".join(stage.value for stage in LifecycleStage),
        )
    )


def maturity(text: str) -> str:
    """Return a maturity level as digits: "3", "3.0" and "3,0" all give "3"."""
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return text  # ContactIn says what is wrong
    return str(int(number)) if number.is_integer() else text


def number(text: str) -> float:
    """Return a number written the English or the French way ("1 234,5")."""
    plain = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in plain and "." not in plain:
        plain = plain.replace(",", ".")
    try:
        value = float(plain)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(_("%(value)s is not a number.", value=text))
    return value


def iso_date(text: str) -> str:
    """Return a date as YYYY-MM-DD from ISO (a time is dropped) or day-first DD/MM/YYYY."""
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text).isoformat()
        if len(text) > 10 and text[4] == "-":
            return datetime.fromisoformat(text).date().isoformat()
        match = _DAY_FIRST.match(text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day).isoformat()
    except ValueError:
        pass
    raise ValueError(_("%(value)s is not a date (YYYY-MM-DD or DD/MM/YYYY).", value=text))


def custom_value(definition: CustomDefinition, text: str) -> str | float:
    """Return a custom field's value coerced by its kind (number, date, choice or text)."""
    if definition.kind == FieldKind.number:
        return number(text)
    if definition.kind == FieldKind.date:
        return iso_date(text)
    if definition.kind == FieldKind.choice:
        for choice in definition.choices:
            if choice.casefold() == text.casefold():
                return choice
        raise ValueError(
            _(
                "%(value)s is not one of the choices: %(choices)s.",
                value=text,
                choices=", ".join(definition.choices),
            )
        )
    if len(text) > MAX_TEXT:
        raise ValueError(_("Use at most %(n)s characters.", n=MAX_TEXT))
    return text
