"""Secret calendar addresses (ICS, RFC 5545) for a project or a person's tasks.

**Events, not to-dos.** Each task is an all-day ``VEVENT`` from its start date to the day
after its due date (``DTEND`` is exclusive for dates), with ``TRANSP:TRANSPARENT`` so that a
task spread over days never shows the person as busy. ``VTODO`` would be the closer meaning,
but the applications people subscribe with (Google Calendar, Outlook, Apple Calendar through
a subscription) ignore to-dos in a subscribed feed: nobody would see a single task. Status
travels as ``STATUS`` (a skipped task is ``CANCELLED``; a done one keeps ``CONFIRMED`` and its
summary starts with ✓) and each change raises ``SEQUENCE`` (the task's version).

A feed's address carries a random token of 256 bits; only its SHA-256 is kept, like API
tokens, so a database leak gives no working address. A revoked token answers 404, as an
unknown one does. Calendar applications cannot sign in, which is why the address itself is
the secret.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vDuration
from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.config import get_settings
from propulse.db import utcnow
from propulse.kit.errors import Conflict, Forbidden, NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.security import hash_api_token
from propulse.playbooks import projects
from propulse.playbooks.models import CalendarFeed, Project, ProjectStatus, Task, TaskStatus
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role, has_role

TOKEN_PREFIX = "cal_"  # noqa: S105 - a prefix, not a secret
PRODID = "-//Propulse//Projects//EN"
ADVICE_LINES = 3
REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class NewFeed:
    """A feed just created: its address is shown once, then only its hash remains."""

    feed: CalendarFeed
    token: str

    @property
    def url(self) -> str:
        return feed_url(self.token)


def feed_url(token: str) -> str:
    """Return the public address of a feed (outside the API: calendar applications fetch it)."""
    return f"{get_settings().base_url}/calendars/{token}.ics"


def task_url(task: Task) -> str:
    return f"{get_settings().base_url}/tasks/{task.id}"


def create_feed(
    session: Session, *, actor: User, project_id: int | None = None, for_person: bool = False
) -> NewFeed:
    """Create a secret address for a project's tasks, or (``for_person``) for the actor's own."""
    if (project_id is None) == (not for_person):
        raise ValueError("a feed is for a project or for a person, not both")
    if project_id is not None:
        ensure_role(actor, Role.member, action=_("create calendar addresses for projects"))
        projects.get_project(session, project_id=project_id)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    feed = CalendarFeed(
        token_hash=hash_api_token(token),
        project_id=project_id,
        user_id=None if project_id is not None else actor.id,
        created_by_id=actor.id,
    )
    session.add(feed)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="calendar_feed",
        object_id=feed.id,
        summary=f"calendar address for project {project_id}"
        if project_id is not None
        else f"calendar address for {actor.email}",
    )
    return NewFeed(feed=feed, token=token)


def list_feeds(
    session: Session, *, project_id: int | None = None, user_id: int | None = None
) -> list[CalendarFeed]:
    """Return the feeds of a project or of a person, newest first (revoked ones included)."""
    statement = select(CalendarFeed).order_by(CalendarFeed.id.desc())
    if project_id is not None:
        statement = statement.where(CalendarFeed.project_id == project_id)
    if user_id is not None:
        statement = statement.where(CalendarFeed.user_id == user_id)
    return list(session.scalars(statement))


def get_feed(session: Session, *, feed_id: int) -> CalendarFeed:
    feed = session.get(CalendarFeed, feed_id)
    if feed is None:
        raise NotFound(_("This calendar address does not exist."))
    return feed


def can_revoke(user: User, feed: CalendarFeed) -> bool:
    """Tell whether ``user`` may revoke: their own feed, one they created, or a manager."""
    return user.id in (feed.user_id, feed.created_by_id) or (
        feed.project_id is not None and has_role(user, Role.manager)
    )


def revoke_feed(session: Session, *, actor: User, feed_id: int) -> CalendarFeed:
    """Revoke a feed: its address answers 404 from now on."""
    feed = get_feed(session, feed_id=feed_id)
    if not can_revoke(actor, feed):
        raise Forbidden(_("Only its owner or a manager may revoke this calendar address."))
    if feed.revoked_at is not None:
        raise Conflict(_("This calendar address is revoked already."))
    feed.revoked_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action="revoked",
        object_type="calendar_feed",
        object_id=feed.id,
        summary="calendar address revoked",
    )
    session.flush()
    return feed


def find_feed(session: Session, *, token: str) -> CalendarFeed:
    """Return the live feed of a token; an unknown or revoked token is not found."""
    feed = session.scalar(
        select(CalendarFeed).where(CalendarFeed.token_hash == hash_api_token(token))
    )
    if feed is None or feed.revoked_at is not None:
        raise NotFound(_("There is no calendar at this address (it may have been revoked)."))
    return feed


def feed_tasks(session: Session, feed: CalendarFeed) -> tuple[str, list[Task]]:
    """Return the calendar's name and its tasks: a project's, or a person's in active projects."""
    if feed.project_id is not None:
        project = projects.get_project(session, project_id=feed.project_id)
        return project.name, list(project.tasks)
    person = workspace.get_user(session, user_id=feed.user_id or 0)
    statement = (
        select(Task)
        .join(Project, Task.project_id == Project.id)
        .where(Task.assignee_id == person.id, Project.status == ProjectStatus.active)
        .order_by(Task.due_on, Task.id)
    )
    return _("Tasks of %(name)s", name=person.name), list(session.scalars(statement))


def _first_lines(text: str, count: int) -> list[str]:
    return [line.strip() for line in text.strip().splitlines() if line.strip()][:count]


def task_description(task: Task, *, with_project: bool) -> str:
    """Return the plain text of an event: role, assignee, the advice's first lines, the link."""
    lines = []
    if with_project:
        lines.append(_("Project: %(name)s", name=task.project.name))
    lines.append(_("Role: %(role)s", role=task.owner_role))
    assignee = task.assignee.name if task.assignee else _("nobody yet")
    lines.append(_("Assignee: %(name)s", name=assignee))
    advice = _first_lines(task.advice, ADVICE_LINES)
    if advice:
        lines += ["", _("Advice:"), *advice]
    lines += ["", task_url(task)]
    return "\n".join(lines)


def _event(task: Task, *, with_project: bool, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"task-{task.id}@propulse")
    done = task.status == TaskStatus.done
    summary = f"✓ {task.title}" if done else task.title
    if with_project:
        summary = f"{summary} · {task.project.name}"
    event.add("summary", summary)
    event.add("dtstart", task.start_on)
    event.add("dtend", task.due_on + timedelta(days=1))
    event.add("dtstamp", stamp)
    event.add("last-modified", task.updated_at)
    event.add("sequence", task.version)
    event.add("status", "CANCELLED" if task.status == TaskStatus.skipped else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    event.add("description", task_description(task, with_project=with_project))
    event.add("url", task_url(task))
    event.add("categories", [task.owner_role])
    return event


def render_ics(name: str, tasks: list[Task], *, with_project: bool) -> bytes:
    """Return the calendar as RFC 5545 text: one all-day event per task."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Propulse · {name}")
    # How often subscribers should fetch again: RFC 7986, and the older Outlook property.
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    # DTSTAMP is when the feed is produced (RFC 5545 3.8.7.2, for a METHOD:PUBLISH object).
    stamp = utcnow()
    for task in tasks:
        calendar.add_component(_event(task, with_project=with_project, stamp=stamp))
    ics: bytes = calendar.to_ical()
    return ics


def feed_ics(session: Session, *, token: str) -> bytes:
    """Return the calendar of a token (404 when unknown or revoked)."""
    feed = find_feed(session, token=token)
    name, tasks = feed_tasks(session, feed)
    return render_ics(name, tasks, with_project=feed.project_id is None)
