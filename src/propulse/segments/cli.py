"""``propulse segments``: list, show, create and rebuild segments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress

from propulse.audit import service as audit
from propulse.cli_support import acting_user
from propulse.db import unit_of_work
from propulse.kit.cli import JSON_OPTION, emit, guarded, print_table
from propulse.kit.errors import InvalidInput
from propulse.kit.forms import validate
from propulse.kit.i18n import gettext as _
from propulse.segments import service
from propulse.segments.definition import parse_condition
from propulse.segments.describe import Describer
from propulse.segments.membership import RebuildResult
from propulse.segments.models import Segment, SegmentKind
from propulse.segments.schemas import SegmentIn, SegmentOut

app = typer.Typer(help="Segments and static lists.", no_args_is_help=True)

SEGMENT_COLUMNS = ("id", "name", "kind", "member_count", "time_dependent", "rebuilt_at")
DETAIL_COLUMNS = (*SEGMENT_COLUMNS, "description", "in_words", "definition", "version")
REBUILD_COLUMNS = ("segment_id", "name", "entered", "left", "members", "seconds")


def segment_row(segment: Segment) -> dict[str, Any]:
    return SegmentOut.model_validate(segment).model_dump(mode="json")


def rebuild_row(result: RebuildResult) -> dict[str, Any]:
    return {column: getattr(result, column) for column in REBUILD_COLUMNS}


def read_definition(value: str) -> Any:
    """Read ``--definition``: JSON text, or ``@file.json``."""
    text = value
    if value.startswith("@"):
        path = Path(value[1:])
        if not path.is_file():
            raise InvalidInput.on_field("definition", _("No file %(path)s.", path=str(path)))
        text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput.on_field(
            "definition",
            _(
                "The definition is not valid JSON: %(problem)s (line %(line)s, column %(column)s).",
                problem=error.msg,
                line=error.lineno,
                column=error.colno,
            ),
        ) from None


@app.command("list")
@guarded
def list_segments(as_json: bool = JSON_OPTION) -> None:
    """List segments and static lists by name."""
    with unit_of_work() as session:
        acting_user(session)
        rows = [segment_row(segment) for segment in service.list_segments(session)]
    emit(rows, as_json=as_json, columns=SEGMENT_COLUMNS)


@app.command("show")
@guarded
def show_segment(
    segment_id: int = typer.Argument(..., help="The segment's id."), as_json: bool = JSON_OPTION
) -> None:
    """Show a segment: its definition, in JSON and in words, and its figures."""
    with unit_of_work() as session:
        acting_user(session)
        segment = service.get_segment(session, segment_id=segment_id)
        row = segment_row(segment)
        row["in_words"] = ""
        if segment.definition is not None:
            names = {item.id: item.name for item in service.list_segments(session)}
            row["in_words"] = Describer(segment_names=names)(parse_condition(segment.definition))
    if not as_json and row["definition"] is not None:
        row["definition"] = json.dumps(row["definition"], ensure_ascii=False)
    emit(row, as_json=as_json, columns=DETAIL_COLUMNS)


@app.command("create")
@guarded
def create_segment(
    name: str = typer.Argument(..., help="The segment's name."),
    definition: str | None = typer.Option(
        None, "--definition", help="The conditions as JSON, or @file.json (docs/segments.md)."
    ),
    static: bool = typer.Option(False, "--static", help="A static list (no definition)."),
    description: str = typer.Option("", "--description", help="What the segment is for."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a dynamic segment (built at once, or by a job on a large base) or a static list."""
    audit.set_channel("cli")
    data = {
        "name": name,
        "description": description,
        "kind": SegmentKind.static.value if static else SegmentKind.dynamic.value,
        "definition": read_definition(definition) if definition is not None else None,
    }
    with unit_of_work() as session:
        actor = acting_user(session)
        created = service.create_segment(session, actor=actor, data=validate(SegmentIn, data))
        row = segment_row(created)
    emit(row, as_json=as_json, columns=SEGMENT_COLUMNS)


@app.command("rebuild")
@guarded
def rebuild(
    segment_id: int | None = typer.Argument(
        None, help="The segment's id; without it, every dynamic segment in dependency order."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Recompute memberships from scratch; print who entered and left, per segment."""
    audit.set_channel("cli")
    results: list[RebuildResult] = []
    with unit_of_work() as session:
        actor = acting_user(session)
        if segment_id is not None:
            results = service.rebuild_segment(session, actor=actor, segment_id=segment_id)
        else:
            with Progress(transient=True, disable=as_json) as bar:
                task = bar.add_task(_("Rebuilding segments"), total=None)

                def advance(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                results = service.rebuild_all(session, actor=actor, progress=advance)
    rows = [rebuild_row(result) for result in results]
    if as_json:
        emit(rows, as_json=True, columns=REBUILD_COLUMNS)
    else:
        print_table(rows, REBUILD_COLUMNS)
