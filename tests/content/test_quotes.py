"""Quotes: explicit quotations first, exact text, speakers, and statements that stand alone."""

from __future__ import annotations

import pytest

from propulse.content.quotes import (
    Candidate,
    find_quotations,
    opens_with_reference,
    rank_quotes,
    statement_score,
)

NBSP = "\u00a0"


def candidate(text: str, weight: float = 1.0, statistic: bool = False, **times) -> Candidate:
    return Candidate(text, 0, keyphrase_weight=weight, has_statistic=statistic, **times)


@pytest.mark.parametrize(
    ("text", "quotation", "speaker"),
    [
        (
            f"Comme le dit Claire, «{NBSP}Un webinar n'est pas un produit fini, c'est de la "
            f"matière première.{NBSP}»",
            "Un webinar n'est pas un produit fini, c'est de la matière première.",
            "Claire",
        ),
        (
            "« Si tout est prioritaire, plus rien ne l'est », explique Thomas Girard.",
            "Si tout est prioritaire, plus rien ne l'est",
            "Thomas Girard",
        ),
        (
            "Claire Martin : « Un junior seul sur un canal, c'est une dette à rembourser. »",
            "Un junior seul sur un canal, c'est une dette à rembourser.",
            "Claire Martin",
        ),
        (
            "As Marie says, “A tool without an owner is just a monthly invoice.”",
            "A tool without an owner is just a monthly invoice.",
            "Marie",
        ),
        (
            'Julien Petit, who runs our operations, has a sentence for this: "Every layer of '
            'complexity has to be earned."',
            "Every layer of complexity has to be earned.",
            "Julien Petit",
        ),
        (
            "“Your emails sounded like a lawyer wrote them,” said our German intern.",
            "Your emails sounded like a lawyer wrote them,",
            "our German intern",
        ),
        (
            "We often repeat “prove it with deals before you prove it with slides.”",
            "prove it with deals before you prove it with slides.",
            None,
        ),
    ],
)
def test_quotations_are_found_without_their_marks_with_their_speaker(text, quotation, speaker):
    found = find_quotations(text)
    assert [(q.text, q.speaker) for q in found] == [(quotation, speaker)]
    assert text[found[0].start : found[0].end] == quotation


def test_quotations_shorter_than_six_or_longer_than_sixty_words_are_ignored():
    long_quote = " ".join(["mot"] * 61)
    text = f"On parle de « tapis roulant » et de « {long_quote} » ici."
    assert find_quotations(text) == []


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("This is why we rebuilt the whole nurturing sequence around sectors.", "en"),
        ("It took us six months to understand what the sales team needed.", "en"),
        ("They never read the newsletter until we changed the subject line.", "en"),
        ("But the real cost of a tool is never the subscription itself.", "en"),
        ("So the team stopped saying yes to every request from the board.", "en"),
        ("C'est pourquoi nous avons reconstruit toute la séquence de nurturing.", "fr"),
        ("Cela nous a pris six mois pour comprendre le besoin des commerciaux.", "fr"),
        ("Ils ne lisaient jamais la newsletter avant le changement d'objet.", "fr"),
        ("Mais le vrai coût d'un outil n'est jamais son abonnement.", "fr"),
        ("Donc l'équipe a arrêté de dire oui à toutes les demandes du comité.", "fr"),
    ],
)
def test_sentences_opening_on_a_reference_are_refused(sentence, language):
    assert opens_with_reference(sentence, language)
    assert statement_score(candidate(sentence), language) is None


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("The real cost of a tool is never the subscription, it is the time nobody has.", "en"),
        ("Il faut publier chaque semaine, même quand personne ne semble lire.", "fr"),
        ("L'erreur classique consiste à recruter un junior seul sur un canal entier.", "fr"),
    ],
)
def test_self_contained_assertions_are_accepted(sentence, language):
    assert not opens_with_reference(sentence, language)
    assert statement_score(candidate(sentence), language) is not None


@pytest.mark.parametrize(
    "sentence",
    [
        "Why would a finance director read a newsletter about spend management every month?",
        "Webinars work.",  # too short
        " ".join(["Webinars work well for teams that prepare them carefully"] * 5) + ".",
    ],
)
def test_questions_and_sentences_of_the_wrong_length_are_refused(sentence):
    assert statement_score(candidate(sentence), "en") is None


def test_a_statement_needs_a_keyphrase_a_statistic_or_an_advice():
    plain = "The meeting room on the third floor was booked for the whole afternoon."
    assert statement_score(candidate(plain, weight=0.0), "en") is None
    assert statement_score(candidate(plain, weight=0.0, statistic=True), "en") is not None
    advice = "You have to book the meeting room on the third floor for the whole afternoon."
    assert statement_score(candidate(advice, weight=0.0), "en") is not None


def test_advice_markers_raise_the_score():
    plain = "A scoring model is a conversation between marketing and sales written in numbers."
    advice = "The key is that a scoring model is a conversation between marketing and sales."
    plain_score = statement_score(candidate(plain), "en")
    advice_score = statement_score(candidate(advice), "en")
    assert plain_score is not None
    assert advice_score is not None
    assert advice_score > plain_score


def test_explicit_quotations_come_first_and_keep_the_exact_text():
    statement = "The key is never the tool itself, it is the person who owns the tool every day."
    quoted = 'Julien puts it simply: "A tool without an owner is just a monthly invoice."'
    quotes = rank_quotes([candidate(statement, weight=2.0), candidate(quoted, weight=0.0)], "en")
    assert [quote.explicit for quote in quotes] == [True, False]
    assert quotes[0].text == "A tool without an owner is just a monthly invoice."
    assert quotes[0].speaker == "Julien"
    assert quotes[1].text == statement
    assert quotes[1].score > quotes[0].score  # explicit first even when scored lower


def test_statements_are_ranked_best_first_and_capped():
    sentences = [
        f"Our team published {count} articles about spend management for finance directors."
        for count in range(10, 40)
    ]
    quotes = rank_quotes([candidate(text, statistic=True) for text in sentences], "en", limit=25)
    assert len(quotes) == 25
    assert [quote.score for quote in quotes] == sorted(
        (quote.score for quote in quotes), reverse=True
    )


def test_spoken_sentences_drop_their_opening_connective_but_stay_exact():
    spoken = "So now the key is to publish every week even when nobody seems to read anything."
    quotes = rank_quotes([candidate(spoken, start=12.0, end=18.0)], "en")
    assert [quote.text for quote in quotes] == [
        "the key is to publish every week even when nobody seems to read anything."
    ]
    assert quotes[0].text in spoken
    assert (quotes[0].start, quotes[0].end) == (12.0, 18.0)
