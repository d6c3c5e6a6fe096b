"""French and English: Babel catalogs compiled in memory, the request's locale in a contextvar."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SUPPORTED_LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}

_current_language: ContextVar[str] = ContextVar("propulse_language", default=DEFAULT_LANGUAGE)
_current_timezone: ContextVar[str] = ContextVar("propulse_timezone", default="UTC")


@lru_cache
def translations_for(language: str) -> NullTranslations:
    """Compile the language's .po catalog in memory (no compiled .mo file to keep in sync)."""
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not po_file.exists():
        return NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def normalise_language(value: str | None) -> str | None:
    """Return a supported language code from 'fr', 'fr-FR', 'FR'... or None."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in SUPPORTED_LANGUAGES else None


def language_from_accept_header(header: str | None) -> str | None:
    """Pick the best supported language from an Accept-Language header."""
    if not header:
        return None
    weighted: list[tuple[float, str]] = []
    for part in header.split(","):
        piece, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = normalise_language(piece)
        if language:
            weighted.append((quality, language))
    weighted.sort(key=lambda item: -item[0])
    return weighted[0][1] if weighted else None


def current_language() -> str:
    return _current_language.get()


def current_timezone() -> str:
    return _current_timezone.get()


@contextmanager
def use_locale(language: str, timezone: str = "UTC") -> Iterator[None]:
    """Run a block in a language and time zone (a request, a job, an e-mail to someone)."""
    language_token = _current_language.set(normalise_language(language) or DEFAULT_LANGUAGE)
    timezone_token = _current_timezone.set(timezone)
    try:
        yield
    finally:
        _current_language.reset(language_token)
        _current_timezone.reset(timezone_token)


def set_locale(language: str, timezone: str = "UTC") -> None:
    """Set the language for the rest of the current context (a request or a CLI run)."""
    _current_language.set(normalise_language(language) or DEFAULT_LANGUAGE)
    _current_timezone.set(timezone)


def gettext(message: str, **variables: object) -> str:
    """Translate a message into the current language, then fill ``%(name)s`` variables."""
    text = translations_for(current_language()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, count: int, **variables: object) -> str:
    text = translations_for(current_language()).ngettext(singular, plural, count)
    return text % {"num": count, **variables}


_ = gettext


def lazy_gettext(message: str) -> str:
    """Mark a message for extraction where it is translated later (labels of enums)."""
    return message


def colon() -> str:
    """Return the colon that follows a label: French puts a no-break space before it."""
    return "\u00a0:" if current_language() == "fr" else ":"


def format_date(value: date | datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(current_timezone())).date()
    return dates.format_date(value, format=format, locale=current_language())


def format_datetime(value: datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return dates.format_datetime(
        value, format=format, tzinfo=ZoneInfo(current_timezone()), locale=current_language()
    )


def format_number(value: float | int | Decimal | None, digits: int = 0) -> str:
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return numbers.format_decimal(value, format=pattern, locale=current_language())


def format_percent(value: float | None) -> str:
    if value is None:
        return ""
    return numbers.format_percent(value, locale=current_language())


def format_timedelta_seconds(seconds: float) -> str:
    return dates.format_timedelta(timedelta(seconds=seconds), locale=current_language())


def language_display_name(code: str) -> str:
    return Locale.parse(code).get_display_name(current_language()) or code
