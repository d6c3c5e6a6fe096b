"""API of the suppression list (admins and managers): list by key, add a batch, remove one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from propulse.contacts.models import SuppressionReason
from propulse.delivery import suppressions
from propulse.delivery.suppression_csv import Entry
from propulse.kit.pagination import Page
from propulse.web import get_db
from propulse.workspace.models import User

router = APIRouter(tags=["suppressions"])

MAX_BATCH = 1000


class SuppressionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str | None = Field(description="The address; null for an erased contact")
    email_hash: str = Field(description="SHA-256 of the lower-cased address")
    reason: str
    created_at: datetime


class SuppressionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    emails: Annotated[list[str], Field(min_length=1, max_length=MAX_BATCH)] = Field(
        description="Addresses, or SHA-256 hashes of lower-cased addresses"
    )
    reason: SuppressionReason = SuppressionReason.manual


class RejectedOut(BaseModel):
    index: int
    value: str
    message: str


class SuppressionsAdded(BaseModel):
    added: int
    already: int
    rejected: list[RejectedOut]


def _user(request: Request) -> User:
    user: User = request.state.user
    return user


@router.get("/suppressions", response_model=Page[SuppressionOut])
def list_suppressions(
    request: Request,
    email: str | None = None,
    reason: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    session: Session = Depends(get_db),
) -> Page[SuppressionOut]:
    """List suppressions, newest first; ``email`` (or a SHA-256) finds one, ``reason`` filters."""
    found, next_cursor = suppressions.list_suppressions(
        session, actor=_user(request), email=email, reason=reason, cursor=cursor, limit=limit
    )
    return Page(
        items=[SuppressionOut.model_validate(row) for row in found], next_cursor=next_cursor
    )


@router.post("/suppressions", response_model=SuppressionsAdded)
def add_suppressions(
    request: Request, data: SuppressionsIn, session: Session = Depends(get_db)
) -> SuppressionsAdded:
    """Suppress a batch (idempotent); each refused item is named by its index in ``emails``."""
    suppressions.ensure_manager(_user(request))
    reason = suppressions.parse_reason(data.reason.value)  # erasure is not added by hand
    entries = [Entry(line=index, value=value) for index, value in enumerate(data.emails)]
    result = suppressions.add_suppressions(
        session, actor=_user(request), entries=entries, reason=reason, source="API"
    )
    session.commit()
    return SuppressionsAdded(
        added=result.added,
        already=result.already,
        rejected=[
            RejectedOut(index=item.line, value=item.value, message=item.message)
            for item in result.rejected
        ],
    )


@router.delete("/suppressions/{suppression_id}", status_code=204)
def remove_suppression(
    request: Request, suppression_id: int, session: Session = Depends(get_db)
) -> Response:
    """Remove a manual or unsubscribe suppression (bounces, complaints, erasures stay: 409)."""
    suppressions.remove_suppression(session, actor=_user(request), suppression_id=suppression_id)
    session.commit()
    return Response(status_code=204)
