"""Cut a source into sections: by its headings, or by topic shifts when it has none.

Topic segmentation follows TextTiling (Hearst, 1997) over TF-IDF: the similarity of the
sentences before and after each gap, smoothed; a gap deep in a valley of that curve is a
topic shift. Sections keep a readable size, and one without a heading is titled from its
keyphrases.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from propulse.content.document import Block
from propulse.kit.text import STOP_WORDS_EN, STOP_WORDS_FR, normalise, stem, tokenise

__all__ = [
    "MIN_SECTION_WORDS",
    "MIN_TOPIC_WORDS",
    "Part",
    "announced_part",
    "content_terms",
    "merge_short",
    "phrase_key",
    "section_headings",
    "title_from_keyphrases",
    "topic_parts",
]

MIN_SECTION_WORDS = 60
"""A section under this many words is merged into its neighbour."""

MIN_TOPIC_WORDS = 150
"""Topic segmentation never makes a section shorter than this."""

WINDOW_SENTENCES = 6
"""Sentences on each side of a gap compared by TextTiling."""

TITLE_MAX_CHARS = 60

_STOP_WORDS = STOP_WORDS_EN | STOP_WORDS_FR
# Grammar words that still build a noun phrase: "recyclage de contenu", "cost of sales".
_NOUN_LINKS = frozenset({"de", "d", "des", "du", "of", "en", "a", "au", "aux"})
# Adverbs and participles: "connects directly", "sequences influenced", "énormément".
_VERB_ENDINGS = ("ly", "ed", "ment")


@dataclass(frozen=True)
class Part:
    """Consecutive sentences ``[first, end)`` with the heading they sit under, if any."""

    first: int
    end: int
    heading: str | None = None


def phrase_key(text: str) -> tuple[str, ...]:
    """Return the stems of a phrase: equal for case, accent and plural variants."""
    return tuple(stem(normalise(token)) for token in tokenise(text))


def _padded(text: str) -> str:
    return " " + " ".join(phrase_key(text)) + " "


def content_terms(text: str) -> list[str]:
    """Return the stems of the meaningful words of a text (the TF-IDF analyzer)."""
    terms = []
    for token in tokenise(text):
        word = normalise(token)
        if word not in _STOP_WORDS and not word.isdigit():
            terms.append(stem(word))
    return terms


def section_headings(blocks: Sequence[Block], title: str) -> list[int]:
    """Return the indices of the heading blocks that open a section.

    Level 2 and deeper headings when there are any, else level 1 headings; the document's
    title is not a section. When the top section level alone gives fewer than three
    sections, the next level down is used too, so that a script with two parts of
    several chapters is cut at its chapters.
    """
    headings = [(index, block) for index, block in enumerate(blocks) if block.kind == "heading"]
    title_key = phrase_key(title)
    level_one = [index for index, block in headings if block.level <= 1]
    if len(level_one) == 1 or (level_one and phrase_key(blocks[level_one[0]].text) == title_key):
        headings = [(index, block) for index, block in headings if index != level_one[0]]
    deeper = [(index, block) for index, block in headings if block.level >= 2]
    candidates = deeper or headings
    levels = sorted({block.level for _, block in candidates})
    chosen: list[int] = []
    for level in levels:
        chosen = [index for index, block in candidates if block.level <= level]
        if len(chosen) >= 3:
            break
    return chosen


def merge_short(
    parts: Sequence[Part], word_counts: Sequence[int], minimum: int = MIN_SECTION_WORDS
) -> list[Part]:
    """Merge each part under ``minimum`` words into its shorter neighbour.

    The merged part keeps the heading of the longer of the two, which carries its subject.
    """
    merged = list(parts)

    def words(part: Part) -> int:
        return sum(word_counts[part.first : part.end])

    while len(merged) > 1:
        sizes = [words(part) for part in merged]
        shortest = min(range(len(merged)), key=sizes.__getitem__)
        if sizes[shortest] >= minimum:
            break
        if shortest == 0:
            neighbour = 1
        elif shortest == len(merged) - 1:
            neighbour = shortest - 1
        else:
            neighbour = min(shortest - 1, shortest + 1, key=sizes.__getitem__)
        first, second = sorted((shortest, neighbour))
        keeper = merged[neighbour] if sizes[neighbour] >= sizes[shortest] else merged[shortest]
        heading = keeper.heading or merged[first].heading or merged[second].heading
        merged[first : second + 1] = [Part(merged[first].first, merged[second].end, heading)]
    return merged


def _similarity_curve(sentences: Sequence[str], window: int) -> np.ndarray:
    """Return the cosine between the ``window`` sentences before and after each gap."""
    # Imported here: scikit-learn takes seconds to import, and most commands never need it.
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

    vectorizer = TfidfVectorizer(analyzer=content_terms, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(sentences).toarray()
    except ValueError:  # no meaningful word at all
        return np.zeros(len(sentences) - 1)
    cumulative = np.vstack([np.zeros(matrix.shape[1]), np.cumsum(matrix, axis=0)])
    count = len(sentences)
    gaps = np.arange(1, count)
    before = cumulative[gaps] - cumulative[np.maximum(gaps - window, 0)]
    after = cumulative[np.minimum(gaps + window, count)] - cumulative[gaps]
    norms = np.linalg.norm(before, axis=1) * np.linalg.norm(after, axis=1)
    dots = np.einsum("ij,ij->i", before, after)
    curve: np.ndarray = np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
    return curve


def _depth_scores(curve: np.ndarray) -> np.ndarray:
    """Score each gap by how far the curve climbs on both sides before falling again."""
    depths = np.zeros_like(curve)
    last = len(curve) - 1
    for gap in range(len(curve)):
        left = gap
        while left > 0 and curve[left - 1] >= curve[left]:
            left -= 1
        right = gap
        while right < last and curve[right + 1] >= curve[right]:
            right += 1
        depths[gap] = curve[left] + curve[right] - 2 * curve[gap]
    return depths


_ORDINALS = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|last|final|next|"
    "premier|premiere|deuxieme|second|seconde|troisieme|quatrieme|cinquieme|sixieme|"
    "septieme|huitieme|dernier|derniere|prochaine|prochain"
)
_STRUCTURE_NOUNS = (
    "lesson|topic|part|chapter|theme|pillar|takeaway|"
    "lecon|sujet|partie|chapitre|theme|pilier|enseignement"
)
# "The second lesson is about...", "sujet de la quatrième leçon", "Cinquième et dernière
# leçon": a speaker announcing the next part of a talk.
_TRANSITION = re.compile(
    rf"\b(?:{_ORDINALS})(?:\s+(?:and|et)\s+(?:last|final|derniere))?\s+(?P<noun>{_STRUCTURE_NOUNS})\b"
)
_STRUCTURE_WORDS = re.compile(rf"\b(?:{_ORDINALS}|{_STRUCTURE_NOUNS}|lessons|lecons|topics)\b")


def announced_part(sentence: str) -> str | None:
    """Return the noun of a sentence announcing a part of a talk ("The second lesson...")."""
    match = _TRANSITION.search(normalise(sentence))
    return match.group("noun") if match else None


def _announced_boundaries(sentences: Sequence[str]) -> list[int]:
    """Return the sentences announcing the talk's parts, by the noun the talk uses most.

    "The second lesson", "The third lesson" cut the talk; "the second part of the system"
    inside a lesson does not, since the talk counts its lessons, not its parts.
    """
    nouns = {index: announced_part(sentence) for index, sentence in enumerate(sentences)}
    counts = Counter(noun for index, noun in nouns.items() if noun and index > 0)
    if not counts:
        return []
    dominant = counts.most_common(1)[0][0]
    return [index for index, noun in nouns.items() if index > 0 and noun == dominant]


def _snap(boundary: int, paragraph_starts: Sequence[bool], reach: int = 2) -> int:
    """Move a boundary to the nearest paragraph start within ``reach`` sentences."""
    for offset in range(reach + 1):
        for candidate in (boundary - offset, boundary + offset):
            if 0 < candidate < len(paragraph_starts) and paragraph_starts[candidate]:
                return candidate
    return boundary


def topic_parts(
    sentences: Sequence[str],
    paragraph_starts: Sequence[bool],
    *,
    window: int = WINDOW_SENTENCES,
    min_words: int = MIN_TOPIC_WORDS,
) -> list[Part]:
    """Cut sentences into topical parts where the vocabulary shifts (TextTiling).

    Boundaries go to the gaps whose depth score exceeds mean - std/2, deepest first, while
    every part keeps ``min_words`` (more in a long text: a twelfth of it); a 5,000-word
    text gets 4 to 8 parts. A sentence announcing the next part of a talk ("The second
    lesson...") is a boundary first.
    """
    count = len(sentences)
    word_counts = [len(sentence.split()) for sentence in sentences]
    total = sum(word_counts)
    min_words = max(min_words, total // 12)
    if count < 4 or total < 2 * min_words:
        return [Part(0, count)]
    window = max(2, min(window, count // 6))
    curve = _similarity_curve(sentences, window)
    # A light moving average keeps one odd sentence from making a valley of its own.
    smooth = np.convolve(np.pad(curve, 1, mode="edge"), np.ones(3) / 3, mode="valid")
    depths = _depth_scores(smooth)
    cutoff = depths.mean() - depths.std() / 2
    last = len(smooth) - 1
    valleys = {
        gap + 1
        for gap in range(len(smooth))
        if (gap == 0 or smooth[gap] <= smooth[gap - 1])
        and (gap == last or smooth[gap] <= smooth[gap + 1])
        and depths[gap] > 0
    }
    strength: dict[int, float] = {}
    for boundary in valleys:
        snapped = _snap(boundary, paragraph_starts)
        strength[snapped] = max(strength.get(snapped, 0.0), float(depths[boundary - 1]))
    cumulative = np.concatenate([[0], np.cumsum(word_counts)])
    boundaries: list[int] = []

    def fits(boundary: int) -> bool:
        edges = sorted([0, count, *boundaries])
        after = next(edge for edge in edges if edge >= boundary)
        before = max(edge for edge in edges if edge <= boundary)
        return bool(
            cumulative[boundary] - cumulative[before] >= min_words
            and cumulative[after] - cumulative[boundary] >= min_words
        )

    most = min(8, total // min_words)
    fewest = min(4, total // 1200 + 1)
    # A talk that announces its parts is cut there; the vocabulary then only adds cuts
    # when too few parts were announced.
    for index in _announced_boundaries(sentences):
        if len(boundaries) + 1 < most and fits(index):
            boundaries.append(index)
    announced = len(boundaries) >= 2
    for boundary in sorted(strength, key=lambda gap: -strength[gap]):
        if len(boundaries) + 1 >= (fewest if announced else most):
            break
        if strength[boundary] <= cutoff and len(boundaries) + 1 >= fewest:
            break
        if fits(boundary):
            boundaries.append(boundary)
    edges = [0, *sorted(boundaries), count]
    return [Part(first, end) for first, end in pairwise(edges)]


def _title_rank(phrase: str) -> int:
    """Rank a keyphrase as a title, best first: a noun phrase 0, one word 1, others 2 or 3.

    Names ("Claire Morel"), verb fragments ("started to pay", "connects directly") and,
    worst, the talk's own structure ("fourth topic") make poor titles.
    """
    words = phrase.split()
    keys = [normalise(word) for word in words]
    if _STRUCTURE_WORDS.search(" ".join(keys)):
        return 3
    if all(word[:1].isupper() for word in words):
        return 2
    inner = [key for key in keys[1:-1] if key not in _NOUN_LINKS]
    if any(key in _STOP_WORDS for key in inner) or any(key.endswith(_VERB_ENDINGS) for key in keys):
        return 2
    return 1 if len(words) == 1 else 0


def title_from_keyphrases(
    keyphrases: Sequence[str], used: set[tuple[str, ...]], language: str
) -> str:
    """Make a section title from its best keyphrases not used by another title."""
    fresh = [phrase for phrase in keyphrases if phrase_key(phrase) not in used] or list(keyphrases)
    if not fresh:
        return ""
    fresh.sort(key=_title_rank)  # stable: YAKE's order within a rank
    title = fresh[0]
    used.add(phrase_key(title))
    joiner = " et " if language == "fr" else " and "
    second = next((phrase for phrase in fresh[1:] if _title_rank(phrase) <= 1), None)
    first_key, second_key = _padded(title), _padded(second or "")
    if (
        second is not None
        and first_key not in second_key
        and second_key not in first_key
        and len(title) + len(joiner) + len(second) <= TITLE_MAX_CHARS
    ):
        # "Marketing debt and hire people": a capital only opened the sentence it came from.
        if not second[1:2].isupper():
            second = second[0].lower() + second[1:]
        title += joiner + second
        used.add(phrase_key(second))
    if len(title) > TITLE_MAX_CHARS:
        title = title[: TITLE_MAX_CHARS + 1].rsplit(" ", 1)[0]
    return title[0].upper() + title[1:]
