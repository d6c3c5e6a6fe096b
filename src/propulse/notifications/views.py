"""Each person's notifications."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.notifications import service
from propulse.web import current_user, get_db, html_router, redirect, render
from propulse.workspace.models import User

router = html_router()


@router.get("/notifications")
def notifications_page(
    request: Request,
    cursor: str | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    items, next_cursor = service.list_notifications(session, user=user, cursor=cursor, limit=50)
    return render(request, "notifications/list.html", {"items": items, "next_cursor": next_cursor})


@router.post("/notifications/read")
def mark_all_read(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    service.mark_read(session, user=user)
    session.commit()
    return redirect("/notifications")


@router.post("/notifications/{notification_id}/read")
def mark_one_read(
    request: Request,
    notification_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    service.mark_read(session, user=user, notification_id=notification_id)
    session.commit()
    return redirect("/notifications")
