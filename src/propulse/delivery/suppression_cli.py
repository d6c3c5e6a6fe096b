"""``propulse suppressions import FILE`` and ``propulse suppressions export --out FILE``."""

from __future__ import annotations

from pathlib import Path

import typer

from propulse.cli_support import acting_user
from propulse.db import unit_of_work
from propulse.delivery import suppressions
from propulse.delivery.suppression_csv import decode, read_entries, write_csv
from propulse.kit.cli import JSON_OPTION, emit, fail, guarded, print_json, print_table, stdout
from propulse.kit.i18n import gettext as _

app = typer.Typer(help="The suppression list: import and export.", no_args_is_help=True)

REJECTS_PRINTED = 50


@app.command("import")
@guarded
def import_command(
    file: Path = typer.Argument(..., help="A CSV file: a column of addresses or SHA-256 hashes."),
    reason: str = typer.Option("manual", "--reason", help="The reason of rows without one."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Suppress the addresses (or hashes) of a CSV file; refused rows are named by line."""
    try:
        content = file.read_bytes()
    except OSError as error:
        message = _("Cannot read %(file)s: %(error)s", file=str(file), error=error.strerror)
        raise fail(message) from None
    text = decode(content)
    with unit_of_work() as session:
        actor = acting_user(session)
        result = suppressions.add_suppressions(
            session, actor=actor, entries=read_entries(text), reason=reason, source="CLI import"
        )
    rejected = [
        {"line": item.line, "value": item.value, "message": item.message}
        for item in result.rejected
    ]
    summary = {"added": result.added, "already": result.already, "rejected": len(rejected)}
    if as_json:
        print_json({**summary, "rejected": rejected})
        return
    emit(summary, as_json=False, columns=("added", "already", "rejected"))
    if rejected:
        print_table(rejected[:REJECTS_PRINTED], ("line", "value", "message"), title=_("Refused"))
        if len(rejected) > REJECTS_PRINTED:
            stdout.print(_("…and %(count)s more.", count=len(rejected) - REJECTS_PRINTED))


@app.command("export")
@guarded
def export_command(
    out: Path = typer.Option(..., "--out", help="The CSV file to write ('-' for stdout)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Write the list as CSV: email (blank for erased contacts), sha256, reason, created_at."""
    with unit_of_work() as session:
        actor = acting_user(session)
        rows = suppressions.export_rows(session, actor=actor)
        if str(out) == "-":
            import sys

            write_csv(rows, sys.stdout)
            return
        try:
            with out.open("w", encoding="utf-8", newline="") as handle:
                count = write_csv(rows, handle)
        except OSError as error:
            raise fail(
                _("Cannot write %(file)s: %(error)s", file=str(out), error=error.strerror)
            ) from None
    emit({"file": str(out), "rows": count}, as_json=as_json, columns=("file", "rows"))
