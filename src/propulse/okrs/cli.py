"""``propulse okrs``: objectives, key results, check-ins, closing, CSV."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from sqlalchemy.orm import Session

from propulse.cli_support import acting_user
from propulse.db import unit_of_work
from propulse.kit.cli import JSON_OPTION, emit, guarded
from propulse.kit.errors import InvalidInput
from propulse.kit.forms import validate
from propulse.kit.i18n import gettext as _
from propulse.okrs import closing, csv_io, service
from propulse.okrs.board import build_board
from propulse.okrs.models import Commitment, Direction, Period
from propulse.okrs.schemas import CheckInCreate, KeyResultCreate, ObjectiveCreate
from propulse.workspace import service as workspace

app = typer.Typer(
    help="Objectives and key results (at most 3 objectives, 4 key results each).",
    no_args_is_help=True,
)

PERIOD_OPTION = typer.Option(
    ..., "--period", help="A period name, e.g. 2027-Q1 (created on first use)."
)
TEAM_OPTION = typer.Option(None, "--team", help="The team's name (default: the marketing team).")


def today() -> date:
    """Return today's date (one place, so tests can move the clock)."""
    return date.today()


def _team_id(session: Session, team: str | None) -> int | None:
    if team is None:
        return None
    found = workspace.find_team_by_name(session, team)
    if found is None:
        raise InvalidInput.on_field("team", _("No team named %(name)s.", name=team))
    return found.id


def _find_period(session: Session, name: str, team: str | None, company: bool) -> Period:
    team_id = None if company else (_team_id(session, team) or workspace.marketing_team(session).id)
    period = service.find_period(session, name=name, team_id=team_id)
    if period is None:
        raise InvalidInput.on_field("period", _("No period named %(name)s.", name=name))
    return period


@app.command("add-objective")
@guarded
def add_objective(
    period: str = PERIOD_OPTION,
    title: str = typer.Option(..., "--title", help="The objective."),
    description: str = typer.Option("", "--description", help="Why it matters."),
    team: str | None = TEAM_OPTION,
    company: bool = typer.Option(False, "--company", help="A company-level objective."),
    serves: int | None = typer.Option(None, "--serves", help="The company objective it serves."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add an objective; the fourth of a period is refused."""
    with unit_of_work() as session:
        actor = acting_user(session)
        data = validate(
            ObjectiveCreate, {"title": title, "description": description, "serves_id": serves}
        )
        found = service.ensure_period(
            session, actor=actor, name=period, team_id=_team_id(session, team), company=company
        )
        objective = service.create_objective(session, actor=actor, period_id=found.id, data=data)
        emit(
            {
                "id": objective.id,
                "period": found.name,
                "period_id": found.id,
                "title": objective.title,
            },
            as_json=as_json,
            columns=("id", "period", "title"),
        )


@app.command("add-kr")
@guarded
def add_key_result(
    objective_id: int = typer.Argument(..., help="The objective's id."),
    title: str = typer.Option(..., "--title"),
    start: float = typer.Option(..., "--start", help="The value at the start."),
    target: float = typer.Option(..., "--target", help="The value to reach."),
    unit: str = typer.Option("", "--unit", help="e.g. leads, %, EUR."),
    direction: Direction = typer.Option(
        Direction.increase, "--direction", help="increase, decrease, above or below."
    ),
    aspirational: bool = typer.Option(
        False, "--aspirational", help="Success at 0.7 instead of 1.0."
    ),
    weight: float = typer.Option(1.0, "--weight"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a key result; the fifth of an objective is refused."""
    with unit_of_work() as session:
        actor = acting_user(session)
        data = validate(
            KeyResultCreate,
            {
                "title": title,
                "start_value": start,
                "target_value": target,
                "unit": unit,
                "direction": direction,
                "commitment": Commitment.aspirational if aspirational else Commitment.committed,
                "weight": weight,
            },
        )
        kr = service.add_key_result(session, actor=actor, objective_id=objective_id, data=data)
        emit(
            {
                "id": kr.id,
                "objective_id": objective_id,
                "title": kr.title,
                "start": kr.start_value,
                "target": kr.target_value,
                "unit": kr.unit,
                "direction": kr.direction,
            },
            as_json=as_json,
            columns=("id", "objective_id", "title", "start", "target", "unit", "direction"),
        )


@app.command("check-in")
@guarded
def check_in(
    key_result_id: int = typer.Argument(..., help="The key result's id."),
    value: float = typer.Option(..., "--value"),
    confidence: int = typer.Option(..., "--confidence", help="1 to 10."),
    comment: str = typer.Option("", "--comment"),
    on: str | None = typer.Option(None, "--date", help="YYYY-MM-DD (default: today)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a check-in."""
    with unit_of_work() as session:
        actor = acting_user(session)
        data = validate(
            CheckInCreate,
            {"value": value, "confidence": confidence, "comment": comment, "checked_on": on},
        )
        entry = service.check_in(
            session, actor=actor, key_result_id=key_result_id, data=data, today=today()
        )
        emit(
            {
                "id": entry.id,
                "key_result_id": key_result_id,
                "value": entry.value,
                "confidence": entry.confidence,
                "checked_on": entry.checked_on,
            },
            as_json=as_json,
            columns=("id", "key_result_id", "value", "confidence", "checked_on"),
        )


@app.command("list")
@guarded
def list_okrs(
    period: str | None = typer.Option(None, "--period", help="Default: the current period."),
    team: str | None = TEAM_OPTION,
    company: bool = typer.Option(False, "--company"),
    as_json: bool = JSON_OPTION,
) -> None:
    """List the objectives of a period with their key results and progress."""
    with unit_of_work() as session:
        acting_user(session)
        found = (
            _find_period(session, period, team, company)
            if period
            else service.default_period(session, today=today())
        )
        if found is None:
            raise InvalidInput.on_field("period", _("No period yet: add an objective first."))
        board = build_board(session, period=found, today=today())
        rows: list[dict[str, Any]] = []
        for view in board.objectives:
            rows.append(
                {
                    "id": view.objective.id,
                    "period": found.name,
                    "title": view.objective.title,
                    "progress": round(view.progress, 3),
                    "status": view.status.value,
                    "key_results": [
                        {
                            "id": kr.key_result.id,
                            "title": kr.key_result.title,
                            "current": kr.key_result.current_value,
                            "target": kr.key_result.target_value,
                            "progress": round(kr.progress, 3),
                            "status": kr.status.value,
                        }
                        for kr in view.key_results
                    ],
                }
            )
        if as_json:
            emit(rows, as_json=True, columns=())
            return
        flat: list[dict[str, Any]] = []
        for row in rows:
            flat.append(
                {
                    "id": row["id"],
                    "title": row["title"],
                    "progress": f"{row['progress']:.0%}",
                    "status": row["status"],
                }
            )
            flat += [
                {
                    "id": f"  KR {kr['id']}",
                    "title": f"  {kr['title']}",
                    "progress": f"{kr['progress']:.0%}",
                    "status": kr["status"],
                }
                for kr in row["key_results"]
            ]
        emit(flat, as_json=False, columns=("id", "title", "progress", "status"))


@app.command("close-period")
@guarded
def close_period(
    period: str = typer.Argument(..., help="The period's name, e.g. 2027-Q1."),
    carry: list[int] = typer.Option([], "--carry", help="An objective to carry over (repeatable)."),
    team: str | None = TEAM_OPTION,
    company: bool = typer.Option(False, "--company"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Grade every key result, carry the chosen objectives over, close the others."""
    with unit_of_work() as session:
        actor = acting_user(session)
        found = _find_period(session, period, team, company)
        closed, following = closing.close_period(
            session, actor=actor, period_id=found.id, carry=carry, today=today()
        )
        emit(
            {
                "id": closed.id,
                "name": closed.name,
                "status": closed.status,
                "next_period": following.name if following else None,
                "carried": list(carry),
            },
            as_json=as_json,
            columns=("id", "name", "status", "next_period", "carried"),
        )


@app.command("export")
@guarded
def export_csv(
    period: str = typer.Argument(...),
    out: Path = typer.Option(..., "--out", help="The CSV file to write."),
    team: str | None = TEAM_OPTION,
) -> None:
    """Write a period's OKRs as CSV (one row per key result)."""
    with unit_of_work() as session:
        acting_user(session)
        found = _find_period(session, period, team, False)
        out.write_text(csv_io.export_period(session, period_id=found.id), encoding="utf-8-sig")


@app.command("import")
@guarded
def import_csv(
    period: str = typer.Argument(..., help="The period to import into (created on first use)."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    team: str | None = TEAM_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Import objectives and key results from CSV: all lines or none, limits obeyed."""
    with unit_of_work() as session:
        actor = acting_user(session)
        found = service.ensure_period(
            session, actor=actor, name=period, team_id=_team_id(session, team)
        )
        created = csv_io.import_period(
            session, actor=actor, period_id=found.id, content=file.read_bytes()
        )
        emit(
            {"period": found.name, "key_results_created": created},
            as_json=as_json,
            columns=("period", "key_results_created"),
        )
