"""API of projects and tasks: the same services as the pages, JSON in and out.

A project's calendar address is secret and only its hash is kept, so a project cannot carry
its URL: ``POST /projects/{id}/calendar`` creates an address and returns its ``url`` once;
``GET /projects/{id}`` lists the project's ``calendar_feeds`` (ids, dates, revoked or not).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from propulse.kit.errors import InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import Page
from propulse.playbooks import boards, calendars, feedback, projects
from propulse.playbooks.models import TaskStatus
from propulse.playbooks.project_schemas import (
    CalendarFeedOut,
    CommentOut,
    NewCalendarFeedOut,
    ProjectDetailOut,
    ProjectOut,
    TaskDetailOut,
    TaskOut,
    comment_out,
    feed_out,
    new_feed_out,
    project_detail_out,
    project_out,
    task_detail_out,
    task_out,
)
from propulse.web import get_db
from propulse.workspace import service as workspace
from propulse.workspace.models import User

router = APIRouter(tags=["projects"])


def _user(request: Request) -> User:
    user: User = request.state.user
    return user


class AnchorIn(BaseModel):
    anchor_date: date
    dry_run: bool = Field(False, description="Only say what would move.")
    version: int | None = Field(None, description="The project version read (409 if stale).")


class TaskMoveOut(BaseModel):
    task_id: int
    title: str
    old_start_date: date
    old_due_date: date
    new_start_date: date
    new_due_date: date


class AnchorOut(BaseModel):
    anchor_date: date
    dry_run: bool
    moves: list[TaskMoveOut]
    kept_by_hand: list[int] = Field(description="Tasks re-dated by hand, which stay put.")


class SuggestionIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000)
    step_key: str | None = Field(None, description="The step it is about; null: the playbook.")


class CloseIn(BaseModel):
    suggestions: list[SuggestionIn] = []
    cancelled: bool = False


class TaskPatch(BaseModel):
    status: TaskStatus | None = None
    start_date: date | None = None
    due_date: date | None = None
    assignee_id: int | None = Field(None, description="null unassigns (when sent).")
    version: int | None = Field(None, description="The task version read (409 if stale).")


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=10000)


@router.get("/projects", response_model=Page[ProjectOut])
def list_projects(
    status: Literal["active", "done", "cancelled", "all"] = "active",
    cursor: str | None = None,
    limit: int | None = None,
    session: Session = Depends(get_db),
) -> Page[ProjectOut]:
    """Return projects (active ones unless ``status`` says otherwise), oldest first."""
    items, next_cursor = boards.list_projects_page(
        session, status=None if status == "all" else status, cursor=cursor, limit=limit
    )
    return Page(items=[project_out(project) for project in items], next_cursor=next_cursor)


@router.get("/projects/{project_id}", response_model=ProjectDetailOut)
def read_project(project_id: int, session: Session = Depends(get_db)) -> ProjectDetailOut:
    """Return a project with its tasks (each with ``due_date``) and its calendar addresses."""
    return project_detail_out(session, projects.get_project(session, project_id=project_id))


@router.post("/projects/{project_id}/anchor", response_model=AnchorOut)
def move_anchor(
    request: Request, project_id: int, data: AnchorIn, session: Session = Depends(get_db)
) -> AnchorOut:
    """Move the anchor: tasks nobody re-dated by hand move with it (``dry_run``: only show)."""
    project = projects.get_project(session, project_id=project_id)
    if data.dry_run:
        workspace.check_version(project, data.version)
        moves = projects.plan_anchor_move(session, project_id=project_id, anchor=data.anchor_date)
    else:
        moves = projects.move_anchor(
            session,
            actor=_user(request),
            project_id=project_id,
            anchor=data.anchor_date,
            version=data.version,
        )
        session.commit()
    return AnchorOut(
        anchor_date=data.anchor_date,
        dry_run=data.dry_run,
        moves=[
            TaskMoveOut(
                task_id=move.task.id,
                title=move.task.title,
                old_start_date=move.old_start,
                old_due_date=move.old_due,
                new_start_date=move.new_start,
                new_due_date=move.new_due,
            )
            for move in moves
        ],
        kept_by_hand=[task.id for task in project.tasks if task.dates_set_by_hand],
    )


@router.post("/projects/{project_id}/close", response_model=ProjectOut)
def close_project(
    request: Request, project_id: int, data: CloseIn, session: Session = Depends(get_db)
) -> ProjectOut:
    """Close a project; each suggestion goes to its playbook for the next version."""
    project = feedback.close_project(
        session,
        actor=_user(request),
        project_id=project_id,
        suggestions=[
            feedback.SuggestionInput(text=item.text, step_key=item.step_key)
            for item in data.suggestions
        ],
        cancelled=data.cancelled,
    )
    session.commit()
    return project_out(project)


@router.post("/projects/{project_id}/calendar", response_model=NewCalendarFeedOut, status_code=201)
def create_calendar(
    request: Request, project_id: int, session: Session = Depends(get_db)
) -> NewCalendarFeedOut:
    """Create a secret calendar address (ICS) for the project: its ``url`` is shown once."""
    new = calendars.create_feed(session, actor=_user(request), project_id=project_id)
    session.commit()
    return new_feed_out(new)


@router.post("/calendar-feeds/{feed_id}/revoke", response_model=CalendarFeedOut)
def revoke_calendar(
    request: Request, feed_id: int, session: Session = Depends(get_db)
) -> CalendarFeedOut:
    """Revoke a calendar address: it answers 404 from now on."""
    feed = calendars.revoke_feed(session, actor=_user(request), feed_id=feed_id)
    session.commit()
    return feed_out(feed)


@router.post("/tasks/calendar", response_model=NewCalendarFeedOut, status_code=201)
def create_my_calendar(request: Request, session: Session = Depends(get_db)) -> NewCalendarFeedOut:
    """Create a secret calendar address of your own tasks: its ``url`` is shown once."""
    new = calendars.create_feed(session, actor=_user(request), for_person=True)
    session.commit()
    return new_feed_out(new)


@router.get("/tasks", response_model=Page[TaskOut])
def list_tasks(
    request: Request,
    assignee: str | None = Query(None, description="`me`, or a person's id."),
    overdue: bool = Query(False, description="Open tasks whose due date is past."),
    due_this_week: bool = Query(False, description="Open tasks due from today to Sunday."),
    project_id: int | None = None,
    status: TaskStatus | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    session: Session = Depends(get_db),
) -> Page[TaskOut]:
    """Return tasks across projects, filtered; every filter given must match."""
    assignee_id = None
    if assignee == "me":
        assignee_id = _user(request).id
    elif assignee is not None:
        if not assignee.isdigit():
            raise InvalidInput.on_field("assignee", _("Use me or a person's id."))
        assignee_id = int(assignee)
    items, next_cursor = boards.list_tasks(
        session,
        cursor=cursor,
        limit=limit,
        on=boards.today(),
        assignee_id=assignee_id,
        project_id=project_id,
        overdue=overdue,
        due_this_week=due_this_week,
        status=status,
    )
    return Page(items=[task_out(task) for task in items], next_cursor=next_cursor)


@router.get("/tasks/{task_id}", response_model=TaskDetailOut)
def read_task(task_id: int, session: Session = Depends(get_db)) -> TaskDetailOut:
    """Return a task with its step's tutorial and advice, and its comments."""
    return task_detail_out(projects.get_task(session, task_id=task_id))


@router.patch("/tasks/{task_id}", response_model=TaskDetailOut)
def update_task(
    request: Request, task_id: int, data: TaskPatch, session: Session = Depends(get_db)
) -> TaskDetailOut:
    """Change a task's status, dates (then set by hand) or assignee; a stale version is 409."""
    actor = _user(request)
    task = projects.get_task(session, task_id=task_id)
    workspace.check_version(task, data.version)
    if data.start_date is not None or data.due_date is not None:
        projects.set_task_dates(
            session,
            actor=actor,
            task_id=task_id,
            start_on=data.start_date or task.start_on,
            due_on=data.due_date or task.due_on,
        )
    if "assignee_id" in data.model_fields_set:
        projects.assign_task(session, actor=actor, task_id=task_id, user_id=data.assignee_id)
    if data.status is not None:
        projects.set_task_status(session, actor=actor, task_id=task_id, status=data.status)
    session.commit()
    return task_detail_out(projects.get_task(session, task_id=task_id))


@router.post("/tasks/{task_id}/checklist/{index}/toggle", response_model=TaskDetailOut)
def toggle_checklist_item(
    request: Request, task_id: int, index: int, session: Session = Depends(get_db)
) -> TaskDetailOut:
    """Tick or untick a checklist item (counted from 0)."""
    task = projects.toggle_checklist_item(
        session, actor=_user(request), task_id=task_id, index=index
    )
    session.commit()
    return task_detail_out(task)


@router.post("/tasks/{task_id}/comments", response_model=CommentOut, status_code=201)
def add_comment(
    request: Request, task_id: int, data: CommentIn, session: Session = Depends(get_db)
) -> CommentOut:
    """Comment on a task (Markdown; pages show it sanitised)."""
    comment = projects.add_comment(session, actor=_user(request), task_id=task_id, body=data.body)
    session.commit()
    return comment_out(comment)
