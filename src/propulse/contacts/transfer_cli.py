"""``propulse contacts import`` and ``propulse contacts export``."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the import and export commands to ``propulse contacts``."""
