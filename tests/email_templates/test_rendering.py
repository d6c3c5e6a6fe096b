"""Rendering a variant: fallbacks, the sandbox, errors with their line, CSS, text, footer."""

from __future__ import annotations

from typing import Any

import pytest

from propulse.delivery.placeholders import PREFERENCES_URL, UNSUBSCRIBE_URL
from propulse.email_templates.context import template_context
from propulse.email_templates.rendering import VariantSource, compile_variant, render_variant
from propulse.kit.errors import InvalidInput

GREETING = """Hello {{ contact.first_name | default("there") }},

Thanks for reading **our guide**, {{ contact.company }} team.
See [the next step](https://example.com/next) and {{ contact.fields.sector | default("your sector") }}.
"""


def context(**contact: Any) -> dict[str, Any]:
    return template_context(
        contact=contact, workspace_name="Alpinea", mail_from="Julien Roux <news@alpinea.example>"
    )


def variant(
    body: str, *, subject: str = "Hi", language: str = "en", **values: Any
) -> VariantSource:
    return VariantSource(
        language=language,
        subject=subject,
        preheader=values.get("preheader", ""),
        body_format=values.get("body_format", "markdown"),
        body=body,
    )


def error_of(source: VariantSource, values: dict[str, Any] | None = None) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        render_variant(source, values if values is not None else context(first_name="Anne"))
    return caught.value


def test_personal_values_and_polite_fallbacks() -> None:
    source = variant(GREETING, subject="For you, {{ contact.first_name | default('friend') }}")
    anne = render_variant(source, context(first_name="Anne", company="Acme", fields={}))
    assert anne.subject == "For you, Anne"
    assert "Hello Anne," in anne.html_body
    assert "Acme team" in anne.html_body
    assert "your sector" in anne.html_body

    nobody = render_variant(source, context())
    assert nobody.subject == "For you, friend"
    assert "Hello there," in nobody.html_body
    assert "Thanks for reading our guide,  team." in nobody.text_body
    # A deeper missing value never crashes either.
    deep = render_variant(variant("{{ contact.company.name.x }}|{{ nothing.at.all }}|"), context())
    assert "||" in deep.text_body


def test_printed_values_are_text_never_markup() -> None:
    source = variant("Hello {{ contact.first_name }}")
    rendered = render_variant(source, context(first_name="<script>alert(1)</script> *Bob*"))
    assert "<script>" not in rendered.html_body
    assert "&lt;script&gt;" in rendered.html_body
    assert "<em>" not in rendered.html_body
    assert "<script>alert(1)</script> *Bob*" in rendered.text_body
    # The same in a body whose shape cannot be split (values go in before Markdown).
    tagged = variant("{% filter upper %}Hello {{ contact.first_name }}{% endfilter %}")
    rendered = render_variant(tagged, context(first_name="<b>x</b> *Bob*"))
    assert compile_variant(tagged).shapes == {next(iter(compile_variant(tagged).shapes)): None}
    assert "<b>x</b>" not in rendered.html_body
    assert "<em>" not in rendered.html_body
    assert "HELLO <B>X</B> *BOB*" in rendered.text_body


def test_the_sandbox_refuses_python_internals_with_a_clear_error() -> None:
    error = error_of(variant("Hello\n\n{{ ''.__class__.__mro__[1].__subclasses__() }}"))
    assert error.problems[0].field == "body"
    assert "line 3" in error.message
    assert "sandbox refuses" in error.message
    assert "__class__" in error.message

    error = error_of(variant("Hi", subject="{{ contact.__init__.__globals__ }}"))
    assert error.problems[0].field == "subject"
    assert "sandbox refuses" in error.message


def test_syntax_and_runtime_errors_name_the_field_and_line() -> None:
    error = error_of(variant("line one\nline two\n{% if %}\n"))
    assert error.problems[0].field == "body"
    assert "(line 3)" in error.message

    error = error_of(variant("one\ntwo {{ 1 / 0 }}"))
    assert "(line 2)" in error.message and "ZeroDivisionError" in error.message

    error = error_of(variant("ok", preheader="{{ contact. }}"))
    assert error.problems[0].field == "preheader"

    error = error_of(variant("{{ contact.first_name | safe }}"))
    assert "No filter named 'safe'" in error.message


def test_markdown_becomes_inlined_html_in_the_layout() -> None:
    rendered = render_variant(variant("# Welcome\n\nA [link](https://example.com/a)."), context())
    assert rendered.html_body.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in rendered.html_body
    assert '<h1 style="' in rendered.html_body
    assert 'style="color: #1d4ed8;"' in rendered.html_body
    assert "@media only screen" in rendered.html_body  # kept for small screens


def test_html_bodies_are_sanitised_but_keep_email_markup() -> None:
    body = (
        '<p onclick="steal()">Hi <script>alert(1)</script>'
        '<a href="javascript:alert(1)">bad</a> <a href="https://example.com/ok">ok</a></p>'
        '<table width="100%"><tr><td style="color: red; position: fixed">cell</td></tr></table>'
        '<img src="https://example.com/logo.png" alt="Logo"><img src="data:image/png;base64,AA">'
    )
    html = render_variant(variant(body, body_format="html"), context()).html_body
    assert "onclick" not in html and "<script" not in html and "javascript:" not in html
    assert '<a href="https://example.com/ok"' in html
    assert "color: red" in html and "position" not in html
    assert '<img src="https://example.com/logo.png"' in html
    assert "data:image" not in html


def test_the_text_part_reads_well() -> None:
    body = "## Next steps\n\n1. Read [the guide](https://example.com/g)\n2. Reply\n\n> Quoted\n"
    text = render_variant(variant(body), context()).text_body
    assert "## Next steps\n\n1. Read" in text
    assert "1. Read the guide (https://example.com/g)\n2. Reply" in text
    assert "> Quoted" in text
    assert "<" not in text


def test_a_footer_is_added_when_the_body_has_no_unsubscribe_link() -> None:
    english = render_variant(variant("Hello"), context())
    assert UNSUBSCRIBE_URL in english.html_body and PREFERENCES_URL in english.html_body
    assert ">Unsubscribe</a>" in english.html_body
    assert f"Unsubscribe ({UNSUBSCRIBE_URL})" in english.text_body

    french = render_variant(variant("Bonjour", language="fr"), context())
    assert ">Se désinscrire</a>" in french.html_body
    assert ">Gérer mes préférences</a>" in french.html_body
    assert '<html lang="fr">' in french.html_body
    assert "Se désinscrire" in french.text_body


def test_an_unsubscribe_link_written_in_the_body_is_kept_and_no_footer_added() -> None:
    for body in (
        "Bye: [unsubscribe]({{ unsubscribe_url }})",
        "{% if true %}[unsubscribe]({{ unsubscribe_url }}){% endif %}",
        f'<a href="{UNSUBSCRIBE_URL}">unsubscribe</a>',
    ):
        fmt = "html" if body.startswith("<") else "markdown"
        rendered = render_variant(variant(body, body_format=fmt), context())
        assert f'href="{UNSUBSCRIBE_URL}"' in rendered.html_body, body
        assert rendered.html_body.count(UNSUBSCRIBE_URL) == 1, body
        assert "Manage preferences" not in rendered.html_body, body


def test_each_variant_is_compiled_once_and_each_shape_prepared_once() -> None:
    source = variant(GREETING + "\n\n{% if contact.company %}At {{ contact.company }}.{% endif %}")
    compiled = compile_variant(source)
    assert compiled is compile_variant(source)
    anne = render_variant(source, context(first_name="Anne", company="Acme"))
    bob = render_variant(source, context(first_name="Bob", company="Bolt"))
    nobody = render_variant(source, context())
    assert len(compiled.shapes) == 2 and None not in compiled.shapes.values()
    assert "At Acme." in anne.text_body and "At Bolt." in bob.text_body
    assert "Hello Bob," in bob.html_body and "At " not in nobody.text_body


def test_loops_and_conditions_render_like_plain_jinja() -> None:
    body = (
        "Hello {{ contact.first_name | default('there') }},\n\n"
        "{% for tip in ['Measure', 'Start small'] %}\n"
        "- {{ loop.index }}. {{ tip }} at {{ contact.company | default('your company') }}\n"
        "{% endfor %}\n"
    )
    rendered = render_variant(variant(body), context(first_name="Anne", company="Acme"))
    assert "<li" in rendered.html_body
    assert "- 1. Measure at Acme\n" in rendered.text_body
    assert "- 2. Start small at Acme\n" in rendered.text_body


def test_a_printed_link_address_cannot_be_a_script() -> None:
    source = variant("[Site]({{ contact.fields.site }}) and [mail](mailto:{{ contact.email }})")
    bad = render_variant(source, context(fields={"site": "javascript:alert(1)"}, email="a@b.c"))
    assert "javascript" not in bad.html_body
    assert 'href="mailto:a@b.c"' in bad.html_body
    good = render_variant(source, context(fields={"site": "https://acme.example/?a=1&b=2"}))
    assert 'href="https://acme.example/?a=1&amp;b=2"' in good.html_body
    relative = render_variant(source, context(fields={"site": "acme.example/x:y"}))
    assert 'href="acme.example/x:y"' in relative.html_body


def test_a_typical_personalised_email_is_prepared_once_for_everybody() -> None:
    body = (
        "# Bonjour {{ contact.first_name }},\n\n"
        "Les équipes de **{{ contact.company }}** nous demandent souvent...\n\n"
        "- Partez des questions *de {{ contact.first_name }}*.\n\n"
        "| Qui | Où |\n|---|---|\n| {{ contact.name }} | {{ contact.country }} |\n\n"
        "> {{ workspace.name }}\n\n"
        "[Télécharger](https://alpinea.example/guide?c={{ contact.email }}) · "
        "[Se désabonner]({{ unsubscribe_url }})\n"
    )
    source = variant(body, language="fr")
    for number in range(5):
        render_variant(source, context(first_name=f"Marie{number}", company="Acme", name="M"))
    shapes = compile_variant(source).shapes
    assert len(shapes) == 1 and None not in shapes.values()
