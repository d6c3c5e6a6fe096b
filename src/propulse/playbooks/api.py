"""API of playbooks: the library, content with steps, versions, and launching a project."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from propulse.kit.pagination import Page
from propulse.playbooks import projects, service
from propulse.playbooks.project_schemas import ProjectDetailOut, project_detail_out
from propulse.playbooks.schemas import (
    LaunchIn,
    PlaybookCreate,
    PlaybookDetail,
    PlaybookOut,
    PlaybookUpdate,
    VersionDetail,
    VersionOut,
    playbook_detail,
    playbook_out,
    version_detail,
    version_out,
)
from propulse.web import get_db
from propulse.workspace.models import User

router = APIRouter(tags=["playbooks"])


def today() -> date:
    """Return today's date (one place, so tests can move the clock)."""
    return date.today()


def _user(request: Request) -> User:
    user: User = request.state.user
    return user


@router.get("/playbooks", response_model=Page[PlaybookOut])
def list_playbooks(
    language: str | None = None,
    category: str | None = None,
    archived: bool = False,
    session: Session = Depends(get_db),
) -> Page[PlaybookOut]:
    """Return the library, by name (a few dozen playbooks: one page)."""
    playbooks = service.list_playbooks(
        session, language=language, category=category, include_archived=archived
    )
    return Page(items=[playbook_out(p, today=today()) for p in playbooks], next_cursor=None)


@router.post("/playbooks", response_model=PlaybookDetail, status_code=201)
def create_playbook(
    request: Request, data: PlaybookCreate, session: Session = Depends(get_db)
) -> PlaybookDetail:
    """Create a playbook with its steps: a draft, or version 1 with ``publish``."""
    playbook = service.create_playbook(
        session,
        actor=_user(request),
        content=data.content(slug=data.slug, language=data.language),
        publish=data.publish,
    )
    session.commit()
    return playbook_detail(service.get_playbook(session, playbook_id=playbook.id), today=today())


@router.get("/playbooks/{playbook_id}", response_model=PlaybookDetail)
def read_playbook(playbook_id: int, session: Session = Depends(get_db)) -> PlaybookDetail:
    return playbook_detail(service.get_playbook(session, playbook_id=playbook_id), today=today())


@router.put("/playbooks/{playbook_id}", response_model=PlaybookDetail)
def replace_playbook(
    request: Request, playbook_id: int, data: PlaybookUpdate, session: Session = Depends(get_db)
) -> PlaybookDetail:
    """Replace the content; a published playbook gets a new version (projects keep theirs)."""
    playbook = service.get_playbook(session, playbook_id=playbook_id)
    service.update_playbook(
        session,
        actor=_user(request),
        playbook_id=playbook_id,
        content=data.content(slug=playbook.slug, language=playbook.language),
        note=data.note,
        version=data.version,
    )
    session.commit()
    return playbook_detail(playbook, today=today())


@router.post("/playbooks/{playbook_id}/publish", response_model=PlaybookDetail)
def publish_playbook(
    request: Request, playbook_id: int, session: Session = Depends(get_db)
) -> PlaybookDetail:
    playbook = service.publish(session, actor=_user(request), playbook_id=playbook_id)
    session.commit()
    return playbook_detail(playbook, today=today())


@router.get("/playbooks/{playbook_id}/versions", response_model=Page[VersionOut])
def list_versions(playbook_id: int, session: Session = Depends(get_db)) -> Page[VersionOut]:
    """Return the published versions, newest first (one page)."""
    service.get_playbook(session, playbook_id=playbook_id)
    versions = service.list_versions(session, playbook_id=playbook_id)
    return Page(items=[version_out(v) for v in versions], next_cursor=None)


@router.get("/playbooks/{playbook_id}/versions/{number}", response_model=VersionDetail)
def read_version(
    playbook_id: int, number: int, session: Session = Depends(get_db)
) -> VersionDetail:
    """Return a version with its frozen content (what projects launched from it follow)."""
    return version_detail(service.get_version(session, playbook_id=playbook_id, number=number))


@router.post("/playbooks/{playbook_id}/launch", response_model=ProjectDetailOut, status_code=201)
def launch(
    request: Request, playbook_id: int, data: LaunchIn, session: Session = Depends(get_db)
) -> ProjectDetailOut:
    """Launch a project from the newest version: every task dated, every role given."""
    playbook = service.get_playbook(session, playbook_id=playbook_id)
    project = projects.launch(
        session,
        actor=_user(request),
        playbook_id=playbook_id,
        name=data.name or f"{playbook.name} · {data.anchor.isoformat()}",
        anchor=data.anchor,
        country=data.country,
        roles=dict(data.roles),
        today=today(),
        objective_id=data.objective_id,
        key_result_id=data.key_result_id,
        request_id=data.request_id,
    )
    session.commit()
    return project_detail_out(session, projects.get_project(session, project_id=project.id))
