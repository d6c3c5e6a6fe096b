"""API of delivery: the outbox's figures and the streams (admins)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from propulse.delivery import service
from propulse.web import get_db
from propulse.workspace.models import Role
from propulse.workspace.permissions import ensure_role

router = APIRouter(tags=["delivery"])


class StreamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    paused: bool
    paused_reason: str | None
    paused_at: datetime | None
    consecutive_failures: int


class DuplicateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    message_id: str
    stream: str
    status: str
    sent_at: datetime | None


class DeliveryStatusOut(BaseModel):
    counts: dict[str, int]
    streams: list[StreamOut]
    possible_duplicates: list[DuplicateOut]


@router.get("/delivery/status", response_model=DeliveryStatusOut)
def delivery_status(request: Request, session: Session = Depends(get_db)) -> DeliveryStatusOut:
    """Count the outbox by status; list the streams and the latest possible duplicates."""
    ensure_role(request.state.user, Role.admin, action=service.sending_action())
    return DeliveryStatusOut(
        counts=service.status_counts(session),
        streams=[StreamOut.model_validate(s) for s in service.list_streams(session)],
        possible_duplicates=[
            DuplicateOut.model_validate(m) for m in service.possible_duplicates(session)
        ],
    )


@router.post("/delivery/streams/{name}/resume", response_model=StreamOut)
def resume_stream(request: Request, name: str, session: Session = Depends(get_db)) -> StreamOut:
    """Resume a stream that paused itself after failures."""
    stream = service.resume_stream(session, actor=request.state.user, name=name)
    session.commit()
    return StreamOut.model_validate(stream)
