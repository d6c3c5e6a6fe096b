"""Blog articles: each one deepens one unit of the source (a section, or part of a large one).

Structure: an introduction paragraph (the unit's opening sentences), 2-4 H2 sections (their
headings are keyphrases found in their sentences), then one call to action to the e-book.
"""

from __future__ import annotations

from propulse.content.document import BrandKit, Piece, Sentence
from propulse.content.drafting import (
    Material,
    Unit,
    capitalise,
    group,
    key,
    paragraph,
    shorten,
    slugify,
)
from propulse.content.wording import Voice, cta_text, phrase
from propulse.kit.markdown import render_markdown

__all__ = ["META_DESCRIPTION_MAX", "TITLE_MAX", "draft_articles"]

TITLE_MAX = 60
META_DESCRIPTION_MAX = 155
SLUG_MAX = 60
H2_MIN, H2_MAX = 2, 4
INTRODUCTION_SENTENCES = 3
SENTENCES_PER_H2 = 4


def draft_articles(
    material: Material, units: list[Unit], brand: BrandKit, which: Voice, *, ebook_title: str
) -> list[Piece]:
    """Draft one article per unit, with unique titles and slugs."""
    articles: list[Piece] = []
    titles: set[str] = set()
    slugs: set[str] = set()
    headings_elsewhere: set[str] = set()  # each article its own H2s: no "Marketing" everywhere
    for number, unit in enumerate(units, start=1):
        title = _title(material, unit, titles)
        slug = _unique_slug(title, unit, slugs)
        intro, parts = _outline(unit)
        used = {key(title)}
        headings = [
            material.heading_for(part, unit.keyphrases, used, elsewhere=headings_elsewhere)
            or shorten(part[0].text, TITLE_MAX, language=material.language).rstrip(".!?…")
            for part in parts
        ]
        blocks = [paragraph(intro)]
        for heading, part in zip(headings, parts, strict=True):
            blocks.append(f"## {heading}")
            blocks.extend(paragraph(g) for g in group(part))
        link = f"[{cta_text(which, brand)}]({brand.cta_url})"
        blocks.append(phrase(which, "article_cta", title=ebook_title, link=link))
        body = "\n\n".join(blocks)
        best = material.strongest(
            unit.sentences, 1, unit.keyphrases, max_chars=META_DESCRIPTION_MAX
        )
        description = shorten(
            best[0].text if best else title,
            META_DESCRIPTION_MAX,
            language=material.language,
            ellipsis=True,
        )
        articles.append(
            Piece(
                kind="article",
                index=number,
                title=title,
                body=body,
                section=unit.section,
                meta={
                    "slug": slug,
                    "meta_description": description,
                    "h2": headings,
                    "html": str(render_markdown(body)),
                },
            )
        )
    return articles


def _title(material: Material, unit: Unit, taken: set[str]) -> str:
    """Use the unit's title (shortened), else its best keyphrase, so that titles stay unique."""
    candidates = [unit.title, *(capitalise(phrase_text) for phrase_text in unit.keyphrases)]
    for candidate in candidates:
        title = shorten(candidate, TITLE_MAX, language=material.language)
        if title and key(title) not in taken:
            taken.add(key(title))
            return title
    title = shorten(unit.sentences[0].text, TITLE_MAX, language=material.language)
    taken.add(key(title))
    return title


def _unique_slug(title: str, unit: Unit, taken: set[str]) -> str:
    slug = slugify(title, SLUG_MAX)
    for phrase_text in unit.keyphrases:
        if slug not in taken:
            break
        slug = slugify(f"{title} {phrase_text}", SLUG_MAX)
    suffix = 2
    base = slug
    while slug in taken:  # a last resort; titles are unique, so slugs almost always are
        tail = f"-{suffix}"
        slug = base[: SLUG_MAX - len(tail)].rstrip("-") + tail
        suffix += 1
    taken.add(slug)
    return slug


def _outline(unit: Unit) -> tuple[list[Sentence], list[list[Sentence]]]:
    """Return the introduction's sentences and 2-4 parts, each under its own H2."""
    sentences = list(unit.sentences)
    intro_size = max(1, min(INTRODUCTION_SENTENCES, len(sentences) // 3))
    intro, rest = sentences[:intro_size], sentences[intro_size:]
    if len(rest) < H2_MIN:
        return intro, [rest] if rest else []
    count = max(H2_MIN, min(H2_MAX, len(rest) // SENTENCES_PER_H2))
    size, extra = divmod(len(rest), count)
    parts: list[list[Sentence]] = []
    position = 0
    for index in range(count):
        length = size + (1 if index < extra else 0)
        parts.append(rest[position : position + length])
        position += length
    return intro, parts
