"""The sending page (admins): the server, DKIM, the pace, the outbox, paused streams."""

from __future__ import annotations

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.config import get_settings
from propulse.delivery import service
from propulse.delivery.errors import NotConfigured
from propulse.delivery.settings import effective_settings
from propulse.delivery.summary import sending_settings
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext
from propulse.web import flash, get_db, html_router, redirect, render, require_role
from propulse.workspace.models import Role, User

router = html_router()
admins = require_role(Role.admin, lazy_gettext("manage sending"))

DUPLICATES_SHOWN = 100


@router.get("/sending")
def sending_page(
    request: Request,
    session: Session = Depends(get_db),
    user: User = Depends(admins),
) -> Response:
    counts = service.status_counts(session)
    try:
        settings, settings_error = effective_settings(session), None
    except NotConfigured as error:
        settings, settings_error = get_settings(), error.message
    context = {
        "settings": sending_settings(settings),
        "settings_error": settings_error,
        "counts": counts,
        "total": sum(counts.values()),
        "streams": service.list_streams(session),
        "duplicates": service.possible_duplicates(session, limit=DUPLICATES_SHOWN),
        "duplicate_count": service.count_possible_duplicates(session),
    }
    return render(request, "delivery/sending.html", context)


@router.post("/sending/streams/resume")
def resume_stream(
    request: Request,
    name: str = Form(...),
    session: Session = Depends(get_db),
    user: User = Depends(admins),
) -> Response:
    service.resume_stream(session, actor=user, name=name)
    session.commit()
    flash(request, _("The stream %(name)s sends again.", name=name))
    return redirect("/sending")
