"""Pages of tasks: the task with its step's tutorial, checklist and comments; task lists."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.kit.errors import InvalidInput
from propulse.kit.forms import errors_by_field
from propulse.kit.i18n import gettext as _
from propulse.playbooks import boards, calendar_views, projects
from propulse.playbooks.models import Task, TaskStatus
from propulse.web import current_user, flash, get_db, html_router, redirect, render
from propulse.workspace import service as workspace
from propulse.workspace.models import User

router = html_router()


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _back(form: Any, default: str) -> str:
    """Return the page to go back to: only a path of this site, never another address."""
    target = str(form.get("next", ""))
    return target if target.startswith("/") and not target.startswith("//") else default


def parse_date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput.on_field(field, _("Enter a date as YYYY-MM-DD.")) from None


def _list_page(request: Request, tab: str, tasks: list[Task], **extra: Any) -> Response:
    context = {"tab": tab, "tasks": tasks, "today": boards.today(), **extra}
    return render(request, "playbooks/task_list.html", context)


@router.get("/tasks/mine")
def my_tasks_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    tasks = projects.my_tasks(session, user=user)
    return _list_page(
        request, "mine", tasks, **calendar_views.calendar_context(session, user, project_id=None)
    )


@router.get("/tasks/overdue")
def overdue_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    return _list_page(request, "overdue", projects.overdue_tasks(session, today=boards.today()))


@router.get("/tasks/week")
def week_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    tasks = projects.due_this_week(session, today=boards.today())
    return _list_page(request, "week", tasks, sunday=boards.coming_sunday(boards.today()))


def task_context(session: Session, task_id: int, **extra: Any) -> dict[str, Any]:
    task = projects.get_task(session, task_id=task_id)
    titles = boards.titles_by_key(projects.get_project(session, project_id=task.project_id))
    before = None
    if task.after_key:
        before = next((t for t in task.project.tasks if t.step_key == task.after_key), None)
    context: dict[str, Any] = {
        "task": task,
        "before": before,
        "titles": titles,
        "people": [person for person in workspace.all_users(session) if person.is_active],
        "today": boards.today(),
        "errors": {},
        "values": {},
    }
    context.update(extra)
    return context


@router.get("/tasks/{task_id}")
def task_page(
    request: Request,
    task_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    return render(request, "playbooks/task_detail.html", task_context(session, task_id))


@router.post("/tasks/{task_id}/status")
async def change_status(
    request: Request,
    task_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    """Move a task to another status: the board and the task page swap their part by HTMX."""
    form = await request.form()
    try:
        status = TaskStatus(str(form.get("status", "")))
    except ValueError:
        raise InvalidInput.on_field("status", _("Choose todo, doing, done or skipped.")) from None
    task = projects.set_task_status(session, actor=user, task_id=task_id, status=status)
    session.commit()
    if _is_htmx(request):
        if form.get("view") == "board":
            project = projects.get_project(session, project_id=task.project_id)
            context = {
                "project": project,
                "columns": boards.columns(project),
                "today": boards.today(),
                "moved": task,
            }
            return render(request, "playbooks/project_columns.html", context)
        return render(request, "playbooks/task_status.html", task_context(session, task_id))
    return redirect(_back(form, f"/tasks/{task_id}"))


@router.post("/tasks/{task_id}/checklist/{index}")
async def tick(
    request: Request,
    task_id: int,
    index: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    """Set a checklist item to the state the box shows (a repeated click changes nothing)."""
    form = await request.form()
    task = projects.get_task(session, task_id=task_id)
    wanted = form.get("done") == "1"
    if not 0 <= index < len(task.checklist):
        raise InvalidInput.on_field("index", _("This checklist item does not exist."))
    if bool(task.checklist[index].get("done")) != wanted:
        projects.toggle_checklist_item(session, actor=user, task_id=task_id, index=index)
        session.commit()
    if _is_htmx(request):
        context = task_context(session, task_id, ticked=index)
        return render(request, "playbooks/task_checklist.html", context)
    return redirect(f"/tasks/{task_id}#checklist")


@router.post("/tasks/{task_id}/comments")
async def comment(
    request: Request,
    task_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    form = await request.form()
    body = str(form.get("body", ""))
    try:
        projects.add_comment(session, actor=user, task_id=task_id, body=body)
    except InvalidInput as error:
        session.rollback()
        context = task_context(
            session, task_id, errors=errors_by_field(error.problems), values={"body": body}
        )
        return render(request, "playbooks/task_detail.html", context, status_code=422)
    session.commit()
    flash(request, _("Your comment is added."))
    return redirect(f"/tasks/{task_id}#comments")


@router.post("/tasks/{task_id}/dates")
async def change_dates(
    request: Request,
    task_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    """Re-date a task by hand: moving the anchor will leave it where it is."""
    form = await request.form()
    values = {key: str(form.get(key, "")) for key in ("start_on", "due_on", "version")}
    try:
        projects.set_task_dates(
            session,
            actor=user,
            task_id=task_id,
            start_on=parse_date(values["start_on"], "start_on"),
            due_on=parse_date(values["due_on"], "due_on"),
            version=int(values["version"]) if values["version"].isdigit() else None,
        )
    except InvalidInput as error:
        session.rollback()
        context = task_context(
            session, task_id, errors=errors_by_field(error.problems), values=values
        )
        return render(request, "playbooks/task_detail.html", context, status_code=422)
    session.commit()
    flash(request, _("The dates are saved; moving the anchor will leave them."))
    return redirect(f"/tasks/{task_id}")


@router.post("/tasks/{task_id}/assignee")
async def change_assignee(
    request: Request,
    task_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    form = await request.form()
    chosen = str(form.get("assignee_id", ""))
    task = projects.assign_task(
        session, actor=user, task_id=task_id, user_id=int(chosen) if chosen.isdigit() else None
    )
    session.commit()
    who = task.assignee.name if task.assignee else _("nobody yet")
    flash(request, _("The task is assigned to %(name)s.", name=who))
    return redirect(f"/tasks/{task_id}")
