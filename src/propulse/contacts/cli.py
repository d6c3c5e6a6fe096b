"""``propulse contacts``."""

from __future__ import annotations

import typer

app = typer.Typer(help="Contacts.", no_args_is_help=True)


def _register_transfer_commands() -> None:
    from propulse.contacts import transfer_cli

    transfer_cli.register(app)


_register_transfer_commands()
