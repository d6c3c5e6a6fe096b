"""``propulse scoring``."""

from __future__ import annotations

import typer

app = typer.Typer(help="Scoring.", no_args_is_help=True)
