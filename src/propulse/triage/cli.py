"""``propulse requests``: submit, list, suggest and triage requests."""

from __future__ import annotations

import typer

app = typer.Typer(help="Requests and their triage.", no_args_is_help=True)
