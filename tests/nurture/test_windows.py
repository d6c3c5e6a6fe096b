"""Sending windows: quiet hours, weekends, public holidays per country, time zones, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from propulse.nurture.windows import (
    DEFAULT_WINDOW,
    Window,
    after_days,
    is_holiday,
    next_send_time,
    pick_window,
    until_weekday,
    window_from,
    zone_of,
)

PARIS = ZoneInfo("Europe/Paris")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def local(zone: ZoneInfo, *parts: int) -> datetime:
    year, month, day, hour, minute, *seconds = parts
    return datetime(year, month, day, hour, minute, seconds[0] if seconds else 0, tzinfo=zone)


def send(
    now: datetime, zone: ZoneInfo, country: str | None, window: Window = DEFAULT_WINDOW
) -> datetime:
    return next_send_time(now, window=window, zone=zone, country=country).astimezone(zone)


def test_inside_the_window_sends_at_once() -> None:
    now = local(PARIS, 2027, 3, 2, 10, 30)  # a Tuesday
    assert send(now, PARIS, "FR") == now


def test_quiet_hours_wait_for_the_morning() -> None:
    assert send(local(PARIS, 2027, 3, 2, 6, 0), PARIS, "FR") == local(PARIS, 2027, 3, 2, 9, 0)
    # after 18:00 (the end is excluded): the next morning
    assert send(local(PARIS, 2027, 3, 2, 18, 0), PARIS, "FR") == local(PARIS, 2027, 3, 3, 9, 0)


def test_weekends_wait_for_monday() -> None:
    friday_evening = local(PARIS, 2027, 3, 5, 19, 0)
    assert send(friday_evening, PARIS, "FR") == local(PARIS, 2027, 3, 8, 9, 0)
    saturday = local(PARIS, 2027, 3, 6, 11, 0)
    assert send(saturday, PARIS, "FR") == local(PARIS, 2027, 3, 8, 9, 0)


def test_bastille_day_is_skipped_in_france_not_in_germany() -> None:
    morning = local(PARIS, 2027, 7, 14, 10, 0)  # a Wednesday, the French national day
    assert send(morning, PARIS, "FR") == local(PARIS, 2027, 7, 15, 9, 0)
    assert send(morning.astimezone(BERLIN), BERLIN, "DE") == morning


def test_german_unity_day_is_skipped_in_germany() -> None:
    morning = local(BERLIN, 2028, 10, 3, 10, 0)  # a Tuesday
    assert send(morning, BERLIN, "DE") == local(BERLIN, 2028, 10, 4, 9, 0)
    assert send(morning.astimezone(PARIS), PARIS, "FR") == morning


def test_a_window_may_keep_holidays() -> None:
    window = Window(skip_holidays=False)
    morning = local(PARIS, 2027, 7, 14, 10, 0)
    assert send(morning, PARIS, "FR", window) == morning


def test_an_unknown_country_has_no_holidays_and_does_not_crash() -> None:
    assert not is_holiday(date(2027, 7, 14), "ZZ")
    morning = local(PARIS, 2027, 7, 14, 10, 0)
    assert send(morning, PARIS, "ZZ") == morning
    assert send(morning, PARIS, None) == morning


def test_the_send_time_is_in_the_contacts_time_zone() -> None:
    # 15:00 in Paris is 09:00 in New York: inside; 14:00 in Paris is 08:00 there: wait an hour.
    assert send(local(PARIS, 2027, 3, 16, 14, 0), NEW_YORK, "US") == local(
        NEW_YORK, 2027, 3, 16, 9, 0
    )
    at_nine = local(NEW_YORK, 2027, 3, 16, 9, 0).astimezone(UTC)
    assert next_send_time(at_nine, window=DEFAULT_WINDOW, zone=NEW_YORK, country="US") == at_nine


def test_daylight_saving_keeps_nine_oclock_local() -> None:
    # Paris moves to summer time on Sunday 29 March 2026: Monday 9:00 is 07:00 UTC, not 08:00.
    saturday = local(PARIS, 2026, 3, 28, 12, 0)
    monday = send(saturday, PARIS, "FR")
    assert monday == local(PARIS, 2026, 3, 30, 9, 0)
    assert monday.astimezone(UTC).hour == 7
    winter = send(local(PARIS, 2026, 3, 21, 12, 0), PARIS, "FR")
    assert winter.astimezone(UTC).hour == 8


def test_wait_days_keep_the_local_hour_across_dst() -> None:
    friday = local(PARIS, 2026, 3, 27, 10, 0).astimezone(UTC)
    later = after_days(friday, days=3, zone=PARIS)
    assert later.astimezone(PARIS) == local(PARIS, 2026, 3, 30, 10, 0)
    assert later - friday == timedelta(days=3, hours=-1)  # the night of the change is shorter


def test_wait_until_a_weekday_and_hour() -> None:
    wednesday = local(PARIS, 2027, 3, 3, 12, 0)
    tuesday = until_weekday(wednesday, weekday=1, hour=10, zone=PARIS).astimezone(PARIS)
    assert tuesday == local(PARIS, 2027, 3, 9, 10, 0)
    # the same day, before the hour: today; at or after it: next week
    early = local(PARIS, 2027, 3, 9, 8, 0)
    assert until_weekday(early, weekday=1, hour=10, zone=PARIS).astimezone(PARIS) == tuesday
    assert until_weekday(tuesday, weekday=1, hour=10, zone=PARIS).astimezone(PARIS) == local(
        PARIS, 2027, 3, 16, 10, 0
    )


def test_windows_per_country_and_stored_form() -> None:
    stored = {
        "default": {"start": "09:00", "end": "18:00", "weekdays": [0, 1, 2, 3, 4]},
        "DE": {"start": "08:00", "end": "16:30", "weekdays": [0, 1, 2, 3], "skip_holidays": False},
    }
    german = pick_window(stored, "de")
    assert german == Window(time(8), time(16, 30), frozenset({0, 1, 2, 3}), False)
    assert pick_window(stored, "FR").start == time(9)
    assert pick_window({}, "FR") == DEFAULT_WINDOW
    assert window_from(None) == DEFAULT_WINDOW
    # a Friday in Germany with a Monday-Thursday window: next Monday 08:00
    friday = local(BERLIN, 2027, 3, 5, 10, 0)
    assert send(friday, BERLIN, "DE", german) == local(BERLIN, 2027, 3, 8, 8, 0)


def test_a_bad_time_zone_falls_back() -> None:
    assert zone_of("Mars/Olympus", "Europe/Berlin") == BERLIN
    assert zone_of(None, None) == PARIS


def test_a_window_to_midnight_is_open_all_day() -> None:
    stored = {"start": "00:00", "end": "24:00", "weekdays": list(range(7)), "skip_holidays": False}
    window = window_from(stored)
    late = local(PARIS, 2027, 3, 6, 23, 59, 30)
    assert send(late, PARIS, "FR", window) == late
