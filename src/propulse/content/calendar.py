"""The publishing calendar of a package: working days only, as ICS (RFC 5545) and CSV.

The e-book goes out first (the start date, or the next working day); articles follow weekly
from the next working day; LinkedIn posts every other working day (two or three a week) from
the day after, avoiding the articles' days; e-mails by their delay in days after the e-book.
Every date skips weekends and the country's public holidays (``kit.workdays``).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

from propulse.content.document import CalendarEntry, Ebook, Piece
from propulse.kit.spreadsheets import neutralise
from propulse.kit.workdays import DayKind, add_working_days, next_working_day, spread

__all__ = ["calendar_csv", "calendar_ics", "publishing_calendar"]

ARTICLE_EVERY_DAYS = 7  # calendar days: about weekly
POST_EVERY_WORKING_DAYS = 2  # two or three a week
KIND_ORDER = {"ebook": 0, "article": 1, "linkedin": 2, "email": 3}
LABELS = {"ebook": "E-book", "article": "Article", "linkedin": "LinkedIn", "email": "E-mail"}
PRODID = "-//Propulse//Content//EN"
CSV_COLUMNS = ("date", "kind", "index", "title")


def publishing_calendar(
    ebook: Ebook,
    articles: Sequence[Piece],
    posts: Sequence[Piece],
    emails: Sequence[Piece],
    *,
    start: date,
    country: str = "FR",
    subdivision: str | None = None,
) -> list[CalendarEntry]:
    """Spread the pieces over working days from ``start``; sorted by day, then kind."""
    launch = next_working_day(start, country, subdivision)
    entries = [CalendarEntry(launch.isoformat(), "ebook", 1, ebook.title)]
    article_days = spread(
        add_working_days(launch, 1, country, subdivision),
        len(articles),
        every_days=ARTICLE_EVERY_DAYS,
        kind=DayKind.calendar,
        country=country,
        subdivision=subdivision,
    )
    taken = set(article_days)
    post_days = spread(
        add_working_days(launch, 2, country, subdivision),
        len(posts),
        every_days=POST_EVERY_WORKING_DAYS,
        kind=DayKind.working,
        country=country,
        subdivision=subdivision,
        avoid=taken.__contains__,
    )
    email_days: list[date] = []
    for email in emails:
        delay = int(email.meta.get("delay_days", 0))
        earliest = launch + timedelta(days=delay)
        if email_days and earliest <= email_days[-1]:
            earliest = email_days[-1] + timedelta(days=1)
        email_days.append(next_working_day(earliest, country, subdivision))
    for kind, pieces, days in (
        ("article", articles, article_days),
        ("linkedin", posts, post_days),
        ("email", emails, email_days),
    ):
        entries.extend(
            CalendarEntry(day.isoformat(), kind, piece.index, piece.title)
            for piece, day in zip(pieces, days, strict=True)
        )
    return sorted(entries, key=lambda entry: (entry.day, KIND_ORDER[entry.kind], entry.index))


def _uid(title: str, entry: CalendarEntry) -> str:
    """A UID stable across exports of the same package, so re-imports update, not duplicate."""
    digest = hashlib.sha256(f"{title}\x1f{entry.kind}\x1f{entry.index}".encode()).hexdigest()
    return f"{digest[:32]}@propulse"


def calendar_ics(
    entries: Sequence[CalendarEntry], title: str, *, stamp: datetime | None = None
) -> bytes:
    """Return the calendar as RFC 5545 text: one all-day event per entry."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", title)
    # DTSTAMP is when the object is produced (RFC 5545 3.8.7.2); fixed by callers who need
    # byte-identical exports.
    produced = stamp or datetime.now(UTC)
    for entry in entries:
        day = date.fromisoformat(entry.day)
        label = LABELS.get(entry.kind, entry.kind)
        summary = (
            f"{label} · {entry.title}"
            if entry.kind == "ebook"
            else (f"{label} {entry.index} · {entry.title}")
        )
        event = Event()
        event.add("uid", _uid(title, entry))
        event.add("dtstamp", produced)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))  # exclusive end: an all-day event
        event.add("summary", summary)
        event.add("categories", [entry.kind])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics


def calendar_csv(entries: Sequence[CalendarEntry]) -> str:
    """Return the calendar as CSV: date, kind, index, title (formulas neutralised)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow([entry.day, neutralise(entry.kind), entry.index, neutralise(entry.title)])
    return buffer.getvalue()
