"""The `propulse` command: JSON output with ids, exit codes, the acting user in the audit log."""

from __future__ import annotations

import json

from sqlalchemy import select

from propulse.audit.models import AuditEntry
from propulse.cli import app


def test_every_command_has_help(run):
    for command in ([], ["users"], ["tokens"], ["users", "add"], ["init"], ["serve"], ["backup"]):
        code, out, _err = run(*command, "--help")
        assert code == 0 and "Usage" in out


def test_users_add_and_list_in_json(run, cast):
    code, out, _ = run(
        "users", "add", "nina@alpinea.example", "--name", "Nina", "--role", "manager", "--json"
    )
    assert code == 0
    created = json.loads(out)
    assert created["id"] and created["role"] == "manager"
    code, out, _ = run("users", "list", "--json")
    listing = json.loads(out)
    assert isinstance(listing, list) and all("id" in row for row in listing)
    assert "nina@alpinea.example" in {row["email"] for row in listing}


def test_an_invalid_command_prints_one_line_and_exits_2(run, cast):
    code, _out, err = run("users", "add", "not-an-email", "--name", "X")
    assert code == 2
    assert err.strip().count("\n") == 0 and "valid e-mail" in err
    code, _out, err = run("users", "add", "x@y.example", "--name", "X", "--role", "boss")
    assert code == 2 and "boss" in err


def test_a_refused_command_exits_2_with_the_reason(run, cast):
    code, _out, err = run("--as", cast.intern.email, "users", "add", "z@y.example", "--name", "Z")
    assert code == 2
    assert "may not add people" in err


def test_commands_act_as_the_given_user_and_are_audited(run, cast, session):
    code, out, _ = run(
        "--as",
        cast.manager.email,
        "tokens",
        "create",
        cast.manager.email,
        "--scope",
        "write",
        "--json",
    )
    assert code == 0
    token = json.loads(out)
    assert token["token"].startswith("ppl_") and token["id"]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "api_token")).one()
    assert entry.actor_label == cast.manager.email and entry.via == "cli"
    code, out, _ = run("--as", cast.manager.email, "tokens", "revoke", str(token["id"]), "--json")
    assert code == 0 and json.loads(out)["revoked_at"]


def test_the_default_acting_user_is_the_first_admin(run, cast, session, monkeypatch):
    monkeypatch.delenv("PROPULSE_USER", raising=False)
    code, _out, _err = run("users", "add", "omar@alpinea.example", "--name", "Omar", "--json")
    assert code == 0
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert entry.actor_label == cast.cmo.email


def test_password_from_stdin_lets_the_person_sign_in(run, cast, client):
    from tests.support.web import sign_in

    code, _out, _err = run(
        "users",
        "add",
        "ines@alpinea.example",
        "--name",
        "Inès",
        "--password-stdin",
        stdin="a strong password\n",
    )
    assert code == 0
    sign_in(client, "ines@alpinea.example", "a strong password")


def test_typer_app_lists_the_foundation_commands():
    names = {command.name for command in app.registered_commands}
    assert {"init", "serve", "worker", "demo", "backup", "restore"} <= names
