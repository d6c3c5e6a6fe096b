"""``propulse delivery`` (worker, run, status, resume) and ``propulse mail test``."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from typing import Any

import typer
from markupsafe import escape

from propulse.cli_support import acting_user
from propulse.db import unit_of_work, utcnow
from propulse.delivery import service
from propulse.delivery.dkim import dkim_config
from propulse.delivery.mailbox_cli import app as mailbox_app
from propulse.delivery.settings import load_effective_settings
from propulse.delivery.worker import DeliveryWorker, smtp_settings
from propulse.kit.cli import JSON_OPTION, emit, guarded, print_json, print_table, stdout
from propulse.kit.i18n import gettext as _
from propulse.workspace.models import Role
from propulse.workspace.permissions import ensure_role

app = typer.Typer(
    help="Marketing e-mail delivery: the outbox and its worker.", no_args_is_help=True
)
mail_app = typer.Typer(help="E-mail: send a test message.", no_args_is_help=True)
app.add_typer(mailbox_app, name="mailbox")

DUPLICATE_COLUMNS = ("id", "message_id", "stream", "status", "attempts", "sent_at")
STREAM_COLUMNS = ("name", "paused", "paused_reason", "consecutive_failures")


@app.command("worker")
def worker_command(
    connections: int | None = typer.Option(
        None, "--connections", min=1, max=64, help="SMTP connections at once (default: setting)."
    ),
    poll: float = typer.Option(1.0, "--poll", min=0.1, help="Seconds between looks when idle."),
) -> None:
    """Run the delivery worker until stopped (SIGTERM or Ctrl-C): it replaces this process."""
    # The full command line imports every domain (scikit-learn among them); the worker
    # needs delivery only, so it becomes a process of its own (same pid, far less memory).
    arguments = [sys.executable, "-m", "propulse.delivery", "worker", "--poll", str(poll)]
    if connections is not None:
        arguments += ["--connections", str(connections)]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, arguments)  # noqa: S606 - our own interpreter and module


@app.command("run")
@guarded
def run_command(
    connections: int | None = typer.Option(
        None, "--connections", min=1, max=64, help="SMTP connections at once (default: setting)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Send every message due now, then stop (for cron, or without a worker)."""
    worker = DeliveryWorker.from_settings(
        load_effective_settings(), connections=connections, until_idle=True
    )
    tally = worker.run().as_dict()
    emit(tally, as_json=as_json, columns=tuple(tally))


def _status() -> dict[str, Any]:
    with unit_of_work() as session:
        acting_user(session)
        counts = service.status_counts(session)
        streams = [
            {
                "name": stream.name,
                "paused": stream.paused,
                "paused_reason": stream.paused_reason,
                "consecutive_failures": stream.consecutive_failures,
            }
            for stream in service.list_streams(session)
        ]
        duplicates = [
            {
                "id": message.id,
                "message_id": message.message_id,
                "stream": message.stream,
                "status": message.status,
                "attempts": message.attempts,
                "sent_at": message.sent_at,
            }
            for message in service.possible_duplicates(session, limit=1000)
        ]
        return {"counts": counts, "streams": streams, "possible_duplicates": duplicates}


@app.command("status")
@guarded
def status_command(as_json: bool = JSON_OPTION) -> None:
    """Count the outbox by status; list the streams and the possible duplicates."""
    status = _status()
    if as_json:
        print_json(status)
        return
    print_table(
        [{"status": name, "messages": count} for name, count in status["counts"].items()],
        ("status", "messages"),
    )
    if status["streams"]:
        print_table(status["streams"], STREAM_COLUMNS, title=_("Streams"))
    if status["possible_duplicates"]:
        print_table(
            status["possible_duplicates"], DUPLICATE_COLUMNS, title=_("Possible duplicates")
        )
    else:
        stdout.print(_("No possible duplicate."))


@app.command("resume")
@guarded
def resume_command(
    stream: str = typer.Argument(..., help="The stream's name, e.g. sequence:12."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Resume a stream that paused itself after failures."""
    with unit_of_work() as session:
        actor = acting_user(session)
        resumed = service.resume_stream(session, actor=actor, name=stream)
        row = {"name": resumed.name, "paused": resumed.paused}
    emit(row, as_json=as_json, columns=("name", "paused"))


@mail_app.command("test")
@guarded
def mail_test(
    email: str = typer.Argument(..., help="Where to send the test message."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Send a real message through the configured server, with the unsubscribe headers."""
    settings = load_effective_settings()
    smtp = smtp_settings(settings)
    with unit_of_work() as session:
        actor = acting_user(session)
        ensure_role(actor, Role.admin, action=service.sending_action())
        body = _(
            "This message was sent by Propulse through %(host)s to check the sending "
            "settings. It carries the unsubscribe headers of marketing e-mail.",
            host=smtp.host,
        )
        message = service.enqueue_message(
            session,
            to_address=email,
            subject=_("Propulse test message"),
            preheader=_("Your sending settings work."),
            text_body=body,
            html_body=f"<p>{escape(body)}</p>",
            stream="test",
            # Sent below at once; should that fail, the worker retries after this delay.
            send_after=utcnow() + timedelta(minutes=5),
        )
        message_pk, message_id = message.id, message.message_id
    result = DeliveryWorker.from_settings(settings, connections=1).send_now(message_pk)
    accepted = result is not None and result.outcome == "accepted"
    row = {
        "message_id": message_id,
        "accepted": accepted,
        "reply": result.describe() if result is not None else "",
        "server": f"{smtp.host}:{smtp.port}",
        "dkim": dkim_config(settings) is not None,
    }
    emit(row, as_json=as_json, columns=tuple(row))
    if not accepted:
        raise typer.Exit(code=2)
