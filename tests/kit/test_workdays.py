"""Working days and public holidays: the date arithmetic behind task due dates and calendars."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propulse.kit.workdays import (
    DayKind,
    UnknownCountry,
    UnknownSubdivision,
    add_duration,
    add_working_days,
    holiday_name,
    holidays_between,
    is_weekend,
    is_working_day,
    next_working_day,
    previous_working_day,
    public_holidays,
    shift,
    spread,
    working_days_between,
)

WORKING = DayKind.working
CALENDAR = DayKind.calendar


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- holidays ---------------------------------------------------------------------------


def test_french_public_holidays_of_2027_are_named_in_english():
    french = public_holidays("FR", 2027)
    assert french[d("2027-05-01")] == "Labor Day"
    assert french[d("2027-05-06")] == "Ascension Day"
    assert french[d("2027-05-08")] == "Victory Day"
    assert french[d("2027-07-14")] == "National Day"
    assert french[d("2027-12-25")] == "Christmas Day"
    assert d("2027-03-26") not in french  # Good Friday is not a holiday in most of France


def test_spanish_and_italian_holidays_are_named_in_english_too():
    assert public_holidays("ES", 2027)[d("2027-01-06")] == "Epiphany"
    assert public_holidays("IT", 2027)[d("2027-01-06")] == "Epiphany"


def test_german_unity_day_and_good_friday():
    assert holiday_name(d("2027-10-03"), "DE") == "German Unity Day"
    assert not is_working_day(d("2027-03-26"), "DE")  # Good Friday
    assert is_working_day(d("2027-03-26"), "FR")


def test_a_subdivision_adds_its_own_holidays():
    # Alsace-Moselle keeps Good Friday and Saint Stephen's Day.
    assert not is_working_day(d("2027-03-26"), "FR", "57")
    assert holiday_name(d("2027-12-26"), "FR", "57") == "Saint Stephen's Day"
    assert holiday_name(d("2027-12-26"), "FR") is None


def test_british_substitute_days_are_days_off():
    # Christmas 2027 falls on a Saturday and Boxing Day on a Sunday: both move to Monday, Tuesday.
    assert holiday_name(d("2027-12-27"), "GB") == "Christmas Day (observed)"
    assert not is_working_day(d("2027-12-28"), "GB")
    assert is_working_day(d("2027-12-27"), "FR")


def test_holiday_name_is_none_on_an_ordinary_day():
    assert holiday_name(d("2027-05-04"), "FR") is None


def test_country_codes_are_case_insensitive():
    assert public_holidays("fr", 2027) == public_holidays("FR", 2027)
    assert not is_working_day(d("2027-07-14"), "fr")


def test_editing_the_returned_holidays_does_not_change_the_next_answer():
    first = public_holidays("FR", 2027)
    first.clear()
    assert d("2027-07-14") in public_holidays("FR", 2027)


def test_unknown_country_is_refused_with_a_clear_message():
    with pytest.raises(UnknownCountry, match="Unknown country code 'ZZ'"):
        public_holidays("ZZ", 2027)
    with pytest.raises(ValueError, match="ISO 3166"):
        is_working_day(d("2027-05-04"), "XX")


def test_unknown_subdivision_is_refused_as_an_unknown_calendar():
    with pytest.raises(UnknownSubdivision, match="'Atlantis' for country FR"):
        is_working_day(d("2027-05-04"), "FR", "Atlantis")
    with pytest.raises(UnknownCountry):
        holiday_name(d("2027-05-04"), "FR", "Atlantis")


def test_holidays_between_crosses_the_new_year_in_date_order():
    assert holidays_between(d("2026-12-20"), d("2027-01-05"), "FR") == [
        (d("2026-12-25"), "Christmas Day"),
        (d("2027-01-01"), "New Year's Day"),
    ]
    assert holidays_between(d("2027-01-05"), d("2026-12-20"), "FR") == []


# --- single days --------------------------------------------------------------------------


def test_weekends_and_holidays_are_not_working_days():
    assert is_weekend(d("2027-05-01"))  # Labour Day on a Saturday
    assert is_weekend(d("2027-05-02"))
    assert not is_weekend(d("2027-05-06"))
    assert not is_working_day(d("2027-05-06"), "FR")  # Ascension, a Thursday
    assert not is_working_day(d("2027-07-14"), "FR")  # Bastille Day, a Wednesday
    assert is_working_day(d("2027-05-07"), "FR")


def test_next_and_previous_working_day_keep_a_working_day():
    assert next_working_day(d("2027-05-07"), "FR") == d("2027-05-07")
    assert previous_working_day(d("2027-05-07"), "FR") == d("2027-05-07")


def test_next_and_previous_working_day_step_over_weekends_and_holidays():
    assert next_working_day(d("2027-05-08"), "FR") == d("2027-05-10")
    assert previous_working_day(d("2027-05-08"), "FR") == d("2027-05-07")
    # Pentecost Monday 2027-05-17 follows the weekend.
    assert next_working_day(d("2027-05-15"), "FR") == d("2027-05-18")
    assert previous_working_day(d("2027-05-17"), "FR") == d("2027-05-14")
    # Christmas 2026 is a Friday.
    assert next_working_day(d("2026-12-25"), "FR") == d("2026-12-28")


# --- offsets ------------------------------------------------------------------------------


def test_d_plus_one_is_the_next_working_day_after_the_start():
    assert add_working_days(d("2027-05-07"), 1, "FR") == d("2027-05-10")  # Friday -> Monday
    assert add_working_days(d("2027-05-01"), 1, "FR") == d("2027-05-03")  # Saturday -> Monday
    assert add_working_days(d("2027-05-05"), 1, "FR") == d("2027-05-07")  # over Ascension


def test_d_minus_ten_working_days_crosses_weekends_and_bastille_day():
    # Counting back from Thursday 22 July: 21, 20, 19, 16, 15, (14 off), 13, 12, 9, 8, 7.
    anchor = d("2027-07-22")
    assert shift(anchor, -10, kind=WORKING, country="FR") == d("2027-07-07")
    assert shift(anchor, -10, kind=CALENDAR, country="FR") == d("2027-07-12")


def test_negative_offsets_go_back_over_holidays():
    assert add_working_days(d("2027-05-18"), -1, "FR") == d("2027-05-14")
    assert add_working_days(d("2027-05-10"), -3, "FR") == d("2027-05-04")  # 7, (6 off), 5, 4
    assert add_working_days(d("2027-01-04"), -1, "FR") == d("2026-12-31")


def test_zero_offset_on_a_sunday_moves_to_the_next_working_day():
    sunday = d("2027-05-02")
    assert add_working_days(sunday, 0, "FR") == d("2027-05-03")
    assert shift(sunday, 0, kind=WORKING, country="FR") == d("2027-05-03")
    assert shift(sunday, 0, kind=CALENDAR, country="FR") == sunday
    # The Sunday before Pentecost Monday lands on the Tuesday.
    assert add_working_days(d("2027-05-16"), 0, "FR") == d("2027-05-18")


def test_calendar_offsets_are_plain_dates_even_on_a_holiday():
    assert shift(d("2027-07-04"), 10, kind=CALENDAR, country="FR") == d("2027-07-14")
    assert shift(d("2027-07-04"), -30, kind=CALENDAR, country="FR") == d("2027-06-04")


def test_long_offsets_cross_years():
    start = d("2027-03-01")
    assert add_working_days(add_working_days(start, 400, "DE"), -400, "DE") == start


# --- durations ----------------------------------------------------------------------------


def test_duration_in_working_days_spans_a_holiday():
    # Monday 3 May, five working days: 3, 4, 5, (Ascension 6), 7, (weekend), 10.
    start = d("2027-05-03")
    assert add_duration(start, 5, kind=WORKING, country="FR") == d("2027-05-10")
    assert add_duration(start, 5, kind=CALENDAR, country="FR") == d("2027-05-07")


def test_a_one_day_task_ends_the_day_it_starts():
    assert add_duration(d("2027-05-04"), 1, kind=WORKING, country="FR") == d("2027-05-04")
    assert add_duration(d("2027-05-08"), 1, kind=CALENDAR, country="FR") == d("2027-05-08")


def test_a_working_task_set_on_a_holiday_starts_on_the_next_working_day():
    assert add_duration(d("2027-07-14"), 1, kind=WORKING, country="FR") == d("2027-07-15")
    assert add_duration(d("2027-07-14"), 2, kind=WORKING, country="FR") == d("2027-07-16")


def test_a_duration_below_one_day_is_refused():
    with pytest.raises(ValueError, match="at least 1 day"):
        add_duration(d("2027-05-04"), 0, kind=WORKING, country="FR")


# --- counting -----------------------------------------------------------------------------


def test_working_days_between_counts_both_ends():
    # May 2027 in France: 21 weekdays less Ascension (6th) and Pentecost Monday (17th).
    assert working_days_between(d("2027-05-01"), d("2027-05-31"), "FR") == 19
    assert working_days_between(d("2027-05-04"), d("2027-05-04"), "FR") == 1
    assert working_days_between(d("2027-05-06"), d("2027-05-06"), "FR") == 0
    assert working_days_between(d("2027-05-31"), d("2027-05-01"), "FR") == 0


def test_working_days_between_crosses_years():
    # 2026-12-24 Thu, (25 off), 28, 29, 30, 31, (1 Jan off), 2027-01-04.
    assert working_days_between(d("2026-12-24"), d("2027-01-04"), "FR") == 6


# --- spreading ----------------------------------------------------------------------------


def test_spread_weekly_keeps_the_weekday_after_a_holiday():
    dates = spread(d("2027-05-03"), 4, every_days=7, kind=CALENDAR, country="FR")
    # Pentecost Monday pushes the third piece to Tuesday; the fourth is back on Monday.
    assert dates == [d("2027-05-03"), d("2027-05-10"), d("2027-05-18"), d("2027-05-24")]


def test_spread_in_working_days_counts_from_the_first_working_day():
    dates = spread(d("2027-05-01"), 3, every_days=5, kind=WORKING, country="FR")
    # From Monday 3 May: 4, 5, 7, 10, 11 then 12, 13, 14, 18, 19.
    assert dates == [d("2027-05-03"), d("2027-05-11"), d("2027-05-19")]


def test_spread_skips_days_the_caller_avoids():
    no_tuesdays = spread(
        d("2027-05-03"),
        4,
        every_days=7,
        kind=CALENDAR,
        country="FR",
        avoid=lambda day: day.weekday() == 1,
    )
    assert no_tuesdays == [d("2027-05-03"), d("2027-05-10"), d("2027-05-19"), d("2027-05-24")]
    already_booked = {d("2027-05-10"), d("2027-05-11")}
    dates = spread(
        d("2027-05-03"),
        2,
        every_days=7,
        kind=CALENDAR,
        country="FR",
        avoid=already_booked.__contains__,
    )
    assert dates == [d("2027-05-03"), d("2027-05-12")]


def test_spread_never_gives_the_same_date_twice():
    # Daily from Friday 7 May: Saturday and Sunday both move to Monday, so Sunday's piece
    # goes to Tuesday.
    dates = spread(d("2027-05-07"), 3, every_days=1, kind=CALENDAR, country="FR")
    assert dates == [d("2027-05-07"), d("2027-05-10"), d("2027-05-11")]


def test_spread_refuses_bad_arguments_and_an_avoid_that_refuses_everything():
    assert spread(d("2027-05-03"), 0, every_days=7, kind=CALENDAR, country="FR") == []
    with pytest.raises(ValueError, match="at least 1 day apart"):
        spread(d("2027-05-03"), 3, every_days=0, kind=CALENDAR, country="FR")
    with pytest.raises(ValueError, match="negative"):
        spread(d("2027-05-03"), -1, every_days=7, kind=CALENDAR, country="FR")
    with pytest.raises(ValueError, match="No acceptable day"):
        spread(d("2027-05-03"), 1, every_days=7, kind=CALENDAR, country="FR", avoid=lambda _: True)


def test_results_are_deterministic():
    def plan() -> tuple[object, ...]:
        return (
            public_holidays("DE", 2027),
            spread(d("2027-04-01"), 10, every_days=3, kind=WORKING, country="DE"),
            [
                shift(d("2027-10-15"), offset, kind=WORKING, country="DE")
                for offset in range(-30, 15)
            ],
            holidays_between(d("2027-01-01"), d("2027-12-31"), "DE"),
        )

    assert plan() == plan()
    assert list(public_holidays("DE", 2027)) == sorted(public_holidays("DE", 2027))


# --- properties ---------------------------------------------------------------------------

starts = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
countries = st.sampled_from(["FR", "DE", "GB", "ES", "IT", "US"])


@settings(deadline=None)  # the first call per country and year loads its holidays
@given(start=starts, n=st.integers(min_value=1, max_value=300), country=countries)
def test_working_days_between_counts_back_what_add_working_days_moved(start, n, country):
    # D+n is n working days after start, so [start, D+n] holds n working days, plus start
    # itself when start is a working day (then next_working_day(start) is start).
    end = add_working_days(start, n, country)
    assert end > start
    assert is_working_day(end, country)
    start_counts = 1 if is_working_day(start, country) else 0
    assert working_days_between(next_working_day(start, country), end, country) == n + start_counts
    assert working_days_between(start + timedelta(days=1), end, country) == n


@settings(deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=300), country=countries)
def test_going_forward_then_back_lands_on_the_working_day_at_or_before_start(start, n, country):
    there = add_working_days(start, n, country)
    assert add_working_days(there, -n, country) == previous_working_day(start, country)


@settings(deadline=None)
@given(start=starts, span=st.integers(min_value=-5, max_value=120), country=countries)
def test_working_days_between_matches_a_day_by_day_count(start, span, country):
    end = start + timedelta(days=span)
    by_day = sum(
        1
        for offset in range(span + 1)
        if not is_weekend(day := start + timedelta(days=offset))
        and holiday_name(day, country) is None
    )
    assert working_days_between(start, end, country) == by_day


@settings(deadline=None)
@given(
    start=starts,
    count=st.integers(min_value=0, max_value=20),
    every_days=st.integers(min_value=1, max_value=10),
    kind=st.sampled_from(list(DayKind)),
    booked_weekday=st.integers(min_value=0, max_value=4),
)
def test_spread_gives_increasing_working_days_outside_avoided_ones(
    start, count, every_days, kind, booked_weekday
):
    dates = spread(
        start,
        count,
        every_days=every_days,
        kind=kind,
        country="FR",
        avoid=lambda day: day.weekday() == booked_weekday,
    )
    assert len(dates) == count
    assert all(earlier < later for earlier, later in pairwise(dates))
    assert all(day >= start and is_working_day(day, "FR") for day in dates)
    assert all(day.weekday() != booked_weekday for day in dates)
