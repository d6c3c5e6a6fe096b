"""Working days and public holidays: pure date arithmetic shared by every schedule.

Playbooks date tasks, nurturing keeps sending windows and content scheduling spreads pieces
with these functions. A working day is a Monday to Friday that is no public holiday of the
country (and optional subdivision, e.g. "57" for Moselle); holidays come from the ``holidays``
package, named in English and cached per (country, subdivision, year), so day-by-day walks
stay cheap. D+n working days is the n-th working day after the anchor, never the anchor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType

import holidays

__all__ = [
    "DayKind",
    "UnknownCountry",
    "UnknownSubdivision",
    "add_duration",
    "add_working_days",
    "holiday_name",
    "holidays_between",
    "is_weekend",
    "is_working_day",
    "next_working_day",
    "previous_working_day",
    "public_holidays",
    "shift",
    "spread",
    "working_days_between",
]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5
# Enough to step over any run of weekends and holidays; a longer search means the caller's
# ``avoid`` refuses (almost) every day, which must fail loudly rather than loop forever.
_MAX_SEARCH_DAYS = 366


class DayKind(StrEnum):
    """Say whether an offset counts every calendar day or working days only."""

    calendar = "calendar"
    working = "working"


class UnknownCountry(ValueError):
    """Raised for a country code the holidays data does not cover."""


class UnknownSubdivision(UnknownCountry):
    """Raised for a subdivision its country does not have."""

    # A subclass, so one ``except UnknownCountry`` catches any unusable calendar.


def _country_code(country: str) -> str:
    """Return the canonical (upper-case) code so that "fr" and "FR" share one cache entry."""
    return country.strip().upper()


@lru_cache(maxsize=512)
def _english_language(country: str) -> str | None:
    """Return "en_US" when the country's holiday names are translated to it, else None."""
    if country not in holidays.list_supported_countries():
        raise UnknownCountry(
            f"Unknown country code {country!r}: expected an ISO 3166 code with public "
            "holidays data, such as FR, DE, GB, ES, IT or US."
        )
    # Without years nothing is computed yet; the instance only tells its languages.
    return "en_US" if "en_US" in holidays.country_holidays(country).supported_languages else None


@lru_cache(maxsize=4096)
def _holidays_of_year(country: str, subdivision: str | None, year: int) -> Mapping[date, str]:
    """Load one year of public holidays; read-only because every caller shares it."""
    language = _english_language(country)
    try:
        calendar = holidays.country_holidays(
            country, subdiv=subdivision, years=year, language=language
        )
    except NotImplementedError as error:  # the package's way to refuse a subdivision
        raise UnknownSubdivision(
            f"Unknown subdivision {subdivision!r} for country {country}."
        ) from error
    return MappingProxyType(dict(calendar))


@lru_cache(maxsize=4096)
def _days_off(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """Return every weekend day and public holiday of a year, for one-lookup day checks."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
    weekends = frozenset(day for day in days if day.weekday() >= _SATURDAY)
    return weekends.union(_holidays_of_year(country, subdivision, year))


def public_holidays(country: str, year: int, subdivision: str | None = None) -> dict[date, str]:
    """Return the public holidays of a country's year, by date, with English names."""
    # A copy: callers may edit their dict without touching the shared cache.
    return dict(_holidays_of_year(_country_code(country), subdivision, year))


def holiday_name(day: date, country: str, subdivision: str | None = None) -> str | None:
    """Return the name of the public holiday on ``day``, or None on an ordinary day."""
    return _holidays_of_year(_country_code(country), subdivision, day.year).get(day)


def is_weekend(day: date) -> bool:
    """Tell whether ``day`` is a Saturday or a Sunday."""
    return day.weekday() >= _SATURDAY


def is_working_day(day: date, country: str, subdivision: str | None = None) -> bool:
    """Tell whether ``day`` is neither a weekend day nor a public holiday."""
    return day not in _days_off(_country_code(country), subdivision, day.year)


def _walk(day: date, steps: int, step: timedelta, country: str, subdivision: str | None) -> date:
    """Move ``steps`` working days away from ``day`` (not counted) in the ``step`` direction."""
    year = day.year
    days_off = _days_off(country, subdivision, year)
    while steps:
        day += step
        if day.year != year:  # fetch the next year's set only when crossing into it
            year = day.year
            days_off = _days_off(country, subdivision, year)
        if day not in days_off:
            steps -= 1
    return day


def next_working_day(day: date, country: str, subdivision: str | None = None) -> date:
    """Return ``day`` if it is a working day, else the first working day after it."""
    country = _country_code(country)
    if day not in _days_off(country, subdivision, day.year):
        return day
    return _walk(day, 1, _ONE_DAY, country, subdivision)


def previous_working_day(day: date, country: str, subdivision: str | None = None) -> date:
    """Return ``day`` if it is a working day, else the last working day before it."""
    country = _country_code(country)
    if day not in _days_off(country, subdivision, day.year):
        return day
    return _walk(day, 1, -_ONE_DAY, country, subdivision)


def add_working_days(start: date, days: int, country: str, subdivision: str | None = None) -> date:
    """Return the ``days``-th working day after ``start`` (before it when negative).

    ``start`` itself is never counted: D+1 is the next working day after it. With 0, return
    ``start`` when it is a working day, else the next one, so that D+0 is always workable.
    """
    country = _country_code(country)
    if days == 0:
        return next_working_day(start, country, subdivision)
    step = _ONE_DAY if days > 0 else -_ONE_DAY
    return _walk(start, abs(days), step, country, subdivision)


def shift(
    anchor: date,
    offset_days: int,
    *,
    kind: DayKind,
    country: str,
    subdivision: str | None = None,
) -> date:
    """Return the date ``offset_days`` (signed, D-30 … D+14) from ``anchor``."""
    if kind == DayKind.calendar:
        # Calendar offsets are taken literally, even onto a Sunday: that is what "D-30" means.
        return anchor + timedelta(days=offset_days)
    return add_working_days(anchor, offset_days, country, subdivision)


def add_duration(
    start: date,
    duration_days: int,
    *,
    kind: DayKind,
    country: str,
    subdivision: str | None = None,
) -> date:
    """Return the last day (inclusive) of a task that starts on ``start``.

    A duration of 1 ends the day it starts. In working days, a task set to start on a
    weekend or holiday really starts on the next working day.
    """
    if duration_days < 1:
        raise ValueError(f"A duration is at least 1 day, not {duration_days}.")
    if kind == DayKind.calendar:
        return start + timedelta(days=duration_days - 1)
    first = next_working_day(start, country, subdivision)
    return add_working_days(first, duration_days - 1, country, subdivision)


def working_days_between(
    start: date, end: date, country: str, subdivision: str | None = None
) -> int:
    """Count the working days from ``start`` to ``end``, both included (0 if end < start)."""
    if end < start:
        return 0
    country = _country_code(country)
    total = 0
    # Per year, subtract the days off inside the range instead of testing each day.
    for year in range(start.year, end.year + 1):
        low, high = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
        days_off = sum(1 for day in _days_off(country, subdivision, year) if low <= day <= high)
        total += (high - low).days + 1 - days_off
    return total


def holidays_between(
    start: date, end: date, country: str, subdivision: str | None = None
) -> list[tuple[date, str]]:
    """List the public holidays from ``start`` to ``end`` (both included), by date."""
    country = _country_code(country)
    found = [
        (day, name)
        for year in range(start.year, end.year + 1)
        for day, name in _holidays_of_year(country, subdivision, year).items()
        if start <= day <= end
    ]
    return sorted(found)


def spread(
    start: date,
    count: int,
    *,
    every_days: int,
    kind: DayKind,
    country: str,
    subdivision: str | None = None,
    avoid: Callable[[date], bool] | None = None,
) -> list[date]:
    """Return ``count`` increasing working dates from ``start``, ``every_days`` apart.

    The cadence is kept from the nominal dates (``start`` plus multiples of ``every_days``;
    in working days, counted from the first working day on or after ``start``), so a
    weekly Monday slot moved by a holiday comes back to Monday the week after. Each date then
    moves forward past weekends and holidays (for the calendar kind too: nobody publishes or
    sends on them), past days where ``avoid`` is true, and past the date placed before it.
    """
    if count < 0:
        raise ValueError(f"Cannot spread a negative number of dates ({count}).")
    if every_days < 1:
        raise ValueError(f"Dates are spread at least 1 day apart, not {every_days}.")
    country = _country_code(country)
    nominal = start if kind == DayKind.calendar else next_working_day(start, country, subdivision)
    placed: list[date] = []
    for index in range(count):
        if index:
            nominal = shift(
                nominal, every_days, kind=kind, country=country, subdivision=subdivision
            )
        earliest = nominal if not placed or nominal > placed[-1] else placed[-1] + _ONE_DAY
        placed.append(_first_acceptable(earliest, country, subdivision, avoid))
    return placed


def _first_acceptable(
    day: date, country: str, subdivision: str | None, avoid: Callable[[date], bool] | None
) -> date:
    """Return the first working day from ``day`` on that ``avoid`` does not refuse."""
    for offset in range(_MAX_SEARCH_DAYS):
        candidate = day + timedelta(days=offset)
        if is_working_day(candidate, country, subdivision) and not (avoid and avoid(candidate)):
            return candidate
    raise ValueError(f"No acceptable day within {_MAX_SEARCH_DAYS} days from {day}.")
