"""The analysis recalls what a person listed by hand in the three test scripts (goal: 90 %)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from propulse.content import ingest
from propulse.content.analysis import analyse
from propulse.content.document import Analysis
from propulse.kit.text import normalise

DATA = Path(__file__).resolve().parent.parent / "data" / "content"
SOURCES = ("webinar-script-en.md", "webinar-transcript-fr.srt", "webinar-captions-en.vtt")


@lru_cache
def analysed(name: str) -> tuple[Analysis, dict]:  # type: ignore[type-arg]
    document = ingest.read_source((DATA / name).read_bytes(), name)
    expected = json.loads((DATA / f"{name.rsplit('.', 1)[0]}.expected.json").read_text())
    return analyse(document), expected


def _squash(text: str) -> str:
    return " ".join(normalise(text).replace(".", " ").split())


def recall(name: str) -> dict[str, tuple[int, int]]:
    analysis, expected = analysed(name)
    quotes = {_squash(quote.text) for quote in analysis.quotes}
    found_quotes = sum(
        any(_squash(wanted) in quote or quote in _squash(wanted) for quote in quotes)
        for wanted in expected["quotations"]
    )
    values = {tuple(round(v, 2) for v in statistic.values) for statistic in analysis.statistics}
    found_statistics = sum(
        tuple(round(float(v), 2) for v in wanted["values"]) in values
        for wanted in expected["statistics"]
    )
    section_texts = [_squash(section.text) for section in analysis.sections]
    found_themes = 0
    for theme in expected["sub_themes"]:
        keywords = [_squash(word) for word in theme["keywords"]]
        # A sub-theme is recalled when one section holds most of its keywords.
        if any(
            sum(word in text for word in keywords) >= len(keywords) * 0.6 for text in section_texts
        ):
            found_themes += 1
    return {
        "quotations": (found_quotes, len(expected["quotations"])),
        "statistics": (found_statistics, len(expected["statistics"])),
        "sub_themes": (found_themes, len(expected["sub_themes"])),
    }


@pytest.mark.parametrize("name", SOURCES)
def test_each_script_gives_its_sub_themes_as_sections(name):
    analysis, expected = analysed(name)
    assert analysis.language == expected["language"]
    assert abs(len(analysis.sections) - expected["sections_expected"]) <= 1


def test_at_least_90_percent_of_what_was_listed_by_hand_is_recalled():
    totals = {"quotations": [0, 0], "statistics": [0, 0], "sub_themes": [0, 0]}
    for name in SOURCES:
        for kind, (found, wanted) in recall(name).items():
            totals[kind][0] += found
            totals[kind][1] += wanted
    found = sum(value[0] for value in totals.values())
    wanted = sum(value[1] for value in totals.values())
    assert found / wanted >= 0.9, totals
    for kind, (kind_found, kind_wanted) in totals.items():
        assert kind_found / kind_wanted >= 0.85, (kind, totals)
