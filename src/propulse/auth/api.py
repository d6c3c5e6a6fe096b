"""API of tokens: a person lists and revokes their own tokens."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from propulse.auth import service
from propulse.auth.models import ApiToken, TokenScope
from propulse.kit.pagination import Page
from propulse.web import get_db

router = APIRouter(tags=["tokens"])


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    name: str
    hint: str
    scope: TokenScope
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@router.get("/tokens", response_model=Page[TokenOut])
def list_tokens(request: Request, session: Session = Depends(get_db)) -> Page[TokenOut]:
    """Return the caller's tokens (never their secrets)."""
    user = request.state.user
    tokens = service.list_tokens(session, actor=user, owner=user)
    return Page(items=[TokenOut.model_validate(t) for t in tokens], next_cursor=None)


@router.post("/tokens/{token_id}/revoke", response_model=TokenOut)
def revoke_token(request: Request, token_id: int, session: Session = Depends(get_db)) -> ApiToken:
    token = service.revoke_token(session, actor=request.state.user, token_id=token_id)
    session.commit()
    return token
