"""French and English: the switch, the catalog, dates and numbers per locale."""

from __future__ import annotations

from datetime import date

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from propulse.kit import i18n
from tests.support.web import post_form, sign_in


def test_switching_to_french_translates_the_pages_and_is_remembered(client, cast, session):
    sign_in(client, cast.manager.email)
    response = post_form(client, "/", "/language", {"language": "fr", "next": "/teams"})
    assert response.status_code == 303
    page = client.get("/teams")
    assert '<html lang="fr">' in page.text
    assert "Équipes" in page.text
    assert "Se déconnecter" in page.text
    session.refresh(cast.manager)
    assert cast.manager.ui_language == "fr"


def test_the_browser_language_is_used_before_any_choice(client, cast):
    page = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert "Se connecter" in page.text
    assert page.headers["content-language"] == "fr"


def test_refusals_are_translated(client, cast):
    sign_in(client, cast.salesperson.email)
    post_form(client, "/", "/language", {"language": "fr"})
    refused = client.get("/settings")
    assert refused.status_code == 403
    assert "Votre rôle (lecteur)" in refused.text


def test_dates_and_numbers_follow_the_locale():
    with i18n.use_locale("fr"):
        assert i18n.format_number(1234567.5, 1) == "1\u202f234\u202f567,5"
        assert i18n.format_date(date(2027, 1, 15), "long") == "15 janvier 2027"
    with i18n.use_locale("en"):
        assert i18n.format_number(1234567.5, 1) == "1,234,567.5"
        assert i18n.format_date(date(2027, 1, 15), "long") == "January 15, 2027"


def test_every_message_of_the_code_is_translated_into_french():
    """Extract the messages as `make messages` does; each needs a French translation."""
    root = i18n.LOCALE_DIR.parent
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    extracted = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(root, method_map, options_map=options, keywords=keywords)
    }
    with (i18n.LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string}
    missing = sorted(extracted - translated)
    assert not missing, f"{len(missing)} messages lack a French translation: {missing[:10]}"
