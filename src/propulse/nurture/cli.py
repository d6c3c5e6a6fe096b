"""``propulse nurture``: list sequences, enrol contacts, pause and resume, figures, run now."""

from __future__ import annotations

from typing import Any

import typer

from propulse.audit import service as audit
from propulse.cli_support import acting_user
from propulse.db import reading, unit_of_work
from propulse.kit.cli import JSON_OPTION, emit, guarded, print_json, print_table, stdout
from propulse.kit.errors import InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.nurture import figures, service
from propulse.nurture.models import EnrolmentSource
from propulse.nurture.scheduler import run_due

app = typer.Typer(help="Nurturing sequences.", no_args_is_help=True)

LIST_COLUMNS = (
    "id",
    "name",
    "status",
    "steps",
    "active_enrolments",
    "completed",
    "exited",
    "paused_reason",
)
STEP_COLUMNS = (
    "key",
    "kind",
    "at_step",
    "sent",
    "delivered",
    "opened",
    "clicked",
    "bounced",
    "unsubscribed",
    "goal_reached",
)
SEQUENCE_ARGUMENT = typer.Argument(..., help="The sequence's id.")


@app.command("list")
@guarded
def list_sequences(as_json: bool = JSON_OPTION) -> None:
    """List the sequences, their status and where their contacts are."""
    with unit_of_work() as session:
        acting_user(session)
        rows = [s.model_dump(mode="json") for s in service.list_sequences(session)]
    emit(rows, as_json=as_json, columns=LIST_COLUMNS)


@app.command("enrol")
@guarded
def enrol(
    sequence_id: int = SEQUENCE_ARGUMENT,
    segment: int | None = typer.Option(None, "--segment", help="Enrol this segment's members."),
    contact: list[str] = typer.Option(
        [], "--contact", help="Enrol the contact with this e-mail (repeat for several)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Enrol a segment's members (--segment ID) or contacts by e-mail (--contact EMAIL)."""
    if (segment is None) == (not contact):
        raise InvalidInput(_("Give either --segment ID or --contact EMAIL."))
    audit.set_channel("cli")
    with unit_of_work() as session:
        actor = acting_user(session)
        if segment is not None:
            summary = service.enrol_segment(
                session, actor=actor, sequence_id=sequence_id, segment_id=segment
            )
        else:
            summary = service.enrol_emails(
                session,
                actor=actor,
                sequence_id=sequence_id,
                emails=list(contact),
                source=EnrolmentSource.manual,
            )
            if len(contact) == 1 and summary.rejects and summary.rejects[0].reason == "unknown":
                raise NotFound(summary.rejects[0].message)
    data = summary.model_dump(mode="json")
    if as_json:
        print_json(data)
        return
    stdout.print(
        _(
            "Enrolled: %(enrolled)s; already in the sequence: %(already)s; "
            "kept out by the re-enrolment rule: %(refused)s.",
            enrolled=summary.enrolled,
            already=summary.already_enrolled,
            refused=summary.not_allowed,
        ),
        highlight=False,
    )
    if summary.rejects:
        print_table(
            [reject.model_dump() for reject in summary.rejects], ("item", "reason", "message")
        )


def _switch(sequence_id: int, *, pause: bool, as_json: bool) -> None:
    audit.set_channel("cli")
    with unit_of_work() as session:
        actor = acting_user(session)
        if pause:
            service.pause_sequence(session, actor=actor, sequence_id=sequence_id)
        else:
            service.resume_sequence(session, actor=actor, sequence_id=sequence_id)
        sequence = service.get_sequence(session, sequence_id=sequence_id)
        status, reason = service.sequence_state(session, sequence_id=sequence_id)
        row: dict[str, Any] = {
            "id": sequence.id,
            "name": sequence.name,
            "status": status,
            "paused_reason": reason,
        }
    emit(row, as_json=as_json, columns=("id", "name", "status", "paused_reason"))


@app.command("pause")
@guarded
def pause(sequence_id: int = SEQUENCE_ARGUMENT, as_json: bool = JSON_OPTION) -> None:
    """Pause a sequence: no step runs and its queued e-mails wait."""
    _switch(sequence_id, pause=True, as_json=as_json)


@app.command("resume")
@guarded
def resume(sequence_id: int = SEQUENCE_ARGUMENT, as_json: bool = JSON_OPTION) -> None:
    """Resume a paused sequence (and its delivery stream)."""
    _switch(sequence_id, pause=False, as_json=as_json)


@app.command("activate")
@guarded
def activate(sequence_id: int = SEQUENCE_ARGUMENT, as_json: bool = JSON_OPTION) -> None:
    """Activate a draft sequence: its triggers start enrolling contacts."""
    audit.set_channel("cli")
    with unit_of_work() as session:
        actor = acting_user(session)
        sequence = service.activate_sequence(session, actor=actor, sequence_id=sequence_id)
        row = {"id": sequence.id, "name": sequence.name, "status": sequence.status}
    emit(row, as_json=as_json, columns=("id", "name", "status"))


@app.command("stats")
@guarded
def stats(sequence_id: int = SEQUENCE_ARGUMENT, as_json: bool = JSON_OPTION) -> None:
    """Show a sequence's figures per step, its funnel and its totals, counted now."""
    with reading() as session:  # counting a big sequence must not hold the write lock
        acting_user(session)
        sequence = service.get_sequence(session, sequence_id=sequence_id)
        name = sequence.name
        found = figures.count_figures(session, sequence_id=sequence_id)
    if as_json:
        print_json(found)
        return
    stdout.print(
        _(
            "%(name)s: %(enrolled)s enrolled, %(active)s active, %(completed)s completed, "
            "%(exited)s exited (%(goal)s reached a goal).",
            name=name,
            enrolled=found.enrolled,
            active=found.active,
            completed=found.completed,
            exited=found.exited,
            goal=found.goal_reached,
        ),
        highlight=False,
    )
    print_table([step.model_dump() for step in found.steps], STEP_COLUMNS)


@app.command("run")
@guarded
def run(as_json: bool = JSON_OPTION) -> None:
    """Run the steps that are due now (the worker does it every minute)."""
    audit.set_channel("cli")
    with unit_of_work() as session:
        acting_user(session)
    report = run_due()
    emit(report.as_dict(), as_json=as_json, columns=("processed", "batches", "failed"))
