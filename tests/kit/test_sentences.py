"""Sentence splitting of French and English scripts, and of captions without punctuation."""

from __future__ import annotations

import pytest

from propulse.kit.sentences import is_unpunctuated, split_sentences, split_unpunctuated


@pytest.mark.parametrize(
    ("language", "text", "sentences"),
    [
        (
            "fr",
            "Elle a conclu : « C'est la clé. » Puis elle a ouvert les questions.",
            ["Elle a conclu : « C'est la clé. »", "Puis elle a ouvert les questions."],
        ),
        (
            "fr",
            "« Pourquoi recycler ? » demande-t-il. « Parce que ça marche ! » Voilà.",
            ["« Pourquoi recycler ? » demande-t-il.", "« Parce que ça marche ! »", "Voilà."],
        ),
        (
            "fr",
            "« Un webinaire est une matière première », dit-elle. Ensuite elle détaille.",
            ["« Un webinaire est une matière première », dit-elle.", "Ensuite elle détaille."],
        ),
        (
            "en",
            "She said “We grew 40%. Then we doubled.” Next question.",
            ["She said “We grew 40%. Then we doubled.”", "Next question."],
        ),
        (
            "en",
            'The CMO put it simply: "Recycle everything." We agreed.',
            ['The CMO put it simply: "Recycle everything."', "We agreed."],
        ),
    ],
)
def test_quotations_end_after_their_closing_mark(language, text, sentences):
    assert split_sentences(text, language) == sentences


def test_english_abbreviations_do_not_end_sentences():
    text = (
        "Mr. Smith and Dr. Jones met at Acme Inc. on Monday. Channels, e.g. webinars, i.e. "
        "live sessions, cost approx. 3 hours vs. 10 before. They run in the U.S. Army and "
        "in Europe, etc. Then the team moved on. Meetings start at 9 a.m. The room was full."
    )
    assert split_sentences(text, "en") == [
        "Mr. Smith and Dr. Jones met at Acme Inc. on Monday.",
        "Channels, e.g. webinars, i.e. live sessions, cost approx. 3 hours vs. 10 before.",
        "They run in the U.S. Army and in Europe, etc.",
        "Then the team moved on.",
        "Meetings start at 9 a.m.",
        "The room was full.",
    ]


def test_french_abbreviations_do_not_end_sentences():
    text = (
        "M. Dupont et Mme Martin ont invité le Dr Lefèvre. Les canaux, p. ex. les "
        "webinaires, c.-à-d. les sessions en direct, coûtent env. 3 heures, cf. "
        "l'annexe n° 2 et l'art. 4 du contrat. On compte les salons, les e-mails, etc. "
        "Ensuite vient le nurturing."
    )
    assert split_sentences(text, "fr") == [
        "M. Dupont et Mme Martin ont invité le Dr Lefèvre.",
        "Les canaux, p. ex. les webinaires, c.-à-d. les sessions en direct, coûtent env. "
        "3 heures, cf. l'annexe n° 2 et l'art. 4 du contrat.",
        "On compte les salons, les e-mails, etc.",
        "Ensuite vient le nurturing.",
    ]


def test_numbers_with_decimal_separators_and_thousands_stay_whole():
    text = (
        "Le taux passe à 12,5 % en 2024. La base compte 40 000 contacts, puis 40\u202f000 "
        "en Espagne. The rate is 3.5 times higher. It costs 1 200,50 € per year."
    )
    assert split_sentences(text, "fr") == [
        "Le taux passe à 12,5 % en 2024.",
        "La base compte 40 000 contacts, puis 40\u202f000 en Espagne.",
        "The rate is 3.5 times higher.",
        "It costs 1 200,50 € per year.",
    ]


def test_initials_stay_with_their_name():
    text = "J. K. Rowling spoke first. Then J.-C. Decaux answered. Le plan B. Ensuite le C."
    assert split_sentences(text, "fr") == [
        "J. K. Rowling spoke first.",
        "Then J.-C. Decaux answered.",
        "Le plan B.",
        "Ensuite le C.",
    ]


def test_ellipses_end_a_sentence_only_before_a_capital():
    text = "Et puis… on verra. Nous avons attendu… Le résultat est arrivé. Wait... what? Yes..."
    assert split_sentences(text, "fr") == [
        "Et puis… on verra.",
        "Nous avons attendu…",
        "Le résultat est arrivé.",
        "Wait... what?",
        "Yes...",
    ]


def test_question_and_exclamation_marks_including_combined():
    text = "Vraiment ?! Oui ! Et vous ? Is it true?! Absolutely!"
    assert split_sentences(text, "fr") == [
        "Vraiment ?!",
        "Oui !",
        "Et vous ?",
        "Is it true?!",
        "Absolutely!",
    ]


def test_urls_and_email_addresses_are_not_cut():
    text = (
        "Écrivez à jean.dupont@exemple.fr pour le replay. Le lien est "
        "https://www.propulse.io/webinaires?id=12&lang=fr. Visit example.com. Thanks!"
    )
    assert split_sentences(text, "fr") == [
        "Écrivez à jean.dupont@exemple.fr pour le replay.",
        "Le lien est https://www.propulse.io/webinaires?id=12&lang=fr.",
        "Visit example.com.",
        "Thanks!",
    ]


def test_list_items_are_sentences_without_their_markers():
    text = (
        "Trois étapes comptent :\n"
        "1. Cibler les comptes.\n"
        "2. Mesurer les résultats\n"
        "- Recommencer chaque trimestre\n"
        "C'est tout. 1. First point. 2. Second point."
    )
    assert split_sentences(text, "fr") == [
        "Trois étapes comptent :",
        "Cibler les comptes.",
        "Mesurer les résultats",
        "Recommencer chaque trimestre C'est tout.",
        "First point.",
        "Second point.",
    ]


def test_line_breaks_join_inside_a_paragraph_and_blank_lines_separate():
    text = "The script is wrapped\nacross two lines. And this one\ntoo\n\nA new paragraph"
    assert split_sentences(text, "en") == [
        "The script is wrapped across two lines.",
        "And this one too",
        "A new paragraph",
    ]


def test_no_words_are_lost_or_reordered():
    paragraph = (
        "Le recyclage de contenu, c.-à-d. transformer un webinaire, rapporte 12,5 % de leads "
        "en plus. « C'est la clé. » Puis M. Dupont conclut… Merci ! Des questions ?"
    )
    text = "\n\n".join([paragraph] * 20)
    sentences = split_sentences(text, "fr")
    assert " ".join(sentences).split() == text.split()
    assert len(sentences) == 5 * 20


def test_empty_text_gives_no_sentence():
    assert split_sentences("", "en") == []
    assert split_sentences(" \n\n \n", "fr") == []


def test_is_unpunctuated_counts_marks_per_forty_words():
    captions = " ".join(["so we write a script and then we turn it into an ebook"] * 6)
    assert is_unpunctuated(captions)
    assert not is_unpunctuated("We write a script. Then we turn it into an e-book.")
    assert not is_unpunctuated("")


def _timed(text: str, pauses: dict[int, float]) -> list[tuple[str, float | None, float | None]]:
    """Give each word 0.3 s, 0.05 s apart, plus a longer pause after the listed indexes."""
    words, clock = [], 0.0
    for index, word in enumerate(text.split()):
        words.append((word, round(clock, 2), round(clock + 0.3, 2)))
        clock += 0.35 + pauses.get(index, 0.0)
    return words


def test_unpunctuated_words_are_cut_at_long_pauses_with_their_times():
    text = (
        "today we are going to talk about content recycling and why it matters for our "
        "marketing team every webinar is raw material and not a finished product we write "
        "eight to ten pages of script for each session"
    )
    words = _timed(text, {16: 1.2, 26: 1.0})
    sentences = split_unpunctuated(words, "en")
    assert [sentence for sentence, _, _ in sentences] == [
        "Today we are going to talk about content recycling and why it matters for our "
        "marketing team.",
        "Every webinar is raw material and not a finished product.",
        "We write eight to ten pages of script for each session.",
    ]
    # Each sentence starts with its first word and ends with its last.
    assert [(start, end) for _, start, end in sentences] == [
        (words[0][1], words[16][2]),
        (words[17][1], words[26][2]),
        (words[27][1], words[-1][2]),
    ]


def test_unpunctuated_cues_are_cut_before_french_discourse_markers():
    text = (
        "alors aujourd'hui on va parler du recyclage de contenu pour les équipes marketing "
        "en fait chaque webinaire est une matière première et pas un produit fini du coup "
        "on écrit un script de huit à dix pages pour chaque session deuxième chose on en "
        "tire un livre blanc de quinze à vingt pages"
    )
    tokens = text.split()
    cues = [
        (" ".join(tokens[i : i + 6]), i * 0.4, i * 0.4 + 2.35) for i in range(0, len(tokens), 6)
    ]
    sentences = split_unpunctuated(cues, "fr")
    texts = [sentence for sentence, _, _ in sentences]
    assert texts[0].startswith("Alors aujourd'hui")
    assert any(sentence.startswith("En fait chaque webinaire") for sentence in texts)
    assert any(sentence.startswith("Du coup on écrit") for sentence in texts)
    assert texts[-1].startswith("Deuxième chose")
    assert all(sentence.endswith(".") for sentence in texts)
    assert sentences[0][1] == 0.0
    assert sentences[-1][2] == cues[-1][2]
    starts = [start for _, start, _ in sentences]
    assert starts == sorted(starts)


def test_unpunctuated_sentences_never_exceed_the_maximum_and_keep_every_word():
    words = [(word, None, None) for word in ("we keep talking about the market " * 50).split()]
    sentences = split_unpunctuated(words, "en", target_words=18, max_words=35)
    assert all(len(sentence.split()) <= 35 for sentence, _, _ in sentences)
    assert all(start is None and end is None for _, start, end in sentences)
    rebuilt = " ".join(sentence for sentence, _, _ in sentences).lower().replace(".", "")
    assert rebuilt.split() == [word for word, _, _ in words]


def test_unpunctuated_english_gets_a_capital_i_and_no_fragment_for_empty_input():
    sentences = split_unpunctuated([("i think i'm ready so let's go", 1.0, 3.0)], "en")
    assert sentences == [("I think I'm ready so let's go.", 1.0, 3.0)]
    assert split_unpunctuated([], "en") == []
