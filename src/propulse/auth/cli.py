"""``propulse tokens``: API tokens, printed once and stored hashed."""

from __future__ import annotations

import typer

from propulse.auth import service
from propulse.auth.models import TokenScope
from propulse.cli_support import acting_user
from propulse.db import unit_of_work
from propulse.kit.cli import JSON_OPTION, emit, guarded
from propulse.workspace import service as workspace

app = typer.Typer(help="API tokens.", no_args_is_help=True)
TOKEN_COLUMNS = ("id", "user", "name", "scope", "hint", "created_at", "last_used_at", "revoked_at")


@app.command("create")
@guarded
def create(
    email: str = typer.Argument(..., help="Whose token it is."),
    name: str = typer.Option("cli", "--name", help="A name to recognise it by."),
    scope: TokenScope = typer.Option(TokenScope.read, "--scope", help="read or write."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a token and print its secret once (only its hash is kept)."""
    with unit_of_work() as session:
        actor = acting_user(session)
        owner = workspace.get_user_by_email(session, email=email)
        token, secret = service.create_token(
            session, actor=actor, owner=owner, name=name, scope=scope
        )
        row = {"id": token.id, "user": owner.email, "name": token.name, "scope": token.scope}
        if as_json:
            emit({**row, "token": secret}, as_json=True, columns=())
        else:
            typer.echo(secret)


@app.command("list")
@guarded
def list_tokens(as_json: bool = JSON_OPTION) -> None:
    """List every token (never the secrets)."""
    with unit_of_work() as session:
        actor = acting_user(session)
        rows = [
            {
                "id": t.id,
                "user": t.user.email,
                "name": t.name,
                "scope": t.scope,
                "hint": t.hint,
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "revoked_at": t.revoked_at,
            }
            for t in service.list_tokens(session, actor=actor)
        ]
        emit(rows, as_json=as_json, columns=TOKEN_COLUMNS)


@app.command("revoke")
@guarded
def revoke(
    token_id: int = typer.Argument(..., help="The token's id."), as_json: bool = JSON_OPTION
) -> None:
    """Revoke a token at once."""
    with unit_of_work() as session:
        token = service.revoke_token(session, actor=acting_user(session), token_id=token_id)
        emit(
            {"id": token.id, "name": token.name, "revoked_at": token.revoked_at},
            as_json=as_json,
            columns=("id", "name", "revoked_at"),
        )
