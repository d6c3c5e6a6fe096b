"""Calendar addresses: the public ICS feed, and creating or revoking addresses from the pages.

``public`` serves ``/calendars/{token}.ics`` without sign-in (calendar applications cannot
sign in: the secret address is the key). ``router`` holds the signed-in actions; the project
pages include it.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.playbooks import calendars
from propulse.web import current_user, get_db, html_router, redirect, render
from propulse.workspace.models import User

public = html_router(public=True)
router = html_router()


@public.get("/calendars/{token}.ics")
def calendar_feed(token: str, session: Session = Depends(get_db)) -> Response:
    """Serve a project's or a person's tasks as ICS; an unknown or revoked address is 404."""
    return Response(
        content=calendars.feed_ics(session, token=token),
        media_type="text/calendar; charset=utf-8",
        headers={
            "Cache-Control": "private, max-age=300",
            "Content-Disposition": 'inline; filename="propulse.ics"',
        },
    )


def calendar_context(
    session: Session,
    user: User,
    *,
    project_id: int | None,
    new: calendars.NewFeed | None = None,
) -> dict[str, Any]:
    """Return what the calendar section shows: the addresses, where to create one, a new URL."""
    if project_id is not None:
        feeds = calendars.list_feeds(session, project_id=project_id)
        create_action = f"/projects/{project_id}/calendars"
    else:
        feeds = calendars.list_feeds(session, user_id=user.id)
        create_action = "/tasks/mine/calendars"
    return {
        "feeds": feeds,
        "feeds_create_action": create_action,
        "feeds_back": f"/projects/{project_id}" if project_id is not None else "/tasks/mine",
        "new_feed": new,
        "can_revoke": calendars.can_revoke,
    }


def _answer(
    request: Request, session: Session, user: User, *, project_id: int | None, new: Any = None
) -> Response:
    context = calendar_context(session, user, project_id=project_id, new=new)
    if request.headers.get("hx-request") == "true":
        return render(request, "playbooks/project_calendars.html", context)
    if new is None:
        return redirect(context["feeds_back"])
    # Without HTMX the address still shows once, on a page of its own (never in a redirect).
    return render(request, "playbooks/project_calendar_created.html", context)


@router.post("/projects/{project_id}/calendars")
def create_project_calendar(
    request: Request,
    project_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    new = calendars.create_feed(session, actor=user, project_id=project_id)
    session.commit()
    return _answer(request, session, user, project_id=project_id, new=new)


@router.post("/tasks/mine/calendars")
def create_my_calendar(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    new = calendars.create_feed(session, actor=user, for_person=True)
    session.commit()
    return _answer(request, session, user, project_id=None, new=new)


@router.post("/calendars/{feed_id}/revoke")
def revoke_calendar(
    request: Request,
    feed_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    feed = calendars.revoke_feed(session, actor=user, feed_id=feed_id)
    session.commit()
    return _answer(request, session, user, project_id=feed.project_id)
