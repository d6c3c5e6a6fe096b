"""``propulse projects``."""

from __future__ import annotations

import typer

app = typer.Typer(help="Projects launched from playbooks.", no_args_is_help=True)
