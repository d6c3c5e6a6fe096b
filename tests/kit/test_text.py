"""Text helpers: accents, apostrophes, French elisions, stop words, stems, language."""

from __future__ import annotations

import pytest

from propulse.kit.text import (
    STOP_WORDS_EN,
    STOP_WORDS_FR,
    detect_language,
    normalise,
    stem,
    strip_accents,
    tokenise,
)


def test_strip_accents_drops_marks_and_keeps_case():
    assert strip_accents("Événement à Noël, façade, Ça") == "Evenement a Noel, facade, Ca"


def test_normalise_lowercases_strips_accents_and_unifies_apostrophes():
    assert normalise("L’Objectif d‘Été `OK`") == "l'objectif d'ete 'ok'"
    assert normalise("Œuvre") == "oeuvre"


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("l'objectif", ["objectif"]),
        ("chiffre d'affaires", ["chiffre", "affaires"]),
        ("qu'il", ["il"]),
        ("L’événement jusqu'au bout", ["événement", "au", "bout"]),
        ("the customer's e-mail", ["the", "customer", "email"]),
        ("mid-market, e-book", ["mid", "market", "ebook"]),
        ("a B2B plan in 2025 : x", ["B2B", "plan", "in", "2025"]),
    ],
)
def test_tokenise_splits_words_and_french_elisions(text, tokens):
    assert tokenise(text) == tokens


def test_tokenise_keeps_the_words_as_written():
    assert tokenise("Webinaires SEO à Lyon") == ["Webinaires", "SEO", "Lyon"]


def test_tokenise_empty_and_punctuation_only():
    assert tokenise("") == []
    assert tokenise(" ?!… -- ' ") == []


@pytest.mark.parametrize(
    "word", ["the", "and", "we", "want", "need", "could", "please", "thanks", "idea", "would"]
)
def test_english_stop_words_cover_grammar_and_request_filler(word):
    assert word in STOP_WORDS_EN


@pytest.mark.parametrize(
    "word",
    ["les", "des", "nous", "veut", "faudrait", "pourrait", "merci", "svp", "idee", "etre"],
)
def test_french_stop_words_cover_grammar_and_request_filler(word):
    assert word in STOP_WORDS_FR


def test_stop_words_are_normalised_so_they_match_normalised_tokens():
    for word in STOP_WORDS_EN | STOP_WORDS_FR:
        assert word == normalise(word)


@pytest.mark.parametrize(
    "word", ["webinar", "salon", "client", "partenariat", "lead", "account", "seo"]
)
def test_stop_words_leave_topic_words_alone(word):
    assert word not in STOP_WORDS_EN | STOP_WORDS_FR


@pytest.mark.parametrize(
    "variants",
    [
        ("webinars", "webinar"),
        ("webinaires", "webinaire"),
        ("salons", "salon"),
        ("clients", "client", "clientes"),
        ("partenariats", "partenariat"),
        ("événements", "évènement"),
        ("strategy", "strategies", "stratégie", "stratégies"),
        ("scoring", "score", "scores", "scored"),
        ("nurturing", "nurture"),
        ("planning", "plan", "planned"),
        ("généré", "générée"),
        ("canaux", "canal"),
        ("réseaux", "réseau"),
    ],
)
def test_stem_conflates_plural_and_common_variants(variants):
    assert len({stem(normalise(word)) for word in variants}) == 1


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("marketing", "marketing"),  # a noun, not "to market"
        ("business", "business"),  # -ss is not a plural
        ("status", "status"),  # nor is -us
        ("analysis", "analysis"),  # nor -is
        ("need", "need"),  # -eed is not a past tense
        ("thing", "thing"),  # no stem left before -ing
        ("seo", "seo"),  # short words stay whole
        ("abm", "abm"),
    ],
)
def test_stem_leaves_words_whose_ending_is_not_an_inflection(word, expected):
    assert stem(word) == expected


def test_stem_is_idempotent_on_its_own_output_for_common_words():
    for word in ["webinars", "salons", "clients", "événements", "stratégies"]:
        once = stem(normalise(word))
        assert stem(once) == once


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Il faudrait un salon pour les clients de la région", "fr"),
        ("Pourriez-vous regarder ça ? Merci", "fr"),
        ("We need a booth at the trade fair in Munich", "en"),
        ("Can you look at this, please?", "en"),
        ("", "en"),
        ("SEO ABM DACH", "en"),  # no stop word either way: a tie
    ],
)
def test_detect_language_from_stop_words(text, language):
    assert detect_language(text) == language
