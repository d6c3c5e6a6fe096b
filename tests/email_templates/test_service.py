"""The service: validation, roles, variants by language, deletion guarded by sequences."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from propulse.audit.models import AuditEntry
from propulse.email_templates import service
from propulse.email_templates.schemas import TemplateIn, VariantIn
from propulse.kit.errors import Conflict, Forbidden, InvalidInput, NotFound
from propulse.nurture.models import Sequence, SequenceStep
from tests.email_templates.factories import make_template, template_data
from tests.segments.factories import make_company, make_contact


def problems(error: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {problem.field: problem.message for problem in error.value.problems}


def test_create_and_render_in_the_contacts_language(session: Session, cast: Any) -> None:
    template = make_template(session, cast.intern)
    assert [variant.language for variant in template.variants] == ["en", "fr"]
    acme = make_company(session, name="Acme")
    anne = make_contact(session, first_name="Anne", language="fr", company=acme)
    bob = make_contact(session, first_name="Bob", language="de")
    nameless = make_contact(session, language="en")

    french = service.render_for_contact(session, template_id=template.id, contact=anne)
    assert french.language == "fr" and french.subject == "Votre guide"
    assert french.preheader == "Bonne lecture"
    assert "Bonjour Anne," in french.text_body
    german = service.render_for_contact(session, template_id=template.id, contact=bob)
    assert german.language == "en" and german.subject == "Your guide, Bob"
    forced = service.render_for_contact(
        session, template_id=template.id, contact=anne, language="en"
    )
    assert forced.language == "en"
    fallback = service.render_for_contact(session, template_id=template.id, contact=nameless)
    assert "Hello there," in fallback.text_body and fallback.subject == "Your guide,"
    nobody = service.render_for_contact(session, template_id=template.id, contact=None)
    assert nobody.language == "en"
    with pytest.raises(NotFound):
        service.render_for_contact(session, template_id=999_999, contact=anne)


def test_the_first_variant_when_the_default_language_has_none(session: Session, cast: Any) -> None:
    template = make_template(session, cast.intern)
    template.default_language = "de"  # an old template, written before a language change
    contact = make_contact(session, language="it")
    assert (
        service.render_for_contact(session, template_id=template.id, contact=contact).language
        == "en"
    )


def test_validation_names_each_field(session: Session, cast: Any) -> None:
    make_template(session, cast.intern, name="Taken")
    with pytest.raises(InvalidInput) as caught:
        make_template(session, cast.intern, name="taken")
    assert "already exists" in problems(caught)["name"]

    bad = template_data(
        "Broken",
        variants=[
            {"language": "en", "subject": "Hi\nthere", "body": "ok"},
            {"language": "fr", "subject": "Salut", "body": "Ligne\n{{ contact.first_name("},
        ],
    )
    with pytest.raises(InvalidInput) as caught:
        service.create_template(session, actor=cast.intern, data=TemplateIn.model_validate(bad))
    found = problems(caught)
    assert found["variants.en.subject"] == "Keep the subject to one line."
    assert "(line 2)" in found["variants.fr.body"]

    wrong_languages = template_data(
        "Languages",
        default_language="fr",
        variants=[
            {"language": "xx", "subject": "Hi", "body": "ok"},
            {"language": "en", "subject": "Hi", "body": "ok"},
            {"language": "en", "subject": "Hi again", "body": "ok"},
        ],
    )
    with pytest.raises(InvalidInput) as caught:
        service.create_template(
            session, actor=cast.intern, data=TemplateIn.model_validate(wrong_languages)
        )
    found = problems(caught)
    assert "variants.xx.language" in found
    assert found["variants.en.language"] == "Write one variant per language."

    no_default = template_data(
        "No default", default_language="fr", variants=[{"language": "en", "subject": "Hi"}]
    )
    with pytest.raises(InvalidInput) as caught:
        service.create_template(
            session, actor=cast.intern, data=TemplateIn.model_validate(no_default)
        )
    assert "default language" in problems(caught)["default_language"]


def test_a_viewer_reads_but_may_not_write(session: Session, cast: Any) -> None:
    with pytest.raises(Forbidden):
        make_template(session, cast.salesperson)
    template = make_template(session, cast.intern)
    assert service.list_templates(session) == [template]
    with pytest.raises(Forbidden):
        service.delete_template(session, actor=cast.salesperson, template_id=template.id)


def test_update_replaces_variants_and_refuses_a_stale_edit(session: Session, cast: Any) -> None:
    template = make_template(session, cast.intern)
    session.commit()
    version = template.version
    data = template_data(
        "Guide follow-up (v2)",
        version=version,
        variants=[{"language": "en", "subject": "New subject", "body": "New body"}],
    )
    updated = service.update_template(
        session, actor=cast.manager, template_id=template.id, data=TemplateIn.model_validate(data)
    )
    session.commit()
    assert updated.name == "Guide follow-up (v2)"
    assert [(v.language, v.subject) for v in updated.variants] == [("en", "New subject")]
    assert updated.version > version
    with pytest.raises(Conflict):
        service.update_template(
            session,
            actor=cast.manager,
            template_id=template.id,
            data=TemplateIn.model_validate(data),
        )
    actions = [
        entry.action for entry in session.query(AuditEntry).filter_by(object_type="email_template")
    ]
    assert actions == ["created", "updated"]


def test_deleting_a_template_sent_by_a_sequence_is_refused(session: Session, cast: Any) -> None:
    used = make_template(session, cast.intern, name="Used")
    unused = make_template(session, cast.intern, name="Unused")
    sequence = Sequence(name="Welcome", triggers=[], exit_goals=[], sending_windows={})
    sequence.steps = [
        SequenceStep(key="a", position=0, kind="wait", config={"days": 1}),
        SequenceStep(key="b", position=1, kind="send_email", config={"template_id": used.id}),
        SequenceStep(key="c", position=2, kind="send_email", config={"template_id": "oops"}),
    ]
    session.add(sequence)
    session.flush()
    with pytest.raises(Conflict) as caught:
        service.delete_template(session, actor=cast.intern, template_id=used.id)
    assert "Welcome" in caught.value.message
    service.delete_template(session, actor=cast.intern, template_id=unused.id)
    assert [template.name for template in service.list_templates(session)] == ["Used"]


def test_preview_renders_unsaved_text_for_a_contact_or_a_sample(
    session: Session, cast: Any
) -> None:
    anne = make_contact(session, first_name="Anne")
    draft = VariantIn(language="en", subject="Hi {{ contact.first_name }}", body="Body")
    assert (
        service.preview(session, template_id=None, variant_data=draft, contact_id=anne.id).subject
        == "Hi Anne"
    )
    sample = service.preview(session, template_id=None, variant_data=draft, contact_id=None)
    assert sample.subject == "Hi Camille"
    with pytest.raises(NotFound):
        service.preview(session, template_id=None, variant_data=draft, contact_id=999_999)
