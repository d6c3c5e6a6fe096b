"""``propulse playbooks``."""

from __future__ import annotations

import typer

app = typer.Typer(help="Playbooks: step-by-step templates that become dated projects.", no_args_is_help=True)
