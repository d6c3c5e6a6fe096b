"""Turn the pipeline's dataclasses into JSON and back (for the database and the API)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from propulse.content.document import (
    Analysis,
    Block,
    BrandKit,
    Ebook,
    EbookChapter,
    Excerpt,
    Quote,
    Section,
    Sentence,
    SourceDocument,
    Statistic,
)


def blocks_to_json(blocks: list[Block]) -> list[dict[str, Any]]:
    return [asdict(block) for block in blocks]


def document_from_json(
    *, title: str, language: str, detected: str, fmt: str, blocks: list[dict[str, Any]], words: int
) -> SourceDocument:
    return SourceDocument(
        title=title,
        language=language,  # type: ignore[arg-type]
        detected_language=detected,  # type: ignore[arg-type]
        format=fmt,
        blocks=[Block(**block) for block in blocks],
        word_count=words,
    )


def analysis_to_json(analysis: Analysis) -> dict[str, Any]:
    data = asdict(analysis)
    for statistic in data["statistics"]:
        statistic["values"] = list(statistic["values"])
    return data


def analysis_from_json(data: dict[str, Any]) -> Analysis:
    return Analysis(
        language=data["language"],
        title=data["title"],
        sections=[
            Section(
                title=section["title"],
                sentences=[Sentence(**sentence) for sentence in section["sentences"]],
                keyphrases=list(section["keyphrases"]),
                from_heading=section["from_heading"],
            )
            for section in data["sections"]
        ],
        keyphrases=list(data["keyphrases"]),
        quotes=[Quote(**quote) for quote in data["quotes"]],
        statistics=[
            Statistic(**{**statistic, "values": tuple(statistic["values"])})
            for statistic in data["statistics"]
        ],
        excerpts=[Excerpt(**excerpt) for excerpt in data["excerpts"]],
        word_count=data["word_count"],
    )


def ebook_to_json(ebook: Ebook) -> dict[str, Any]:
    data = asdict(ebook)
    for chapter in data["chapters"]:
        for statistic in chapter["statistics"]:
            statistic["values"] = list(statistic["values"])
    return data


def ebook_from_json(data: dict[str, Any]) -> Ebook:
    return Ebook(
        title=data["title"],
        subtitle=data["subtitle"],
        language=data["language"],
        introduction=list(data["introduction"]),
        chapters=[
            EbookChapter(
                title=chapter["title"],
                paragraphs=list(chapter["paragraphs"]),
                pull_quotes=[Quote(**quote) for quote in chapter["pull_quotes"]],
                statistics=[
                    Statistic(**{**statistic, "values": tuple(statistic["values"])})
                    for statistic in chapter["statistics"]
                ],
            )
            for chapter in data["chapters"]
        ],
        conclusion=list(data["conclusion"]),
        cta_text=data["cta_text"],
        cta_url=data["cta_url"],
    )


def brand_to_json(brand: BrandKit) -> dict[str, Any]:
    return asdict(brand)


def brand_from_json(data: dict[str, Any]) -> BrandKit:
    known = set(BrandKit.__dataclass_fields__)
    return BrandKit(**{key: value for key, value in data.items() if key in known})
