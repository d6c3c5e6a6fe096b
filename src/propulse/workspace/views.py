"""Pages of the workspace: people (invite, edit), teams, and the workspace settings."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.auth import service as auth_service
from propulse.kit.errors import InvalidInput
from propulse.kit.forms import errors_by_field, validate
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext
from propulse.web import current_user, flash, get_db, html_router, redirect, render, require_role
from propulse.workspace import service
from propulse.workspace.models import Role, User
from propulse.workspace.schemas import TeamCreate, UserCreate, UserUpdate, WorkspaceUpdate

router = html_router()
admin_only = require_role(Role.admin, lazy_gettext("manage people and settings"))


def _person_form_data(form: Any) -> dict[str, Any]:
    """Read a person form: checkboxes and comma lists become Python values."""
    data: dict[str, Any] = {key: form.get(key) for key in form}
    data["languages"] = [part for part in str(form.get("languages", "")).split(",") if part.strip()]
    for key in ("manager_id", "ui_language", "country", "version"):
        if data.get(key) in ("", None):
            data[key] = None
    data["is_active"] = form.get("is_active") == "on"
    return data


@router.get("/people")
def people_page(
    request: Request,
    cursor: str | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    people, next_cursor = service.list_users(session, cursor=cursor, limit=100)
    everyone = {person.id: person for person in service.all_users(session)}
    return render(
        request,
        "workspace/people.html",
        {"people": people, "next_cursor": next_cursor, "everyone": everyone},
    )


@router.get("/people/new")
def new_person_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(admin_only)
) -> Response:
    return render(request, "workspace/person_form.html", _person_context(session, None, {}, {}))


def _person_context(
    session: Session, person: User | None, values: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    return {
        "person": person,
        "values": values,
        "errors": errors,
        "managers": [u for u in service.all_users(session) if person is None or u.id != person.id],
        "roles": list(Role),
    }


@router.post("/people/new")
async def create_person(
    request: Request, session: Session = Depends(get_db), user: User = Depends(admin_only)
) -> Response:
    form = await request.form()
    values = _person_form_data(form)
    try:
        data = validate(UserCreate, values)
        person = service.create_user(session, actor=user, data=data)
        link = auth_service.invite(session, actor=user, user=person)
    except InvalidInput as error:
        context = _person_context(session, None, values, errors_by_field(error.problems))
        return render(request, "workspace/person_form.html", context, status_code=422)
    session.commit()
    flash(
        request,
        _("%(name)s is invited. The invitation link: %(link)s", name=person.name, link=link),
    )
    return redirect("/people")


@router.get("/people/{person_id}")
def edit_person_page(
    request: Request,
    person_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(admin_only),
) -> Response:
    person = service.get_user(session, user_id=person_id)
    values = {
        "name": person.name,
        "role": person.role,
        "country": person.country,
        "languages": ", ".join(person.languages),
        "ui_language": person.ui_language,
        "weekly_capacity_hours": person.weekly_capacity_hours,
        "manager_id": person.manager_id,
        "is_active": person.is_active,
        "version": person.version,
    }
    return render(
        request, "workspace/person_form.html", _person_context(session, person, values, {})
    )


@router.post("/people/{person_id}")
async def update_person(
    request: Request,
    person_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(admin_only),
) -> Response:
    form = await request.form()
    values = _person_form_data(form)
    person = service.get_user(session, user_id=person_id)
    try:
        data = validate(UserUpdate, values)
        service.update_user(session, actor=user, user_id=person_id, data=data)
    except InvalidInput as error:
        session.rollback()
        person = service.get_user(session, user_id=person_id)
        values["languages"] = ", ".join(values["languages"])
        context = _person_context(session, person, values, errors_by_field(error.problems))
        return render(request, "workspace/person_form.html", context, status_code=422)
    session.commit()
    flash(request, _("%(name)s is saved.", name=person.name))
    return redirect("/people")


@router.post("/people/{person_id}/invite")
def reinvite_person(
    request: Request,
    person_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(admin_only),
) -> Response:
    person = service.get_user(session, user_id=person_id)
    link = auth_service.invite(session, actor=user, user=person)
    session.commit()
    flash(request, _("A new invitation is sent. The link: %(link)s", link=link))
    return redirect("/people")


@router.get("/teams")
def teams_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    context = {
        "teams": service.list_teams(session),
        "people": service.all_users(session),
        "errors": {},
    }
    return render(request, "workspace/teams.html", context)


@router.post("/teams")
async def create_team(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    form = await request.form()
    values = {"name": form.get("name", ""), "description": form.get("description", "")}
    try:
        service.create_team(session, actor=user, data=validate(TeamCreate, values))
    except InvalidInput as error:
        context = {
            "teams": service.list_teams(session),
            "people": service.all_users(session),
            "errors": errors_by_field(error.problems),
            "values": values,
        }
        return render(request, "workspace/teams.html", context, status_code=422)
    session.commit()
    flash(request, _("The team %(name)s is created.", name=values["name"]))
    return redirect("/teams")


@router.post("/teams/{team_id}/members")
async def change_team_member(
    request: Request,
    team_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    form = await request.form()
    raw_user_id = str(form.get("user_id", ""))
    if not raw_user_id.isdigit():
        raise InvalidInput.on_field("user_id", _("Choose a person."))
    member = form.get("action") != "remove"
    team = service.set_team_membership(
        session, actor=user, team_id=team_id, user_id=int(raw_user_id), member=member
    )
    session.commit()
    if request.headers.get("hx-request") == "true":
        team = service.get_team(session, team_id=team.id)
        context = {"team": team, "people": service.all_users(session)}
        return render(request, "workspace/_team.html", context)
    return redirect("/teams")


@router.get("/settings")
def settings_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(admin_only)
) -> Response:
    workspace = service.get_workspace(session)
    values = {
        "name": workspace.name,
        "country": workspace.country,
        "language": workspace.language,
        "timezone": workspace.timezone,
        "version": workspace.version,
    }
    return render(request, "workspace/settings.html", {"values": values, "errors": {}})


@router.post("/settings")
async def save_settings(
    request: Request, session: Session = Depends(get_db), user: User = Depends(admin_only)
) -> Response:
    from propulse.app import workspace_defaults

    form = await request.form()
    values: dict[str, Any] = {
        key: form.get(key) for key in ("name", "country", "language", "timezone")
    }
    values["version"] = form.get("version") or None
    try:
        service.update_workspace(session, actor=user, data=validate(WorkspaceUpdate, values))
    except InvalidInput as error:
        context = {"values": values, "errors": errors_by_field(error.problems)}
        return render(request, "workspace/settings.html", context, status_code=422)
    session.commit()
    workspace_defaults.forget()
    flash(request, _("The workspace settings are saved."))
    return redirect("/settings")
