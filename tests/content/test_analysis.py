"""The analysis of a source: sentences, sections, keyphrases, quotes, statistics, excerpts."""

from __future__ import annotations

from itertools import pairwise

from propulse.content.analysis import analyse, extract_keyphrases
from propulse.content.document import Block, Language, SourceDocument
from propulse.content.segments import (
    Part,
    merge_short,
    phrase_key,
    section_headings,
    title_from_keyphrases,
)
from propulse.kit.text import STOP_WORDS_EN, normalise, tokenise

# Four clearly different topics of a marketing talk, two paragraphs each, twelve sentences
# per topic: search engine optimisation, trade shows, hiring, pricing.
SEO = [
    "Search engine optimisation starts with the questions your buyers type into Google. "
    "We list those queries with the sales team, then group them by intent and by search "
    "volume. Each group gets one pillar page and a handful of supporting blog posts. "
    "Internal links connect the supporting posts to the pillar page so that search engines "
    "understand the structure. Page speed matters too, because a slow page loses rankings "
    "and visitors at the same time. We check the loading time of every template before it "
    "goes live.",
    "Keywords with a small search volume are often the best ones for a B2B company. A query "
    "typed by forty finance directors a month can bring more revenue than a generic term. "
    "Rankings take time: a new page usually needs 3 to 6 months to reach the first page of "
    "results. Backlinks from industry media and partner websites speed this up considerably. "
    "We track positions weekly and rewrite the pages that slip below the tenth result. "
    "Organic search now brings 40% of our demo requests.",
]
TRADE_SHOWS = [
    "Trade shows remain expensive, so every booth has to earn its place in the budget. "
    "Before the event, our sales reps book meetings with prospects who confirmed their "
    "attendance. The booth itself is small: a screen, a counter, two chairs and a coffee "
    "machine. Visitors stop for the coffee and stay for a short demo on the screen. Each "
    "conversation is logged on a tablet with the badge scan and a note from the rep. The "
    "exhibition hall is loud, so we keep every booth demo under five minutes.",
    "After the show, the follow-up decides whether the money was wasted. Every booth visitor "
    "receives a personal message within two days, not a generic newsletter. Hot contacts get "
    "a call from the rep who met them at the booth. We compare the cost of the stand, the "
    "travel and the hotel with the pipeline created in the following quarter. Some fairs paid "
    "back 5x their cost, others never produced a single deal. We stopped exhibiting at the "
    "trade shows that failed twice in a row.",
]
HIRING = [
    "Recruiting marketers is the hardest part of growing the team. We write job descriptions "
    "around outcomes rather than around lists of tools. Candidates complete a short paid "
    "assignment that looks like real work: a landing page, an email or a campaign brief. The "
    "hiring manager reviews the assignment with a colleague, using a grid agreed before "
    "reading it. Interviews then focus on how the candidate reasoned, not on the final polish. "
    "References are called for every finalist, without exception.",
    "Onboarding starts before the first day with a welcome pack and a reading list. New hires "
    "spend their first week shadowing sales calls and customer success meetings. By the end "
    "of the first month, each recruit owns one small project from start to finish. Managers "
    "hold a weekly one-to-one with every newcomer during the probation period. Salaries "
    "follow a public grid, so two people in the same role earn the same amount. Since we "
    "changed the hiring process, 9 out of 10 recruits stayed more than two years.",
]
PRICING = [
    "Pricing is a marketing decision as much as a finance one. Our plans are priced per user, "
    "with a discount for annual billing. We tested three price points on the pricing page "
    "with different visitors and measured conversion on each. The middle plan carries most of "
    "the revenue, so it gets the strongest position on the pricing page. Enterprise customers "
    "negotiate custom contracts with volume discounts and dedicated support. Every price "
    "change is announced to existing customers two months in advance.",
    "Discounts are the quiet enemy of margin. Sales reps may grant up to 15% without approval, "
    "and anything larger goes to the finance director. We publish prices openly because "
    "buyers hate having to book a call to learn the cost. Free trials last fourteen days and "
    "convert better than the old freemium plan ever did. Churn is lowest on annual contracts "
    "paid upfront by invoice. The renewal price never rises more than inflation plus two "
    "points.",
]
TOPICS_EN = [SEO, TRADE_SHOWS, HIRING, PRICING]

NEWSLETTER = [
    "La newsletter mensuelle reste notre canal le plus rentable. Elle part le premier mardi "
    "du mois, à huit heures, vers toute la base de contacts. Chaque numéro contient un "
    "article de fond, une étude de cas client et une invitation au prochain webinar. L'objet "
    "du message est testé sur deux versions auprès d'un petit échantillon avant l'envoi "
    "complet. Le taux d'ouverture de la newsletter tourne autour de 35 %, et le taux de clic "
    "dépasse souvent 4 %. Les désinscriptions restent faibles tant que le contenu reste utile.",
    "Nous nettoyons la liste d'abonnés tous les trimestres. Les adresses inactives depuis un "
    "an reçoivent un dernier message avant d'être retirées. La délivrabilité s'améliore "
    "nettement quand la base d'abonnés est propre. Chaque lien de la newsletter est suivi, ce "
    "qui montre aux commerciaux quels sujets intéressent leurs comptes. Un abonné qui clique "
    "trois fois dans le mois est signalé à son commercial. La rédaction d'un numéro de la "
    "newsletter prend environ deux jours à une personne.",
]
LINKEDIN = [
    "Sur LinkedIn, les profils des salariés portent bien plus loin que la page de "
    "l'entreprise. Nous formons donc les commerciaux à publier eux-mêmes, une fois par "
    "semaine. Un atelier d'une heure suffit pour apprendre à écrire une accroche et à raconter "
    "une anecdote client. Les publications les plus lues sur LinkedIn partagent une erreur "
    "commise et la leçon qui a suivi. Les vidéos courtes, filmées au téléphone, obtiennent "
    "plus de commentaires que les visuels soignés. Les hashtags comptent peu, la régularité "
    "des publications compte beaucoup.",
    "Le social selling demande aussi d'écouter avant de parler. Les commerciaux suivent les "
    "décideurs de leurs comptes cibles et commentent leurs publications. Une demande de "
    "connexion personnalisée est acceptée deux fois plus souvent qu'une invitation vide. Les "
    "messages privés ne contiennent jamais de proposition commerciale au premier contact. Au "
    "bout de 6 mois, les commerciaux les plus actifs sur LinkedIn obtenaient deux fois plus "
    "de rendez-vous. La direction publie elle aussi, ce qui encourage toute l'équipe.",
]
WEBSITE = [
    "Le site web est notre vitrine et notre premier commercial. La page d'accueil du site "
    "explique en une phrase ce que fait le produit et pour qui. Chaque page produit se termine "
    "par un formulaire de demande de démo limité à quatre champs. Nous avons supprimé le champ "
    "du numéro de téléphone, et les conversions du formulaire ont augmenté de 20 %. Les "
    "témoignages clients, avec photo et nom de l'entreprise, rassurent les visiteurs "
    "hésitants. Le temps de chargement du site est mesuré chaque semaine sur mobile.",
    "Les tests A/B guident les changements du site plutôt que les opinions. Un test dure au "
    "moins trois semaines pour éviter les conclusions hâtives. La couleur d'un bouton change "
    "rarement quelque chose, le texte de l'offre beaucoup plus. Les visiteurs qui consultent "
    "la page tarifs sont relancés par une publicité ciblée pendant quinze jours. Le chat en "
    "ligne répond aux questions des visiteurs pendant les heures de bureau. Toutes ces "
    "données alimentent un tableau de bord partagé avec les ventes.",
]
CONFERENCE = [
    "Notre conférence utilisateurs réunit chaque année nos clients à Lyon. Le programme de la "
    "conférence donne la parole aux clients plutôt qu'à nos propres équipes. Les inscriptions "
    "ouvrent quatre mois avant la date, avec un tarif réduit pour les premiers inscrits. Le "
    "lieu, le traiteur et la captation vidéo représentent l'essentiel du budget de "
    "l'événement. Les ateliers pratiques de l'après-midi sont toujours complets en quelques "
    "jours. Le soir, un dîner permet aux participants d'échanger entre eux sans la présence "
    "des commerciaux.",
    "Après la conférence, les vidéos des interventions alimentent le blog pendant des mois. "
    "Chaque participant reçoit un questionnaire de satisfaction le lendemain de l'événement. "
    "Les clients présents à la conférence renouvellent leur contrat plus souvent que les "
    "autres. Les partenaires financent une partie de l'événement en échange d'un stand et "
    "d'une prise de parole. L'organisation de la conférence mobilise 2 personnes à plein "
    "temps pendant un trimestre. Nous avons déjà réservé la salle pour l'an prochain.",
]
TOPICS_FR = [NEWSLETTER, LINKEDIN, WEBSITE, CONFERENCE]


def document(
    blocks: list[Block], language: Language = "en", title: str = "Growth marketing, live"
) -> SourceDocument:
    words = sum(len(block.text.split()) for block in blocks)
    return SourceDocument(title, language, language, "md", blocks, words)


def paragraphs(topics: list[list[str]]) -> list[Block]:
    return [Block("paragraph", text) for topic in topics for text in topic]


def cues(text: str, *, words_per_cue: int = 8, words_per_second: float = 2.5) -> list[Block]:
    """Cut a text into caption cues of a few words, spoken at a steady pace."""
    words = text.split()
    blocks = []
    for first in range(0, len(words), words_per_cue):
        chunk = words[first : first + words_per_cue]
        start = first / words_per_second
        blocks.append(
            Block("paragraph", " ".join(chunk), start=start, end=start + len(chunk) / 2.5)
        )
    return blocks


def starts_of_sections(analysis) -> list[int]:
    starts, position = [], 0
    for section in analysis.sections:
        starts.append(position)
        position += len(section.sentences)
    return starts


# --- Sentences and time codes ----------------------------------------------------------------


def test_paragraphs_are_split_into_sentences_in_order():
    analysis = analyse(document(paragraphs([SEO])))
    sentences = [s.text for section in analysis.sections for s in section.sentences]
    assert len(sentences) == 12
    assert sentences[0] == (
        "Search engine optimisation starts with the questions your buyers type into Google."
    )
    assert sentences[-1] == "Organic search now brings 40% of our demo requests."
    assert all(s.start is None and s.end is None for s in analysis.sections[0].sentences)


def test_a_cue_shares_its_time_among_its_sentences_and_a_sentence_spans_cues():
    blocks = [
        Block("paragraph", "Welcome to this session on trade shows.", start=0.0, end=3.0),
        Block(
            "paragraph", "Booths are expensive. Follow-up decides everything.", start=3.0, end=9.0
        ),
        Block("paragraph", "Every visitor receives a personal message", start=10.0, end=14.0),
        Block("paragraph", "within two days of the show.", start=14.5, end=18.0),
    ]
    analysis = analyse(document(blocks))
    timed = [(s.text, s.start, s.end) for section in analysis.sections for s in section.sentences]
    assert timed == [
        ("Welcome to this session on trade shows.", 0.0, 3.0),
        ("Booths are expensive.", 3.0, 6.0),
        ("Follow-up decides everything.", 6.0, 9.0),
        ("Every visitor receives a personal message within two days of the show.", 10.0, 18.0),
    ]


# --- Sections ----------------------------------------------------------------------------------


def test_sections_follow_the_headings_and_the_title_is_not_one():
    blocks = [
        Block("heading", "Growth marketing, live", level=1),
        Block("paragraph", "Welcome, everyone: here is what we learned in four years."),
        Block("heading", "Search engine optimisation", level=2),
        *paragraphs([SEO]),
        Block("heading", "Trade shows", level=2),
        *paragraphs([TRADE_SHOWS]),
        Block("heading", "Hiring marketers", level=2),
        *paragraphs([HIRING]),
    ]
    analysis = analyse(document(blocks))
    assert [s.title for s in analysis.sections] == [
        "Search engine optimisation",
        "Trade shows",
        "Hiring marketers",
    ]
    assert all(section.from_heading for section in analysis.sections)
    # The welcome before the first heading opens the first section.
    assert analysis.sections[0].sentences[0].text.startswith("Welcome, everyone")
    assert analysis.sections[1].sentences[0].text.startswith("Trade shows remain expensive")
    assert all(
        sentence.section == index
        for index, section in enumerate(analysis.sections)
        for sentence in section.sentences
    )
    assert analysis.title == "Growth marketing, live"
    assert analysis.language == "en"


def test_a_section_under_sixty_words_merges_into_its_neighbour():
    blocks = [
        Block("heading", "Search engine optimisation", level=2),
        *paragraphs([SEO]),
        Block("heading", "A word on tools", level=2),
        Block("paragraph", "We use one analytics tool and one rank tracker, nothing more."),
        Block("heading", "Trade shows", level=2),
        *paragraphs([TRADE_SHOWS]),
    ]
    analysis = analyse(document(blocks))
    assert [s.title for s in analysis.sections] == ["Search engine optimisation", "Trade shows"]
    merged = [s.text for section in analysis.sections for s in section.sentences]
    assert "We use one analytics tool and one rank tracker, nothing more." in merged


def test_section_headings_use_level_one_when_alone_but_never_the_title():
    blocks = [
        Block("heading", "Growth marketing, live", level=1),
        Block("heading", "Search", level=1),
        Block("paragraph", "..."),
        Block("heading", "Events", level=1),
        Block("heading", "Hiring", level=1),
    ]
    assert section_headings(blocks, "Growth marketing, live") == [1, 3, 4]
    chapters = [
        Block("heading", "Part one", level=2),
        Block("heading", "Search", level=3),
        Block("heading", "Events", level=3),
        Block("heading", "Part two", level=2),
        Block("heading", "Hiring", level=3),
    ]
    # Two parts are too few sections: their chapters cut the script too.
    assert section_headings(chapters, "Growth") == [0, 1, 2, 3, 4]


def test_merge_short_joins_the_shorter_neighbour_under_the_longer_heading():
    parts = [Part(0, 3, "Ninety words"), Part(3, 4, "Ten words"), Part(4, 6, "Eighty words")]
    words = [30, 30, 30, 10, 40, 40]
    assert merge_short(parts, words) == [Part(0, 3, "Ninety words"), Part(3, 6, "Eighty words")]


def test_four_topics_without_headings_are_cut_where_the_topic_changes():
    analysis = analyse(document(paragraphs(TOPICS_EN)))
    starts = starts_of_sections(analysis)
    assert len(starts) == 4
    for found, expected in zip(starts, [0, 12, 24, 36], strict=True):
        assert abs(found - expected) <= 1
    assert not any(section.from_heading for section in analysis.sections)
    for section in analysis.sections:
        assert 0 < len(section.title) <= 60
        assert section.title[0].isupper()


def test_four_french_topics_in_one_block_are_cut_where_the_topic_changes():
    # One block: no paragraph break to lean on, only the vocabulary.
    text = " ".join(text for topic in TOPICS_FR for text in topic)
    analysis = analyse(document([Block("paragraph", text)], "fr", "Marketing B2B"))
    starts = starts_of_sections(analysis)
    assert len(starts) == 4
    for found, expected in zip(starts, [0, 12, 24, 36], strict=True):
        assert abs(found - expected) <= 1


def test_titles_made_from_keyphrases_avoid_names_and_repeats():
    used: set[tuple[str, ...]] = set()
    first = title_from_keyphrases(["Claire Morel", "trade shows", "booth"], used, "en")
    second = title_from_keyphrases(["trade shows", "follow-up", "badge scan"], used, "en")
    assert first == "Trade shows and booth"
    assert second == "Badge scan and follow-up"


# --- Keyphrases --------------------------------------------------------------------------------


def test_keyphrases_are_sensible_and_free_of_duplicates():
    analysis = analyse(document(paragraphs(TOPICS_EN)))
    phrases = analysis.keyphrases
    assert 10 <= len(phrases) <= 20
    keys = [phrase_key(phrase) for phrase in phrases]
    assert len(set(keys)) == len(keys)
    for phrase in phrases:
        words = [normalise(token) for token in tokenise(phrase)]
        assert not any(word.isdigit() for word in words)
        assert not all(word in STOP_WORDS_EN for word in words)
    expected = ["trade shows", "pricing page", "search engine optimisation", "booth"]
    assert len({phrase_key(phrase) for phrase in expected} & set(keys)) >= 3
    for section in analysis.sections:
        assert 1 <= len(section.keyphrases) <= 5


def test_keyphrases_merge_case_accent_and_plural_variants():
    text = (
        "Les webinars par secteur ont tout changé. Un Webinar généraliste attire moins. "
        "Nos webinaires sectoriels attirent les décideurs. Le webinar du mardi est complet. "
        "Les stratégies de contenu et la stratégie éditoriale reposent sur les webinars. "
        "Un webinar, une stratégie, une équipe : la stratégie éditoriale avant tout."
    )
    phrases = extract_keyphrases(text, "fr", top=10)
    keys = [phrase_key(phrase) for phrase in phrases]
    assert len(keys) == len(set(keys))
    assert sum(key == ("webinar",) for key in keys) <= 1
    assert sum(key == ("strategi",) for key in keys) <= 1


# --- Quotes and statistics in context ---------------------------------------------------------


def test_quotes_are_exact_source_text_with_explicit_quotations_first():
    quoted = (
        "Our CEO, Thomas Girard, summed it up in a meeting: “If everything is a priority, then "
        "nothing is a priority.”"
    )
    blocks = [*paragraphs([SEO, TRADE_SHOWS]), Block("paragraph", quoted)]
    doc = document(blocks)
    analysis = analyse(doc)
    assert analysis.quotes[0].explicit
    assert analysis.quotes[0].text == "If everything is a priority, then nothing is a priority."
    assert analysis.quotes[0].speaker == "Thomas Girard"
    assert all(not quote.explicit for quote in analysis.quotes[1:])
    assert len(analysis.quotes) <= 25
    for quote in analysis.quotes:
        assert quote.text in doc.text
        first_word = normalise(quote.text.split()[0])
        assert first_word not in {"this", "that", "it", "they", "so", "and", "but"}
        assert "?" not in quote.text


def test_statistics_carry_their_sentence_and_section_in_source_order():
    analysis = analyse(document(paragraphs(TOPICS_EN)))
    found = [(s.expression, s.values, s.unit, s.section) for s in analysis.statistics]
    assert found == [
        ("3 to 6", (3.0, 6.0), "months", 0),
        ("40%", (40.0,), "%", 0),
        ("5x", (5.0,), "x", 1),
        ("9 out of 10", (9.0, 10.0), "ratio", 2),
        ("15%", (15.0,), "%", 3),
    ]
    assert analysis.statistics[1].sentence == "Organic search now brings 40% of our demo requests."


def test_a_repeated_statistic_in_the_same_sentence_is_kept_once():
    sentence = "We doubled: 40% of demos, yes, 40% of demos come from search now."
    analysis = analyse(document([Block("paragraph", sentence), *paragraphs([SEO])]))
    assert [s.expression for s in analysis.statistics].count("40%") == 2  # this one and SEO's
    assert sum(s.sentence == sentence for s in analysis.statistics) == 1


# --- Excerpts ----------------------------------------------------------------------------------


def test_transcript_excerpts_last_30_to_90_seconds_and_never_overlap():
    text = " ".join(text for topic in TOPICS_EN for text in topic)
    analysis = analyse(document(cues(text)))
    excerpts = analysis.excerpts
    assert 1 <= len(excerpts) <= 8
    assert [e.score for e in excerpts] == sorted((e.score for e in excerpts), reverse=True)
    spans = sorted((e.start, e.end) for e in excerpts)
    for (_, end), (start, _) in pairwise(spans):
        assert end <= start
    sentences = [s for section in analysis.sections for s in section.sentences]
    for excerpt in excerpts:
        assert 30 <= excerpt.end - excerpt.start <= 90
        assert excerpt.start in {s.start for s in sentences}
        assert excerpt.end in {s.end for s in sentences}
        assert excerpt.text in " ".join(s.text for s in sentences)


def test_a_source_without_time_codes_has_no_excerpts():
    assert analyse(document(paragraphs(TOPICS_EN))).excerpts == []


def test_an_empty_document_gives_an_empty_analysis():
    analysis = analyse(document([]))
    assert (analysis.sections, analysis.quotes, analysis.statistics) == ([], [], [])
    assert analysis.excerpts == []
