"""``propulse users``: add and list the people of the workspace."""

from __future__ import annotations

import sys
from typing import Any

import typer

from propulse.auth import service as auth_service
from propulse.cli_support import acting_user
from propulse.db import unit_of_work
from propulse.kit.cli import JSON_OPTION, emit, guarded
from propulse.kit.forms import validate
from propulse.workspace import service
from propulse.workspace.models import Role, User
from propulse.workspace.schemas import UserCreate, UserOut

app = typer.Typer(help="People of the workspace.", no_args_is_help=True)

USER_COLUMNS = ("id", "email", "name", "role", "country", "weekly_capacity_hours", "is_active")


def user_row(user: User) -> dict[str, Any]:
    return UserOut.model_validate(user).model_dump(mode="json")


@app.command("add")
@guarded
def add_user(
    email: str = typer.Argument(..., help="The person's e-mail address."),
    name: str = typer.Option(..., "--name", help="Full name."),
    role: Role = typer.Option(Role.member, "--role", help="admin, manager, member or viewer."),
    country: str | None = typer.Option(None, "--country", help="ISO 3166 code, e.g. FR."),
    languages: str = typer.Option("", "--languages", help="Spoken languages, e.g. fr,en."),
    capacity: float = typer.Option(35.0, "--capacity", help="Weekly capacity in hours."),
    manager: str | None = typer.Option(None, "--manager", help="The manager's e-mail."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read a password from standard input."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a person; the first person of an empty workspace needs no acting user."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    with unit_of_work() as session:
        actor = acting_user(session) if service.first_admin(session) else None
        manager_id = service.get_user_by_email(session, email=manager).id if manager else None
        data = validate(
            UserCreate,
            {
                "email": email,
                "name": name,
                "role": role,
                "country": country,
                "languages": languages.split(",") if languages else [],
                "weekly_capacity_hours": capacity,
                "manager_id": manager_id,
            },
        )
        if password is not None:
            auth_service.check_password_strength(password)
        user = service.create_user(session, actor=actor, data=data)
        if password is not None:
            auth_service.set_password(session, user=user, password=password)
        session.flush()
        emit(user_row(user), as_json=as_json, columns=USER_COLUMNS)


@app.command("list")
@guarded
def list_users(as_json: bool = JSON_OPTION) -> None:
    """List everyone, active or not."""
    with unit_of_work() as session:
        acting_user(session)
        rows = [user_row(user) for user in service.all_users(session)]
        emit(rows, as_json=as_json, columns=USER_COLUMNS)


@app.command("invite")
@guarded
def invite_user(
    email: str = typer.Argument(..., help="Who to invite (already added with `users add`)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """E-mail an invitation link to choose a password (sent by a job through SMTP)."""
    with unit_of_work() as session:
        actor = acting_user(session)
        user = service.get_user_by_email(session, email=email)
        link = auth_service.invite(session, actor=actor, user=user)
        emit(
            {"id": user.id, "email": user.email, "link": link},
            as_json=as_json,
            columns=("id", "email", "link"),
        )
