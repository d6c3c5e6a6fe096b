"""``propulse requests``: submit, list, suggest and triage requests."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

import typer

from propulse.cli_support import acting_user
from propulse.db import unit_of_work
from propulse.kit.cli import JSON_OPTION, emit, guarded, print_table, stdout
from propulse.kit.forms import validate
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import MAX_LIMIT
from propulse.triage import figures, service
from propulse.triage.models import Request
from propulse.triage.schemas import RequestCreate, RequestOut, TransitionOut, TriageDecision

app = typer.Typer(help="Requests and their triage.", no_args_is_help=True)

REQUEST_COLUMNS = (
    "id",
    "title",
    "department",
    "state",
    "ice_score",
    "effort_days",
    "requester_id",
    "objective_id",
)
DETAIL_COLUMNS = (
    *REQUEST_COLUMNS,
    "key_result_id",
    "description",
    "wished_on",
    "impact",
    "confidence",
    "ease",
    "link",
    "parked_reason",
    "parked_until",
    "declined_reason",
    "duplicate_of_id",
    "decided_by_id",
    "decided_at",
    "created_at",
    "version",
)
TRANSITION_COLUMNS = ("created_at", "actor_id", "from_state", "to_state", "reason")
SUGGESTION_COLUMNS = ("objective_id", "title", "score", "terms")


class Action(StrEnum):
    accept = "accept"
    park = "park"
    decline = "decline"
    duplicate = "duplicate"
    reopen = "reopen"


def today() -> date:
    """Return the day decisions are checked against (tests put their own)."""
    return date.today()


def request_row(request: Request) -> dict[str, Any]:
    return RequestOut.model_validate(request).model_dump(mode="json")


@app.command("add")
@guarded
def add_request(
    title: str = typer.Option(..., "--title", help="What is asked, in a few words."),
    description: str = typer.Option("", "--description", help="What, for whom, and why."),
    department: str = typer.Option(..., "--department", help="Who asks, e.g. Sales."),
    wished: str | None = typer.Option(None, "--wished", help="Wished date, YYYY-MM-DD."),
    impact: int | None = typer.Option(None, "--impact", help="Impact, 1-10 (default 5)."),
    confidence: int | None = typer.Option(
        None, "--confidence", help="Confidence, 1-10 (default 5)."
    ),
    ease: int | None = typer.Option(None, "--ease", help="Ease, 1-10 (default 5)."),
    effort: float | None = typer.Option(None, "--effort", help="Effort in person-days."),
    link: str | None = typer.Option(None, "--link", help="A link (https://...)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Submit a request as the acting user; the team triages it."""
    given = {
        "title": title,
        "description": description,
        "department": department,
        "wished_on": wished,
        "impact": impact,
        "confidence": confidence,
        "ease": ease,
        "effort_days": effort,
        "link": link,
    }
    with unit_of_work() as session:
        actor = acting_user(session)
        data = validate(RequestCreate, {k: v for k, v in given.items() if v is not None})
        row = request_row(service.submit(session, actor=actor, data=data))
    emit(row, as_json=as_json, columns=REQUEST_COLUMNS)


@app.command("list")
@guarded
def list_requests(
    state: str | None = typer.Option(
        None, "--state", help="new, accepted, parked, declined or duplicate."
    ),
    department: str | None = typer.Option(None, "--department", help="Only this department."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List requests oldest first (the queue's order)."""
    with unit_of_work() as session:
        acting_user(session)
        rows: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            found, cursor = service.list_requests(
                session, state=state, department=department, cursor=cursor, limit=MAX_LIMIT
            )
            rows += [request_row(request) for request in found]
            if cursor is None:
                break
        emit(rows, as_json=as_json, columns=REQUEST_COLUMNS)


@app.command("show")
@guarded
def show_request(
    request_id: int = typer.Argument(..., help="The request's id."), as_json: bool = JSON_OPTION
) -> None:
    """Show a request and its history: who moved it, when and why."""
    with unit_of_work() as session:
        acting_user(session)
        request = service.get_request(session, request_id=request_id)
        row = request_row(request)
        row["transitions"] = [
            TransitionOut.model_validate(move).model_dump(mode="json")
            for move in request.transitions
        ]
        emit(row, as_json=as_json, columns=DETAIL_COLUMNS)
        if not as_json:
            print_table(row["transitions"], TRANSITION_COLUMNS)


@app.command("suggest")
@guarded
def suggest(
    request_id: int = typer.Argument(..., help="The request's id."), as_json: bool = JSON_OPTION
) -> None:
    """Rank the current objectives for a request, best first (a hint, never applied)."""
    with unit_of_work() as session:
        acting_user(session)
        request = service.get_request(session, request_id=request_id)
        ranked = figures.suggestions_for(session, request=request, today=today())
        rows: list[dict[str, Any]] = [
            {
                "objective_id": suggestion.objective_id,
                "title": suggestion.title,
                "score": suggestion.score,
                "terms": list(suggestion.terms),
            }
            for suggestion in ranked.suggestions
        ]
        if as_json:
            emit(rows, as_json=True, columns=SUGGESTION_COLUMNS)
            return
        print_table([{**row, "terms": ", ".join(row["terms"])} for row in rows], SUGGESTION_COLUMNS)
        if ranked.serves_none:
            stdout.print(_("serves no current objective"))


@app.command("triage")
@guarded
def triage(
    request_id: int = typer.Argument(..., help="The request's id."),
    action: Action = typer.Argument(..., help="accept, park, decline, duplicate or reopen."),
    objective: int | None = typer.Option(None, "--objective", help="accept: the objective."),
    key_result: int | None = typer.Option(
        None, "--key-result", help="accept: the key result (sets its objective)."
    ),
    reason: str = typer.Option("", "--reason", help="park, decline: why."),
    until: str | None = typer.Option(None, "--until", help="park: look again on YYYY-MM-DD."),
    duplicate_of: int | None = typer.Option(None, "--of", help="duplicate: the original request."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Accept, park, decline, mark as duplicate or reopen a request (managers)."""
    given = {
        "action": action.value,
        "objective_id": objective,
        "key_result_id": key_result,
        "reason": reason,
        "until": until,
        "duplicate_of_id": duplicate_of,
    }
    with unit_of_work() as session:
        actor = acting_user(session)
        decision = validate(
            TriageDecision, {key: value for key, value in given.items() if value is not None}
        )
        decided = service.triage(
            session, actor=actor, request_id=request_id, decision=decision, today=today()
        )
        row = request_row(decided)
    emit(row, as_json=as_json, columns=REQUEST_COLUMNS)
