"""``propulse scoring``: rescore, list, add and delete rules, explain a contact's score."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from propulse.cli_support import acting_user
from propulse.db import unit_of_work
from propulse.kit.cli import JSON_OPTION, emit, fail, guarded, print_json, print_table, stderr
from propulse.kit.errors import NotFound
from propulse.kit.forms import validate
from propulse.kit.i18n import gettext as _
from propulse.scoring import rules, service
from propulse.scoring.batches import rescore_in_chunks
from propulse.scoring.schemas import RuleIn, RuleOut
from propulse.workspace.models import Role
from propulse.workspace.permissions import ensure_role

app = typer.Typer(
    help="Lead scoring: rules, rescoring, why a contact has its score.", no_args_is_help=True
)
rules_app = typer.Typer(help="Scoring rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

RULE_COLUMNS = ("id", "kind", "name", "event_type", "points", "cap", "group", "decay", "decay_days")
CONTRIBUTION_COLUMNS = ("name", "kind", "group", "points", "raw_points", "capped", "detail")


@app.command("rescore")
@guarded
def rescore(as_json: bool = JSON_OPTION) -> None:
    """Rescore every contact now, in this process, chunk by chunk."""
    with unit_of_work() as session:
        ensure_role(acting_user(session), Role.manager, action=_("rescore contacts"))
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=stderr, transient=True, disable=as_json) as progress:
        task = progress.add_task(_("Rescoring"), total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = rescore_in_chunks(on_progress=advance)
    if not report.completed:
        raise fail(_("The rules changed during the rescore: run it again."))
    summary = {
        "contacts": report.contacts,
        "changed": report.changed,
        "seconds": round(report.seconds, 2),
    }
    emit(summary, as_json=as_json, columns=("contacts", "changed", "seconds"))


def _rule_row(rule: Any) -> dict[str, Any]:
    return RuleOut.model_validate(rule).model_dump(mode="json")


@rules_app.command("list")
@guarded
def list_rules(as_json: bool = JSON_OPTION) -> None:
    """List the rules, fit first."""
    with unit_of_work() as session:
        acting_user(session)
        rows = [_rule_row(rule) for rule in rules.list_rules(session)]
    emit(rows, as_json=as_json, columns=RULE_COLUMNS)


@rules_app.command("add")
@guarded
def add_rule(
    name: str = typer.Argument(..., help="The rule's name."),
    kind: str = typer.Option(..., "--kind", help="fit or engagement."),
    points: int = typer.Option(..., "--points", help="Points, -1000 to 1000."),
    event: str | None = typer.Option(None, "--event", help="engagement: the event type."),
    condition: str | None = typer.Option(
        None,
        "--condition",
        help='fit: the condition JSON; engagement: {"where": {"property": "value"}}.',
    ),
    cap: int | None = typer.Option(None, "--cap", help="The most this rule adds or takes."),
    group: str = typer.Option("", "--group", help="A group whose cap the rule shares."),
    half_life: int | None = typer.Option(
        None, "--half-life", help="Halve the points every N days."
    ),
    expire_after: int | None = typer.Option(
        None, "--expire-after", help="Count an event for N days only."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a rule (managers); every contact is rescored in the background."""
    if half_life is not None and expire_after is not None:
        raise fail(_("Choose --half-life or --expire-after, not both."))
    parsed: Any = {}
    if condition:
        try:
            parsed = json.loads(condition)
        except ValueError as error:
            raise fail(_("--condition is not valid JSON: %(error)s", error=str(error))) from None
    given: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "points": points,
        "event_type": event,
        "condition": parsed,
        "cap": cap,
        "group": group,
        "decay": "half_life" if half_life else "expiry" if expire_after else "none",
        "decay_days": half_life or expire_after,
    }
    with unit_of_work() as session:
        actor = acting_user(session)
        created = rules.create_rule(session, actor=actor, data=validate(RuleIn, given))
        row = _rule_row(created)
    emit(row, as_json=as_json, columns=RULE_COLUMNS)


@rules_app.command("delete")
@guarded
def delete_rule(
    rule_id: int = typer.Argument(..., help="The rule's id."), as_json: bool = JSON_OPTION
) -> None:
    """Delete a rule (managers); every contact is rescored in the background."""
    with unit_of_work() as session:
        rules.delete_rule(session, actor=acting_user(session), rule_id=rule_id)
    emit({"deleted": rule_id}, as_json=as_json, columns=("deleted",))


@app.command("explain")
@guarded
def explain(
    email: str = typer.Argument(..., help="The contact's e-mail address."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show why a contact has its score: each contributing rule and its points."""
    from propulse.contacts import service as contacts

    with unit_of_work() as session:
        acting_user(session)
        contact = contacts.find_by_email(session, email=email)
        if contact is None:
            raise NotFound(_("No contact has the e-mail %(email)s.", email=email))
        found = service.explain(session, contact_id=contact.id)
        history = service.score_history(session, contact_id=contact.id, limit=10)
    contributions = [vars(item) for item in found.contributions]
    data: dict[str, Any] = {
        "contact_id": contact.id,
        "score": found.score,
        "fit_score": found.fit_score,
        "engagement_score": found.engagement_score,
        "grade": found.grade,
        "capped_groups": found.capped_groups,
        "total_limited": found.total_limited,
        "contributions": contributions,
        "history": [
            {"changed_at": h.changed_at, "score": h.score, "cause": h.cause} for h in history
        ],
    }
    if as_json:
        print_json(data)
        return
    emit(data, as_json=False, columns=("score", "fit_score", "engagement_score", "grade"))
    print_table(contributions, CONTRIBUTION_COLUMNS)
