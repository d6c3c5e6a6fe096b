"""A year of activity for one sample contact: e-mails, visits, downloads, webinars, meetings.

The mix follows what a B2B marketing base shows: mostly e-mails sent, about a quarter of them
opened and a few percent clicked, some page visits, few downloads and webinars, rare meetings.
An engaged contact (``engagement`` above 1) receives more and opens, clicks and visits more.
Hot path of the 10-million-event benchmark: plain floats and tuples, one ``random()`` per draw.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from propulse.contacts.sample_vocabulary import EBOOKS, FORMS, MEETINGS, PAGES, WEBINARS

# (contact id, type, occurred at, properties or None); the property dicts are shared: read only.
EventRow = tuple[int, str, datetime, dict[str, Any] | None]

DAY = 86_400.0
YEAR = 365 * DAY
# Shares of a contact's expected events; the opens and clicks come on top of the sends.
SENT_SHARE = 0.63
OPEN_RATE = 0.165
CLICK_GIVEN_OPEN = 0.083
VISIT_SHARE = 0.08
DOWNLOAD_SHARE = 0.012
FORM_SHARE = 0.008
WEBINAR_SHARE = 0.012
MEETING_SHARE = 0.0015
# Activity: what the contact did (not what we sent them); it sets last_activity_at.
ACTIVITY_TYPES = frozenset(
    {
        "email_opened",
        "email_clicked",
        "page_visited",
        "form_submitted",
        "webinar_registered",
        "webinar_attended",
        "content_downloaded",
        "meeting",
    }
)

_PAGES = tuple({"path": path} for path in PAGES)
_EBOOKS = tuple({"ebook": title} for title in EBOOKS)
_FORMS = tuple({"form": name} for name in FORMS)
_MEETINGS = tuple({"kind": kind} for kind in MEETINGS)
_MEETING_STAGES = {"sql": 6.0, "opportunity": 10.0, "customer": 5.0, "mql": 2.0}


@dataclass(frozen=True)
class Webinar:
    """A webinar of the sample year: its properties and when it took place (epoch seconds)."""

    properties: dict[str, Any]
    sector: str | None
    at: float


class Year:
    """The sample's year: the window events fall in, and the webinars held during it."""

    def __init__(self, today: date) -> None:
        self.end_dt = datetime.combine(today, time(0), UTC)
        self.start_dt = self.end_dt - timedelta(days=365)
        self.end = self.end_dt.timestamp()
        self.start = self.start_dt.timestamp()
        # Webinars at 09:00 UTC, spread over the year, the last one about two weeks ago.
        self.webinars = tuple(
            Webinar(
                {"webinar": title, "sector": sector} if sector else {"webinar": title},
                sector,
                self.start + int((index + 0.6) * 365 / len(WEBINARS)) * DAY + 9 * 3600,
            )
            for index, (title, sector) in enumerate(WEBINARS)
        )
        self.by_sector: dict[str | None, tuple[Webinar, ...]] = {}
        for webinar in self.webinars:
            self.by_sector.setdefault(webinar.sector, ())
            self.by_sector[webinar.sector] += (webinar,)

    def moment(self, epoch: float) -> datetime:
        """Return the aware datetime of a timestamp, to the second."""
        return datetime.fromtimestamp(int(epoch), UTC)


def _count(rng: random.Random, expected: float) -> int:
    """Round an expected count up or down at random so that totals stay right on average."""
    whole = int(expected)
    return whole + (1 if rng.random() < expected - whole else 0)


def contact_events(
    rng: random.Random,
    year: Year,
    *,
    contact_id: int,
    expected: float,
    engagement: float,
    stage: str,
    sector: str | None,
    since: float,
    out: list[EventRow],
) -> float | None:
    """Append one contact's events to ``out``; return the time of its latest activity."""
    start = max(since, year.start)
    end = year.end
    span = end - start
    if span <= 0:
        return None
    # A contact created during the year had less time to do things.
    expected *= span / YEAR
    rnd = rng.random
    moment = year.moment
    append = out.append
    lift = engagement**0.5
    open_p = min(0.9, OPEN_RATE * lift)
    click_p = min(0.6, CLICK_GIVEN_OPEN * lift)
    latest = 0.0
    for _ in range(_count(rng, expected * SENT_SHARE)):
        sent = start + rnd() * span
        append((contact_id, "email_sent", moment(sent), None))
        if rnd() < open_p:
            # Most opens come within hours, a few days later.
            opened = min(sent + rnd() ** 3 * 3 * DAY, end - 1)
            append((contact_id, "email_opened", moment(opened), None))
            if rnd() < click_p:
                clicked = min(opened + rnd() * 900, end - 1)
                append((contact_id, "email_clicked", moment(clicked), None))
                latest = max(latest, clicked)
            else:
                latest = max(latest, opened)
    for share, kind, choices in (
        (VISIT_SHARE, "page_visited", _PAGES),
        (DOWNLOAD_SHARE, "content_downloaded", _EBOOKS),
        (FORM_SHARE, "form_submitted", _FORMS),
    ):
        for _ in range(_count(rng, expected * share * lift)):
            at = start + rnd() * span
            append((contact_id, kind, moment(at), choices[int(rnd() * len(choices))]))
            latest = max(latest, at)
    registrations = _count(rng, expected * WEBINAR_SHARE * lift)
    if registrations:
        latest = max(latest, _webinars(rng, year, contact_id, registrations, sector, start, out))
    meetings = _count(rng, expected * MEETING_SHARE * _MEETING_STAGES.get(stage, 0.5))
    for _ in range(meetings):
        at = start + rnd() * span
        append((contact_id, "meeting", moment(at), _MEETINGS[int(rnd() * len(_MEETINGS))]))
        latest = max(latest, at)
    return latest or None


def _webinars(
    rng: random.Random,
    year: Year,
    contact_id: int,
    registrations: int,
    sector: str | None,
    start: float,
    out: list[EventRow],
) -> float:
    """Register to webinars of one's sector mostly; attend about half of them."""
    latest = 0.0
    own = year.by_sector.get(sector, ()) + year.by_sector.get(None, ())
    seen: set[int] = set()
    for _ in range(registrations):
        pool = own if own and rng.random() < 0.75 else year.webinars
        webinar = pool[int(rng.random() * len(pool))]
        registered = webinar.at - rng.random() * 14 * DAY
        if id(webinar) in seen or registered < start or registered >= year.end:
            continue
        seen.add(id(webinar))
        out.append((contact_id, "webinar_registered", year.moment(registered), webinar.properties))
        latest = max(latest, registered)
        if webinar.at < year.end - 3600 and rng.random() < 0.48:
            attended = webinar.at + rng.random() * 600
            out.append((contact_id, "webinar_attended", year.moment(attended), webinar.properties))
            latest = max(latest, attended)
    return latest
