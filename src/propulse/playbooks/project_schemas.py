"""Projects and tasks as JSON: what the API returns and the CLI prints (``--json``)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from propulse.config import get_settings
from propulse.playbooks import calendars
from propulse.playbooks.models import (
    CalendarFeed,
    Project,
    ProjectStatus,
    Task,
    TaskComment,
    TaskStatus,
)


class ChecklistItemOut(BaseModel):
    text: str
    done: bool


class TaskOut(BaseModel):
    id: int
    project_id: int
    step_key: str
    position: int
    title: str
    owner_role: str
    assignee_id: int | None
    assignee_email: str | None
    start_date: date
    due_date: date
    dates_set_by_hand: bool = Field(description="Moving the anchor leaves these dates alone.")
    after_key: str | None = Field(description="The step this task follows (finish-to-start).")
    status: TaskStatus
    optional: bool
    effort_hours: float
    checklist: list[ChecklistItemOut]
    deliverables: list[str]
    version: int
    url: str


class CommentOut(BaseModel):
    id: int
    author_id: int | None
    author_name: str | None
    body: str
    created_at: datetime


class TaskDetailOut(TaskOut):
    project_name: str
    tutorial: str
    advice: str
    comments: list[CommentOut]


class CalendarFeedOut(BaseModel):
    id: int
    project_id: int | None
    user_id: int | None
    created_by_id: int | None
    created_at: datetime
    revoked: bool
    revoked_at: datetime | None


class NewCalendarFeedOut(CalendarFeedOut):
    url: str = Field(description="The secret address: shown this once, only its hash is kept.")


class ProjectOut(BaseModel):
    id: int
    name: str
    playbook_id: int | None
    playbook_version: int | None
    anchor_date: date
    country: str
    status: ProjectStatus
    objective_id: int | None
    key_result_id: int | None
    request_id: int | None
    owner_id: int | None
    roles: dict[str, int]
    version: int
    created_at: datetime
    url: str


class ProjectDetailOut(ProjectOut):
    tasks: list[TaskOut]
    calendar_feeds: list[CalendarFeedOut] = Field(
        description="Secret calendar addresses of the project (their URLs are shown once, "
        "at creation: POST /projects/{id}/calendar)."
    )


def task_out(task: Task) -> TaskOut:
    return TaskOut(
        id=task.id,
        project_id=task.project_id,
        step_key=task.step_key,
        position=task.position,
        title=task.title,
        owner_role=task.owner_role,
        assignee_id=task.assignee_id,
        assignee_email=task.assignee.email if task.assignee else None,
        start_date=task.start_on,
        due_date=task.due_on,
        dates_set_by_hand=task.dates_set_by_hand,
        after_key=task.after_key,
        status=TaskStatus(task.status),
        optional=task.optional,
        effort_hours=task.effort_hours,
        checklist=[
            ChecklistItemOut(text=str(item.get("text", "")), done=bool(item.get("done")))
            for item in task.checklist
        ],
        deliverables=list(task.deliverables),
        version=task.version,
        url=calendars.task_url(task),
    )


def comment_out(comment: TaskComment) -> CommentOut:
    return CommentOut(
        id=comment.id,
        author_id=comment.author_id,
        author_name=comment.author.name if comment.author else None,
        body=comment.body,
        created_at=comment.created_at,
    )


def task_detail_out(task: Task) -> TaskDetailOut:
    return TaskDetailOut(
        **task_out(task).model_dump(),
        project_name=task.project.name,
        tutorial=task.tutorial,
        advice=task.advice,
        comments=[comment_out(comment) for comment in task.comments],
    )


def feed_out(feed: CalendarFeed) -> CalendarFeedOut:
    return CalendarFeedOut(
        id=feed.id,
        project_id=feed.project_id,
        user_id=feed.user_id,
        created_by_id=feed.created_by_id,
        created_at=feed.created_at,
        revoked=feed.revoked_at is not None,
        revoked_at=feed.revoked_at,
    )


def new_feed_out(new: calendars.NewFeed) -> NewCalendarFeedOut:
    return NewCalendarFeedOut(**feed_out(new.feed).model_dump(), url=new.url)


def project_out(project: Project) -> ProjectOut:
    return ProjectOut(
        id=project.id,
        name=project.name,
        playbook_id=project.playbook_id,
        playbook_version=project.playbook_version.number if project.playbook_version else None,
        anchor_date=project.anchor_on,
        country=project.country,
        status=ProjectStatus(project.status),
        objective_id=project.objective_id,
        key_result_id=project.key_result_id,
        request_id=project.request_id,
        owner_id=project.owner_id,
        roles=dict(project.roles),
        version=project.version,
        created_at=project.created_at,
        url=f"{get_settings().base_url}/projects/{project.id}",
    )


def project_detail_out(session: Session, project: Project) -> ProjectDetailOut:
    """Return a project with its tasks (each with ``due_date``) and its calendar addresses."""
    tasks = sorted(project.tasks, key=lambda task: (task.position, task.id))
    return ProjectDetailOut(
        **project_out(project).model_dump(),
        tasks=[task_out(task) for task in tasks],
        calendar_feeds=[
            feed_out(feed) for feed in calendars.list_feeds(session, project_id=project.id)
        ],
    )
