"""The home page: real figures from the modules that exist."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from propulse.audit.models import AuditEntry
from propulse.db import utcnow
from propulse.notifications import service as notifications
from propulse.web import current_user, get_db, html_router, render
from propulse.workspace import service as workspace
from propulse.workspace.models import User

router = html_router()


@router.get("/")
def home(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    week_ago = utcnow() - timedelta(days=7)
    changes_this_week = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.created_at >= week_ago)
    )
    recent_notifications, _cursor = notifications.list_notifications(session, user=user, limit=5)
    people_by_role = workspace.count_users(session)
    teams = workspace.list_teams(session)
    direct_reports = workspace.direct_reports(session, manager_id=user.id)
    context = {
        "workspace": workspace.get_workspace(session),
        "people_by_role": people_by_role,
        "people_total": sum(people_by_role.values()),
        "teams": teams,
        "changes_this_week": changes_this_week or 0,
        "recent_notifications": recent_notifications,
        "direct_reports": direct_reports,
    }
    return render(request, "home/home.html", context)
