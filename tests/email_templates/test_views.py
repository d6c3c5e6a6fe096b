"""The template pages: list, editor, live preview, test send, delete, roles and CSRF."""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy.orm import Session

from propulse.delivery.models import DeliveryMessage
from propulse.nurture.models import Sequence, SequenceStep
from tests.email_templates.factories import EN_BODY, make_template
from tests.segments.factories import make_contact
from tests.support.web import assert_unique_ids, csrf_from, post_form, sign_in

NEW = "/email-templates/new"


def form(**values: str) -> dict[str, str]:
    data = {
        "name": "Welcome",
        "description": "",
        "default_language": "en",
        "en-subject": "Welcome, {{ contact.first_name | default('friend') }}",
        "en-preheader": "Glad you are here",
        "en-body_format": "markdown",
        "en-body": EN_BODY,
        "fr-subject": "",
        "fr-preheader": "",
        "fr-body_format": "markdown",
        "fr-body": "",
    }
    data.update(values)
    return data


def preview(client: Any, page: Any, **values: str) -> Any:
    return client.post(
        "/email-templates/preview",
        data=form(**values),
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_from(page)},
    )


def test_a_member_writes_a_template_and_sees_it_listed(client: Any, cast: Any) -> None:
    sign_in(client, cast.intern.email)
    page = client.get(NEW)
    assert page.status_code == 200
    assert_unique_ids(page.text)
    assert 'hx-post="/email-templates/preview"' in page.text
    assert 'name="fr-body"' in page.text and 'name="en-body"' in page.text

    created = post_form(client, NEW, NEW, form())
    assert created.status_code == 303, created.text
    edit_page = client.get(created.headers["location"])
    assert "Template Welcome is saved." in edit_page.text
    assert "Send me a test" in edit_page.text
    listing = client.get("/email-templates")
    assert ">Welcome</a>" in listing.text and "English" in listing.text
    assert 'href="/email-templates"' in client.get("/").text  # in the navigation


def test_form_errors_show_beside_their_fields(client: Any, cast: Any) -> None:
    sign_in(client, cast.intern.email)
    refused = post_form(
        client, NEW, NEW, form(**{"fr-subject": "Salut", "fr-body": "Ligne\n{% if %}"})
    )
    assert refused.status_code == 422
    assert 'id="e-fr-body"' in refused.text
    assert "(line 2)" in refused.text
    empty = post_form(client, NEW, NEW, form(name="", **{"en-subject": "", "en-body": ""}))
    assert empty.status_code == 422
    assert 'id="e-name"' in empty.text
    assert "at least one language" in empty.text


def test_the_live_preview_renders_unsaved_text(client: Any, cast: Any, session: Session) -> None:
    make_contact(session, email="anne@client.example", first_name="Anne")
    session.commit()
    sign_in(client, cast.intern.email)
    page = client.get(NEW)
    shown = preview(client, page, preview_contact="anne@client.example")
    assert shown.status_code == 200
    assert '<dd class="preview-subject">Welcome, Anne</dd>' in shown.text
    assert 'sandbox=""' in shown.text
    frame = re.search(r'srcdoc="([^"]*)"', shown.text)
    assert frame is not None
    assert "Hello Anne," in html.unescape(frame.group(1))
    assert "<pre>Hello Anne," in shown.text

    sample = preview(client, page, preview_contact="nobody@client.example")
    assert "No contact has the e-mail nobody@client.example" in sample.text
    assert "Welcome, Camille" in sample.text

    french = preview(
        client,
        page,
        preview_language="fr",
        **{"fr-subject": "Bienvenue", "fr-body": "Bonjour {{ contact.first_name }}"},
    )
    assert "Bienvenue" in french.text and "Se désinscrire" in french.text

    broken = preview(client, page, **{"en-body": "Hi\n{{ ''.__class__ }}"})
    assert broken.status_code == 200
    assert "sandbox refuses" in broken.text and "line 2" in broken.text


def test_the_preview_and_every_form_need_the_csrf_token(client: Any, cast: Any) -> None:
    sign_in(client, cast.intern.email)
    assert client.post("/email-templates/preview", data=form()).status_code == 403
    assert client.post(NEW, data=form()).status_code == 403


def test_a_viewer_reads_and_previews_but_does_not_write(
    client: Any, cast: Any, session: Session
) -> None:
    template = make_template(session, cast.intern)
    session.commit()
    sign_in(client, cast.salesperson.email)
    page = client.get(f"/email-templates/{template.id}")
    assert page.status_code == 200
    assert "Send me a test" not in page.text and ">Save<" not in page.text
    assert preview(client, page).status_code == 200
    assert client.get(NEW).status_code == 403
    refused = post_form(
        client, f"/email-templates/{template.id}", f"/email-templates/{template.id}", form()
    )
    assert refused.status_code == 403


def test_edit_send_a_test_and_delete(client: Any, cast: Any, session: Session) -> None:
    template = make_template(session, cast.intern)
    session.commit()
    path = f"/email-templates/{template.id}"
    sign_in(client, cast.manager.email)
    saved = post_form(client, path, path, form(name="Renamed", version=str(template.version)))
    assert saved.status_code == 303, saved.text
    stale = post_form(client, path, path, form(name="Again", version=str(template.version)))
    assert stale.status_code == 409

    sent = post_form(client, path, f"{path}/test", {"language": "en"})
    assert sent.status_code == 303
    assert f"A test is on its way to {cast.manager.email}." in client.get(path).text
    message = session.query(DeliveryMessage).filter_by(to_address=cast.manager.email).one()
    assert message.stream == "test" and message.subject.startswith("[Test] Welcome,")

    sequence = Sequence(name="Onboarding", triggers=[], exit_goals=[], sending_windows={})
    sequence.steps = [
        SequenceStep(key="a", position=0, kind="send_email", config={"template_id": template.id})
    ]
    session.add(sequence)
    session.commit()
    refused = post_form(client, path, f"{path}/delete", {})
    assert refused.status_code == 303 and refused.headers["location"] == path
    assert "sent by the sequences Onboarding" in client.get(path).text
    session.delete(sequence)
    session.commit()
    deleted = post_form(client, path, f"{path}/delete", {})
    assert deleted.headers["location"] == "/email-templates"
    assert client.get(path).status_code == 404
