"""Hand-built analyses for the drafting and quality tests: a French script, an English transcript.

The scripts are written like real webinar material; sections, quotations, statistics,
keyphrases and excerpts are listed by hand (the analysis stage has its own tests), and a tiny
splitter that only has to handle these texts turns paragraphs into sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from propulse.content.document import (
    Analysis,
    Excerpt,
    Language,
    Quote,
    Section,
    Sentence,
    Statistic,
)

FRENCH_TITLE = "Nurturing B2B : transformer une base de contacts en pipeline"

FRENCH_SCRIPT = """\
## Introduction

Bonjour à toutes et à tous, et merci d'être avec nous pour ce webinar consacré au nurturing. Pendant les quarante-cinq prochaines minutes, nous allons voir comment une scale-up a transformé une base de contacts dormante en véritable moteur de pipeline. Je vais vous partager ce qui a marché, ce qui a échoué et ce que nous referions autrement. Le fil rouge est simple : avant de lancer un nouveau canal, il faut exploiter à fond ceux qui existent déjà.

## Pourquoi le nurturing compte

La plupart des équipes marketing courent après les nouveaux leads et oublient ceux qu'elles ont déjà. Notre base comptait de 30 000 à 40 000 contacts, et presque personne ne leur écrivait de manière régulière. Pourtant, 80 % des contacts d'un salon ou d'un webinar ne sont pas prêts à acheter le jour même. Le nurturing consiste à garder le lien avec eux jusqu'au moment où leur besoin devient concret. Sans ce travail, le coût d'acquisition de chaque lead est tout simplement perdu. Les commerciaux, eux, n'ont ni le temps ni l'envie de relancer des contacts froids pendant des mois. C'est donc au marketing de porter cette relation, avec patience et méthode. Au début, nous envoyions les mêmes campagnes à la main, copiées d'un mois sur l'autre. Ce fonctionnement artisanal nous a quand même appris quels sujets faisaient réagir notre audience. Le premier constat a été brutal : un contact qui ne reçoit rien pendant six mois oublie jusqu'au nom de votre entreprise. « Un lead qu'on ne nourrit pas est un lead qu'on a payé pour rien », résume Claire Martin, directrice marketing. Le nurturing n'est donc pas un luxe, c'est la suite logique de chaque action d'acquisition.

## Segmenter sa base par secteur et par maturité

Une base de contacts n'est pas un bloc homogène, et la traiter comme tel est l'erreur la plus fréquente. Nous avons commencé par segmenter la base selon deux axes simples : le secteur d'activité et le niveau de maturité. Un directeur financier dans l'industrie n'a pas les mêmes questions qu'un responsable marketing dans le logiciel. De même, une entreprise qui découvre le sujet n'attend pas le même discours qu'une équipe déjà équipée. Nous avons défini trois niveaux de maturité : découverte, structuration et optimisation. Chaque contact a été rattaché à un secteur et à un niveau grâce aux informations du CRM et aux réponses aux formulaires. Cette segmentation a pris du temps, mais elle a changé la pertinence de chaque message envoyé. Les webinars ont suivi le même chemin, en passant de sessions généralistes à des sessions ciblées par secteur et par maturité. Le taux d'ouverture des e-mails segmentés a atteint 42 %, contre 18 % pour les envois généralistes. Une segmentation trop fine devient toutefois ingérable pour une petite équipe. Mieux vaut quelques segments bien tenus qu'une cinquantaine de listes que personne ne met à jour. Commencez simple, mesurez, puis affinez quand les résultats le justifient.

## Le scoring des leads

Le scoring est venu dans un second temps, une fois la segmentation stabilisée. Le principe consiste à attribuer des points à chaque contact selon son profil et son comportement. Le profil dit si le contact correspond à votre cible, et le comportement dit s'il s'intéresse à vous en ce moment. Une visite de la page tarifs vaut bien plus qu'une simple ouverture d'e-mail. Nous avons fixé un seuil de 100 points au-delà duquel un lead est transmis aux commerciaux. Ce seuil a été ajusté trois fois la première année, à partir des retours des commerciaux eux-mêmes. Le scoring n'a de valeur que si le marketing et les ventes partagent la même définition d'un lead qualifié. Nous avons donc écrit cette définition ensemble, noir sur blanc, et nous la relisons chaque trimestre. Un bon scoring fait aussi baisser des points avec le temps, car un intérêt ancien ne vaut plus grand-chose. Grâce à ce travail, les commerciaux ont cessé de se plaindre de la qualité des leads. « Le scoring, c'est un contrat entre le marketing et les ventes, pas une formule magique », rappelle Thomas Leroy, responsable des ventes.

## Recycler les contenus comme un média

Chaque grand contenu doit être vu comme une matière première, et non comme un produit fini. Un webinar, chez nous, est scripté sur 8 à 10 pages Word en plus des slides. Après le direct, ce script devient un e-book de 15 à 20 pages, utilisé comme aimant à leads. Il donne aussi naissance à 5 à 6 articles de blog, chacun approfondissant un sous-thème du webinar. Une dizaine de posts LinkedIn reprennent ensuite les citations, les chiffres clés et de courts extraits vidéo. Enfin, une séquence d'e-mails de nurturing distille les leçons clés sur plusieurs semaines. Le même message est ainsi martelé sur plusieurs canaux et plusieurs formats. Ceux qui préfèrent lire, faire défiler ou télécharger sont tous touchés. L'effort de recherche est rentabilisé de nombreuses fois au lieu d'une seule. L'inverse, c'est le tapis roulant : produire, promouvoir une semaine, puis passer à autre chose. Penser comme un média change la manière même de préparer un webinar. On écrit le script en sachant déjà quels passages deviendront des articles et quels chiffres deviendront des posts.

## Automatiser sans perdre la main

L'outil de marketing automation a commencé par de simples copies de nos campagnes manuelles. Environ tous les 8 mois, nous avons ajouté une couche de complexité, d'abord le scoring, puis des workflows personnalisés. Cette progression lente a été voulue, parce qu'un outil mal maîtrisé coûte plus cher qu'il ne rapporte. Nous avions souscrit à un outil de heatmap avec les meilleures intentions du monde. Au bout de 6 mois, personne n'avait produit la moindre analyse avec, et nous l'avons arrêté. Le vrai coût d'un outil n'est pas l'abonnement, mais la charge mentale d'une plateforme inutilisée. « Un outil ne vaut rien sans propriétaire ni processus », insiste Claire Martin. Chaque workflow a donc un propriétaire nommé, qui le relit et le corrige régulièrement. Mieux vaut maîtriser un ou deux outils centraux que dix gadgets. Les automatisations doivent rester lisibles par toute l'équipe, pas seulement par la personne qui les a construites. Nous documentons chaque workflow sur une page, avec son objectif, ses déclencheurs et ses indicateurs.

## Mesurer et itérer

Un programme de nurturing se pilote avec peu d'indicateurs, mais des indicateurs suivis sans relâche. Nous regardons d'abord le nombre de leads qualifiés transmis aux ventes chaque mois. Nous suivons ensuite le taux de conversion de ces leads en opportunités, puis en clients. Les taux d'ouverture et de clic servent surtout à repérer les messages qui s'essoufflent. Chaque trimestre, nous arrêtons les deux séquences les moins performantes et nous en testons deux nouvelles. Ce rythme évite que le programme ne se fige dans des habitudes confortables. Il faut aussi savoir repérer les canaux qui stagnent après un premier succès. Le référencement naturel en a été l'exemple chez nous, après deux années de forte croissance. Souvent, quelques leviers apportent 80 % des résultats, et ce sont eux qu'il faut pousser jusqu'au bout. La question à se poser avant chaque nouveau projet reste la même : avons-nous atteint le potentiel maximal de ce que nous faisons déjà ?

## Conclusion

Le nurturing n'est pas une campagne, c'est une discipline qui se construit sur plusieurs années. Segmenter, scorer, recycler les contenus et automatiser pas à pas forment un tout cohérent. Commencez par ce que vous avez déjà, et poussez-le jusqu'à son maximum. Merci pour votre attention, et place maintenant à vos questions.
"""

FRENCH_KEYPHRASES = [
    "nurturing",
    "base de contacts",
    "scoring",
    "segmentation",
    "marketing automation",
    "niveau de maturité",
    "leads qualifiés",
    "recycler les contenus",
    "commerciaux",
    "workflows personnalisés",
    "taux d'ouverture",
    "webinar",
]

FRENCH_SECTION_KEYPHRASES = [
    ["webinar", "pipeline"],
    ["nurturing", "base de contacts", "coût d'acquisition"],
    ["segmentation", "niveau de maturité", "secteur d'activité", "taux d'ouverture"],
    ["scoring", "lead qualifié", "commerciaux"],
    ["matière première", "e-book", "articles de blog", "posts LinkedIn"],
    ["marketing automation", "workflows personnalisés", "propriétaire"],
    ["indicateurs", "taux de conversion", "leviers"],
    ["discipline"],
]

FRENCH_QUOTES = [
    ("Un outil ne vaut rien sans propriétaire ni processus", True, "Claire Martin"),
    ("Un lead qu'on ne nourrit pas est un lead qu'on a payé pour rien", True, "Claire Martin"),
    (
        "Le scoring, c'est un contrat entre le marketing et les ventes, pas une formule magique",
        True,
        "Thomas Leroy",
    ),
    (
        "Chaque grand contenu doit être vu comme une matière première, et non comme un produit fini.",
        False,
        None,
    ),
    ("Mieux vaut maîtriser un ou deux outils centraux que dix gadgets.", False, None),
    ("Commencez simple, mesurez, puis affinez quand les résultats le justifient.", False, None),
]

FRENCH_STATISTICS = [
    ("30 000 à 40 000", (30000.0, 40000.0), "contacts"),
    ("80", (80.0,), "%"),
    ("42", (42.0,), "%"),
    ("18", (18.0,), "%"),
    ("100", (100.0,), "points"),
    ("8 à 10", (8.0, 10.0), "pages"),
    ("15 à 20", (15.0, 20.0), "pages"),
    ("5 à 6", (5.0, 6.0), "articles"),
    ("8", (8.0,), "mois"),
    ("6", (6.0,), "mois"),
]

ENGLISH_TITLE = "Think like a media: recycling one webinar into a month of content"

# A transcript: no headings in the captions, so the sections were found by segmentation.
ENGLISH_SCRIPT = """\
## Raw material, not a finished product

Welcome everyone, and thanks for joining this session on content recycling. Most teams treat a webinar as a finished product. They run it, they send the replay, and they move on to the next topic. We think that is the most expensive habit in B2B marketing. Every major piece of content is raw material, not a finished product. Our webinars are scripted on 8 to 10 Word pages on top of the slides. That script is where the real value sits, because it holds the research, the stories and the numbers. Once it exists, turning it into other formats costs a fraction of the original effort. The research effort pays back many times instead of once. This is what we mean when we say think like a media. A media company never publishes a story only once. It cuts it, reframes it and pushes it on every channel its audience uses.

## From one script to an e-book and articles

The first thing the script becomes is an e-book. We aim for an e-book of 15 to 20 pages, designed, with a cover and a table of contents. It works as a lead magnet, so every download feeds the nurturing base. Then come the blog articles, usually 5 to 6 of them. Each article takes one sub-theme of the webinar and goes deeper than the live session could. An article needs its own title, its own structure and a clear call to action back to the e-book. Search engines reward that depth far more than a single replay page. We publish about one article a week, so the webinar keeps working for more than a month. Writers love this process, because the hard thinking is already done. They edit and sharpen instead of starting from a blank page. "The blank page is the real enemy of a content team," says Maya Chen, our head of content. The e-book and the articles share the same vocabulary, which makes the whole campaign feel consistent.

## LinkedIn posts and video excerpts

Social media is where the webinar reaches people who never register for anything. We plan about 10 LinkedIn posts for every webinar. They mix quotes, key statistics and short video excerpts from the recording. A good post opens with a hook that stops the scroll in the first two lines. Quotes work because they carry a voice and an opinion. Statistics work because they are easy to remember and easy to share. Video excerpts of thirty to ninety seconds are the most watched format in our feed. We never build two posts on the same quote or the same figure, because repetition bores the audience. Posts drive 35% of the traffic to the e-book landing page. The rest comes from e-mail and from search. Hashtags help a little, but three to five relevant ones are plenty. "People scroll past slogans, but they stop for a number they did not expect," says Maya Chen.

## Nurturing e-mails and the treadmill

The last format is a nurturing e-mail sequence that distils the key lessons over several weeks. The first e-mail simply delivers the e-book that the contact asked for. Each following e-mail carries one lesson and one call to action, nothing more. Spacing matters: we send them three days, one week, two weeks and three weeks after the download. Our sequences reach a base of 30,000 to 40,000 contacts, segmented by sector and maturity. Open rates on these lesson e-mails sit around 45%, far above our newsletters. The same message is hammered on several channels and formats. People who prefer to read, to scroll or to download are all reached. The opposite of this approach is the treadmill. You produce, you promote for one week, and you move on to the next thing. The treadmill exhausts the team and wastes the research. Recycling turns one good webinar into a month of useful content, and that is the whole point.
"""

ENGLISH_KEYPHRASES = [
    "content recycling",
    "webinar",
    "e-book",
    "blog articles",
    "LinkedIn posts",
    "video excerpts",
    "nurturing e-mail sequence",
    "raw material",
    "call to action",
    "treadmill",
]

ENGLISH_SECTION_KEYPHRASES = [
    ["raw material", "think like a media", "research effort"],
    ["e-book", "lead magnet", "blog articles", "sub-theme"],
    ["LinkedIn posts", "video excerpts", "hook", "key statistics"],
    ["nurturing e-mail sequence", "key lessons", "treadmill"],
]

ENGLISH_QUOTES = [
    ("The blank page is the real enemy of a content team,", True, "Maya Chen"),
    (
        "People scroll past slogans, but they stop for a number they did not expect,",
        True,
        "Maya Chen",
    ),
    ("Every major piece of content is raw material, not a finished product.", False, None),
    ("The research effort pays back many times instead of once.", False, None),
    ("The treadmill exhausts the team and wastes the research.", False, None),
    ("A media company never publishes a story only once.", False, None),
]

ENGLISH_STATISTICS = [
    ("8 to 10", (8.0, 10.0), "Word pages"),
    ("15 to 20", (15.0, 20.0), "pages"),
    ("5 to 6", (5.0, 6.0), ""),
    ("10", (10.0,), "LinkedIn posts"),
    ("35", (35.0,), "%"),
    ("30,000 to 40,000", (30000.0, 40000.0), "contacts"),
    ("45", (45.0,), "%"),
]

WORDS_PER_SECOND = 2.5
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«\"])")


@dataclass
class Handmade:
    source_text: str
    analysis: Analysis


def _sections(script: str) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = []
    for block in script.strip().split("\n\n"):
        if block.startswith("## "):
            sections.append((block[3:].strip(), []))
        else:
            sections[-1][1].extend(_SPLIT.split(block.strip()))
    return sections


def build(
    script: str,
    *,
    language: Language,
    title: str,
    keyphrases: list[str],
    section_keyphrases: list[list[str]],
    quotes: list[tuple[str, bool, str | None]],
    statistics: list[tuple[str, tuple[float, ...], str]],
    timed: bool = False,
    from_heading: bool = True,
) -> Handmade:
    """Assemble an ``Analysis`` from a script and the hand-listed findings."""
    sections: list[Section] = []
    clock = 0.0
    for index, (heading, texts) in enumerate(_sections(script)):
        sentences = []
        for text in texts:
            start = end = None
            if timed:
                start, clock = clock, clock + len(text.split()) / WORDS_PER_SECOND
                end = clock
            sentences.append(Sentence(text=text, section=index, start=start, end=end))
        sections.append(
            Section(heading, sentences, list(section_keyphrases[index]), from_heading=from_heading)
        )
    all_sentences = [sentence for section in sections for sentence in section.sentences]

    def home(fragment: str) -> Sentence:
        return next(sentence for sentence in all_sentences if fragment in sentence.text)

    quote_objects = []
    for rank, (text, explicit, speaker) in enumerate(quotes):
        sentence = home(text)
        quote_objects.append(
            Quote(
                text=text,
                section=sentence.section,
                explicit=explicit,
                score=1.0 - rank / 10,
                speaker=speaker,
                start=sentence.start,
                end=sentence.end,
            )
        )
    statistic_objects = []
    for expression, values, unit in statistics:
        sentence = home(
            f"{expression} {unit}".strip()
            if f"{expression} {unit}" in script
            else f"{expression}{unit}"
        )
        statistic_objects.append(
            Statistic(expression, values, unit, sentence.text, sentence.section)
        )
    statistic_objects.sort(
        key=lambda stat: next(i for i, s in enumerate(all_sentences) if s.text == stat.sentence)
    )
    excerpts: list[Excerpt] = []
    if timed:
        excerpts = _excerpts(sections)
    body = script.replace("## ", "")
    source_text = f"{title}\n\n{body}"
    analysis = Analysis(
        language=language,
        title=title,
        sections=sections,
        keyphrases=keyphrases,
        quotes=quote_objects,
        statistics=statistic_objects,
        excerpts=excerpts,
        word_count=len(body.split()),
    )
    return Handmade(source_text=source_text, analysis=analysis)


def _excerpts(sections: list[Section]) -> list[Excerpt]:
    """Take, per section, the first run of sentences lasting 30 to 90 seconds."""
    found = []
    for index, section in enumerate(sections):
        run: list[Sentence] = []
        for sentence in section.sentences[1:]:
            run.append(sentence)
            assert sentence.end is not None and run[0].start is not None
            if sentence.end - run[0].start >= 30:
                break
        if run and run[-1].end is not None and run[0].start is not None:
            found.append(
                Excerpt(
                    start=run[0].start,
                    end=run[-1].end,
                    text=" ".join(sentence.text for sentence in run),
                    section=index,
                    score=1.0 - index / 10,
                )
            )
    return found


def french() -> Handmade:
    return build(
        FRENCH_SCRIPT,
        language="fr",
        title=FRENCH_TITLE,
        keyphrases=FRENCH_KEYPHRASES,
        section_keyphrases=FRENCH_SECTION_KEYPHRASES,
        quotes=FRENCH_QUOTES,
        statistics=FRENCH_STATISTICS,
    )


def english() -> Handmade:
    return build(
        ENGLISH_SCRIPT,
        language="en",
        title=ENGLISH_TITLE,
        keyphrases=ENGLISH_KEYPHRASES,
        section_keyphrases=ENGLISH_SECTION_KEYPHRASES,
        quotes=ENGLISH_QUOTES,
        statistics=ENGLISH_STATISTICS,
        timed=True,
        from_heading=False,
    )
