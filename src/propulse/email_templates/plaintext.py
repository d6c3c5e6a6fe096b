"""The plain-text part of an e-mail, written from its HTML: what a text-only reader sees."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIPPED = {"head", "style", "script", "title"}
_BLOCKS = {
    "p", "div", "table", "tr", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "dl", "dt", "dd", "center", "section", "article", "header", "footer",
}  # fmt: skip
_SPACES = re.compile(r"[ \t\r\f\v\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class _TextWriter(HTMLParser):
    """Collect text with paragraphs, headings, lists, quotes and "text (url)" links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.pre = 0
        self.lists: list[list[int]] = []  # per open list: [is_ordered, next number]
        self.quote = 0
        self.links: list[tuple[str, int]] = []  # href, output length when opened
        self.cell = 0
        self.after_bullet = False  # a list item's marker was just written

    # Output helpers

    def _text(self) -> str:
        return "".join(self.out)

    def _newlines(self, count: int) -> None:
        if self.after_bullet:  # <li><p>: the paragraph starts on the marker's line
            return
        text = self._text().rstrip(" ")
        if not text:
            self.out = []
            return
        trailing = len(text) - len(text.rstrip("\n"))
        self.out = [text + "\n" * max(0, count - trailing)]

    def _write(self, text: str) -> None:
        if self.quote and (not self.out or self._text().endswith("\n")):
            self.out.append("> " * self.quote)
        self.out.append(text)

    # Parser callbacks

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
            return
        if self.skipping:
            return
        values = dict(attrs)
        if tag in ("br",):
            self._newlines(1)
        elif tag == "hr":
            self._newlines(2)
            self._write("-" * 20)
            self._newlines(2)
        elif tag in ("ul", "ol"):
            self._newlines(1 if self.lists else 2)
            self.lists.append([tag == "ol", 1])
        elif tag == "li":
            self._newlines(1)
            indent = "  " * max(0, len(self.lists) - 1)
            if self.lists and self.lists[-1][0]:
                self._write(f"{indent}{self.lists[-1][1]}. ")
                self.lists[-1][1] += 1
            else:
                self._write(f"{indent}- ")
            self.after_bullet = True
        elif tag == "blockquote":
            self._newlines(2)
            self.quote += 1
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._newlines(2)
            # Marked as in Markdown, not underlined or upper-cased: the text may hold
            # placeholders whose values have another length (see rendering).
            self._write("#" * min(int(tag[1]), 3) + " ")
        elif tag == "pre":
            self._newlines(2)
            self.pre += 1
        elif tag in ("td", "th"):
            if self.cell:
                self.out = [self._text().rstrip(" ")]
                self._write(" | ")
            self.cell += 1
        elif tag == "tr":
            self._newlines(1)
            self.cell = 0
        elif tag in _BLOCKS:
            self._newlines(2)
        elif tag == "a":
            self.links.append((values.get("href") or "", len(self._text())))
        elif tag == "img":
            alt = (values.get("alt") or "").strip()
            if alt:
                self._write(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        self.after_bullet = False
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        if tag == "a" and self.links:
            href, start = self.links.pop()
            label = self._text()[start:].strip()
            if href and not href.startswith("#") and href != label:
                self._write(f" ({href})" if label else href)
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newlines(1 if self.lists else 2)
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
            self._newlines(2)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._newlines(2)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self._newlines(2)
        elif tag == "tr":
            self.cell = 0
            self._newlines(1)
        elif tag in _BLOCKS:
            self._newlines(2)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.pre:
            self._write(data)
            return
        text = _SPACES.sub(" ", data)
        if not text.strip():
            if self.out and not self._text().endswith((" ", "\n")) and text:
                self.out.append(" ")
            return
        if self._text().endswith(("\n", "- ", ". ", "> ", "# ")) or not self.out:
            text = text.lstrip()
        self.after_bullet = False
        self._write(text)


def html_to_text(html: str) -> str:
    """Return the readable text of an HTML e-mail: no tags, links as "text (url)"."""
    writer = _TextWriter()
    writer.feed(html)
    writer.close()
    lines = [line.rstrip() for line in writer._text().split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return text + "\n"
