"""``propulse contacts``: show, add and erase contacts, custom fields, events from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from propulse.cli_support import acting_user
from propulse.contacts import fields, privacy, service
from propulse.contacts.event_cli import import_events
from propulse.contacts.models import FieldKind
from propulse.contacts.schemas import (
    ConsentIn,
    ConsentOut,
    ContactIn,
    ContactOut,
    CustomFieldIn,
    CustomFieldOut,
    EventOut,
)
from propulse.db import unit_of_work
from propulse.kit.cli import JSON_OPTION, emit, fail, guarded, print_json, print_table, stdout
from propulse.kit.errors import InvalidInput
from propulse.kit.forms import validate
from propulse.kit.i18n import gettext as _

app = typer.Typer(help="Contacts.", no_args_is_help=True)
fields_app = typer.Typer(help="Custom fields of contacts (admins).", no_args_is_help=True)
events_app = typer.Typer(help="Activity events of contacts.", no_args_is_help=True)
app.add_typer(fields_app, name="fields")
app.add_typer(events_app, name="events")

CONTACT_COLUMNS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "company",
    "job_title",
    "country",
    "lifecycle_stage",
    "owner_id",
    "score",
    "grade",
    "email_consent",
    "do_not_contact",
    "last_activity_at",
)
FIELD_COLUMNS = ("id", "key", "label", "kind", "choices", "position")
REASON_COLUMNS = ("name", "kind", "points", "detail")
EVENT_COLUMNS = ("occurred_at", "type", "external_id", "properties")
TOP_REASONS = 5
LAST_EVENTS = 10


def contact_row(contact: Any) -> dict[str, Any]:
    row = ContactOut.model_validate(contact).model_dump(mode="json")
    row["company"] = contact.company.name if contact.company else None
    return row


@app.command("show")
@guarded
def show(
    email: str = typer.Argument(..., help="The contact's e-mail address."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show a contact: fields, score and its main reasons, segments, consent, last events."""
    from propulse.scoring import service as scoring
    from propulse.segments import service as segments

    with unit_of_work() as session:
        acting_user(session)
        contact = service.get_by_email(session, email=email)
        explanation = scoring.explain(session, contact_id=contact.id)
        reasons = sorted(explanation.contributions, key=lambda part: -abs(part.points))
        events, _cursor = service.timeline(session, contact_id=contact.id, limit=LAST_EVENTS)
        consents = service.current_consents(session, contact_id=contact.id)
        shown: dict[str, Any] = {
            "contact": contact_row(contact),
            "score": {
                "score": explanation.score,
                "fit_score": explanation.fit_score,
                "engagement_score": explanation.engagement_score,
                "grade": explanation.grade,
                "reasons": [
                    {
                        "name": part.name,
                        "kind": part.kind,
                        "points": part.points,
                        "detail": part.detail,
                    }
                    for part in reasons[:TOP_REASONS]
                ],
            },
            "segments": [
                {"id": segment.id, "name": segment.name}
                for segment in segments.segments_of_contact(session, contact_id=contact.id)
            ],
            "consent": {
                channel: ConsentOut.model_validate(consent).model_dump(mode="json")
                for channel, consent in consents.items()
            },
            "events": [EventOut.model_validate(e).model_dump(mode="json") for e in events],
        }
    if as_json:
        print_json(shown)
        return
    emit(shown["contact"], as_json=False, columns=CONTACT_COLUMNS)
    score = shown["score"]
    stdout.print(
        _(
            "Score %(score)s (fit %(fit)s, engagement %(engagement)s), grade %(grade)s",
            score=score["score"],
            fit=score["fit_score"],
            engagement=score["engagement_score"],
            grade=score["grade"] or "-",
        )
    )
    if score["reasons"]:
        print_table(score["reasons"], REASON_COLUMNS, title=_("Why this score"))
    names = ", ".join(segment["name"] for segment in shown["segments"]) or "-"
    stdout.print(_("Segments: %(names)s", names=names), highlight=False)
    for channel, consent in shown["consent"].items():
        stdout.print(_("Consent (%(channel)s): %(basis)s", channel=channel, basis=consent["basis"]))
    if shown["events"]:
        print_table(shown["events"], EVENT_COLUMNS, title=_("Last events"))


def _custom_values(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput.on_field("custom", _("Write each custom value as KEY=VALUE."))
        values[key.strip()] = value
    return values


@app.command("add")
@guarded
def add(
    email: str = typer.Argument(..., help="The contact's e-mail address."),
    first_name: str | None = typer.Option(None, "--first-name"),
    last_name: str | None = typer.Option(None, "--last-name"),
    company: str | None = typer.Option(None, "--company", help="Found or created by name."),
    job_title: str | None = typer.Option(None, "--job-title"),
    phone: str | None = typer.Option(None, "--phone"),
    country: str | None = typer.Option(None, "--country", help="ISO code, e.g. FR."),
    language: str | None = typer.Option(None, "--language", help="e.g. fr, en."),
    lifecycle: str | None = typer.Option(
        None, "--lifecycle", help="subscriber, lead, mql, sql, opportunity or customer."
    ),
    owner: str | None = typer.Option(None, "--owner", help="The owner's e-mail (a user)."),
    source: str | None = typer.Option(None, "--source", help="Where the contact came from."),
    custom: list[str] = typer.Option(
        [], "--custom", help="A custom field value, KEY=VALUE (repeatable)."
    ),
    consent: str | None = typer.Option(
        None,
        "--consent",
        help="Record the e-mail consent basis at once: opt_in or legitimate_interest.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a contact as the acting user (members and above)."""
    given = {
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "company": company,
        "job_title": job_title,
        "phone": phone,
        "country": country,
        "language": language,
        "lifecycle_stage": lifecycle,
        "owner_email": owner,
        "source": source,
        "custom": _custom_values(custom),
    }
    with unit_of_work() as session:
        actor = acting_user(session)
        data = validate(ContactIn, {key: value for key, value in given.items() if value})
        basis = validate(ConsentIn, {"basis": consent, "source": "cli"}) if consent else None
        contact = service.create_contact(session, actor=actor, data=data)
        if basis is not None:
            service.record_consent(session, actor=actor, contact_id=contact.id, data=basis)
        row = contact_row(contact)
    emit(row, as_json=as_json, columns=CONTACT_COLUMNS)


@app.command("erase")
@guarded
def erase(
    email: str = typer.Argument(..., help="The contact's e-mail address."),
    yes: bool = typer.Option(False, "--yes", help="Confirm: this cannot be undone."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Erase a contact and all its activity for good (admins); the address stays suppressed."""
    if not yes:
        raise fail(_("Erasing cannot be undone: add --yes to confirm."))
    with unit_of_work() as session:
        actor = acting_user(session)
        contact = service.get_by_email(session, email=email)
        erased_id = contact.id
        privacy.erase_contact(session, actor=actor, contact_id=erased_id)
    if as_json:
        print_json({"erased": erased_id})
    else:
        stdout.print(_("Contact #%(id)s erased; its address stays suppressed.", id=erased_id))


def field_row(definition: Any) -> dict[str, Any]:
    return CustomFieldOut.model_validate(definition).model_dump(mode="json")


@fields_app.command("list")
@guarded
def list_fields(as_json: bool = JSON_OPTION) -> None:
    """List the custom fields of contacts."""
    with unit_of_work() as session:
        acting_user(session)
        rows = [field_row(definition) for definition in fields.list_fields(session)]
    if as_json:
        print_json(rows)
    else:
        print_table([{**r, "choices": ", ".join(r["choices"])} for r in rows], FIELD_COLUMNS)


@fields_app.command("add")
@guarded
def add_field(
    key: str = typer.Argument(..., help="The key, e.g. budget_eur (lowercase, digits, _)."),
    label: str = typer.Option(..., "--label", help="What people read, e.g. Budget (EUR)."),
    kind: FieldKind = typer.Option(FieldKind.text, "--kind", help="text, number, date or choice."),
    choice: list[str] = typer.Option(
        [], "--choice", help="A choice of a choice field (repeatable)."
    ),
    position: int = typer.Option(0, "--position", help="Order among the fields."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a custom field to every contact (admins)."""
    with unit_of_work() as session:
        actor = acting_user(session)
        data = validate(
            CustomFieldIn,
            {"key": key, "label": label, "kind": kind, "choices": choice, "position": position},
        )
        row = field_row(fields.create_field(session, actor=actor, data=data))
    emit(row, as_json=as_json, columns=FIELD_COLUMNS)


@fields_app.command("delete")
@guarded
def delete_field(
    key: str = typer.Argument(..., help="The field's key."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Delete a custom field and its values (admins); refused while a segment or rule uses it."""
    with unit_of_work() as session:
        actor = acting_user(session)
        found = fields.definitions_by_key(session).get(key)
        if found is None:
            raise InvalidInput.on_field("key", _("There is no custom field %(key)s.", key=key))
        fields.delete_field(session, actor=actor, field_id=found.id)
    if as_json:
        print_json({"deleted": key})
    else:
        stdout.print(_("Custom field %(key)s deleted.", key=key))


@events_app.command("import")
@guarded
def import_events_command(
    file: Path = typer.Argument(..., help="A CSV file: id,email,type,occurred_at,properties."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record the events of a CSV file, 1,000 at a time; an id already recorded is skipped."""
    summary = import_events(file, progress=not as_json)
    if as_json:
        print_json(summary)
        return
    stdout.print(
        _(
            "%(accepted)s accepted, %(duplicates)s duplicates, %(rejected)s rejected",
            accepted=summary["accepted"],
            duplicates=summary["duplicates"],
            rejected=len(summary["rejected"]),
        )
    )
    if summary["rejected"]:
        print_table(summary["rejected"], ("line", "reason"), title=_("Rejected lines"))


def _register_transfer_commands() -> None:
    from propulse.contacts import transfer_cli

    transfer_cli.register(app)


_register_transfer_commands()
