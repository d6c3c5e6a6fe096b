"""The public side: the hosted page, submitting, the confirmation e-mail and link, spam."""

from __future__ import annotations

import re
import time
from email.message import Message
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.contacts import fields as contact_fields
from propulse.contacts import service as contacts
from propulse.contacts.models import ContactEvent, SuppressionReason
from propulse.contacts.schemas import ContactIn, CustomFieldIn
from propulse.forms import submit, tokens
from propulse.forms.models import FormSubmission
from propulse.forms.schemas import FieldSpec
from tests.forms.conftest import make_form
from tests.support.web import assert_unique_ids

ANNE = {"email": "Anne.Martin@Client.example", "first_name": "Anne", "consent": "yes"}


def text_of(message: Message) -> str:
    """Return the decoded text/plain part of a received message."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")


def confirm_path(message: Message) -> str:
    found = re.search(r"http://testserver(/f/confirm/[\w.-]+)", text_of(message))
    assert found, text_of(message)
    return found.group(1)


def submissions(session: Session) -> list[FormSubmission]:
    session.expire_all()
    return list(session.scalars(select(FormSubmission).order_by(FormSubmission.id)))


def form_events(session: Session, contact_id: int) -> list[ContactEvent]:
    return list(
        session.scalars(
            select(ContactEvent).where(
                ContactEvent.contact_id == contact_id, ContactEvent.type == "form_submitted"
            )
        )
    )


def test_the_hosted_page_speaks_the_form_language(client: Any, session: Session, cast: Any) -> None:
    make_form(
        session,
        cast.intern,
        slug="livre-blanc",
        name="Livre blanc",
        language="fr",
        fields=[FieldSpec(key="first_name", label="Prénom"), FieldSpec(key="country")],
        consent_wording="J'accepte de recevoir les e-mails d'Alpinea.",
    )
    page = client.get("/f/livre-blanc", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert_unique_ids(page.text)
    assert '<html lang="fr">' in page.text
    assert "J&#39;accepte de recevoir les e-mails d&#39;Alpinea." in page.text
    assert 'name="website"' in page.text and 'name="stamp"' in page.text
    assert "csrf_token" not in page.text
    assert "set-cookie" not in page.headers  # a visitor is not given a session
    assert ">Allemagne</option>" in page.text  # countries named in French
    assert "<strong>40 sites</strong>" in page.text  # the introduction, Markdown
    assert client.get("/f/no-such-form").status_code == 404


def test_double_opt_in_from_submission_to_contact(
    client: Any, session: Session, cast: Any, smtp_server: Any, deliver: Any
) -> None:
    form = make_form(session, cast.intern)
    response = client.post("/f/cold-chain-ebook", data={**ANNE, "company": "Frigo SA"})
    assert response.status_code == 200, response.text
    assert "Check your inbox" in response.text
    [pending] = submissions(session)
    assert pending.email == "anne.martin@client.example" and pending.confirmed_at is None
    assert pending.data == {"first_name": "Anne", "company": "Frigo SA"}
    assert contacts.find_by_email(session, email="anne.martin@client.example") is None

    deliver()
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "anne.martin@client.example"
    assert "Download the cold chain e-book" in message["Subject"]
    path = confirm_path(message)

    # Opening the link (or a mail scanner fetching it) confirms nothing.
    page = client.get(path)
    assert page.status_code == 200 and "Confirm my e-mail address" in page.text
    assert contacts.find_by_email(session, email="anne.martin@client.example") is None

    done = client.post(path)
    assert done.status_code == 200
    assert "Thank you, here is your e-book." in done.text
    assert 'href="https://alpinea.example/ebook.pdf"' in done.text
    session.expire_all()
    contact = contacts.get_by_email(session, email="anne.martin@client.example")
    assert (contact.first_name, contact.company.name if contact.company else None) == (
        "Anne",
        "Frigo SA",
    )
    assert contact.email_consent == "opt_in" and contact.language == "en"
    [consent] = contacts.consent_history(session, contact_id=contact.id)
    assert (consent.channel, consent.basis, consent.source) == (
        "email",
        "opt_in",
        "form:cold-chain-ebook",
    )
    assert consent.wording_version == "2026-11" and consent.ip_address == "testclient"
    [event] = form_events(session, contact.id)
    assert event.properties == {"form_id": form.id, "form": "cold-chain-ebook"}
    [confirmed] = submissions(session)
    assert confirmed.confirmed_at is not None and confirmed.contact_id == contact.id

    # Twice is harmless: the page says so, nothing new is recorded.
    again = client.post(path)
    assert again.status_code == 200
    assert "Already confirmed" in client.get(path).text
    session.expire_all()
    assert len(form_events(session, contact.id)) == 1
    assert len(contacts.consent_history(session, contact_id=contact.id)) == 1


def test_an_existing_contact_keeps_its_values_and_gets_its_blanks_filled(
    client: Any, session: Session, cast: Any
) -> None:
    make_form(session, cast.intern, double_opt_in=False)
    contacts.create_contact(
        session,
        actor=cast.cmo,
        data=ContactIn(email="anne.martin@client.example", first_name="Annie"),
    )
    session.commit()
    response = client.post("/f/cold-chain-ebook", data={**ANNE, "company": "Frigo SA"})
    assert response.status_code == 200 and "Thank you, here is your e-book." in response.text
    session.expire_all()
    contact = contacts.get_by_email(session, email="anne.martin@client.example")
    assert contact.first_name == "Annie"
    assert contact.company is not None and contact.company.name == "Frigo SA"
    assert contact.email_consent == "opt_in"
    assert len(form_events(session, contact.id)) == 1


def test_validation_errors_are_shown_with_the_input_kept(
    client: Any, session: Session, cast: Any
) -> None:
    make_form(session, cast.intern)
    response = client.post(
        "/f/cold-chain-ebook",
        data={"email": "anne@", "company": "Frigo <b>SA</b>", "website": ""},
    )
    assert response.status_code == 422
    text = response.text
    assert "Enter a valid e-mail address." in text
    assert 'id="e-first_name"' in text and "This field is required." in text
    assert "Tick the box to give your consent." in text
    assert 'value="anne@"' in text and 'value="Frigo &lt;b&gt;SA&lt;/b&gt;"' in text
    assert submissions(session) == []


def test_a_filled_honeypot_looks_accepted_but_stores_and_sends_nothing(
    client: Any, session: Session, cast: Any, smtp_server: Any, deliver: Any
) -> None:
    make_form(session, cast.intern)
    response = client.post("/f/cold-chain-ebook", data={**ANNE, "website": "http://spam.example"})
    assert response.status_code == 200 and "Check your inbox" in response.text
    assert submissions(session) == []
    deliver()
    assert smtp_server.messages == []


def test_a_form_sent_back_too_fast_is_refused_and_a_forged_stamp_ignored(
    client: Any, session: Session, cast: Any
) -> None:
    form = make_form(session, cast.intern)
    fresh = tokens.fill_stamp(form_id=form.id)
    quick = client.post("/f/cold-chain-ebook", data={**ANNE, "stamp": fresh})
    assert quick.status_code == 422 and "That was quick!" in quick.text
    assert 'value="Anne"' in quick.text
    forged = client.post("/f/cold-chain-ebook", data={**ANNE, "stamp": fresh[:-2] + "xx"})
    assert forged.status_code == 200 and submissions(session) == []
    patient = tokens.fill_stamp(form_id=form.id, now=time.time() - 30)
    accepted = client.post("/f/cold-chain-ebook", data={**ANNE, "stamp": patient})
    assert accepted.status_code == 200 and len(submissions(session)) == 1


def test_a_sixth_submission_in_ten_minutes_from_one_address_is_refused(
    client: Any, session: Session, cast: Any
) -> None:
    make_form(session, cast.intern)
    for index in range(submit.RATE_LIMIT):
        response = client.post(
            "/f/cold-chain-ebook", data={**ANNE, "email": f"person{index}@client.example"}
        )
        assert response.status_code == 200
    refused = client.post("/f/cold-chain-ebook", data=ANNE)
    assert refused.status_code == 429
    assert "Too many forms were sent from your connection" in refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= submit.RATE_WINDOW_SECONDS
    assert len(submissions(session)) == submit.RATE_LIMIT


def test_a_suppressed_address_is_answered_as_usual_and_gets_nothing(
    client: Any, session: Session, cast: Any, smtp_server: Any, deliver: Any
) -> None:
    make_form(session, cast.intern)
    contacts.suppress(
        session, email="anne.martin@client.example", reason=SuppressionReason.unsubscribed
    )
    session.commit()
    response = client.post("/f/cold-chain-ebook", data=ANNE)
    assert response.status_code == 200 and "Check your inbox" in response.text
    assert submissions(session) == []
    deliver()
    assert smtp_server.messages == []


def test_altered_and_expired_links_are_refused_with_a_clear_page(
    client: Any, session: Session, cast: Any, monkeypatch: Any
) -> None:
    make_form(session, cast.intern)
    client.post("/f/cold-chain-ebook", data=ANNE)
    [pending] = submissions(session)
    token = tokens.confirm_token(submission_id=pending.id)

    altered = client.post(f"/f/confirm/{token[:-3]}abc")
    assert altered.status_code == 400
    assert "damaged or was not made by us" in altered.text
    assert client.get("/f/confirm/nonsense").status_code == 400

    monkeypatch.setattr(tokens, "CONFIRM_MAX_AGE_SECONDS", -1)
    expired = client.post(f"/f/confirm/{token}")
    assert expired.status_code == 410
    assert "This link has expired" in expired.text and 'href="/f/cold-chain-ebook"' in expired.text
    assert client.get(f"/f/confirm/{token}").status_code == 410
    assert submissions(session)[0].confirmed_at is None


def test_a_closed_form_takes_nothing(client: Any, session: Session, cast: Any) -> None:
    make_form(session, cast.intern, active=False)
    assert client.get("/f/cold-chain-ebook").status_code == 404
    assert client.post("/f/cold-chain-ebook", data=ANNE).status_code == 404
    assert submissions(session) == []


def test_custom_fields_are_checked_and_reach_the_contact(
    client: Any, session: Session, cast: Any
) -> None:
    contact_fields.create_field(
        session,
        actor=cast.cmo,
        data=CustomFieldIn(
            key="fleet_size", label="Fleet size", kind="choice", choices=["1-10", "11-50"]
        ),
    )
    session.commit()
    make_form(
        session,
        cast.intern,
        double_opt_in=False,
        fields=[FieldSpec(key="fleet_size", required=True), FieldSpec(key="country")],
    )
    page = client.get("/f/cold-chain-ebook")
    assert "Fleet size" in page.text and '<option value="11-50"' in page.text
    wrong = client.post(
        "/f/cold-chain-ebook", data={**ANNE, "fleet_size": "500", "country": "Atlantis"}
    )
    assert wrong.status_code == 422
    assert "Choose one of: 1-10, 11-50." in wrong.text
    assert "is not an ISO 3166 country code" in wrong.text
    right = client.post(
        "/f/cold-chain-ebook", data={**ANNE, "fleet_size": "11-50", "country": "fr"}
    )
    assert right.status_code == 200, right.text
    session.expire_all()
    contact = contacts.get_by_email(session, email="anne.martin@client.example")
    assert contact.custom == {"fleet_size": "11-50"} and contact.country == "FR"
