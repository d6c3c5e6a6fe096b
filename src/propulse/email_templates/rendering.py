"""Render a template variant for one contact: subject, preheader, HTML with CSS inlined, text.

Pure: no database. Each variant is compiled once and cached by its source text.

Markdown, sanitising, the layout, CSS inlining and the text part cost about a millisecond, so
they are done once per *shape* of a body, not once per message: the body is rendered by Jinja
with each printed value replaced by a placeholder (and kept aside); that text, the same for
every contact when only values differ, is prepared once and split at the placeholders; a
message then only renders the Jinja and joins the pieces with its values (tens of
microseconds). Conditions and loops give a few shapes, each prepared once.

A printed value is text, never markup: HTML-escaped, and never read as Markdown (a contact
called ``*Bob*`` is not emphasised).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import css_inline
import nh3
from jinja2 import Template
from markupsafe import Markup, escape

from propulse.delivery.placeholders import PREFERENCES_URL, UNSUBSCRIBE_URL
from propulse.email_templates import layout
from propulse.email_templates.models import BodyFormat
from propulse.email_templates.plaintext import html_to_text
from propulse.email_templates.sandbox import raise_template_error, text_environment
from propulse.kit.errors import InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.kit.markdown import ALLOWED_TAGS, _markdown

__all__ = ["RenderedEmail", "VariantSource", "compile_variant", "render_variant"]

EMAIL_TAGS = ALLOWED_TAGS | {
    "caption", "center", "col", "colgroup", "dd", "div", "dl", "dt", "font", "small", "span",
    "tfoot", "u",
}  # fmt: skip
_CELL = {"align", "valign", "width", "height", "bgcolor", "colspan", "rowspan"}
EMAIL_ATTRIBUTES = {
    "*": {"style", "title", "dir", "lang", "align"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "table": {"width", "cellpadding", "cellspacing", "border", "bgcolor", "role"},
    "td": _CELL,
    "th": _CELL,
    "tr": {"valign", "bgcolor"},
    "col": {"width", "span"},
    "font": {"color", "face", "size"},
}
STYLE_PROPERTIES = {
    "background", "background-color", "border", "border-bottom", "border-collapse",
    "border-color", "border-left", "border-radius", "border-right", "border-spacing",
    "border-style", "border-top", "border-width", "color", "display", "font", "font-family",
    "font-size", "font-style", "font-weight", "height", "letter-spacing", "line-height",
    "list-style", "list-style-type", "margin", "margin-bottom", "margin-left", "margin-right",
    "margin-top", "max-width", "min-width", "padding", "padding-bottom", "padding-left",
    "padding-right", "padding-top", "text-align", "text-decoration", "text-transform",
    "vertical-align", "white-space", "width", "word-break",
}  # fmt: skip

# Placeholders of printed values: letters and digits only, untouched by every stage.
# Salted per process: an author cannot type one by chance.
_PLACEHOLDER_PREFIX = "PrpJx" + secrets.token_hex(4)
_PLACEHOLDER = re.compile(_PLACEHOLDER_PREFIX + r"(\d+)Z")
_ADDRESS_PLACEHOLDER = re.compile(r'(?:href|src)="' + _PLACEHOLDER_PREFIX + r"(\d+)Z")
_MARKERS = frozenset({UNSUBSCRIBE_URL, PREFERENCES_URL})
# markdown-it percent-encodes a lone "%" in link targets; the markers must come through.
_ENCODED_MARKERS = {
    marker.replace("%", "%25"): marker for marker in (UNSUBSCRIBE_URL, PREFERENCES_URL)
}
_inliner = css_inline.CSSInliner(keep_style_tags=True)
MAX_BODY = 200_000
MAX_LINE = 300


@dataclass(frozen=True)
class RenderedEmail:
    """One e-mail ready for the outbox (its unsubscribe markers filled in at send time)."""

    language: str
    subject: str
    preheader: str
    html_body: str
    text_body: str


@dataclass(frozen=True)
class VariantSource:
    """What a variant is made of: plain data, so compiling does not need the database."""

    language: str
    subject: str
    preheader: str
    body_format: str
    body: str


def sanitise_email_html(html: str) -> str:
    """Keep the HTML an e-mail may carry: tables, inline styles, http(s) links and images."""
    return nh3.clean(
        html,
        tags=EMAIL_TAGS,
        attributes=EMAIL_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        filter_style_properties=STYLE_PROPERTIES,
        link_rel=None,
    )


def _restore_markers(html: str) -> str:
    for encoded, marker in _ENCODED_MARKERS.items():
        html = html.replace(encoded, marker)
    return html


def _document(body: str, *, body_format: str, language: str, footer: bool | None) -> str:
    """Turn a body (Markdown or HTML, no Jinja left) into the inlined HTML document.

    ``footer`` None: add the unsubscribe footer when the body has no unsubscribe link.
    """
    fragment = _markdown.render(body) if body_format == BodyFormat.markdown else body
    fragment = _restore_markers(sanitise_email_html(fragment))
    if footer is None:
        footer = UNSUBSCRIBE_URL not in fragment
    document = layout.wrap(fragment, language=language, footer=footer)
    return _restore_markers(_inliner.inline(document))


# Markdown punctuation turned into character references: a printed value stays literal text.
_MARKDOWN_LITERAL = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_[]#!|~+-=.(){}"})


def _markdown_literal(value: Any) -> Any:
    """Escape a printed value for HTML and Markdown alike (a shape that cannot be split)."""
    if isinstance(value, Markup):
        return value
    text = str(escape(value if value is not None else ""))
    return Markup(text.translate(_MARKDOWN_LITERAL))  # noqa: S704 - escaped just above


class _Line:
    """A single-line template: the subject or the preheader."""

    def __init__(self, field: str, source: str) -> None:
        self.field = field
        self.constant = source if "{" not in source else None
        self.template: Template | None = None
        if self.constant is None:
            try:
                self.template = text_environment.from_string(source)
            except Exception as error:
                raise_template_error(field, error)

    def render(self, context: Mapping[str, Any]) -> str:
        if self.constant is not None:
            text = self.constant
        else:
            assert self.template is not None
            try:
                text = self.template.render(context)
            except Exception as error:
                raise_template_error(self.field, error)
        # A long value must not make the line too long to send.
        return " ".join(text.split())[:MAX_LINE]


# The values printed by the body being rendered in this context (see ``_record``).
_recorded: ContextVar[list[str] | None] = ContextVar("propulse_template_values", default=None)


def _record(value: Any) -> str:
    """Print a placeholder for a value and keep the value aside (the body's ``finalize``).

    The link markers are printed as they are: the footer is added only when they are absent.
    """
    text = "" if value is None else str(value)
    values = _recorded.get()
    if values is None or text in _MARKERS:
        return text
    values.append(text)
    return f"{_PLACEHOLDER_PREFIX}{len(values) - 1}Z"


_body_environment = text_environment.overlay(finalize=_record)

# The prepared documents of a variant, per distinct shape of its rendered body.
SHAPES_KEPT = 64
# The HTML and text between the values, and which values begin a link or an image address.
Shape = tuple[list[str], list[str], frozenset[int]]
_SAFE_SCHEMES = ("http:", "https:", "mailto:")


def _safe_address(value: str) -> bool:
    """Say whether a printed value may begin a link: http(s), mailto, or no scheme at all."""
    head = value.strip().lower()
    scheme_end = head.find(":")
    return scheme_end == -1 or "/" in head[:scheme_end] or head.startswith(_SAFE_SCHEMES)


class CompiledVariant:
    """A variant ready to render many times (see the module's note on shapes)."""

    def __init__(self, source: VariantSource) -> None:
        self.language = source.language
        self.body_format = source.body_format
        if source.body_format not in (BodyFormat.markdown, BodyFormat.html):
            raise InvalidInput.on_field(
                "body_format", _("Choose Markdown or HTML for the body's format.")
            )
        if len(source.body) > MAX_BODY:
            raise InvalidInput.on_field(
                "body", _("Keep the body under %(n)s characters.", n=MAX_BODY)
            )
        self.subject = _Line("subject", source.subject)
        self.preheader = _Line("preheader", source.preheader)
        try:
            self.body = _body_environment.from_string(source.body)
        except Exception as error:
            raise_template_error("body", error)
        self.shapes: dict[str, Shape | None] = {}
        self.address_placeholder = re.compile(r'(?:href|src)="' + _PLACEHOLDER_PREFIX + r"(\d+)Z")
        self.source = source.body
        self.full: Template | None = None  # compiled the first time a shape cannot be split

    def _shape(self, rendered: str, count: int) -> Shape | None:
        """Prepare the document of one shape, split where the values go (None: not splittable)."""
        html = _document(
            rendered, body_format=self.body_format, language=self.language, footer=None
        )
        text = html_to_text(html)
        html_parts: list[str] = _PLACEHOLDER.split(html)
        text_parts: list[str] = _PLACEHOLDER.split(text)
        # Each value must come through once in each part, in order (not in a dropped comment,
        # a removed attribute or an upper-cased block), else this shape is rendered in full.
        wanted = [str(index) for index in range(count)]
        if html_parts[1::2] != wanted or text_parts[1::2] != wanted:
            return None
        addresses = frozenset(int(index) for index in _ADDRESS_PLACEHOLDER.findall(html))
        return html_parts[0::2], text_parts[0::2], addresses

    def _full(self, context: Mapping[str, Any]) -> tuple[str, str]:
        """Render a shape that cannot be split: the values go in before Markdown, as text."""
        if self.full is None:
            literal = _markdown_literal if self.body_format == BodyFormat.markdown else escape
            self.full = text_environment.overlay(finalize=literal).from_string(self.source)
        try:
            rendered = self.full.render(context)
        except Exception as error:
            raise_template_error("body", error)
        html = _document(
            rendered, body_format=self.body_format, language=self.language, footer=None
        )
        return html, html_to_text(html)

    def _render_body(self, context: Mapping[str, Any]) -> tuple[str, str]:
        values: list[str] = []
        token = _recorded.set(values)
        try:
            rendered = self.body.render(context)
        except Exception as error:
            raise_template_error("body", error)
        finally:
            _recorded.reset(token)
        if rendered in self.shapes:
            shape = self.shapes[rendered]
        else:
            shape = self._shape(rendered, len(values))
            if len(self.shapes) >= SHAPES_KEPT:
                self.shapes.clear()  # a body whose shape varies per contact: keep a few
            self.shapes[rendered] = shape
        if shape is None:
            return self._full(context)
        html_literals, text_literals, addresses = shape
        html_out = [html_literals[0]]
        text_out = [text_literals[0]]
        for index, value in enumerate(values):
            if index in addresses and not _safe_address(value):
                value = ""  # sanitising ran before the value came: no javascript: link
            html_out += (escape(value), html_literals[index + 1])
            text_out += (value, text_literals[index + 1])
        return "".join(html_out), "".join(text_out)

    def render(self, context: Mapping[str, Any]) -> RenderedEmail:
        subject = self.subject.render(context)
        preheader = self.preheader.render(context)
        html, text = self._render_body(context)
        if UNSUBSCRIBE_URL not in html:
            html = layout.with_footer(html, self.language)
        if UNSUBSCRIBE_URL not in text:
            text = text.rstrip("\n") + layout.footer_text(self.language)
        return RenderedEmail(self.language, subject, preheader, html, text)


@lru_cache(maxsize=512)
def compile_variant(source: VariantSource) -> CompiledVariant:
    """Compile a variant once per distinct text (the cache is shared by the process)."""
    return CompiledVariant(source)


def render_variant(source: VariantSource, context: Mapping[str, Any]) -> RenderedEmail:
    """Render a variant for one context; a broken template raises ``InvalidInput``."""
    return compile_variant(source).render(context)
