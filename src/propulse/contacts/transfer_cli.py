"""``propulse contacts import`` and ``propulse contacts export``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from propulse.audit import service as audit
from propulse.cli_support import acting_user
from propulse.contacts import export as exporting
from propulse.contacts.importing.importer import ImportOptions, ImportProgress, import_file
from propulse.contacts.importing.mapping import FIELD_LABELS
from propulse.contacts.merge import UpdateRule
from propulse.db import unit_of_work
from propulse.kit.cli import JSON_OPTION, guarded, print_json, print_table, stderr, stdout
from propulse.kit.i18n import gettext as _


class Delimiter(StrEnum):
    comma = "comma"
    semicolon = "semicolon"
    tab = "tab"


def register(app: typer.Typer) -> None:
    """Add the import and export commands to ``propulse contacts``."""
    app.command("import")(guarded(import_contacts))
    app.command("export")(guarded(export_contacts))


def import_contacts(
    file: Path = typer.Argument(..., help="A CSV (comma, semicolon or tab) or XLSX file."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Report what would happen; write nothing but the rejects file."
    ),
    rejects: Path | None = typer.Option(
        None,
        "--rejects",
        help="Where to write rejected rows (default: next to FILE, NAME.rejects.csv).",
    ),
    update: UpdateRule = typer.Option(
        UpdateRule.fill,
        "--update",
        help="Existing contacts: fill only their empty fields, or overwrite them.",
    ),
    mappings: list[str] = typer.Option(
        [],
        "--map",
        help='Map a column: "Column=field" (repeatable); "Column=ignore" leaves it out.',
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import contacts, merged by e-mail; rejected rows go to a rejects file (exit 0)."""
    audit.set_channel("cli")
    options = ImportOptions(rule=update, dry_run=dry_run, overrides=mappings, rejects_path=rejects)
    with unit_of_work() as session:
        actor = acting_user(session)
        if as_json:
            summary = import_file(
                session,
                actor=actor,
                path=file,
                options=options,
                on_batch=lambda _p: session.commit(),
            )
        else:
            with _import_progress() as progress:
                task = progress.add_task(_("Importing"), total=None)

                def on_batch(done: ImportProgress) -> None:
                    session.commit()
                    progress.update(task, completed=done.position, total=done.size or None)

                summary = import_file(
                    session, actor=actor, path=file, options=options, on_batch=on_batch
                )
    if as_json:
        print_json(summary.as_json())
        return
    mapped = [
        {"column": header, "field": _(FIELD_LABELS[t]) if t in FIELD_LABELS else t}
        for header, t in zip(summary.headers, summary.targets, strict=False)
        if t is not None
    ]
    print_table(mapped, ["column", "field"], title=_("Mapping"))
    if summary.ignored:
        stdout.print(_("Columns left out: %(columns)s", columns=", ".join(summary.ignored)))
    if summary.dry_run:
        stdout.print(_("Dry run: nothing was written."))
    for key, value in summary.as_json().items():
        stdout.print(f"[bold]{key}[/bold]: {'' if value is None else value}", highlight=False)


def _import_progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
    )


def export_contacts(
    out: Path = typer.Option(..., "--out", help="The file to write: .csv, or .xlsx for Excel."),
    segment: int | None = typer.Option(None, "--segment", help="Only this segment's members."),
    delimiter: Delimiter = typer.Option(
        Delimiter.comma, "--delimiter", help="CSV delimiter: comma, semicolon or tab."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Export contacts with their company, owner and custom fields (re-importable as is)."""
    audit.set_channel("cli")
    with unit_of_work() as session:
        actor = acting_user(session)
        result = exporting.export_contacts(
            session,
            actor=actor,
            out=out,
            segment_id=segment,
            delimiter=exporting.DELIMITERS[delimiter.value],
        )
    data: dict[str, Any] = result.as_json()
    if as_json:
        print_json(data)
    else:
        stdout.print(_("%(n)s contacts exported to %(file)s", n=result.rows, file=str(result.path)))
