"""What every command shares: JSON or table output, one-line errors with exit code 2."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from propulse.kit.errors import DomainError

stdout = Console()
stderr = Console(stderr=True, soft_wrap=True)

JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of a table.")


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def print_json(data: Any) -> None:
    """Print an object or a list as JSON on stdout (no colours: scripts read it)."""
    sys.stdout.write(json.dumps(_plain(data), ensure_ascii=False, indent=2) + "\n")


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str = "") -> None:
    table = Table(title=title or None)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(_plain(row.get(c))) for c in columns))
    stdout.print(table)


def emit(
    data: dict[str, Any] | list[dict[str, Any]], *, as_json: bool, columns: Sequence[str]
) -> None:
    """Print one object or a listing, as JSON or as a table."""
    if as_json:
        print_json(data)
    elif isinstance(data, list):
        print_table(data, columns)
    else:
        for column in columns:
            stdout.print(f"[bold]{column}[/bold]: {_plain(data.get(column))}")


def fail(message: str) -> typer.Exit:
    """Print one clear line on stderr and return the exit to raise (code 2)."""
    stderr.print(f"[red]Error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain errors of a command into one red line and exit code 2."""
    import functools

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except DomainError as error:
            details = "; ".join(f"{p.field}: {p.message}" for p in error.problems)
            message = (
                error.message
                if not details or details == error.message
                else f"{error.message} ({details})"
            )
            if (
                error.problems
                and len(error.problems) == 1
                and error.problems[0].message == error.message
            ):
                message = f"{error.problems[0].field}: {error.message}"
            raise fail(message) from None

    return wrapper
