"""API of requests and their triage."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from propulse.kit.pagination import Page
from propulse.triage import figures, service
from propulse.triage.schemas import (
    RequestCreate,
    RequestOut,
    SuggestionOut,
    TransitionOut,
    TriageDecision,
)
from propulse.web import get_db
from propulse.workspace.models import User

router = APIRouter(tags=["requests"])


def today() -> date:
    """Return the day decisions are checked against (tests put their own)."""
    return date.today()


class RequestDetailOut(RequestOut):
    """A request with every move it made: who, when and why."""

    transitions: list[TransitionOut]


class SuggestionsOut(BaseModel):
    """The current objectives ranked for a request, best first; never applied by themselves."""

    items: list[SuggestionOut]
    serves_none: bool


def _user(request: Request) -> User:
    user: User = request.state.user
    return user


@router.get("/requests", response_model=Page[RequestOut])
def list_requests(
    state: str | None = None,
    department: str | None = None,
    objective_id: int | None = None,
    requester_id: int | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    session: Session = Depends(get_db),
) -> Page[RequestOut]:
    """List requests oldest first (the queue's order), filtered, one page at a time."""
    found, next_cursor = service.list_requests(
        session,
        state=state,
        department=department,
        objective_id=objective_id,
        requester_id=requester_id,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=[RequestOut.model_validate(r) for r in found], next_cursor=next_cursor)


@router.post("/requests", response_model=RequestOut, status_code=201)
def submit_request(
    request: Request, data: RequestCreate, session: Session = Depends(get_db)
) -> RequestOut:
    """Submit a request; anyone may, a manager also on behalf of someone (``requester_id``)."""
    created = service.submit(session, actor=_user(request), data=data)
    session.commit()
    return RequestOut.model_validate(created)


@router.get("/requests/{request_id}", response_model=RequestDetailOut)
def read_request(request_id: int, session: Session = Depends(get_db)) -> RequestDetailOut:
    return RequestDetailOut.model_validate(service.get_request(session, request_id=request_id))


@router.post("/requests/{request_id}/triage", response_model=RequestOut)
def triage_request(
    request: Request, request_id: int, data: TriageDecision, session: Session = Depends(get_db)
) -> RequestOut:
    """Decide on a request; send the ``version`` you read to refuse a stale decision (409)."""
    decided = service.triage(
        session, actor=_user(request), request_id=request_id, decision=data, today=today()
    )
    session.commit()
    return RequestOut.model_validate(decided)


@router.get("/requests/{request_id}/suggestions", response_model=SuggestionsOut)
def request_suggestions(request_id: int, session: Session = Depends(get_db)) -> SuggestionsOut:
    """Rank the current objectives by how well the request's text matches them."""
    item = service.get_request(session, request_id=request_id)
    ranked = figures.suggestions_for(session, request=item, today=today())
    return SuggestionsOut(
        items=[
            SuggestionOut(
                objective_id=s.objective_id, title=s.title, score=s.score, terms=list(s.terms)
            )
            for s in ranked.suggestions
        ],
        serves_none=ranked.serves_none,
    )
