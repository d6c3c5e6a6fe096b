"""The demo templates: three of them, in English and French, each rendering for a contact."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from propulse.email_templates import service
from propulse.email_templates.demo import seed_demo_templates
from tests.segments.factories import make_contact


def test_seeded_once_and_rendering_in_both_languages(session: Session, cast: Any) -> None:
    seeded = seed_demo_templates(session, actor=cast.cmo)
    assert [template.name for template in seeded] == [
        "E-book follow-up",
        "Webinar invitation",
        "Case study",
    ]
    assert seed_demo_templates(session, actor=cast.cmo) == seeded
    marie = make_contact(session, first_name="Marie", language="fr")
    for template in seeded:
        assert [variant.language for variant in template.variants] == ["en", "fr"]
        french = service.render_for_contact(session, template_id=template.id, contact=marie)
        assert french.language == "fr" and "Marie" in french.text_body
        assert "Se désinscrire" in french.html_body
    ebook = service.render_for_contact(session, template_id=seeded[0].id, contact=marie)
    assert ebook.subject == "Votre e-book, Marie"
