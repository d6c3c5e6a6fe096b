"""The brand kit from YAML, and the publishing calendar with its ICS and CSV exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from icalendar import Calendar

from propulse.content.brand import FONTS, BrandError, brand_from_dict, load_brand
from propulse.content.calendar import calendar_csv, calendar_ics, publishing_calendar
from propulse.content.document import BrandKit, CalendarEntry, ContentPackage
from propulse.content.pieces import build_package
from propulse.kit.workdays import is_working_day
from tests.content.handmade import french

BASTILLE_DAY = date(2027, 7, 14)
ASSUMPTION = date(2027, 8, 16)  # 15 August 2027 is a Sunday; France does not move it
STAMP = datetime(2027, 7, 1, 9, 0, tzinfo=UTC)


# Brand kit


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "brand.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_brand_file_is_read_and_normalised(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    path = write(
        tmp_path,
        """
name: Orbiteo
logo: assets/logo.svg
colors: ["#4338CA", "#0f172a"]
font: New Computer Modern
cta_url: https://orbiteo.example/ebook
cta_text: Téléchargez le guide
hashtags: [growth, "#B2B", marketing automation, Stratégie, "#growth"]
tone: informal
""",
    )
    kit = load_brand(path)
    assert kit == BrandKit(
        name="Orbiteo",
        logo=str(tmp_path.resolve() / "assets" / "logo.svg"),
        colors=["#4338ca", "#0f172a"],
        font="New Computer Modern",
        cta_url="https://orbiteo.example/ebook",
        cta_text="Téléchargez le guide",
        hashtags=["#growth", "#B2B", "#MarketingAutomation", "#Strategie"],
        tone="informal",
    )


def test_an_empty_brand_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_brand(write(tmp_path, "")) == BrandKit()


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        (
            "font: Comic Sans",
            "font",
            ["Libertinus Serif", "New Computer Modern", "DejaVu Sans Mono"],
        ),
        ("cta_url: ftp://orbiteo.example", "cta_url", ["http"]),
        ("cta_url: orbiteo.example/ebook", "cta_url", ["http"]),
        ("tone: friendly", "tone", ["formal", "informal"]),
        ("colors: [blue]", "colors", ["#rrggbb"]),
        ("colors: ['#12345']", "colors", ["#rrggbb"]),
        ("hashtags: ['#', '!!']", "hashtags", ["letters"]),
        ("hashtags: ['2027']", "hashtags", ["letter"]),
        ("name: ''", "name", ["empty"]),
        ("name: [Orbiteo]", "name", ["text"]),
        ("logo: logo.gif", "logo", ["PNG or SVG"]),
        ("logo: missing.png", "logo", ["not found"]),
        ("colour: '#ffffff'", "colour", ["unknown", "colors"]),
        ("- a list", "file", ["mapping"]),
        ("name: [unclosed", "file", ["YAML"]),
    ],
)
def test_a_bad_brand_value_is_refused_naming_its_field(
    tmp_path: Path, text: str, field: str, words: list[str]
) -> None:
    with pytest.raises(BrandError) as caught:
        load_brand(write(tmp_path, text))
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    for word in words:
        assert word in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_a_missing_brand_file_is_a_brand_error(tmp_path: Path) -> None:
    with pytest.raises(BrandError) as caught:
        load_brand(tmp_path / "nowhere.yaml")
    assert caught.value.field == "file"


def test_brand_from_dict_accepts_form_values() -> None:
    kit = brand_from_dict(
        {
            "name": "  Orbiteo  ",
            "colors": [],
            "font": FONTS[2],
            "cta_url": "https://orbiteo.example",
            "cta_text": "",
            "hashtags": "growth, b2b",
            "tone": "formal",
            "logo": "/srv/brand/logo.png",
        }
    )
    assert kit.name == "Orbiteo"
    assert kit.colors == BrandKit().colors
    assert kit.font == "DejaVu Sans Mono"
    assert kit.hashtags == ["#growth", "#b2b"]
    assert kit.logo == "/srv/brand/logo.png"  # no base directory: kept as given


# Publishing calendar


@pytest.fixture(scope="module")
def package() -> ContentPackage:
    kit = BrandKit(cta_url="https://orbiteo.example/ebook", hashtags=["#Orbiteo"])
    return build_package(french().analysis, kit, start=date(2027, 7, 12), country="FR")


def days_of(entries: list[CalendarEntry], kind: str) -> list[date]:
    return [date.fromisoformat(entry.day) for entry in entries if entry.kind == kind]


def test_the_calendar_skips_weekends_and_french_public_holidays(
    package: ContentPackage,
) -> None:
    days = [date.fromisoformat(entry.day) for entry in package.calendar]
    assert days == sorted(days)
    assert BASTILLE_DAY not in days
    assert ASSUMPTION not in days
    assert all(day.weekday() < 5 for day in days)
    assert all(is_working_day(day, "FR") for day in days)
    assert len(package.calendar) == 1 + len(package.pieces())


def test_the_ebook_comes_first_then_weekly_articles_posts_and_emails_by_delay(
    package: ContentPackage,
) -> None:
    entries = package.calendar
    assert entries[0] == CalendarEntry("2027-07-12", "ebook", 1, package.ebook.title)
    launch = date(2027, 7, 12)
    articles = days_of(entries, "article")
    assert articles[0] > launch
    assert all(5 <= (b - a).days <= 9 for a, b in pairwise(articles))
    posts = days_of(entries, "linkedin")
    assert posts[0] > launch
    assert not set(posts) & set(articles)
    weeks: dict[int, int] = {}
    for day in posts:
        week = day.isocalendar().week
        weeks[week] = weeks.get(week, 0) + 1
    assert all(count <= 3 for count in weeks.values())
    emails = days_of(entries, "email")
    for day, email in zip(emails, package.emails, strict=True):
        nominal = launch + timedelta(days=email.meta["delay_days"])
        assert nominal <= day <= nominal + timedelta(days=3)
    assert (max(articles + posts + emails) - launch).days >= 28  # several weeks


def test_a_start_on_a_holiday_moves_everything_to_the_next_working_day(
    package: ContentPackage,
) -> None:
    entries = publishing_calendar(
        package.ebook,
        package.articles,
        package.posts,
        package.emails,
        start=BASTILLE_DAY,
        country="FR",
    )
    assert entries[0].day == "2027-07-15"
    assert all(is_working_day(date.fromisoformat(entry.day), "FR") for entry in entries)


def test_the_calendar_follows_the_country(package: ContentPackage) -> None:
    unity_day = date(2028, 10, 3)  # a Tuesday: a German public holiday, not a French one
    assert not is_working_day(unity_day, "DE")
    assert is_working_day(unity_day, "FR")
    german = publishing_calendar(
        package.ebook, package.articles, package.posts, package.emails,
        start=date(2028, 9, 25), country="DE",
    )  # fmt: skip
    days = [date.fromisoformat(entry.day) for entry in german]
    assert unity_day not in days
    assert all(is_working_day(day, "DE") for day in days)


def test_the_ics_export_is_valid_with_all_day_events_and_stable_uids(
    package: ContentPackage,
) -> None:
    data = calendar_ics(package.calendar, "Nurturing B2B", stamp=STAMP)
    assert data == calendar_ics(package.calendar, "Nurturing B2B", stamp=STAMP)
    calendar = Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == "Nurturing B2B"
    events = calendar.walk("VEVENT")
    assert len(events) == len(package.calendar)
    uids = [str(event["UID"]) for event in events]
    assert len(set(uids)) == len(uids)
    for event, entry in zip(events, package.calendar, strict=True):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert not isinstance(start, datetime)  # a date: an all-day event
        assert start == date.fromisoformat(entry.day)
        assert end == start + timedelta(days=1)
        assert entry.title in str(event["SUMMARY"])
    # The same pieces moved to other dates keep their UIDs: calendars update, not duplicate.
    moved = publishing_calendar(
        package.ebook, package.articles, package.posts, package.emails,
        start=date(2027, 9, 6), country="FR",
    )  # fmt: skip
    moved_events = Calendar.from_ical(calendar_ics(moved, "Nurturing B2B")).walk("VEVENT")
    assert sorted(str(event["UID"]) for event in moved_events) == sorted(uids)


def test_the_csv_export_lists_each_entry_and_neutralises_formulas() -> None:
    entries = [
        CalendarEntry("2027-07-12", "ebook", 1, "Nurturing B2B"),
        CalendarEntry("2027-07-13", "article", 1, "=cmd|' /C calc'!A0"),
        CalendarEntry("2027-07-15", "linkedin", 2, "+33 : un chiffre"),
        CalendarEntry("2027-07-16", "email", 3, "@SUM(A1)"),
        CalendarEntry("2027-07-19", "email", 4, "-2 %, vraiment"),
    ]
    rows = list(csv.reader(io.StringIO(calendar_csv(entries))))
    assert rows[0] == ["date", "kind", "index", "title"]
    assert rows[1] == ["2027-07-12", "ebook", "1", "Nurturing B2B"]
    assert [row[3] for row in rows[2:]] == [
        "'=cmd|' /C calc'!A0",
        "'+33 : un chiffre",
        "'@SUM(A1)",
        "'-2 %, vraiment",
    ]
