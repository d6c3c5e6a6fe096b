"""API of the workspace: the token's user, people and teams."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from propulse.kit.pagination import Page
from propulse.web import get_db
from propulse.workspace import service
from propulse.workspace.models import Team, User
from propulse.workspace.schemas import (
    TeamCreate,
    TeamOut,
    UserCreate,
    UserOut,
    UserUpdate,
    WorkspaceOut,
    WorkspaceUpdate,
)

router = APIRouter(tags=["workspace"])


def _user(request: Request) -> User:
    user: User = request.state.user
    return user


def team_out(team: Team) -> TeamOut:
    return TeamOut(
        id=team.id,
        name=team.name,
        description=team.description,
        is_marketing=team.is_marketing,
        member_ids=[member.id for member in team.members],
        version=team.version,
    )


@router.get("/me", response_model=UserOut)
def me(request: Request) -> User:
    """Return the person the token belongs to."""
    return _user(request)


@router.get("/workspace", response_model=WorkspaceOut)
def read_workspace(session: Session = Depends(get_db)) -> object:
    return service.get_workspace(session)


@router.put("/workspace", response_model=WorkspaceOut)
def write_workspace(
    request: Request, data: WorkspaceUpdate, session: Session = Depends(get_db)
) -> object:
    workspace = service.update_workspace(session, actor=_user(request), data=data)
    session.commit()
    return workspace


@router.get("/users", response_model=Page[UserOut])
def list_users(
    cursor: str | None = None, limit: int | None = None, session: Session = Depends(get_db)
) -> Page[UserOut]:
    users, next_cursor = service.list_users(session, cursor=cursor, limit=limit)
    return Page(items=[UserOut.model_validate(u) for u in users], next_cursor=next_cursor)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(request: Request, data: UserCreate, session: Session = Depends(get_db)) -> User:
    user = service.create_user(session, actor=_user(request), data=data)
    session.commit()
    return user


@router.get("/users/{user_id}", response_model=UserOut)
def read_user(user_id: int, session: Session = Depends(get_db)) -> User:
    return service.get_user(session, user_id=user_id)


@router.put("/users/{user_id}", response_model=UserOut)
def update_user(
    request: Request, user_id: int, data: UserUpdate, session: Session = Depends(get_db)
) -> User:
    """Replace a person's details; send the ``version`` you read to refuse stale edits (409)."""
    user = service.update_user(session, actor=_user(request), user_id=user_id, data=data)
    session.commit()
    return user


@router.get("/teams", response_model=Page[TeamOut])
def list_teams(session: Session = Depends(get_db)) -> Page[TeamOut]:
    """Return every team (a company has few: one page)."""
    return Page(items=[team_out(team) for team in service.list_teams(session)], next_cursor=None)


@router.post("/teams", response_model=TeamOut, status_code=201)
def create_team(request: Request, data: TeamCreate, session: Session = Depends(get_db)) -> TeamOut:
    team = service.create_team(session, actor=_user(request), data=data)
    session.commit()
    return team_out(service.get_team(session, team_id=team.id))
