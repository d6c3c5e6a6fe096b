"""API of the audit log (admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from propulse.audit import service
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import Page
from propulse.web import get_db
from propulse.workspace.models import Role
from propulse.workspace.permissions import ensure_role

router = APIRouter(tags=["audit"])


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    actor_id: int | None
    actor_label: str
    via: str
    action: str
    object_type: str
    object_id: str | None
    summary: str
    details: dict[str, Any]


@router.get("/audit", response_model=Page[AuditEntryOut])
def list_audit(
    request: Request,
    object_type: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    session: Session = Depends(get_db),
) -> Page[AuditEntryOut]:
    ensure_role(request.state.user, Role.admin, action=_("read the audit log"))
    entries, next_cursor = service.list_entries(
        session, object_type=object_type, cursor=cursor, limit=limit
    )
    return Page(items=[AuditEntryOut.model_validate(e) for e in entries], next_cursor=next_cursor)
