"""The form service: confirmation once, the event heard by nurturing, the demo forms."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from propulse.contacts import hooks
from propulse.contacts import service as contacts
from propulse.forms import submit
from propulse.forms.confirm import confirm_submission
from propulse.forms.demo import seed_demo_forms
from tests.forms.conftest import make_form

ANNE = {"email": "anne@client.example", "first_name": "Anne", "consent": "yes"}


def test_confirmation_publishes_the_event_for_enrolment_triggers(
    session: Session, cast: Any, monkeypatch: Any
) -> None:
    heard: list[hooks.ContactChange] = []
    hooks._load()
    monkeypatch.setattr(
        hooks, "_handlers", [*hooks._handlers, (99, "spy", lambda _s, change: heard.append(change))]
    )
    form = make_form(session, cast.intern, double_opt_in=False)
    outcome = submit.submit(session, form=form, values=ANNE, ip_address="192.0.2.7")
    assert outcome is submit.Outcome.thank_you
    facts = [fact for change in heard for fact in change.facts if fact.type == "form_submitted"]
    assert [dict(fact.properties or {}) for fact in facts] == [
        {"form_id": form.id, "form": "cold-chain-ebook"}
    ]
    contact = contacts.get_by_email(session, email="anne@client.example")
    assert facts[0].contact_id == contact.id
    assert contact.source == "form:cold-chain-ebook"


def test_a_submission_is_confirmed_once(session: Session, cast: Any) -> None:
    form = make_form(session, cast.intern)
    submit.submit(session, form=form, values=ANNE, ip_address="192.0.2.7")
    session.flush()
    from propulse.forms.models import FormSubmission

    submission = session.query(FormSubmission).one()
    assert confirm_submission(session, form=form, submission=submission) is True
    assert confirm_submission(session, form=form, submission=submission) is False
    contact = contacts.get_by_email(session, email="anne@client.example")
    assert len(contacts.consent_history(session, contact_id=contact.id)) == 1


def test_an_address_suppressed_before_confirming_is_left_alone(session: Session, cast: Any) -> None:
    from propulse.forms.models import FormSubmission

    form = make_form(session, cast.intern)
    submit.submit(session, form=form, values=ANNE, ip_address=None)
    contacts.suppress(
        session, email="anne@client.example", reason=contacts.SuppressionReason.unsubscribed
    )
    submission = session.query(FormSubmission).one()
    assert confirm_submission(session, form=form, submission=submission) is True
    assert contacts.find_by_email(session, email="anne@client.example") is None


def test_the_demo_forms(session: Session, cast: Any) -> None:
    forms = seed_demo_forms(session, actor=cast.cmo)
    assert sorted(form.language for form in forms) == ["en", "fr"]
    assert all(form.download_url and form.double_opt_in for form in forms)
    again = seed_demo_forms(session, actor=cast.cmo)
    assert [form.id for form in again] == [form.id for form in forms]
