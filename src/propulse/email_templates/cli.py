"""``propulse templates``: list e-mail templates, preview one, send a test to yourself."""

from __future__ import annotations

from typing import Any

import typer

from propulse.audit import service as audit
from propulse.cli_support import acting_user
from propulse.contacts import service as contacts
from propulse.db import unit_of_work
from propulse.email_templates import service
from propulse.email_templates.models import EmailTemplate
from propulse.kit.cli import JSON_OPTION, emit, guarded, print_json, stdout
from propulse.kit.i18n import gettext as _

app = typer.Typer(help="E-mail templates: list, preview, test send.", no_args_is_help=True)

LIST_COLUMNS = ("id", "name", "languages", "default_language", "updated_at")
LANGUAGE_OPTION = typer.Option(None, "--language", help="The variant's language (en, fr...).")


def template_row(template: EmailTemplate) -> dict[str, Any]:
    return {
        "id": template.id,
        "name": template.name,
        "description": template.description,
        "languages": ", ".join(variant.language for variant in template.variants),
        "default_language": template.default_language,
        "updated_at": template.updated_at,
    }


@app.command("list")
@guarded
def list_templates(as_json: bool = JSON_OPTION) -> None:
    """List e-mail templates by name, with their languages."""
    with unit_of_work() as session:
        acting_user(session)
        rows = [template_row(template) for template in service.list_templates(session)]
    emit(rows, as_json=as_json, columns=LIST_COLUMNS)


@app.command("preview")
@guarded
def preview(
    template_id: int = typer.Argument(..., help="The template's id."),
    contact: str | None = typer.Option(
        None, "--contact", help="Render for this contact (e-mail); default: a sample contact."
    ),
    language: str | None = LANGUAGE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Print a template's subject and text part as a contact would receive them."""
    with unit_of_work() as session:
        acting_user(session)
        found = contacts.get_by_email(session, email=contact) if contact else None
        rendered = service.preview_template(
            session, template_id=template_id, contact=found, language=language
        )
    if as_json:
        print_json(
            {
                "language": rendered.language,
                "subject": rendered.subject,
                "preheader": rendered.preheader,
                "text_body": rendered.text_body,
                "html_body": rendered.html_body,
            }
        )
        return
    stdout.print(f"[bold]{_('Subject')}[/bold]: {rendered.subject}", highlight=False)
    if rendered.preheader:
        stdout.print(f"[bold]{_('Preheader')}[/bold]: {rendered.preheader}", highlight=False)
    stdout.print(f"[bold]{_('Language')}[/bold]: {rendered.language}\n", highlight=False)
    stdout.print(rendered.text_body, markup=False, highlight=False)


@app.command("test")
@guarded
def send_test(
    template_id: int = typer.Argument(..., help="The template's id."),
    language: str | None = LANGUAGE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Queue a test of the template to your own address (the delivery worker sends it)."""
    audit.set_channel("cli")
    with unit_of_work() as session:
        actor = acting_user(session)
        message = service.send_test(
            session, actor=actor, template_id=template_id, language=language
        )
        row = {
            "message_id": message.message_id,
            "to": message.to_address,
            "subject": message.subject,
            "status": message.status,
        }
    if as_json:
        print_json(row)
    else:
        stdout.print(_("A test is on its way to %(email)s.", email=row["to"]), highlight=False)
