"""Pages of projects: launch with a preview of the problems, list, board, timeline, anchor, close.

Tasks (their page, "my tasks", overdue, this week) live in ``task_views``, calendar addresses
in ``calendar_views``; their routers are included here, so ``routes.py`` lists one router.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.kit import workdays
from propulse.kit.errors import Conflict, DomainError, FieldProblem, InvalidInput
from propulse.kit.forms import errors_by_field
from propulse.kit.i18n import format_date, ngettext
from propulse.kit.i18n import gettext as _
from propulse.okrs import service as okrs
from propulse.playbooks import (
    boards,
    calendar_views,
    exports,
    feedback,
    projects,
    service,
    task_views,
    timeline,
)
from propulse.playbooks.content import PlaybookContent
from propulse.playbooks.models import Playbook, PlaybookStatus, ProjectStatus
from propulse.playbooks.task_views import parse_date
from propulse.triage import service as triage
from propulse.web import current_user, flash, get_db, html_router, redirect, render
from propulse.workspace import service as workspace
from propulse.workspace.models import User

router = html_router()


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _number(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


# --- Launch ---------------------------------------------------------------------------------


def _launch_content(session: Session, playbook_id: int) -> tuple[Playbook, PlaybookContent]:
    """Return the playbook and the content of its newest version (what a launch uses)."""
    playbook = service.get_playbook(session, playbook_id=playbook_id)
    version = service.latest_version(session, playbook_id=playbook.id)
    if playbook.status != PlaybookStatus.published or version is None:
        raise Conflict(_("Publish this playbook before launching it."))
    return playbook, PlaybookContent.from_snapshot(version.snapshot)


def _launch_values(form: Any, roles: list[str]) -> dict[str, str]:
    names = ["name", "anchor", "country", "serves", "request_id"]
    names += [f"role_{index}" for index in range(1, len(roles) + 1)]
    return {name: str(form.get(name, "")).strip() for name in names}


def _launch_input(values: dict[str, str], roles: list[str]) -> dict[str, Any]:
    """Turn the form into the service's arguments, refusing what cannot be read."""
    problems: list[FieldProblem] = []
    anchor = None
    try:
        anchor = parse_date(values["anchor"], "anchor")
    except InvalidInput as error:
        problems += error.problems
    role_map = {role: _number(values[f"role_{index}"]) for index, role in enumerate(roles, start=1)}
    kind, _sep, ident = values["serves"].partition(":")
    if problems or anchor is None:
        raise InvalidInput(_("Some fields need your attention."), problems)
    return {
        "anchor": anchor,
        "country": values["country"] or "",
        "roles": role_map,
        "objective_id": _number(ident) if kind == "objective" else None,
        "key_result_id": _number(ident) if kind == "key_result" else None,
        "request_id": _number(values["request_id"]),
    }


def _form_errors(error: DomainError, roles: list[str]) -> dict[str, str]:
    """Map the service's field names to the form's (a role's field is numbered)."""
    numbered = {f"role:{role}": f"role_{index}" for index, role in enumerate(roles, start=1)}
    found = errors_by_field(error.problems)
    mapped = {numbered.get(field, field): message for field, message in found.items()}
    if not mapped:
        mapped[""] = error.message
    return mapped


def _launch_context(
    session: Session, playbook: Playbook, content: PlaybookContent, user: User, **extra: Any
) -> dict[str, Any]:
    requests, _cursor = triage.list_requests(session, state="accepted", limit=500)
    roles = projects.roles_of(content)
    values = extra.pop("values", None) or {
        "name": playbook.name,
        "country": workspace.get_workspace(session).country,
        **{f"role_{index}": "" for index in range(1, len(roles) + 1)},
    }
    everyone = workspace.all_users(session)
    context: dict[str, Any] = {
        "playbook": playbook,
        "content": content,
        "roles": roles,
        "people": [person for person in everyone if person.is_active],
        "objectives": okrs.current_objectives(session, today=boards.today()),
        "requests": requests,
        "values": values,
        "errors": {},
        "plan": None,
        "people_by_id": {person.id: person for person in everyone},
        "today": boards.today(),
    }
    context.update(extra)
    return context


@router.get("/projects/new")
def new_project_page(
    request: Request,
    playbook: int | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    if playbook is None:
        published = [
            item
            for item in service.list_playbooks(session)
            if item.status == PlaybookStatus.published
        ]
        return render(request, "playbooks/project_choose.html", {"playbooks": published})
    found, content = _launch_content(session, playbook)
    return render(
        request, "playbooks/project_new.html", _launch_context(session, found, content, user)
    )


@router.post("/projects/preview")
async def preview_launch(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    """Date every task and list the problems, before anything is created."""
    form = await request.form()
    playbook, content = _launch_content(session, _number(str(form.get("playbook_id", ""))) or 0)
    roles = projects.roles_of(content)
    values = _launch_values(form, roles)
    plan, errors = None, {}
    try:
        data = _launch_input(values, roles)
        plan = projects.plan_launch(
            session,
            playbook_id=playbook.id,
            anchor=data["anchor"],
            country=data["country"],
            roles=data["roles"],
            today=boards.today(),
        )
    except InvalidInput as error:
        errors = _form_errors(error, roles)
    context = _launch_context(
        session, playbook, content, user, values=values, plan=plan, errors=errors
    )
    if is_htmx(request):
        return render(request, "playbooks/project_preview.html", context)
    return render(
        request, "playbooks/project_new.html", context, status_code=422 if errors else 200
    )


@router.post("/projects/new")
async def launch_project(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    form = await request.form()
    playbook, content = _launch_content(session, _number(str(form.get("playbook_id", ""))) or 0)
    roles = projects.roles_of(content)
    values = _launch_values(form, roles)
    try:
        data = _launch_input(values, roles)
        project = projects.launch(
            session, actor=user, playbook_id=playbook.id, name=values["name"],
            today=boards.today(), **data,
        )  # fmt: skip
    except InvalidInput as error:
        session.rollback()
        plan = None
        try:
            data = _launch_input(values, roles)
            plan = projects.plan_launch(
                session, playbook_id=playbook.id, anchor=data["anchor"], country=data["country"],
                roles=data["roles"], today=boards.today(),
            )  # fmt: skip
        except InvalidInput:
            pass
        context = _launch_context(
            session, playbook, content, user, values=values, plan=plan,
            errors=_form_errors(error, roles), refusal=error.message,
        )  # fmt: skip
        return render(request, "playbooks/project_new.html", context, status_code=422)
    session.commit()
    flash(request, _("%(name)s is launched.", name=project.name))
    return redirect(f"/projects/{project.id}")


# --- Lists, board, timeline ----------------------------------------------------------------


@router.get("/projects")
def projects_page(
    request: Request,
    status: str = "active",
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    if status not in ProjectStatus.__members__:
        status = ProjectStatus.active
    found = projects.list_projects(session, status=status)
    context = {
        "summaries": boards.summaries(session, found, on=boards.today()),
        "status": status,
        "statuses": list(ProjectStatus),
    }
    return render(request, "playbooks/project_list.html", context)


def project_context(session: Session, project_id: int, user: User, **extra: Any) -> dict[str, Any]:
    project = projects.get_project(session, project_id=project_id)
    content = boards.content_of(project)
    context: dict[str, Any] = {
        "project": project,
        "content": content,
        "columns": boards.columns(project),
        "today": boards.today(),
        "objective": okrs.get_objective(session, objective_id=project.objective_id)
        if project.objective_id
        else None,
        "summary": boards.summaries(session, [project], on=boards.today())[0],
        **calendar_views.calendar_context(session, user, project_id=project.id),
    }
    context.update(extra)
    return context


@router.get("/projects/{project_id}")
def project_page(
    request: Request,
    project_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    return render(
        request, "playbooks/project_board.html", project_context(session, project_id, user)
    )


@router.get("/projects/{project_id}/timeline")
def timeline_page(
    request: Request,
    project_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    project = projects.get_project(session, project_id=project_id)
    tasks = sorted(project.tasks, key=lambda task: (task.start_on, task.position))
    chart = timeline.build(
        [
            timeline.TimelineTask(
                task.id, task.step_key, task.title, task.start_on, task.due_on,
                task.after_key, task.status,
            )
            for task in tasks
        ],
        anchor=project.anchor_on,
        today=boards.today(),
        country=project.country,
    )  # fmt: skip
    context = {"project": project, "chart": chart, "content": boards.content_of(project)}
    return render(request, "playbooks/project_timeline.html", context)


# --- Re-dating ------------------------------------------------------------------------------


@router.post("/projects/{project_id}/anchor")
async def move_anchor(
    request: Request,
    project_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    """Show what moves with a new anchor; with ``confirm``, move it."""
    form = await request.form()
    anchor = parse_date(str(form.get("anchor", "")), "anchor")
    version = _number(str(form.get("version", "")))
    if form.get("confirm"):
        moves = projects.move_anchor(
            session, actor=user, project_id=project_id, anchor=anchor, version=version
        )
        session.commit()
        flash(
            request,
            ngettext(
                "The anchor is now %(date)s: %(num)s task re-dated.",
                "The anchor is now %(date)s: %(num)s tasks re-dated.",
                len(moves),
                date=format_date(anchor),
            ),
        )
        return redirect(f"/projects/{project_id}")
    project = projects.get_project(session, project_id=project_id)
    workspace.check_version(project, version)
    context = project_context(
        session,
        project_id,
        user,
        moves=projects.plan_anchor_move(session, project_id=project_id, anchor=anchor),
        new_anchor=anchor,
        kept=[task for task in project.tasks if task.dates_set_by_hand],
        anchor_holiday=workdays.holiday_name(anchor, project.country),
        anchor_weekend=workdays.is_weekend(anchor),
    )
    template = "project_anchor_preview.html" if is_htmx(request) else "project_board.html"
    return render(request, f"playbooks/{template}", context)


# --- Closing --------------------------------------------------------------------------------


@router.get("/projects/{project_id}/close")
def close_page(
    request: Request,
    project_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    project = projects.get_project(session, project_id=project_id)
    return render(request, "playbooks/project_close.html", {"project": project, "values": {}})


@router.post("/projects/{project_id}/close")
async def close_project(
    request: Request,
    project_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    form = await request.form()
    project = projects.get_project(session, project_id=project_id)
    suggestions = []
    for task in sorted(project.tasks, key=lambda task: task.position):
        text = str(form.get(f"step_{task.step_key}", "")).strip()
        if text:
            suggestions.append(feedback.SuggestionInput(text=text, step_key=task.step_key))
    general = str(form.get("general", "")).strip()
    if general:
        suggestions.append(feedback.SuggestionInput(text=general))
    closed = feedback.close_project(
        session,
        actor=user,
        project_id=project_id,
        suggestions=suggestions,
        cancelled=bool(form.get("cancelled")),
    )
    session.commit()
    flash(
        request,
        ngettext(
            "%(name)s is closed; %(num)s suggestion goes to its playbook.",
            "%(name)s is closed; %(num)s suggestions go to its playbook.",
            len(suggestions),
            name=closed.name,
        ),
    )
    return redirect(f"/projects/{closed.id}")


# --- Exports --------------------------------------------------------------------------------


def _download(content: str | bytes, media_type: str, name: str) -> Response:
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/projects/{project_id}/export.csv")
def export_csv(project_id: int, session: Session = Depends(get_db)) -> Response:
    project = projects.get_project(session, project_id=project_id)
    return _download(
        "\ufeff" + exports.to_csv(project),  # a BOM, so spreadsheet programs read UTF-8
        "text/csv; charset=utf-8",
        exports.filename(project, "csv"),
    )


@router.get("/projects/{project_id}/export.xlsx")
def export_xlsx(project_id: int, session: Session = Depends(get_db)) -> Response:
    project = projects.get_project(session, project_id=project_id)
    return _download(
        exports.to_xlsx(project), exports.XLSX_MEDIA_TYPE, exports.filename(project, "xlsx")
    )


router.include_router(task_views.router)
router.include_router(calendar_views.router)
