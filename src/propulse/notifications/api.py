"""API of notifications: the caller's own."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from propulse.kit.pagination import Page
from propulse.notifications import service
from propulse.web import get_db

router = APIRouter(tags=["notifications"])


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None


class MarkedRead(BaseModel):
    marked: int


@router.get("/notifications", response_model=Page[NotificationOut])
def list_notifications(
    request: Request,
    cursor: str | None = None,
    limit: int | None = None,
    session: Session = Depends(get_db),
) -> Page[NotificationOut]:
    items, next_cursor = service.list_notifications(
        session, user=request.state.user, cursor=cursor, limit=limit
    )
    return Page(items=[NotificationOut.model_validate(i) for i in items], next_cursor=next_cursor)


@router.post("/notifications/read", response_model=MarkedRead)
def mark_all_read(request: Request, session: Session = Depends(get_db)) -> MarkedRead:
    marked = service.mark_read(session, user=request.state.user)
    session.commit()
    return MarkedRead(marked=marked)
