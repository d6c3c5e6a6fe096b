"""Suggest which current objective an incoming request serves, by TF-IDF text similarity.

The suggestion helps the triager answer "does it serve one of our current objectives?";
it is never applied by itself. Each objective gets a cosine score between the request and
its text, the shared terms that weigh most are shown as the reason, and when no score
reaches the threshold the request is said plainly to serve no current objective.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np

from propulse.kit.text import (
    STOP_WORDS_EN,
    STOP_WORDS_FR,
    normalise,
    stem,
    strip_accents,
    tokenise,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "ObjectiveText",
    "Suggestion",
    "SuggestionResult",
    "rank_objectives",
]

DEFAULT_THRESHOLD = 0.035
"""Cosine under which a request is said to serve no current objective.

Tuned on tests/data/triage_requests.json (bench/triage_accuracy.py): accuracy is flat and
best from 0.025 to 0.045. Below, one incidental shared word in an off-topic request passes
("video" in a TikTok idea scores 0.022); above 0.045 the weakest genuine matches, a short
request sharing one telling word ("clients" in a request for customer reviews, 0.049), are
lost. 0.035 sits in the middle of that range. Scores are low by nature: a request of ten
words against an objective of sixty shares a few of them, so one strong shared word is
worth about 0.05 to 0.1.
"""

MAX_TERMS = 5
"""Shared terms shown as the reason of a suggestion."""

_STOP_WORDS = STOP_WORDS_EN | STOP_WORDS_FR
# Sentence ends, so that a capital at the start of a sentence is not taken for a name.
_SENTENCE_END = re.compile(r"[.!?;:\n]+")
# Hyphenated compounds are split into words to match ("petit-déjeuner" meets "petit
# déjeuner") but shown whole, since "rendez" alone reads badly where "rendez-vous" was.
_COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)+")


# A fixed background of everyday B2B company sentences in both languages, added to the
# IDF fit. With three objectives and one request the corpus has four documents, so the
# smoothed IDF only ranges from 1 to about 1.9 and "sales", "team" or "video" weigh as
# much as "DACH" or "nurturing"; the background lowers the weight of the words any
# company uses every day. It is generic on purpose: it must never name an objective.
_BACKGROUND_EN = """
The marketing team plans its campaigns for the quarter and shares the calendar with sales.
Sales reps ask marketing for more leads, better slides and a faster website.
Our customers use the product every day and call support when something breaks.
The CEO presented the company results and the budget for next year to the board.
We posted a video on LinkedIn and on the company page to announce the new release.
The event was a success: the team met prospects, partners and customers.
Please send me the report with the figures of last month before Friday.
The product team shipped a new feature and wrote the release notes for users.
Customer success calls every account before the renewal date.
Finance approved the budget for the agency, the tools and the freelance designer.
HR is hiring developers, sales reps and a marketing manager this year.
We sent an email to all users about the maintenance window of the platform.
The website needs a new page for the pricing and a form for demo requests.
The sales team met the prospect, sent a proposal and is waiting for the signature.
Our partners resell the software in several countries and regions.
The office moves to a bigger building next spring with room for the whole team.
The social media manager schedules posts on LinkedIn, Twitter and Instagram.
The board wants growth in revenue, in customers and in the size of deals.
Competitors launched a cheaper offer and sales lost two deals this month.
Marketing and sales agree on the definition of a good opportunity.
The designer made a new brochure, a presentation template and business cards.
We organise a customer event with talks, a dinner and a visit of the city.
The support team answers tickets by email and by phone in several languages.
Management reviews the projects, the priorities and the budget every quarter.
A journalist asked for an interview with our CEO about the market.
The team celebrated the end of the year with a party and a few gifts.
""".strip().splitlines()
_BACKGROUND_FR = """
L'équipe marketing prépare ses campagnes du trimestre et partage le calendrier avec les commerciaux.
Les commerciaux demandent plus de leads, de meilleures présentations et un site plus rapide.
Nos clients utilisent le produit tous les jours et appellent le support en cas de problème.
Le PDG a présenté les résultats de l'entreprise et le budget de l'année au conseil.
Nous avons publié une vidéo sur LinkedIn pour annoncer la nouvelle version du produit.
L'événement a été un succès : l'équipe a rencontré des prospects, des partenaires et des clients.
Merci de m'envoyer le rapport avec les chiffres du mois dernier avant vendredi.
L'équipe produit a livré une nouvelle fonctionnalité et prévenu les utilisateurs.
Le customer success appelle chaque compte avant la date de renouvellement.
La direction financière a validé le budget de l'agence, des outils et du graphiste indépendant.
Les RH recrutent des développeurs, des commerciaux et un responsable marketing cette année.
Nous avons envoyé un e-mail à tous les utilisateurs sur la maintenance de la plateforme.
Le site a besoin d'une nouvelle page sur les tarifs et d'un formulaire de demande de démo.
Le commercial a rencontré le prospect, envoyé une proposition et attend la signature.
Nos partenaires revendent le logiciel dans plusieurs pays et régions.
Le bureau déménage dans un bâtiment plus grand au printemps, avec de la place pour toute l'équipe.
La responsable des réseaux sociaux programme les publications sur LinkedIn, Twitter et Instagram.
Le conseil veut plus de chiffre d'affaires, plus de clients et des contrats plus gros.
Un concurrent a lancé une offre moins chère et nous avons perdu deux affaires ce mois-ci.
Le marketing et les ventes se mettent d'accord sur la définition d'une bonne opportunité.
Le graphiste a créé une nouvelle plaquette, un modèle de présentation et des cartes de visite.
Nous organisons un événement client avec des conférences, un dîner et une visite de la ville.
Le support répond aux tickets par e-mail et par téléphone dans plusieurs langues.
La direction revoit les projets, les priorités et le budget chaque trimestre.
Un journaliste a demandé une interview de notre PDG sur le marché.
L'équipe a fêté la fin de l'année avec une soirée et quelques cadeaux.
""".strip().splitlines()


@dataclass(frozen=True)
class ObjectiveText:
    """An objective as text: its title, description and key-result titles, joined."""

    objective_id: int
    title: str
    text: str


@dataclass(frozen=True)
class Suggestion:
    """How close a request is to one objective, with the shared terms as the reason."""

    objective_id: int
    title: str
    score: float
    terms: list[str]


@dataclass(frozen=True)
class SuggestionResult:
    """Every objective ranked for one request, and whether none of them is served."""

    suggestions: list[Suggestion]
    serves_none: bool


class _Form(NamedTuple):
    """One occurrence of a word as written, to show a stem in a readable way."""

    token: str  # the word as written, case and accents kept
    compound: str  # the hyphenated compound holding it ("rendez-vous"), or ""
    opens: bool  # whether it opens a sentence, where a capital says nothing


@dataclass
class _Analysis:
    """A text as the vectorizer sees it (stems), and as people wrote it (forms)."""

    features: list[str]
    forms: dict[str, list[_Form]]  # stem -> its occurrences


def _analyse(text: str) -> _Analysis:
    """Turn text into stemmed word features, remembering the surface forms of each."""
    stems: list[str] = []
    forms: dict[str, list[_Form]] = defaultdict(list)
    for sentence in _SENTENCE_END.split(text):
        compounds: dict[str, str] = {}
        for match in _COMPOUND.finditer(sentence):
            compound = match.group()
            for piece in [*compound.split("-"), compound.replace("-", "")]:
                compounds.setdefault(piece, compound)
        for position, token in enumerate(tokenise(sentence)):
            plain = normalise(token)
            # Numbers (years, amounts, percentages) say nothing about the topic.
            if plain in _STOP_WORDS or plain.isdigit():
                continue
            root = stem(plain)
            stems.append(root)
            forms[root].append(_Form(token, compounds.get(token, ""), position == 0))
    return _Analysis(features=stems, forms=dict(forms))


def _identity(features: list[str]) -> list[str]:
    """Hand the vectorizer features that were analysed beforehand."""
    return features


@cache
def _background() -> tuple[list[str], ...]:
    """Analyse the background sentences once per process."""
    return tuple(_analyse(line).features for line in _BACKGROUND_EN + _BACKGROUND_FR)


def _has_capital(token: str) -> bool:
    """Tell whether a word holds an uppercase letter."""
    return any(char.isupper() for char in token)


def _readable(forms: list[_Form]) -> str:
    """Pick the most frequent word of a stem, with its accents and meant capitals."""
    # Most frequent inflection first ("webinars" over "webinar"); on a tie the first seen,
    # the objective's, whose text was written with more care than a hurried request.
    groups = Counter(normalise(form.token) for form in forms)
    chosen = max(groups, key=groups.__getitem__)
    spellings = [form for form in forms if normalise(form.token) == chosen]
    # The word alone if it was ever written alone, else the compound that held it.
    alone = [form for form in spellings if not form.compound]
    shown = [(form.token, form.opens) for form in alone] or [
        (form.compound, form.opens) for form in spellings
    ]
    # Restore accents that a hurried writer left out ("enquete" -> "enquête").
    shown = [(text, opens) for text, opens in shown if strip_accents(text) != text] or shown
    # A capital opening a sentence says nothing, unless more letters are capitals (SEO).
    meant = Counter(text for text, opens in shown if not opens or _has_capital(text[1:]))
    if not meant:
        return shown[0][0].lower()
    # On a tie a capital wins: a name typed in lowercase ("nantes") is still a name.
    return max(meant, key=lambda text: (meant[text], _has_capital(text)))


def _shared_terms(
    contributions: np.ndarray, vocabulary: np.ndarray, forms: dict[str, list[_Form]]
) -> list[str]:
    """Name the shared terms that add most to the score, in readable form."""
    terms: list[str] = []
    # Stable sort: equal contributions keep the vocabulary's alphabetical order.
    for column in np.argsort(-contributions, kind="stable"):
        if contributions[column] <= 0 or len(terms) == MAX_TERMS:
            break
        term = _readable(forms[str(vocabulary[column])])
        # Two words of one compound ("mid-market") are one reason, shown once.
        if term not in terms:
            terms.append(term)
    return terms


def rank_objectives(
    request_text: str,
    objectives: Sequence[ObjectiveText],
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> SuggestionResult:
    """Rank objectives by similarity to the request, best first, with the shared terms."""
    if not objectives:
        return SuggestionResult(suggestions=[], serves_none=True)
    request = _analyse(request_text)
    analyses = [_analyse(objective.text) for objective in objectives]
    documents = [request.features] + [analysis.features for analysis in analyses]
    # Imported here: scikit-learn takes seconds to import, and most commands never need it.
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

    vectorizer = TfidfVectorizer(
        analyzer=_identity, lowercase=False, sublinear_tf=True, smooth_idf=True, norm="l2"
    )
    # Rows are L2-normalised, so a product of two rows, summed, is their cosine.
    matrix = vectorizer.fit_transform([*documents, *_background()])
    vectors = matrix[: len(documents)].toarray()
    contributions = vectors[1:] * vectors[0]
    vocabulary = vectorizer.get_feature_names_out()
    suggestions = []
    for index, objective in enumerate(objectives):
        forms: dict[str, list[_Form]] = defaultdict(list)
        for source in (analyses[index].forms, request.forms):
            for root, seen in source.items():
                forms[root].extend(seen)
        score = float(contributions[index].sum())
        suggestions.append(
            Suggestion(
                objective_id=objective.objective_id,
                title=objective.title,
                score=round(min(max(score, 0.0), 1.0), 3),
                terms=_shared_terms(contributions[index], vocabulary, forms),
            )
        )
    suggestions.sort(key=lambda suggestion: (-suggestion.score, suggestion.objective_id))
    serves_none = all(suggestion.score < threshold for suggestion in suggestions)
    return SuggestionResult(suggestions=suggestions, serves_none=serves_none)
