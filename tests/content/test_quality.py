"""The quality report: faithfulness, coverage, duplication, rules and per-piece figures."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import date

import pytest

from propulse.content.document import BrandKit, ContentPackage, QualityReport
from propulse.content.pieces import build_package
from propulse.content.quality import report
from propulse.content.readability import reading_ease, syllables
from tests.content.handmade import Handmade, english, french

START = date(2027, 7, 12)
BRAND = BrandKit(
    name="Orbiteo",
    cta_url="https://orbiteo.example/ebook",
    hashtags=["#Orbiteo"],
    tone="formal",
)


@pytest.fixture(scope="module")
def fr() -> Handmade:
    return french()


@pytest.fixture(scope="module")
def en() -> Handmade:
    return english()


@pytest.fixture(scope="module")
def fr_package(fr: Handmade) -> ContentPackage:
    return build_package(fr.analysis, BRAND, start=START)


@pytest.fixture(scope="module")
def en_package(en: Handmade) -> ContentPackage:
    return build_package(en.analysis, BRAND, start=START, country="GB")


@pytest.fixture
def broken(fr_package: ContentPackage) -> ContentPackage:
    """A copy of the French package that tests may damage."""
    return copy.deepcopy(fr_package)


def failed(result: QualityReport) -> set[tuple[str, str]]:
    return {(rule.piece, rule.rule) for rule in result.rules if not rule.passed}


def flags(result: QualityReport, kind: str, index: int) -> list[str]:
    entry = next(p for p in result.pieces if p["kind"] == kind and p["index"] == index)
    flagged: list[str] = entry["flags"]
    return flagged


# The engine's own packages


@pytest.mark.parametrize("which", ["fr", "en"])
def test_the_default_engine_is_faithful_and_meets_every_rule(
    which: str, request: pytest.FixtureRequest
) -> None:
    handmade: Handmade = request.getfixturevalue(which)
    package: ContentPackage = request.getfixturevalue(f"{which}_package")
    result = report(handmade.source_text, handmade.analysis, package)
    assert result.faithfulness["score"] == 1.0
    assert result.faithfulness["unfaithful"] == []
    assert result.faithfulness["numbers_checked"] > 20
    assert result.faithfulness["quotes_checked"] >= 3
    assert failed(result) == set()
    assert result.duplication["pairs"] == []
    assert result.duplication["max_overlap_same_kind"] < 0.15
    assert result.duplication["max_overlap"] < 0.5
    assert all(entry["flags"] == [] for entry in result.pieces)
    rules = {rule.rule for rule in result.rules}
    assert {
        "articles_5_to_6",
        "linkedin_8_to_12",
        "emails_4_to_6",
        "ebook_chapters_min_1",
        "title_max_60",
        "meta_description_max_155",
        "one_cta",
        "post_max_3000",
        "hook_within_210",
        "hashtags_3_to_5",
        "quote_not_reused",
        "statistic_not_reused",
        "subject_max_60",
    } <= rules
    if which == "en":
        assert "video_timecodes" in rules


def test_the_report_as_json_has_the_five_keys_and_every_piece(
    fr: Handmade, fr_package: ContentPackage
) -> None:
    result = report(fr.source_text, fr.analysis, fr_package)
    data = json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    assert set(data) == {"faithfulness", "coverage", "duplication", "rules", "pieces"}
    assert len(data["pieces"]) == 1 + len(fr_package.pieces())  # the e-book too
    assert data["pieces"][0]["kind"] == "ebook"
    for entry in data["pieces"]:
        assert set(entry) >= {"kind", "index", "title", "words", "reading_ease", "flags"}
        assert entry["words"] > 0
        assert entry["reading_formula"] == "kandel_moles"
    assert data["rules"][0] == {
        "piece": "package",
        "rule": "articles_5_to_6",
        "passed": True,
        "detail": str(len(fr_package.articles)),
    }


def test_coverage_counts_what_the_package_uses_and_lists_what_it_misses(
    fr: Handmade, fr_package: ContentPackage
) -> None:
    result = report(fr.source_text, fr.analysis, fr_package)
    assert result.coverage["quotes"] == 1.0
    assert result.coverage["statistics"] == 1.0
    assert result.coverage["keyphrases"] == 1.0
    assert 0 < result.coverage["outside_ebook"]["statistics"] <= 1.0
    analysis = replace(fr.analysis, keyphrases=[*fr.analysis.keyphrases[:3], "licorne"])
    result = report(fr.source_text, analysis, fr_package)
    assert result.coverage["keyphrases"] == 0.75
    assert result.coverage["missing"]["keyphrases"] == ["licorne"]


def test_a_source_document_can_be_given_instead_of_its_text(
    fr: Handmade, fr_package: ContentPackage
) -> None:
    from propulse.content.document import Block, SourceDocument

    document = SourceDocument(
        title=fr.analysis.title,
        language="fr",
        detected_language="fr",
        format="md",
        blocks=[Block("paragraph", part) for part in fr.source_text.split("\n\n")],
        word_count=fr.analysis.word_count,
    )
    result = report(document, fr.analysis, fr_package)
    assert result.faithfulness["score"] == 1.0


# Broken pieces are flagged, never hidden


def test_an_invented_number_is_unfaithful_and_flags_its_piece(
    fr: Handmade, broken: ContentPackage
) -> None:
    post = broken.posts[1]
    post.body = post.body.replace("\n\n", "\n\nEt 73 % des équipes le confirment.\n\n", 1)
    result = report(fr.source_text, fr.analysis, broken)
    assert result.faithfulness["score"] < 1.0
    assert {"piece": "linkedin 2", "kind": "number", "value": 73.0} in result.faithfulness[
        "unfaithful"
    ]
    assert "unfaithful" in flags(result, "linkedin", 2)


def test_numbers_are_compared_after_normalising_their_format(
    fr: Handmade, broken: ContentPackage
) -> None:
    email = broken.emails[1]
    # The source writes "30 000 à 40 000" and "42 %": these are the same numbers.
    email.body += "\n\nDe 30000 à 40000 contacts, et 42% d'ouverture."
    result = report(fr.source_text, fr.analysis, broken)
    assert result.faithfulness["score"] == 1.0


def test_an_invented_quotation_is_unfaithful(fr: Handmade, broken: ContentPackage) -> None:
    article = broken.articles[0]
    article.body = article.body.replace(
        "\n\n", "\n\n« Le nurturing est mort », a dit Claire Martin.\n\n", 1
    )
    result = report(fr.source_text, fr.analysis, broken)
    assert {"piece": "article 1", "kind": "quote", "text": "Le nurturing est mort"} in (
        result.faithfulness["unfaithful"]
    )
    assert "unfaithful" in flags(result, "article", 1)


def test_links_hashtags_time_codes_and_list_numbers_are_not_content(
    en: Handmade, en_package: ContentPackage
) -> None:
    package = copy.deepcopy(en_package)
    post = package.posts[0]
    post.body += "\n\n1. See https://example.com/2099/report at 00:14:59 #Top100"
    result = report(en.source_text, en.analysis, package)
    assert result.faithfulness["score"] == 1.0


def test_a_title_of_eighty_characters_breaks_the_title_rule(
    fr: Handmade, broken: ContentPackage
) -> None:
    broken.articles[1].title = "Segmenter " * 8
    result = report(fr.source_text, fr.analysis, broken)
    assert ("article 2", "title_max_60") in failed(result)
    assert flags(result, "article", 2) == ["title_max_60"]
    assert len(result.pieces) == 1 + len(broken.pieces())  # still listed


def test_every_hard_rule_is_checked_on_its_piece(fr: Handmade, broken: ContentPackage) -> None:
    broken.articles[0].meta["meta_description"] = "x" * 160
    broken.articles[2].body = broken.articles[2].body.replace("## ", "")
    broken.articles[3].meta["slug"] = broken.articles[2].meta["slug"]
    broken.posts[0].body = "H" * 220 + "\n\n" + broken.posts[0].body
    broken.posts[1].meta["hashtags"] = ["#Orbiteo", "#Nurturing"]
    broken.posts[2].body += "\n\n" + "z" * 3000
    broken.emails[0].meta["subject"] = (
        "Un objet bien trop long pour tenir dans une boîte de réception"
    )
    broken.emails[1].body += "\n\n[Réserver une démo](https://orbiteo.example/demo)"
    broken.emails[2].meta["delay_days"] = 1
    quoting = [post for post in broken.posts if post.meta["quote"]]
    quoting[1].meta["quote"] = quoting[0].meta["quote"]
    result = report(fr.source_text, fr.analysis, broken)
    assert {
        ("article 1", "meta_description_max_155"),
        ("article 3", "h2_2_to_4"),
        ("article 4", "slug_unique"),
        ("linkedin 1", "hook_within_210"),
        ("linkedin 2", "hashtags_3_to_5"),
        ("linkedin 3", "post_max_3000"),
        ("email 1", "subject_max_60"),
        ("email 2", "one_cta"),
        ("email 3", "delay_increasing"),
        (f"linkedin {quoting[1].index}", "quote_not_reused"),
    } <= failed(result)
    assert "quote_not_reused" in flags(result, "linkedin", quoting[1].index)


def test_counts_outside_the_announced_ranges_fail_the_package(
    fr: Handmade, broken: ContentPackage
) -> None:
    broken.articles = broken.articles[:4]
    broken.posts = broken.posts[:7]
    broken.emails = broken.emails[:3]
    broken.ebook.chapters = []
    result = report(fr.source_text, fr.analysis, broken)
    assert {
        ("package", "articles_5_to_6"),
        ("package", "linkedin_8_to_12"),
        ("package", "emails_4_to_6"),
        ("ebook", "ebook_chapters_min_1"),
    } <= failed(result)
    assert flags(result, "ebook", 1) == ["ebook_chapters_min_1"]


def test_video_posts_need_valid_time_codes(en: Handmade, en_package: ContentPackage) -> None:
    package = copy.deepcopy(en_package)
    video = next(post for post in package.posts if post.meta["post_kind"] == "video")
    video.meta["end"] = "0:40"
    result = report(en.source_text, en.analysis, package)
    assert (f"linkedin {video.index}", "video_timecodes") in failed(result)


# Duplication


def test_a_paragraph_copied_into_another_article_is_duplication(
    fr: Handmade, broken: ContentPackage
) -> None:
    copied = broken.articles[0].body.split("\n\n")[2]
    assert len(copied.split()) > 50
    broken.articles[1].body += "\n\n" + copied
    result = report(fr.source_text, fr.analysis, broken)
    (pair,) = result.duplication["pairs"]
    assert (pair["a"], pair["b"]) == ("article 1", "article 2")
    assert pair["overlap"] >= result.duplication["threshold_same_kind"]
    assert result.duplication["max_overlap_same_kind"] == pair["overlap"]
    assert "duplication" in flags(result, "article", 1)
    assert "duplication" in flags(result, "article", 2)


def test_a_post_copied_word_for_word_is_duplication_even_across_kinds(
    fr: Handmade, broken: ContentPackage
) -> None:
    broken.emails[3].body = broken.posts[1].body
    result = report(fr.source_text, fr.analysis, broken)
    assert {"a": "linkedin 2", "b": "email 4"}.items() <= result.duplication["pairs"][0].items()


# Reading ease


def test_syllables_are_counted_per_language() -> None:
    assert [syllables(word, "en") for word in ("cat", "table", "make", "marketing")] == [
        1,
        2,
        1,
        3,
    ]
    assert [syllables(word, "fr") for word in ("marque", "chiffres", "entreprise", "année")] == [
        1,
        1,
        3,
        2,
    ]
    assert syllables("l'objectif", "fr") == 3


def test_reading_ease_is_higher_for_plain_short_sentences() -> None:
    plain_en = "We send one e-mail. It has one idea. People read it."
    dense_en = (
        "Comprehensive organisational transformation initiatives necessitate considerable"
        " interdepartmental coordination capabilities."
    )
    assert reading_ease(plain_en, "en") > 80 > reading_ease(dense_en, "en")
    plain_fr = "On envoie un mail. Il a une idée. Les gens le lisent."
    dense_fr = (
        "Les transformations organisationnelles particulièrement ambitieuses nécessitent"
        " une coordination interdépartementale considérable."
    )
    assert reading_ease(plain_fr, "fr") > reading_ease(dense_fr, "fr")


def test_a_custom_number_normaliser_can_be_given(fr: Handmade, fr_package: ContentPackage) -> None:
    result = report(fr.source_text, fr.analysis, fr_package, normalise_numbers=lambda _: [])
    assert result.faithfulness["numbers_checked"] == 0
    assert result.faithfulness["score"] == 1.0
