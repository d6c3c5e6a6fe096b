"""Contacts, templates and sequences for the nurturing tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.contacts.models import Contact
from propulse.email_templates import service as templates
from propulse.email_templates.schemas import TemplateIn, VariantIn
from propulse.nurture import service
from propulse.nurture.models import Enrolment, Sequence, StepRun
from propulse.nurture.schemas import SequenceIn
from propulse.workspace.models import User

# A Tuesday morning in Paris (09:00 UTC is 10:00 there): inside the default window.
TUESDAY = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
_numbers = itertools.count(1)


def make_contact(
    session: Session, *, email: str | None = None, consent: str | None = "opt_in", **values: Any
) -> Contact:
    """Create a contact who may receive e-mail (opt-in) unless told otherwise."""
    values.setdefault("custom", {})
    values.setdefault("country", "FR")
    values.setdefault("timezone", "Europe/Paris")
    number = next(_numbers)
    contact = Contact(
        email=email or f"reader{number}@example.org",
        first_name=values.pop("first_name", f"Reader{number}"),
        email_consent=consent,
        **values,
    )
    session.add(contact)
    session.flush()
    return contact


def make_template(session: Session, actor: User, *, name: str | None = None) -> int:
    """Create an e-mail template (English and French) and return its id."""
    data = TemplateIn(
        name=name or f"Template {next(_numbers)}",
        variants=[
            VariantIn(
                language="en",
                subject="Your e-book, {{ contact.first_name | default('there') }}",
                body="Hello {{ contact.first_name }},\n\nHere is **the e-book**.",
            ),
            VariantIn(
                language="fr",
                subject="Votre e-book, {{ contact.first_name }}",
                body="Bonjour {{ contact.first_name }},\n\nVoici **l'e-book**.",
            ),
        ],
    )
    return templates.create_template(session, actor=actor, data=data).id


def sequence_in(steps: list[dict[str, Any]], **values: Any) -> SequenceIn:
    values.setdefault("name", f"Sequence {next(_numbers)}")
    return SequenceIn.model_validate({**values, "steps": steps})


def active_sequence(
    session: Session, actor: User, steps: list[dict[str, Any]], **values: Any
) -> Sequence:
    created = service.create_sequence(session, actor=actor, data=sequence_in(steps, **values))
    return service.activate_sequence(session, actor=actor, sequence_id=created.id)


def enrolment_of(session: Session, sequence: Sequence, contact: Contact) -> Enrolment:
    found = session.scalars(
        select(Enrolment)
        .where(Enrolment.sequence_id == sequence.id, Enrolment.contact_id == contact.id)
        .order_by(Enrolment.id.desc())
    ).first()
    assert found is not None
    return found


def runs_of(session: Session, enrolment: Enrolment) -> list[tuple[str, str]]:
    """Return (step key, outcome) of each step run of an enrolment, in order."""
    sequence = session.get(Sequence, enrolment.sequence_id)
    assert sequence is not None
    keys = {step.id: step.key for step in sequence.steps}
    runs = session.scalars(
        select(StepRun).where(StepRun.enrolment_id == enrolment.id).order_by(StepRun.id)
    )
    return [(keys[run.step_id], run.outcome) for run in runs]


def run_at(session: Session, moment: datetime) -> int:
    """Commit, run the due enrolments at ``moment`` as the job would, and reload."""
    from propulse.nurture.scheduler import run_due

    session.commit()
    report = run_due(now=moment)
    session.expire_all()
    return report.processed
