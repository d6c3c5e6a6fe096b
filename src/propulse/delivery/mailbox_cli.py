"""``propulse delivery mailbox poll``: read the reply and bounce mailbox now."""

from __future__ import annotations

import typer

from propulse.delivery import mailbox
from propulse.delivery.settings import load_effective_settings
from propulse.kit.cli import JSON_OPTION, emit, guarded

app = typer.Typer(help="The reply and bounce mailbox (IMAP).", no_args_is_help=True)


@app.command("poll")
@guarded
def poll_command(as_json: bool = JSON_OPTION) -> None:
    """Record the bounces, mailto unsubscribes and replies waiting in the mailbox."""
    tally = mailbox.poll(load_effective_settings()).as_dict()
    emit(tally, as_json=as_json, columns=tuple(tally))
