"""``propulse projects``: list, show, export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from propulse.cli_support import acting_user
from propulse.db import unit_of_work
from propulse.kit.cli import JSON_OPTION, emit, guarded, print_json, print_table, stdout
from propulse.kit.errors import InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.playbooks import boards, exports, projects
from propulse.playbooks.project_schemas import project_detail_out

app = typer.Typer(help="Projects launched from playbooks.", no_args_is_help=True)

STATUSES = ("active", "done", "cancelled", "all")


@app.command("list")
@guarded
def list_projects(
    status: str = typer.Option("active", "--status", help="active, done, cancelled or all."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List projects with their progress and next due date."""
    if status not in STATUSES:
        raise InvalidInput.on_field("status", _("Use active, done, cancelled or all."))
    with unit_of_work() as session:
        acting_user(session)
        found = projects.list_projects(session, status=None if status == "all" else status)
        rows: list[dict[str, Any]] = [
            {
                "id": item.project.id,
                "name": item.project.name,
                "status": item.project.status,
                "anchor_date": item.project.anchor_on,
                "country": item.project.country,
                "tasks": item.total,
                "done": item.done,
                "overdue": item.overdue,
                "next_due_date": item.next_due,
            }
            for item in boards.summaries(session, found, on=boards.today())
        ]
        emit(
            rows,
            as_json=as_json,
            columns=("id", "name", "status", "anchor_date", "tasks", "done", "overdue"),
        )


@app.command("show")
@guarded
def show_project(
    project_id: int = typer.Argument(..., help="The project's id."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show a project with its tasks, each with its due date."""
    with unit_of_work() as session:
        acting_user(session)
        detail = project_detail_out(session, projects.get_project(session, project_id=project_id))
        if as_json:
            print_json(detail)
            return
        stdout.print(
            f"[bold]{detail.name}[/bold] (#{detail.id}, {detail.status.value}) · "
            f"{detail.anchor_date.isoformat()} · {detail.country}",
            highlight=False,
        )
        print_table(
            [
                {
                    "id": task.id,
                    "due_date": task.due_date,
                    "status": task.status,
                    "title": task.title,
                    "assignee": task.assignee_email or "",
                }
                for task in detail.tasks
            ],
            ("id", "due_date", "status", "title", "assignee"),
        )


@app.command("export")
@guarded
def export_project(
    project_id: int = typer.Argument(..., help="The project's id."),
    out: Path = typer.Option(..., "--out", help="A .csv or .xlsx file to write."),
) -> None:
    """Write a project's tasks for an Asana or monday.com import (CSV or XLSX)."""
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput.on_field("out", _("Name a .csv or .xlsx file."))
    with unit_of_work() as session:
        acting_user(session)
        project = projects.get_project(session, project_id=project_id)
        if suffix == ".csv":
            out.write_text(exports.to_csv(project), encoding="utf-8-sig")
        else:
            out.write_bytes(exports.to_xlsx(project))
    stdout.print(str(out), highlight=False)
