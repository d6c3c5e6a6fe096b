"""What the project pages, the API and the CLI read: summaries, board columns, task filters."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from propulse.kit.pagination import SortKey, paginate
from propulse.playbooks import projects
from propulse.playbooks.content import PlaybookContent
from propulse.playbooks.models import Project, Task, TaskStatus

STATUSES = (TaskStatus.todo, TaskStatus.doing, TaskStatus.done, TaskStatus.skipped)


def today() -> date:
    """Return today's date (one place for every project page, API and command: tests move it)."""
    return date.today()


def coming_sunday(day: date) -> date:
    return day + timedelta(days=6 - day.weekday())


def is_overdue(task: Task, *, on: date) -> bool:
    return task.status in projects.OPEN_STATUSES and task.due_on < on


@dataclass(frozen=True)
class ProjectSummary:
    project: Project
    total: int
    done: int
    overdue: int
    next_due: date | None


def summaries(session: Session, items: list[Project], *, on: date) -> list[ProjectSummary]:
    """Count each project's tasks, done and overdue ones, in one query."""
    ids = [project.id for project in items]
    rows: dict[int, list[tuple[str, date]]] = defaultdict(list)
    if ids:
        statement = select(Task.project_id, Task.status, Task.due_on).where(
            Task.project_id.in_(ids)
        )
        for project_id, status, due_on in session.execute(statement):
            rows[project_id].append((status, due_on))
    found = []
    for project in items:
        tasks = rows[project.id]
        open_dues = [due for status, due in tasks if status in projects.OPEN_STATUSES]
        found.append(
            ProjectSummary(
                project=project,
                total=len(tasks),
                done=sum(1 for status, _due in tasks if status in ("done", "skipped")),
                overdue=sum(1 for due in open_dues if due < on),
                next_due=min(open_dues) if open_dues else None,
            )
        )
    return found


def columns(project: Project) -> list[tuple[TaskStatus, list[Task]]]:
    """Return the board: the project's tasks by status, each column by due date."""
    by_status: dict[str, list[Task]] = {status: [] for status in STATUSES}
    for task in sorted(project.tasks, key=lambda task: (task.due_on, task.position)):
        by_status[task.status].append(task)
    return [(status, by_status[status]) for status in STATUSES]


def content_of(project: Project) -> PlaybookContent | None:
    """Return the playbook content the project was launched from (None if it is gone)."""
    if project.playbook_version is None:
        return None
    return PlaybookContent.from_snapshot(project.playbook_version.snapshot)


def titles_by_key(project: Project) -> dict[str, str]:
    return {task.step_key: task.title for task in project.tasks}


def tasks_statement(
    *,
    on: date,
    assignee_id: int | None = None,
    project_id: int | None = None,
    overdue: bool = False,
    due_this_week: bool = False,
    status: TaskStatus | None = None,
) -> Select[Any]:
    """Return the tasks matching every filter given (overdue and this week: open ones only)."""
    statement: Select[Any] = select(Task)
    if assignee_id is not None:
        statement = statement.where(Task.assignee_id == assignee_id)
    if project_id is not None:
        statement = statement.where(Task.project_id == project_id)
    if status is not None:
        statement = statement.where(Task.status == status)
    if overdue or due_this_week:
        statement = statement.where(Task.status.in_(projects.OPEN_STATUSES))
    if overdue:
        statement = statement.where(Task.due_on < on)
    if due_this_week:
        statement = statement.where(Task.due_on >= on, Task.due_on <= coming_sunday(on))
    return statement


def list_tasks(
    session: Session, *, cursor: str | None, limit: int | None, **filters: Any
) -> tuple[list[Task], str | None]:
    """Return one page of tasks in creation order (the key that pages without OFFSET)."""
    statement = tasks_statement(**filters)
    return paginate(session, statement, keys=[SortKey(Task.id)], cursor=cursor, limit=limit)


def list_projects_page(
    session: Session, *, status: str | None, cursor: str | None, limit: int | None
) -> tuple[list[Project], str | None]:
    statement: Select[Any] = select(Project)
    if status:
        statement = statement.where(Project.status == status)
    return paginate(session, statement, keys=[SortKey(Project.id)], cursor=cursor, limit=limit)
