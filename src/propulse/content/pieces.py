"""One analysis becomes a content package: an e-book plan, articles, posts, e-mails, a calendar.

Deterministic and offline: the same analysis and brand always give the same package, built
only from the source's own sentences (see ``drafting``). The e-book uses the whole material;
articles and e-mails take the richest sections (``Material.units``); posts take the best
quotations, statistics, excerpts and sections, never the same quotation or statistic twice.
"""

from __future__ import annotations

from datetime import date

from propulse.content.articles import draft_articles
from propulse.content.calendar import publishing_calendar
from propulse.content.document import (
    Analysis,
    BrandKit,
    ContentPackage,
    Ebook,
    EbookChapter,
    Quote,
    Section,
    Sentence,
    Statistic,
)
from propulse.content.drafting import (
    CONCLUSION_MARKERS,
    Material,
    capitalise,
    group,
    join_topics,
    key,
    paragraph,
)
from propulse.content.emails import draft_emails
from propulse.content.posts import draft_posts
from propulse.content.wording import Voice, cta_text, phrase, voice

__all__ = ["build_package", "draft_ebook"]

# A chapter longer than this gets "## " subheadings between its groups of paragraphs.
LONG_CHAPTER_WORDS = 450
PULL_QUOTES_PER_CHAPTER = 2
STATISTICS_PER_CHAPTER = 3
# An opening section longer than this share of the source is a theme, not an introduction.
INTRODUCTION_SHARE = 0.2
INTRODUCTION_SENTENCES = 3


def build_package(
    analysis: Analysis, brand: BrandKit, *, start: date, country: str = "FR"
) -> ContentPackage:
    """Draft every piece of the package from the analysis, and their publishing calendar."""
    material = Material(analysis)
    which = voice(analysis.language, brand)
    ebook = draft_ebook(material, brand, which)
    units = material.units()
    articles = draft_articles(material, units, brand, which, ebook_title=ebook.title)
    posts, used_by_posts = draft_posts(material, units, brand, which)
    emails = draft_emails(material, units, brand, which, ebook=ebook, avoid=used_by_posts)
    calendar = publishing_calendar(ebook, articles, posts, emails, start=start, country=country)
    return ContentPackage(
        language=analysis.language,
        ebook=ebook,
        articles=articles,
        posts=posts,
        emails=emails,
        calendar=calendar,
    )


def draft_ebook(material: Material, brand: BrandKit, which: Voice) -> Ebook:
    """Plan the e-book: introduction, one chapter per theme, conclusion, call to action."""
    analysis = material.analysis
    sections = [(index, s) for index, s in enumerate(material.sections) if s.sentences]
    introduction, themes = _introduction(sections, analysis.word_count)
    conclusion_section = None
    if len(themes) > 1 and _is_conclusion(themes[-1][1]):
        conclusion_section = themes.pop()[1]
    headings: set[str] = set()  # subheadings differ from chapter to chapter
    chapters = [_chapter(material, index, section, headings) for index, section in themes]
    if conclusion_section is not None:
        conclusion = [paragraph(g) for g in group(conclusion_section.sentences)]
    else:
        conclusion = _recap(material, which, themes)
    topics = [phrase_text for phrase_text in analysis.keyphrases[:3] if phrase_text]
    subtitle = (
        capitalise(phrase(which, "ebook_subtitle", topics=join_topics(which, topics)))
        if topics
        else ""
    )
    return Ebook(
        title=analysis.title,
        subtitle=subtitle,
        language=analysis.language,
        introduction=[paragraph(g) for g in group(introduction)],
        chapters=chapters,
        conclusion=conclusion,
        cta_text=cta_text(which, brand),
        cta_url=brand.cta_url,
    )


def _introduction(
    sections: list[tuple[int, Section]], word_count: int
) -> tuple[list[Sentence], list[tuple[int, Section]]]:
    """Split the opening from the themes: a short first section, else its first sentences."""
    if not sections:
        return [], []
    first_index, first = sections[0]
    total = word_count or sum(section.word_count for _, section in sections)
    if len(sections) >= 2 and first.word_count <= max(250, INTRODUCTION_SHARE * total):
        return list(first.sentences), sections[1:]
    opening = list(first.sentences[:INTRODUCTION_SENTENCES])
    rest = Section(
        title=first.title,
        sentences=list(first.sentences[INTRODUCTION_SENTENCES:]),
        keyphrases=first.keyphrases,
        from_heading=first.from_heading,
    )
    themes = [(first_index, rest)] if rest.sentences else []
    return opening, themes + sections[1:]


def _is_conclusion(section: Section) -> bool:
    title = key(section.title)
    return any(marker in title for marker in CONCLUSION_MARKERS)


def _chapter(material: Material, index: int, section: Section, headings: set[str]) -> EbookChapter:
    """Turn a section into paragraphs of 3-5 sentences, with subheadings when it is long."""
    groups = group(section.sentences)
    paragraphs: list[str] = []
    if section.word_count > LONG_CHAPTER_WORDS and len(groups) >= 4:
        used = {key(section.title)}
        for block_index, block in enumerate(group(groups, 2, 3)):
            if block_index:
                heading = material.heading_for(
                    [sentence for g in block for sentence in g],
                    section.keyphrases,
                    used,
                    elsewhere=headings,
                )
                if heading:
                    paragraphs.append(f"## {heading}")
            paragraphs.extend(paragraph(g) for g in block)
    else:
        paragraphs = [paragraph(g) for g in groups]
    return EbookChapter(
        title=section.title,
        paragraphs=paragraphs,
        pull_quotes=_pull_quotes(material.analysis.quotes, index),
        statistics=_statistics(material.analysis.statistics, index),
    )


def _pull_quotes(quotes: list[Quote], section: int) -> list[Quote]:
    chosen: list[Quote] = []
    for quote in quotes:
        if quote.section == section and all(key(quote.text) != key(q.text) for q in chosen):
            chosen.append(quote)
        if len(chosen) == PULL_QUOTES_PER_CHAPTER:
            break
    return chosen


def _statistics(statistics: list[Statistic], section: int) -> list[Statistic]:
    chosen: list[Statistic] = []
    for statistic in statistics:
        if statistic.section != section:
            continue
        if any(statistic.values == other.values for other in chosen):
            continue
        chosen.append(statistic)
        if len(chosen) == STATISTICS_PER_CHAPTER:
            break
    return chosen


def _recap(material: Material, which: Voice, themes: list[tuple[int, Section]]) -> list[str]:
    """Close with the strongest sentence of each chapter, after a written lead."""
    bullets: list[str] = []
    for _, section in themes:
        strongest = material.strongest(section.sentences, 1, section.keyphrases, max_chars=240)
        bullets.extend(f"- {sentence.text.strip()}" for sentence in strongest)
    if not bullets:
        return []
    return [phrase(which, "conclusion_lead"), "\n".join(bullets)]
