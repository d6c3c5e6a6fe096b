"""``propulse playbooks``: list, show, export and import as files, launch as a project.

A playbook is named by its id or its slug; a slug is looked up in the acting user's language
first, then in any language (``--lang`` chooses).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from sqlalchemy.orm import Session

from propulse.cli_support import acting_user
from propulse.db import unit_of_work
from propulse.kit.cli import JSON_OPTION, emit, guarded, print_json, print_table, stderr, stdout
from propulse.kit.errors import FieldProblem, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.playbooks import files, labels, projects, service
from propulse.playbooks.content import PlaybookContent
from propulse.playbooks.models import Playbook
from propulse.playbooks.project_schemas import project_detail_out
from propulse.playbooks.schemas import playbook_detail, playbook_out
from propulse.workspace import service as workspace
from propulse.workspace.models import User

app = typer.Typer(
    help="Playbooks: step-by-step templates that become dated projects.", no_args_is_help=True
)

PLAYBOOK_ARGUMENT = typer.Argument(..., help="The playbook's id or slug (e.g. webinar).")
LANG_OPTION = typer.Option(None, "--lang", help="fr or en (default: yours, then any).")
LIST_COLUMNS = ("id", "slug", "language", "name", "status", "current_version", "steps_count")


def today() -> date:
    """Return today's date (one place, so tests can move the clock)."""
    return date.today()


def find(session: Session, reference: str, *, language: str | None, user: User) -> Playbook:
    """Return the playbook named by an id or a slug (the user's language first)."""
    if reference.isdigit():
        return service.get_playbook(session, playbook_id=int(reference))
    languages = [language] if language else [user.ui_language or "en", *labels.LANGUAGE_LABELS]
    for code in dict.fromkeys(languages):
        found = service.find_playbook(session, slug=reference, language=code)
        if found is not None:
            return found
    raise NotFound(_("No playbook %(name)s.", name=reference))


@app.command("list")
@guarded
def list_playbooks(
    lang: str | None = typer.Option(None, "--lang", help="fr or en."),
    category: str | None = typer.Option(None, "--category", help="e.g. webinar, trade_show."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List the library: each playbook with its version and review date."""
    with unit_of_work() as session:
        acting_user(session)
        playbooks = service.list_playbooks(session, language=lang, category=category)
        rows = [playbook_out(p, today=today()).model_dump(mode="json") for p in playbooks]
        for row in rows:
            row["review_due_on"] = row["review_due_on"] + (" (stale)" if row["stale"] else "")
        emit(rows, as_json=as_json, columns=(*LIST_COLUMNS, "review_due_on"))


@app.command("show")
@guarded
def show(
    playbook: str = PLAYBOOK_ARGUMENT, lang: str | None = LANG_OPTION, as_json: bool = JSON_OPTION
) -> None:
    """Show a playbook with its steps (``--json``: everything, tutorials included)."""
    with unit_of_work() as session:
        user = acting_user(session)
        found = find(session, playbook, language=lang, user=user)
        detail = playbook_detail(found, today=today())
        if as_json:
            print_json(detail)
            return
        summary = detail.model_dump(mode="json")
        columns = ("id", "slug", "language", "name", "status", "current_version", "goal")
        emit(summary, as_json=False, columns=(*columns, "review_due_on", "stale"))
        content = service.content_of(found)
        titles = {step.key: step.title for step in content.steps}
        print_table(
            [
                {
                    "#": index,
                    "key": step.key,
                    "when": labels.timing(step, titles),
                    "duration": labels.duration(step),
                    "owner_role": step.owner_role,
                    "optional": "yes" if step.optional else "",
                }
                for index, step in enumerate(content.steps, start=1)
            ],
            ("#", "key", "when", "duration", "owner_role", "optional"),
        )


@app.command("export")
@guarded
def export(
    playbook: str = PLAYBOOK_ARGUMENT,
    directory: Path = typer.Argument(..., help="Where to write <slug>.<lang>/ (created)."),
    lang: str | None = LANG_OPTION,
) -> None:
    """Write a playbook as Markdown files with YAML front matter (see docs/playbook-format.md)."""
    with unit_of_work() as session:
        user = acting_user(session)
        found = find(session, playbook, language=lang, user=user)
        directory.mkdir(parents=True, exist_ok=True)
        folder = service.export_folder(session, playbook_id=found.id, parent=directory)
        stdout.print(str(folder), highlight=False, soft_wrap=True)


@app.command("import")
@guarded
def import_folders(
    directory: Path = typer.Argument(
        ..., exists=True, file_okay=False, help="A playbook folder, or a folder of them."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import a playbook folder (new, or the next version of its own): all files or none."""
    with unit_of_work() as session:
        actor = acting_user(session)
        single = (directory / files.PLAYBOOK_FILE).is_file()
        folders = [directory] if single else files.library_folders(directory)
        if not folders:
            raise InvalidInput.on_field(
                "directory", _("No %(file)s here.", file=files.PLAYBOOK_FILE)
            )
        rows = []
        for folder in folders:
            try:
                imported = service.import_folder(session, actor=actor, folder=folder)
            except InvalidInput as error:
                # Name the folder too: "webinar.en/steps/02-x.md (line 3)".
                raise InvalidInput(
                    error.message,
                    [FieldProblem(f"{folder.name}/{p.field}", p.message) for p in error.problems],
                ) from None
            rows.append(playbook_out(imported, today=today()).model_dump(mode="json"))
        data: Any = rows[0] if single else rows
        emit(data, as_json=as_json, columns=LIST_COLUMNS)


def _person(session: Session, email: str) -> User:
    user = workspace.find_user_by_email(session, email)
    if user is None:
        raise NotFound(_("Nobody with the e-mail %(email)s.", email=email))
    return user


def map_roles(
    session: Session, playbook: Playbook, *, assign: list[str], owner: str | None
) -> dict[str, int | None]:
    """Map each role of the playbook's newest version to a person; refuse any left unmapped."""
    latest = service.latest_version(session, playbook_id=playbook.id)
    roles = projects.roles_of(PlaybookContent.from_snapshot(latest.snapshot)) if latest else []
    by_name = {role.casefold(): role for role in roles}
    mapping: dict[str, int | None] = dict.fromkeys(roles)
    for item in assign:
        name, separator, email = item.rpartition("=")
        if not separator or not name.strip():
            raise InvalidInput.on_field("assign", _("Write --assign ROLE=EMAIL."))
        role = by_name.get(name.strip().casefold())
        if role is None:
            raise InvalidInput.on_field(
                "assign",
                _(
                    "%(role)s is no role of this playbook; its roles: %(roles)s.",
                    role=name.strip(),
                    roles=", ".join(roles),
                ),
            )
        mapping[role] = _person(session, email.strip()).id
    if owner:
        owner_id = _person(session, owner).id
        mapping = {role: user_id or owner_id for role, user_id in mapping.items()}
    unmapped = [role for role, user_id in mapping.items() if user_id is None]
    if unmapped and latest is not None:
        raise InvalidInput(
            _(
                "Nobody plays %(roles)s: give them with --assign ROLE=EMAIL or --owner EMAIL.",
                roles=", ".join(unmapped),
            )
        )
    return mapping


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput.on_field("anchor", _("Enter a date as YYYY-MM-DD.")) from None


@app.command("launch")
@guarded
def launch(
    playbook: str = PLAYBOOK_ARGUMENT,
    anchor: str = typer.Option(..., "--anchor", help="The anchor date, YYYY-MM-DD."),
    country: str = typer.Option(..., "--country", help="Whose public holidays to skip, e.g. FR."),
    assign: list[str] = typer.Option([], "--assign", help="ROLE=EMAIL (repeatable)."),
    owner: str | None = typer.Option(None, "--owner", help="E-mail: every role not assigned."),
    objective: int | None = typer.Option(None, "--objective", help="The objective it serves."),
    key_result: int | None = typer.Option(None, "--key-result", help="The key result it moves."),
    request: int | None = typer.Option(None, "--request", help="The request that asked for it."),
    name: str | None = typer.Option(None, "--name", help="Default: playbook and date."),
    lang: str | None = LANG_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Launch a project: every task dated from the anchor, every role given to a person."""
    with unit_of_work() as session:
        actor = acting_user(session)
        found = find(session, playbook, language=lang, user=actor)
        anchor_on = _date(anchor)
        roles = map_roles(session, found, assign=assign, owner=owner)
        plan = projects.plan_launch(
            session,
            playbook_id=found.id,
            anchor=anchor_on,
            country=country,
            roles=roles,
            today=today(),
        )
        project = projects.launch(
            session,
            actor=actor,
            playbook_id=found.id,
            name=name or f"{found.name} · {anchor_on.isoformat()}",
            anchor=anchor_on,
            country=country,
            roles=roles,
            today=today(),
            objective_id=objective,
            key_result_id=key_result,
            request_id=request,
        )
        session.flush()
        detail = project_detail_out(session, projects.get_project(session, project_id=project.id))
        data = detail.model_dump(mode="json")
        data["warnings"] = [problem.message for problem in plan.problems]
        if as_json:
            print_json(data)
            return
        stdout.print(f"[bold]{detail.name}[/bold] (#{detail.id}) · {detail.url}", highlight=False)
        print_table(
            data["tasks"], ("due_date", "start_date", "title", "owner_role", "assignee_email")
        )
        for warning in data["warnings"]:
            stderr.print(f"[yellow]Warning:[/yellow] {warning}", highlight=False)
