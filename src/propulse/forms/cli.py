"""``propulse forms``: list the sign-up forms with their figures."""

from __future__ import annotations

from typing import Any

import typer

from propulse.cli_support import acting_user
from propulse.db import unit_of_work
from propulse.forms import service
from propulse.forms.models import SignupForm
from propulse.kit.cli import JSON_OPTION, emit, guarded

app = typer.Typer(help="Public sign-up forms.", no_args_is_help=True)

# The table stays narrow; --json gives every field (name, address, double opt-in...).
FORM_COLUMNS = ("id", "slug", "language", "active", "pending", "confirmed")


def form_row(form: SignupForm, counts: service.FormCounts) -> dict[str, Any]:
    return {
        "id": form.id,
        "name": form.name,
        "slug": form.slug,
        "language": form.language,
        "double_opt_in": form.double_opt_in,
        "active": form.active,
        "pending": counts.pending,
        "confirmed": counts.confirmed,
        "hosted_url": service.hosted_url(form),
        "wording_version": form.wording_version,
    }


@app.command("list")
@guarded
def list_forms(as_json: bool = JSON_OPTION) -> None:
    """List the forms by name, with their pending and confirmed submissions."""
    with unit_of_work() as session:
        acting_user(session)
        counts = service.submission_counts(session)
        rows = [
            form_row(form, counts.get(form.id, service.FormCounts()))
            for form in service.list_forms(session)
        ]
    emit(rows, as_json=as_json, columns=FORM_COLUMNS)
