"""Read a webinar script or transcript (docx, md, txt, pdf, srt, vtt) into headings and paragraphs.

``read_source`` is pure: bytes and a file name in, a ``SourceDocument`` out, or a
``SourceError`` whose code the edges translate. Any parsing failure of a format is reported
as "corrupt", never as a traceback.
"""

from __future__ import annotations

import codecs
import html
import re
from collections import Counter
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import PurePath
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from propulse.content.captions import read_captions
from propulse.content.document import (
    MAX_WORDS,
    MIN_WORDS,
    Block,
    Language,
    SourceDocument,
    SourceError,
)
from propulse.kit.text import detect_language, normalise

__all__ = ["ACCEPTED_EXTENSIONS", "read_source"]

ACCEPTED_EXTENSIONS = (".docx", ".md", ".txt", ".pdf", ".srt", ".vtt")
_FORMATS = {extension[1:]: extension[1:] for extension in ACCEPTED_EXTENSIONS} | {"markdown": "md"}


def read_source(data: bytes, filename: str, *, language: str | None = None) -> SourceDocument:
    """Read an uploaded file into a source document, or raise a ``SourceError``."""
    extension = PurePath(filename.replace("\\", "/")).suffix.lower()
    fmt = _FORMATS.get(extension[1:])
    if fmt is None:
        accepted = ", ".join(ACCEPTED_EXTENSIONS)
        raise SourceError(
            "unsupported_format",
            f"Files of type {extension or '(no extension)'} are not supported; "
            f"accepted formats: {accepted}.",
            extension=extension,
            accepted=list(ACCEPTED_EXTENSIONS),
        )
    override = _language_code(language)
    if not data.strip():
        raise SourceError("empty", "The file is empty: there is no text to recycle.")
    try:
        blocks = _READERS[fmt](data, override)
    except SourceError:
        raise
    except Exception as error:  # every library fails its own way on damaged bytes
        raise SourceError(
            "corrupt",
            f"The file could not be read as {fmt}: it is damaged or not really a {extension} file.",
            format=fmt,
        ) from error
    blocks = [block for block in blocks if block.text.strip()]
    words = sum(_count_words(block.text) for block in blocks)
    if words == 0:
        raise SourceError("empty", "The file contains no text to recycle.")
    if words < MIN_WORDS:
        raise SourceError(
            "too_short",
            f"The text has {words} words; at least {MIN_WORDS} are needed.",
            words=words,
            minimum=MIN_WORDS,
        )
    if words > MAX_WORDS:
        raise SourceError(
            "too_long",
            f"The text has {words} words; the limit is {MAX_WORDS}. Split it into parts.",
            words=words,
            maximum=MAX_WORDS,
        )
    detected = _as_language(detect_language("\n\n".join(block.text for block in blocks)))
    title = next(
        (block.text for block in blocks if block.kind == "heading" and block.level == 1),
        _humanise(filename),
    )
    return SourceDocument(
        title=title,
        language=override or detected,
        detected_language=detected,
        format=fmt,
        blocks=blocks,
        word_count=words,
    )


def _language_code(language: str | None) -> Language | None:
    """Accept "fr", "EN", "fr-FR"...; anything else is a caller's mistake."""
    if language is None or not language.strip():
        return None
    code = language.strip().lower()[:2]
    if code not in ("fr", "en"):
        raise ValueError(f"language must be 'fr' or 'en', not {language!r}")
    return _as_language(code)


def _as_language(code: str) -> Language:
    return "fr" if code == "fr" else "en"


def _count_words(text: str) -> int:
    return sum(1 for token in text.split() if any(char.isalnum() for char in token))


def _humanise(filename: str) -> str:
    """Turn "webinar_script-v2.docx" into "Webinar script v2"."""
    stem = re.sub(r"[\s_\-]+", " ", PurePath(filename.replace("\\", "/")).stem).strip()
    return stem[:1].upper() + stem[1:] if stem else "Untitled"


def _decode(data: bytes) -> str:
    """Decode text: UTF-8 (BOM or not), UTF-16, else Windows-1252; binary is an error."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif data[1::2].count(0) > len(data) * 0.3:  # UTF-16 without a BOM: ASCII plus NULs
        text = data.decode("utf-16-le", errors="replace")
    elif data[0::2].count(0) > len(data) * 0.3:
        text = data.decode("utf-16-be", errors="replace")
    else:
        text = data.decode("utf-8", errors="replace")
        broken = text.count("\ufffd")
        # A few broken sequences in real UTF-8 (accents decoded fine) are damage to skip;
        # many, with no valid accent, mean another encoding.
        if broken and broken * 4 > sum(1 for char in text if "\x7f" < char < "\ufffd"):
            text = data.decode("cp1252", errors="replace")
    controls = sum(1 for char in text if char < " " and char not in "\t\n\r\f")
    if controls + text.count("\ufffd") > len(text) * 0.01:
        raise SourceError(
            "encoding",
            "The text could not be decoded: save it as UTF-8 text and upload it again.",
        )
    text = _CONTROLS.sub("", text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")


# --- Word ---------------------------------------------------------------------------------

_DOCX_HEADING = re.compile(r"(?:heading|titre|berschrift|titolo|encabezado)\s*([1-9])")


def _read_docx(data: bytes, _: Language | None) -> list[Block]:
    """Read paragraphs and table cells in body order; heading styles give the levels."""
    from docx import Document  # imported here: only uploads of Word files pay for it
    from docx.table import Table

    document = Document(BytesIO(data))
    items: list[tuple[int | None, str]] = []  # (heading level, 0 for "Title"; text)
    seen_cells: list[Any] = []  # merged cells repeat themselves; lxml proxies compare by identity

    def walk(content: Iterator[Any]) -> None:
        for item in content:
            if isinstance(item, Table):
                for row in item.rows:
                    for cell in row.cells:
                        if not any(cell._tc is seen for seen in seen_cells):
                            seen_cells.append(cell._tc)
                            walk(cell.iter_inner_content())
            else:
                items.append((_docx_level(item.style), item.text))

    walk(document.iter_inner_content())
    # With a "Title" paragraph, "Heading 1" is a section: shift so that 1 is the title.
    shift = 1 if any(level == 0 for level, _ in items) else 0
    blocks: list[Block] = []
    for level, text in items:
        clean = _clean_text(text)
        if level is None:
            blocks.append(Block("paragraph", clean))
        else:
            blocks.append(Block("heading", clean.replace("\n", " "), min(level + shift, 6)))
    return blocks


def _docx_level(style: Any) -> int | None:
    """Return the heading level of a paragraph style (following its base styles), 0 for Title."""
    for _ in range(4):
        if style is None:
            return None
        for name in (str(style.name or "").lower(), str(style.style_id or "").lower()):
            if name.strip() in ("title", "titre"):
                return 0
            match = _DOCX_HEADING.search(name)
            if match:
                return int(match.group(1))
        style = style.base_style
    return None


def _clean_text(text: str) -> str:
    """Trim each line, drop empty lines and collapse runs of spaces and tabs."""
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# --- Markdown -----------------------------------------------------------------------------

_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_FRONT_MATTER = re.compile(
    r"\A(?:---|\+\+\+)[ \t]*\n.*?\n(?:---|\.\.\.|\+\+\+)[ \t]*(?:\n|\Z)", re.S
)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"<[^>]*>")


def _read_markdown(data: bytes, _: Language | None) -> list[Block]:
    """Read headings (ATX and setext), paragraphs, list items and table cells; drop code."""
    text = _FRONT_MATTER.sub("", _decode(data), count=1)
    blocks: list[Block] = []
    level = 0
    for token in _MARKDOWN.parse(text):
        if token.type == "heading_open":
            level = int(token.tag[1:])
        elif token.type == "heading_close":
            level = 0
        elif token.type == "inline":
            content = _clean_text(_inline_text(token.children or []))
            if level:
                blocks.append(Block("heading", content.replace("\n", " "), level))
            else:
                blocks.append(Block("paragraph", content))
        elif token.type == "html_block":
            content = _TAG.sub(" ", _HTML_COMMENT.sub("", token.content))
            blocks.append(Block("paragraph", _clean_text(html.unescape(content))))
    return blocks


def _inline_text(children: list[Token]) -> str:
    """Return the visible text of inline tokens: no emphasis markers, links as their text."""
    parts: list[str] = []
    for child in children:  # an image's alt text describes a picture, not the speaker's words
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    return "".join(parts)


# --- Plain text and PDF: headings from short standalone lines -----------------------------

_TERMINAL = ".!?…:;,"
_PUNCTUATION = ".,;:!?…()[]«»“”\"'’"
_LIST_ITEM = re.compile(r"(?:[-–—•*▪◦·]|\(?\d{1,3}[.)]|\(?[a-z]\))\s+(?=\S)")
_NUMBERED_TITLE = re.compile(r"(\d{1,2}(?:\.\d{1,2}){0,3})[.)]?\s+(?=\S)")
_WORDED_TITLE = re.compile(
    r"(?:partie|part|chapitre|chapter|section|module|étape|step|annexe|appendix)\s+"
    r"(?:\d+|[ivxlc]+|[a-z])\b",
    re.I,
)
_ATX = re.compile(r"(#{1,6})\s+(.+?)\s*#*")
_RULE = re.compile(r"([=\-*_~])\1{2,}")


def _read_text(data: bytes, _: Language | None) -> list[Block]:
    return _blocks_from_lines(_decode(data).split("\n"))


def _blocks_from_lines(raw_lines: list[str]) -> list[Block]:
    """Group lines into headings and paragraphs; a short line of its own is a heading."""
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in raw_lines]
    width = _wrap_width(lines)
    vocabulary = {word.lower().strip(_PUNCTUATION) for line in lines for word in line.split()}
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", _join_lines(paragraph, vocabulary)))
            paragraph.clear()

    first_text = next((index for index, line in enumerate(lines) if line), -1)
    # A short line seen twice is a label ("Speaker 1", "Marie :"), not content: it only
    # starts a new paragraph, like the voice tags of captions.
    counts = Counter(lines)
    labels = {
        line
        for line, count in counts.items()
        if count >= 2 and 0 < len(line.split()) <= 4 and line[-1] not in ".!?…"
    }
    for index, line in enumerate(lines):
        previous = lines[index - 1] if index else ""
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not line or _RULE.fullmatch(line) or line in labels:
            flush()
            continue
        heading = _heading(line, previous, following, first=index == first_text)
        if heading:
            flush()
            blocks.append(Block("heading", heading[1], heading[0]))
            continue
        item = _LIST_ITEM.match(line)
        if item or (paragraph and _closes_paragraph(paragraph[-1], width)):
            flush()
        paragraph.append(line[item.end() :] if item else line)
    flush()
    if blocks and blocks[-1].kind == "heading":  # a heading needs something under it
        blocks[-1] = Block("paragraph", blocks[-1].text)
    return blocks


def _heading(line: str, previous: str, following: str, *, first: bool) -> tuple[int, str] | None:
    """Return (level, text) when the line is a heading: 1 for a plain first line, else 2+."""
    atx = _ATX.fullmatch(line)
    if atx:
        return len(atx.group(1)), atx.group(2)
    underline = _RULE.fullmatch(following)
    if underline and underline.group(1) in "=-" and len(line.split()) <= 12:
        return (1 if underline.group(1) == "=" else 2), line
    numbered = _NUMBERED_TITLE.match(line)
    text = line[numbered.end() :] if numbered else line
    words = text.split()
    if not (1 <= len(words) <= 10) or text[-1] in _TERMINAL or not any(c.isalpha() for c in text):
        return None
    if not (text[0].isupper() or text[0].isdigit() or text[0] in "«“\"'"):
        return None
    if _LIST_ITEM.match(line) and not numbered:
        return None  # a bullet point
    in_list = numbered and (_NUMBERED_TITLE.match(previous) or _NUMBERED_TITLE.match(following))
    if in_list:
        return None  # "1. …" followed or preceded by "2. …" is a numbered list
    after_break = not previous or previous[-1] in '.!?…»”")'  # not ":", a list follows
    before_text = not following or following[0].isupper() or following[0] in '«“"-–•*'
    if not (after_break and (before_text or following[0].isdigit())):
        return None
    if numbered:
        return 2 + numbered.group(1).count("."), text
    return (1 if first and not _WORDED_TITLE.match(text) else 2), text


def _wrap_width(lines: list[str]) -> int | None:
    """Return the width text was wrapped at, or None when each line is a whole paragraph."""
    lengths = sorted(len(line) for line in lines if line)
    if len(lengths) < 5:
        return None
    width = lengths[int(len(lengths) * 0.9)]
    return width if width <= 120 else None


def _closes_paragraph(line: str, width: int | None) -> bool:
    """Tell whether a line ends its paragraph: final punctuation and not filled to the width."""
    return line[-1] in '.!?…»”"' and (width is None or len(line) < width * 0.8)


def _join_lines(lines: list[str], vocabulary: set[str]) -> str:
    """Join wrapped lines; a word cut by a hyphen loses it only if found whole elsewhere."""
    text = lines[0]
    for line in lines[1:]:
        if re.search(r"[^\W\d_]-$", text) and line[:1].islower():
            # "sous-\nthème" is a real hyphen, "recy-\ncling" a hyphenation: the rest of
            # the document tells them apart.
            whole = (text.rsplit(" ", 1)[-1][:-1] + line.split(" ", 1)[0]).lower()
            text = (text[:-1] if whole.strip(_PUNCTUATION) in vocabulary else text) + line
        else:
            text = f"{text} {line}"
    return text


_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "\xad": ""})
_PAGE_NUMBER = re.compile(
    r"(?:page|p\.)?\s*[-–]?\s*\d{1,4}\s*[-–]?\s*(?:(?:/|of|sur|de)\s*\d{1,4})?", re.I
)


def _read_pdf(data: bytes, _: Language | None) -> list[Block]:
    """Read the text layer page by page, without running headers, footers and page numbers."""
    from pypdf import PdfReader  # imported here: only uploads of PDF files pay for it

    reader = PdfReader(BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise SourceError("corrupt", "The PDF is protected by a password.", format="pdf")
    pages = [(page.extract_text() or "").translate(_LIGATURES) for page in reader.pages]
    if not pages:
        raise SourceError("empty", "The PDF has no pages.")
    characters = sum(len("".join(page.split())) for page in pages)
    if characters / len(pages) < 20:
        raise SourceError(
            "no_text_layer",
            "The PDF has no text layer (it looks scanned): export the text from the original "
            "document, or run OCR on the PDF, and upload it again.",
            pages=len(pages),
        )
    page_lines = [[line.strip() for line in page.split("\n") if line.strip()] for page in pages]
    running = _running_lines(page_lines)
    lines: list[str] = []
    for page in page_lines:
        for index, line in enumerate(page):
            edge = index < 2 or index >= len(page) - 2
            if edge and (_PAGE_NUMBER.fullmatch(line) or _edge_key(line) in running):
                continue
            lines.append(line)
    return _blocks_from_lines(lines)


def _edge_key(line: str) -> str:
    return re.sub(r"\d+", "#", normalise(line))


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Return the keys of the short lines found at the top or bottom of most pages."""
    if len(pages) < 2:
        return set()
    # Running lines are short and are not sentences: a repeated line of body text stays.
    edges = (
        {_edge_key(line) for line in page[:2] + page[-2:] if len(line) <= 80 and line[-1] != "."}
        for page in pages
    )
    counts = Counter(key for keys in edges for key in keys)
    return {key for key, count in counts.items() if count >= max(2, len(pages) * 0.6)}


def _read_captions(data: bytes, language: Language | None) -> list[Block]:
    return read_captions(_decode(data), language)


_READERS: dict[str, Callable[[bytes, Language | None], list[Block]]] = {
    "docx": _read_docx,
    "md": _read_markdown,
    "txt": _read_text,
    "pdf": _read_pdf,
    "srt": _read_captions,
    "vtt": _read_captions,
}
