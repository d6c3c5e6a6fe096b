"""Render an e-book as a designed PDF with Typst: cover, contents, chapters, call to action.

    source = ebook_typst_source(ebook, brand)          # the .typ text, for tests and debugging
    pdf = render_pdf(ebook, brand, logo_bytes=logo)    # bytes of an A4 PDF, fonts embedded

Pure apart from a temporary directory for the compilation: the caller reads the brand's logo
file (``BrandKit.logo``) and passes its bytes. Only the fonts embedded in the typst package are
used (system fonts are ignored), so the PDF is the same on every machine and nothing is fetched.

User text never reaches Typst as code: the title and the other one-line values become Typst
string literals, and the Markdown paragraphs become markup in which every character Typst
could read as syntax is escaped (only **bold**, *italic*, ``- `` lists, ``1. `` lists,
``## `` subheadings and ``[text](https://...)`` links are translated). Straight quotes and
apostrophes in the text are set as the language's typographic ones (« », “ ”, ’), as Typst does.

The brand's ``font`` picks the body font among SHIPPED_FONTS (case-insensitive); any other name
falls back to Libertinus Serif. ``colors[0]`` is the accent (cover band, rules, call-outs) and
``colors[1]`` the headings' color; a value that is not ``#rrggbb`` falls back to DEFAULT_COLORS.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import typst

from propulse.content.document import BrandKit, Ebook, EbookChapter, Language, Quote, Statistic

# The text families the typst wheel embeds; any other brand font falls back to the first.
SHIPPED_FONTS = ("Libertinus Serif", "New Computer Modern", "DejaVu Sans Mono")
DEFAULT_FONT = SHIPPED_FONTS[0]
DEFAULT_COLORS = ("#4338ca", "#0f172a")

_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_LOGO_NAMES = {"svg": "logo.svg", "png": "logo.png", "jpg": "logo.jpg", "gif": "logo.gif"}

_LABELS: dict[Language, dict[str, str]] = {
    "fr": {
        "kicker": "Livre blanc",
        "contents": "Sommaire",
        "chapter": "Chapitre",
        "introduction": "Introduction",
        "conclusion": "Conclusion",
        "cta-title": "Et maintenant ?",
        "cta-button": "C’est parti",
        "open-quote": "« ",
        "close-quote": " »",
    },
    "en": {
        "kicker": "E-book",
        "contents": "Contents",
        "chapter": "Chapter",
        "introduction": "Introduction",
        "conclusion": "Conclusion",
        "cta-title": "What’s next?",
        "cta-button": "Get started",
        "open-quote": "“",
        "close-quote": "”",
    },
}


class EbookError(ValueError):
    """An e-book that cannot be rendered; the message says why (the first Typst error line)."""


@dataclass(frozen=True)
class Theme:
    """What the brand kit decides in the e-book, validated."""

    primary: str
    secondary: str
    font: str


def brand_theme(brand: BrandKit) -> Theme:
    """Validate the brand's colors (``#rrggbb``) and font, falling back to the defaults."""
    colors = [color.strip() for color in brand.colors]
    chosen = [
        colors[i] if i < len(colors) and _COLOR.fullmatch(colors[i]) else default
        for i, default in enumerate(DEFAULT_COLORS)
    ]
    font = next((f for f in SHIPPED_FONTS if f.lower() == brand.font.strip().lower()), DEFAULT_FONT)
    return Theme(primary=chosen[0].lower(), secondary=chosen[1].lower(), font=font)


# Typst text: string literals and escaped markup

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_MARKUP_SPECIAL = re.compile(r"([\\#$*_@<>`\[\]=\-+/~{}|^])")
_LEADING_NUMBER = re.compile(r"^(\s*\d+)\.")
_SPACES = re.compile(r"\s+")


def typst_string(text: str) -> str:
    """Return ``text`` as a Typst string literal, on one line."""
    clean = " ".join(_CONTROL.sub(" ", text).split())
    return '"' + clean.replace("\\", "\\\\").replace('"', '\\"') + '"'


def escape_markup(text: str) -> str:
    """Escape ``text`` so Typst markup shows it literally: no code, math, label or list."""
    clean = _SPACES.sub(" ", _CONTROL.sub(" ", text))
    escaped = _MARKUP_SPECIAL.sub(r"\\\1", clean)
    # "2024. Une année" at the start of a line would open a numbered list.
    return _LEADING_NUMBER.sub(r"\1\\.", escaped)


_INLINE = re.compile(
    r"\*\*(?P<bold>[^*\s](?:[^*]|\*[^*\s][^*]*\*)*?)\*\*"  # may hold an *italic*
    r"|\*(?P<italic>[^*\s](?:[^*]*[^*\s])?)\*"
    r"|\[(?P<label>[^\]\n]+)\]\((?P<url>https?://[^)\s]+)\)"
)


def inline_markup(text: str) -> str:
    """Translate the Markdown inline syntax of ``text`` (bold, italic, links) to Typst."""
    text = " ".join(_CONTROL.sub(" ", text).split())
    out: list[str] = []
    position = 0
    for match in _INLINE.finditer(text):
        out.append(escape_markup(text[position : match.start()]))
        if match["bold"] is not None:
            out.append(f"#strong[{inline_markup(match['bold'])}];")
        elif match["italic"] is not None:
            out.append(f"#emph[{inline_markup(match['italic'])}];")
        else:
            out.append(f"#link({typst_string(match['url'])})[{escape_markup(match['label'])}];")
        position = match.end()
    out.append(escape_markup(text[position:]))
    return "".join(out)


_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^(?P<number>\d{1,2})[.)]\s+(.*)$")  # "2024. Une année" is text


def markdown_blocks(paragraph: str) -> list[str]:
    """Translate one Markdown paragraph (subheadings, lists, text) into Typst markup blocks."""
    blocks: list[str] = []
    text_lines: list[str] = []
    list_items: list[str] = []  # Typst list items, marker included
    list_kind = ""

    def flush() -> None:
        nonlocal list_kind
        if text_lines:
            blocks.append(inline_markup(" ".join(text_lines)))
            text_lines.clear()
        if list_items:
            blocks.append("\n".join(list_items))
            list_items.clear()
        list_kind = ""

    for raw in paragraph.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        heading = _HEADING.match(line)
        item = _BULLET.match(line) or _NUMBERED.match(line)
        if heading:
            flush()
            level = 2 if len(heading[1]) <= 2 else 3  # level 1 is for chapters
            blocks.append(f"{'=' * level} {inline_markup(heading[2])}")
        elif item:
            kind = "bullet" if item.re is _BULLET else "number"
            if text_lines or (list_kind and list_kind != kind):
                flush()
            list_kind = kind
            # A numbered item keeps its number: the text may refer to "step 3".
            marker = "-" if kind == "bullet" else f"{item['number']}."
            list_items.append(f"{marker} {inline_markup(item[item.re.groups])}")
        elif list_items:  # a continuation line of the last item
            list_items[-1] += " " + inline_markup(line)
        else:
            text_lines.append(line)
    flush()
    return [block for block in blocks if block.strip()]


# The document


def _quote_block(quote: Quote, labels: dict[str, str]) -> str:
    text = labels["open-quote"] + quote.text.strip() + labels["close-quote"]
    speaker = f"speaker: [{escape_markup(quote.speaker)}], " if quote.speaker else ""
    return f"#pull-quote({speaker}[{escape_markup(text)}])"


def _statistic_block(statistic: Statistic) -> str:
    figure = statistic.expression.strip()
    unit = statistic.unit.strip()
    # "30 à 40 000" + "contacts" reads better with its unit; "40 %" already has it, and a
    # currency code (EUR) would only repeat the symbol the sentence shows.
    if unit and unit.lower() not in figure.lower() and not re.fullmatch(r"[A-Z]{3}", unit):
        figure = f"{figure} {unit}"
    return f"#statistic([{escape_markup(figure)}], [{escape_markup(statistic.sentence)}])"


def _chapter_body(chapter: EbookChapter, labels: dict[str, str]) -> list[str]:
    """Return the chapter's blocks with its call-outs spread evenly between the paragraphs."""
    paragraphs = [markdown_blocks(paragraph) for paragraph in chapter.paragraphs]
    paragraphs = [blocks for blocks in paragraphs if blocks]
    callouts: list[str] = []
    statistics = [_statistic_block(s) for s in chapter.statistics]
    quotes = [_quote_block(q, labels) for q in chapter.pull_quotes if q.text.strip()]
    for i in range(max(len(statistics), len(quotes))):
        callouts += statistics[i : i + 1] + quotes[i : i + 1]
    # Call-out k of m goes after paragraph round((k + 1) * n / (m + 1)), never before the first.
    slots: dict[int, list[str]] = {}
    for k, callout in enumerate(callouts):
        after = max(1, round((k + 1) * len(paragraphs) / (len(callouts) + 1)))
        slots.setdefault(after, []).append(callout)
    body: list[str] = []
    for index, blocks in enumerate(paragraphs, start=1):
        body += blocks
        body += slots.pop(index, [])
    for remaining in slots.values():
        body += remaining
    return body


def _luminance(color: str) -> float:
    """Return the perceived lightness of ``color`` (#rrggbb), from 0 (black) to 1 (white)."""
    red, green, blue = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@cache
def _template() -> str:
    return resources.files("propulse.content").joinpath("ebook_template.typ").read_text("utf-8")


def ebook_typst_source(ebook: Ebook, brand: BrandKit, *, logo: str | None = None) -> str:
    """Return the Typst source of the e-book; ``logo`` names an image file in the compile root."""
    theme = brand_theme(brand)
    labels = _LABELS.get(ebook.language, _LABELS["en"])
    url = (ebook.cta_url or brand.cta_url).strip()
    values = {
        "title": typst_string(ebook.title),
        "subtitle": typst_string(ebook.subtitle),
        "brand": typst_string(brand.name),
        "url": typst_string(url),
        "font": typst_string(theme.font),
        "lang": typst_string(ebook.language if ebook.language in _LABELS else "en"),
        "primary": f'rgb("{theme.primary}")',
        "secondary": f'rgb("{theme.secondary}")',
        # A light brand color (a yellow) needs dark text on its band, and darkening where it
        # colors text on white (headings, figures, links).
        "on-primary": 'rgb("#ffffff")' if _luminance(theme.primary) < 0.6 else 'rgb("#111111")',
        "ink": f'rgb("{theme.primary}")'
        + (".darken(45%)" if _luminance(theme.primary) >= 0.5 else ""),
        "logo": typst_string(logo) if logo else "none",
        **{
            key: typst_string(labels[key])
            for key in ("kicker", "contents", "chapter", "cta-title", "cta-button")
        },
    }
    theme_lines = "\n".join(f"  {key}: {value}," for key, value in values.items())
    parts = [f"#let theme = (\n{theme_lines}\n)\n", _template(), "\n#cover()\n#contents()\n"]

    def section(title: str, blocks: list[str], number: int | None = None) -> None:
        numbered = f"number: {number}, " if number is not None else ""
        parts.append(f"\n#chapter({numbered}[{escape_markup(title)}])\n")
        parts.extend(block + "\n\n" for block in blocks)

    introduction = [b for paragraph in ebook.introduction for b in markdown_blocks(paragraph)]
    if introduction:
        section(labels["introduction"], introduction)
    for number, chapter in enumerate(ebook.chapters, start=1):
        section(chapter.title, _chapter_body(chapter, labels), number)
    conclusion = [b for paragraph in ebook.conclusion for b in markdown_blocks(paragraph)]
    if conclusion:
        section(labels["conclusion"], conclusion)
    cta_text = (ebook.cta_text or brand.cta_text).strip()
    parts.append(f"\n#call-to-action[{inline_markup(cta_text)}]\n")
    return "".join(parts)


def _logo_name(logo_bytes: bytes) -> str:
    """Return the file name that tells Typst the logo's format, from its first bytes."""
    head = logo_bytes[:512].lstrip()
    if head.startswith(b"\x89PNG"):
        return _LOGO_NAMES["png"]
    if head.startswith(b"\xff\xd8"):
        return _LOGO_NAMES["jpg"]
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _LOGO_NAMES["gif"]
    if b"<svg" in head or head.startswith(b"<?xml"):
        return _LOGO_NAMES["svg"]
    raise EbookError("The logo must be an SVG, PNG, JPEG or GIF image.")


def render_pdf(ebook: Ebook, brand: BrandKit, *, logo_bytes: bytes | None = None) -> bytes:
    """Render the e-book as an A4 PDF with the fonts embedded; raise EbookError if Typst fails."""
    with tempfile.TemporaryDirectory(prefix="propulse-ebook-") as folder:
        root = Path(folder)
        logo = None
        if logo_bytes:
            logo = _logo_name(logo_bytes)
            (root / logo).write_bytes(logo_bytes)
        main = root / "ebook.typ"
        main.write_text(ebook_typst_source(ebook, brand, logo=logo), encoding="utf-8")
        try:
            pdf = typst.compile(str(main), root=str(root), font_paths=[], ignore_system_fonts=True)
        except typst.TypstError as error:
            first_line = (str(error.message or error).strip().splitlines() or ["unknown error"])[0]
            raise EbookError(f"The e-book could not be rendered: {first_line}") from error
    return pdf
