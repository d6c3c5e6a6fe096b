"""The audit log, for admins."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.audit import service
from propulse.kit.i18n import lazy_gettext
from propulse.web import get_db, html_router, render, require_role
from propulse.workspace.models import Role, User

router = html_router()
admin_only = require_role(Role.admin, lazy_gettext("read the audit log"))


@router.get("/audit")
def audit_page(
    request: Request,
    object_type: str | None = None,
    cursor: str | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(admin_only),
) -> Response:
    entries, next_cursor = service.list_entries(
        session, object_type=object_type or None, cursor=cursor, limit=50
    )
    context = {
        "entries": entries,
        "next_cursor": next_cursor,
        "object_type": object_type or "",
        "object_types": service.object_types(session),
    }
    return render(request, "audit/audit.html", context)
