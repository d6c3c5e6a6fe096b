"""The form pages: list, builder, a form with its embed code and submissions; who may do what."""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy.orm import Session

from propulse.db import utcnow
from propulse.forms import service
from propulse.forms.models import FormSubmission
from tests.forms.conftest import make_form
from tests.support.web import assert_unique_ids, csrf_from, post_form, sign_in

NEW_FORM = {
    "name": "Webinar replay",
    "slug": "webinar-replay",
    "language": "fr",
    "title": "Revoir le webinaire",
    "introduction": "",
    "ask_first_name": "on",
    "label_first_name": "Prénom",
    "required_first_name": "on",
    "ask_country": "on",
    "consent_wording": "J'accepte de recevoir les e-mails d'Alpinea.",
    "wording_version": "1",
    "double_opt_in": "on",
    "thank_you_message": "Merci !",
    "download_url": "",
    "active": "on",
}


def test_a_member_builds_a_form_and_sees_its_embed_code(
    client: Any, session: Session, cast: Any
) -> None:
    sign_in(client, cast.intern.email)
    page = client.get("/forms/new")
    assert page.status_code == 200
    assert_unique_ids(page.text)
    assert 'name="ask_job_title"' in page.text

    created = post_form(client, "/forms/new", "/forms/new", NEW_FORM)
    assert created.status_code == 303, created.text
    [form] = service.list_forms(session)
    assert form.fields == [
        {"key": "first_name", "label": "Prénom", "required": True},
        {"key": "country", "label": "Pays", "required": False},  # in the form's language
    ]
    assert form.created_by_id == cast.intern.id and form.double_opt_in and form.active

    detail = client.get(created.headers["location"])
    assert detail.status_code == 200
    assert "http://testserver/f/webinar-replay" in detail.text
    found = re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', detail.text, re.S)
    assert found is not None
    embed = html.unescape(found.group(1))
    assert '<form method="post" action="http://testserver/f/webinar-replay"' in embed
    assert 'name="website"' in embed and 'name="consent"' in embed
    # The labels are written by people: escaped in the HTML to paste.
    assert "Prénom" in embed and "J&#39;accepte de recevoir les e-mails d&#39;Alpinea." in embed
    assert "csrf_token" not in embed

    listing = client.get("/forms")
    assert "Webinar replay" in listing.text and "/f/webinar-replay" in listing.text


def test_mistakes_in_the_builder_are_shown_beside_their_fields(
    client: Any, session: Session, cast: Any
) -> None:
    make_form(session, cast.intern)
    sign_in(client, cast.intern.email)
    response = post_form(
        client,
        "/forms/new",
        "/forms/new",
        {
            **NEW_FORM,
            "slug": "cold-chain-ebook",
            "title": "",
            "download_url": "ftp://files.example/x.pdf",
        },
    )
    assert response.status_code == 422
    assert 'id="e-title"' in response.text and "This field is required." in response.text
    assert "Enter a web address starting with https://." in response.text
    assert 'value="Webinar replay"' in response.text
    bad_slug = post_form(client, "/forms/new", "/forms/new", {**NEW_FORM, "slug": "Not a slug!"})
    assert bad_slug.status_code == 422 and 'id="e-slug"' in bad_slug.text
    taken = post_form(client, "/forms/new", "/forms/new", {**NEW_FORM, "slug": "cold-chain-ebook"})
    assert taken.status_code == 422 and "Another form already has this address." in taken.text
    bad_url = post_form(
        client, "/forms/new", "/forms/new", {**NEW_FORM, "download_url": "javascript:alert(1)"}
    )
    assert (
        bad_url.status_code == 422 and "Enter a web address starting with https://." in bad_url.text
    )
    reserved = post_form(client, "/forms/new", "/forms/new", {**NEW_FORM, "slug": "confirm"})
    assert reserved.status_code == 422
    assert len(service.list_forms(session)) == 1


def test_edit_and_delete_a_form(client: Any, session: Session, cast: Any) -> None:
    form = make_form(session, cast.intern)
    sign_in(client, cast.intern.email)
    edit_page = client.get(f"/forms/{form.id}/edit")
    assert edit_page.status_code == 200 and 'value="cold-chain-ebook"' in edit_page.text
    changed = client.post(
        f"/forms/{form.id}/edit",
        data={
            **NEW_FORM,
            "name": "Cold chain e-book",
            "slug": "cold-chain-ebook",
            "version": str(form.version),
            "active": "",
            "csrf_token": csrf_from(edit_page),
        },
    )
    assert changed.status_code == 303, changed.text
    session.expire_all()
    updated = service.get_form(session, form_id=form.id)
    assert updated.language == "fr" and not updated.active and updated.version == 2
    stale = client.post(
        f"/forms/{form.id}/edit",
        data={
            **NEW_FORM,
            "slug": "cold-chain-ebook",
            "version": "1",
            "csrf_token": csrf_from(edit_page),
        },
    )
    assert stale.status_code == 409

    deleted = post_form(client, f"/forms/{form.id}", f"/forms/{form.id}/delete", {})
    assert deleted.status_code == 303
    assert service.list_forms(session) == []


def test_submissions_are_listed_newest_first_by_pages(
    client: Any, session: Session, cast: Any, monkeypatch: Any
) -> None:
    from propulse.forms import views

    form = make_form(session, cast.intern)
    for index in range(3):
        session.add(
            FormSubmission(
                form_id=form.id,
                email=f"person{index}@client.example",
                data={},
                submitted_at=utcnow(),
                confirmed_at=utcnow() if index == 0 else None,
            )
        )
    session.commit()
    monkeypatch.setattr(views, "SUBMISSIONS_PAGE_SIZE", 2)
    sign_in(client, cast.salesperson.email)
    first = client.get(f"/forms/{form.id}")
    assert first.status_code == 200
    assert first.text.index("person2@") < first.text.index("person1@")
    assert "person0@" not in first.text and "1 pending" not in first.text
    assert "2 pending, 1 confirmed." in first.text
    cursor = re.search(r"cursor=([\w-]+)", first.text).group(1)  # type: ignore[union-attr]
    second = client.get(f"/forms/{form.id}?cursor={cursor}")
    assert "person0@" in second.text and "confirmed" in second.text


def test_a_viewer_reads_but_does_not_edit(client: Any, session: Session, cast: Any) -> None:
    form = make_form(session, cast.intern)
    sign_in(client, cast.salesperson.email)
    listing = client.get("/forms")
    assert listing.status_code == 200 and "New form" not in listing.text
    assert client.get(f"/forms/{form.id}").status_code == 200
    french = client.get(f"/forms/{form.id}", headers={"Accept-Language": "fr"})
    assert french.status_code == 200 and '<html lang="fr">' in french.text
    assert client.get("/forms/new").status_code == 403
    assert client.get(f"/forms/{form.id}/edit").status_code == 403
    refused = post_form(client, "/forms", f"/forms/{form.id}/delete", {})
    assert refused.status_code == 403
    assert len(service.list_forms(session)) == 1


def test_the_forms_pages_need_a_signed_in_person(client: Any, session: Session, cast: Any) -> None:
    assert client.get("/forms").status_code == 303
    sign_in(client, cast.intern.email)
    home = client.get("/")
    assert 'href="/forms"' in home.text
