"""When a sequence may write to a contact: sending windows in the contact's time zone.

Pure functions over aware datetimes. A window is hours and weekdays in the contact's local time
(their time zone, else the workspace's), and the public holidays of the contact's country are
skipped when the window says so. Wall-clock arithmetic in ``zoneinfo`` keeps 09:00 at 09:00
across daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from propulse.kit.workdays import UnknownCountry, holiday_name

DEFAULT_ZONE = "Europe/Paris"
# Enough to step over any run of weekends and holidays in a year.
MAX_SEARCH_DAYS = 400


@dataclass(frozen=True)
class Window:
    """Hours (local, end excluded), weekdays (0 is Monday) and whether holidays are skipped."""

    start: time = time(9, 0)
    end: time = time(18, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    skip_holidays: bool = True


DEFAULT_WINDOW = Window()


def _parse_time(value: Any, fallback: time) -> time:
    if value == "24:00":  # the end of the day: the window stays open until midnight
        return time.max
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except (ValueError, TypeError):
        return fallback


def window_from(stored: Mapping[str, Any] | None) -> Window:
    """Build a window from its stored form (``{"start": "09:00", ...}``); None: the default."""
    if not stored:
        return DEFAULT_WINDOW
    weekdays = frozenset(int(d) for d in stored.get("weekdays", DEFAULT_WINDOW.weekdays))
    return Window(
        start=_parse_time(stored.get("start"), DEFAULT_WINDOW.start),
        end=_parse_time(stored.get("end"), DEFAULT_WINDOW.end),
        weekdays=weekdays or DEFAULT_WINDOW.weekdays,
        skip_holidays=bool(stored.get("skip_holidays", True)),
    )


def pick_window(windows: Mapping[str, Any] | None, country: str | None) -> Window:
    """Return the sequence's window for this country, else its "default", else 09-18 Mon-Fri."""
    windows = windows or {}
    if country and country.upper() in windows:
        return window_from(windows[country.upper()])
    return window_from(windows.get("default"))


def zone_of(name: str | None, fallback: str | None = None) -> ZoneInfo:
    """Return the time zone named (else the fallback's, else Paris); a bad name is ignored."""
    for candidate in (name, fallback, DEFAULT_ZONE):
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo(DEFAULT_ZONE)


def is_holiday(day: date, country: str | None) -> bool:
    """Tell whether ``day`` is a public holiday of ``country`` (an unknown country has none)."""
    if not country:
        return False
    try:
        return holiday_name(day, country) is not None
    except UnknownCountry:
        return False


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)


def _allowed_day(day: date, window: Window, country: str | None) -> bool:
    if day.weekday() not in window.weekdays:
        return False
    return not (window.skip_holidays and is_holiday(day, country))


def next_send_time(
    now: datetime, *, window: Window, zone: ZoneInfo, country: str | None
) -> datetime:
    """Return the first moment ≥ ``now`` (in UTC) that falls inside the window."""
    local = now.astimezone(zone)
    for offset in range(MAX_SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        if not _allowed_day(day, window, country):
            continue
        # Same tzinfo: comparisons are on the wall clock, as the window is.
        opens, closes = _local(day, window.start, zone), _local(day, window.end, zone)
        if offset == 0:
            if local < opens:
                return opens.astimezone(UTC)
            if local < closes:
                return now.astimezone(UTC)
            continue
        return opens.astimezone(UTC)
    return now.astimezone(UTC)  # a window that never opens: do not hold the message forever


def after_days(now: datetime, *, days: int, zone: ZoneInfo) -> datetime:
    """Return the same local time ``days`` later (in UTC), across daylight-saving changes."""
    local = now.astimezone(zone)
    later = datetime.combine(local.date() + timedelta(days=days), local.time(), tzinfo=zone)
    return later.astimezone(UTC)


def until_weekday(now: datetime, *, weekday: int, hour: int, zone: ZoneInfo) -> datetime:
    """Return the next ``weekday`` at ``hour``:00 local time strictly after ``now`` (in UTC)."""
    local = now.astimezone(zone)
    ahead = (weekday - local.weekday()) % 7
    candidate = _local(local.date() + timedelta(days=ahead), time(hour), zone)
    if candidate.astimezone(UTC) <= now.astimezone(UTC):
        candidate = _local(local.date() + timedelta(days=ahead + 7), time(hour), zone)
    return candidate.astimezone(UTC)
