"""Analyse a source: sentences, sections, keyphrases, quotes, statistics, video excerpts.

``analyse(document)`` is pure and offline: the sentence splitter of ``kit.sentences``, TF-IDF
topic segmentation (``segments``), YAKE keyphrases, the statistics and quotes finders. A
transcript's sentences keep their time codes, from which the best 30-90 second excerpts
are chosen for video posts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from propulse.content.document import (
    Analysis,
    Block,
    Excerpt,
    Language,
    Quote,
    Section,
    Sentence,
    SourceDocument,
    Statistic,
)
from propulse.content.quotes import Candidate, rank_quotes
from propulse.content.segments import (
    Part,
    merge_short,
    phrase_key,
    section_headings,
    title_from_keyphrases,
    topic_parts,
)
from propulse.content.statistics import find_statistics
from propulse.kit.sentences import is_unpunctuated, split_sentences, split_unpunctuated
from propulse.kit.text import STOP_WORDS_EN, STOP_WORDS_FR, normalise, tokenise

__all__ = ["analyse", "extract_keyphrases"]

DOCUMENT_KEYPHRASES = 20
SECTION_KEYPHRASES = 5
EXCERPT_SECONDS = (30.0, 90.0)
MAX_EXCERPTS = 8
PAUSE_SECONDS = 2.0  # a silence this long in a transcript reads as a new paragraph

_STOP_WORDS: dict[str, frozenset[str]] = {"fr": STOP_WORDS_FR, "en": STOP_WORDS_EN}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words any talk uses often, whatever its subject: alone, they name no theme.
_GENERIC_WORDS = _words(
    """
    work works worked people person company companies list lesson lessons answer request
    date long key thing things advice point points part parts example idea start end
    session today question minute minutes hour hours number place side case fact
    travail personne personnes entreprise liste lecon reponse point points partie exemple
    debut fin seance question minute minutes heure heures nombre place cote cas fait
    seul seule change changer moment
    """
)
# YAKE's features but the position of a word's first occurrences: within a section, the
# opening sentence is no more telling than the others.
_FEATURES_WITHOUT_POSITION = ["wrel", "wfreq", "wspread", "wcase"]
_ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)


@dataclass(frozen=True)
class _Unit:
    """A sentence before it knows its section."""

    text: str
    paragraph_start: bool
    start: float | None = None
    end: float | None = None


# --- Sentences ------------------------------------------------------------------------------


def _locate(words: Sequence[str], wanted: Sequence[str], cursor: int) -> int:
    """Return where a sentence's words start among the words of its text, from ``cursor``."""
    size = len(wanted)
    for index in range(cursor, min(len(words) - size, cursor + 40) + 1):
        if list(words[index : index + size]) == list(wanted):
            return index
    return cursor  # the splitter dropped a list marker: the sentence still starts here


def _word_times(cues: Sequence[Block]) -> list[tuple[float | None, float | None]]:
    """Spread each cue's time evenly over its words."""
    times: list[tuple[float | None, float | None]] = []
    for cue in cues:
        count = len(cue.text.split())
        if cue.start is None or cue.end is None:
            times.extend([(cue.start, cue.end or cue.start)] * count)
            continue
        share = (cue.end - cue.start) / max(count, 1)
        times.extend(
            (round(cue.start + share * position, 3), round(cue.start + share * (position + 1), 3))
            for position in range(count)
        )
    return times


def _timed_units(cues: Sequence[Block], language: Language) -> list[_Unit]:
    """Split consecutive transcript cues into sentences that keep their time codes.

    A sentence inside a cue gets a share of the cue's time in proportion to its words; a
    sentence across cues starts with its first word and ends with its last.
    """
    text = " ".join(cue.text for cue in cues)
    pieces: list[tuple[str, float | None, float | None]]
    if is_unpunctuated(text):
        pieces = split_unpunctuated([(cue.text, cue.start, cue.end) for cue in cues], language)
    else:
        words = text.split()
        times = _word_times(cues)
        pieces = []
        cursor = 0
        for sentence in split_sentences(text, language):
            wanted = sentence.split()
            first = _locate(words, wanted, cursor)
            last = max(first, min(first + len(wanted), len(words)) - 1)
            cursor = last + 1
            pieces.append((sentence, times[first][0], times[last][1]))
    units = []
    previous_end: float | None = None
    for index, (sentence, start, end) in enumerate(pieces):
        paused = (
            start is not None and previous_end is not None and start - previous_end >= PAUSE_SECONDS
        )
        units.append(_Unit(sentence, index == 0 or paused, start, end))
        previous_end = end
    return units


def _sentence_units(document: SourceDocument) -> tuple[list[_Unit], dict[int, int]]:
    """Return the document's sentences and, for each heading block, the sentence it precedes."""
    units: list[_Unit] = []
    heading_positions: dict[int, int] = {}
    blocks = document.blocks
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if block.kind == "heading":
            heading_positions[index] = len(units)
            index += 1
        elif block.start is not None:
            run_end = index
            while (
                run_end < len(blocks)
                and blocks[run_end].kind == "paragraph"
                and blocks[run_end].start is not None
            ):
                run_end += 1
            units.extend(_timed_units(blocks[index:run_end], document.language))
            index = run_end
        else:
            sentences = split_sentences(block.text, document.language)
            units.extend(
                _Unit(sentence, position == 0) for position, sentence in enumerate(sentences)
            )
            index += 1
    return units, heading_positions


# --- Sections ---------------------------------------------------------------------------------


def _parts(
    document: SourceDocument, units: Sequence[_Unit], positions: dict[int, int]
) -> list[Part]:
    """Cut the sentences into parts under the headings, or by topic when there are none."""
    word_counts = [len(unit.text.split()) for unit in units]
    openers = section_headings(document.blocks, document.title)
    parts: list[Part] = []
    if openers:
        starts = [(positions[block], document.blocks[block].text.strip()) for block in openers]
        # The welcome and the context before the first heading open the first section:
        # alone, they would make a "section" with no subject of its own.
        starts[0] = (0, starts[0][1])
        ends = [start for start, _ in starts[1:]] + [len(units)]
        parts.extend(
            Part(start, end, heading) for (start, heading), end in zip(starts, ends, strict=True)
        )
        parts = merge_short(parts, word_counts)
    if len(parts) < 2:
        parts = topic_parts([unit.text for unit in units], [unit.paragraph_start for unit in units])
    return [part for part in parts if part.end > part.first]


# --- Keyphrases -------------------------------------------------------------------------------


def _spellings(phrase: str, text: str) -> Counter[str]:
    """Count how a (lowercased) phrase is spelt in the text: "LinkedIn" 5, "linkedin" 1."""
    words = phrase.split()
    pattern = r"(?<!\w)" + r"[\W_]+".join(re.escape(word) for word in words) + r"(?!\w)"
    return Counter(re.findall(pattern, text, flags=re.IGNORECASE))


@cache
def _boundary_stop_words(language: Language) -> frozenset[str]:
    """Return YAKE's grammar words for a language, normalised, plus our own stop words."""
    import yake  # type: ignore[import-untyped]  # slow to import; only the pipeline needs it

    extractor = yake.KeywordExtractor(lan=language)
    return frozenset(normalise(word) for word in extractor.stopword_set) | _STOP_WORDS[language]


def _keyphrase_rank(phrase: str, score: float, text: str) -> float:
    """Rank a YAKE candidate (lower is better), helping the terms that name a subject.

    YAKE favours single words and whatever the first sentence says. A phrase of several
    words that comes back in the text names a subject ("marketing debt", "trade show"), so
    it is helped by the square root of its length; one said once is mostly a passing
    fragment ("engine optimisation starts") and is held back.
    """
    size = len(phrase.split())
    if size == 1:
        return score
    if sum(_spellings(phrase, text).values()) >= 2:
        return score / math.sqrt(size)
    return score * 2


def _is_name(phrase: str) -> bool:
    """Tell whether a phrase is written as a name ("Claire Morel", "Girard"), not a term.

    Acronyms and brands with inner capitals ("OKR", "LinkedIn") are terms.
    """
    return all(word[:1].isupper() and word[1:].islower() for word in phrase.split())


def extract_keyphrases(
    text: str, language: Language, top: int = DOCUMENT_KEYPHRASES, *, by_position: bool = True
) -> list[str]:
    """Return a text's keyphrases, best first, de-duplicated across case, accents and plurals.

    Left out: phrases of stop words only, phrases that open or close on a grammar word
    (YAKE keeps French elisions whole: "c'est qu'on choisit"), phrases holding a number
    (the statistics' business), words any talk uses ("work", "travail"), names ("Claire
    Morel", also most capitalised words, which open sentences: "Concrètement"), and a
    phrase inside a better one ("show" after "trade show"). ``by_position=False`` drops YAKE's
    position feature, which otherwise crowns whatever the first sentence says.
    """
    # The extractor is built per call (a file read, well under a millisecond): it keeps
    # caches that are not safe to share between threads.
    import yake  # type: ignore[import-untyped,unused-ignore]  # slow to import

    extractor = yake.KeywordExtractor(
        lan=language,
        n=3,
        dedup_lim=0.7,
        top=top * 5,
        features=None if by_position else _FEATURES_WITHOUT_POSITION,
    )
    stop_words = _STOP_WORDS[language]
    boundary = _boundary_stop_words(language)
    phrases: list[str] = []
    kept: list[str] = []
    candidates = extractor.extract_keywords(text)
    ranks = {phrase: _keyphrase_rank(phrase, float(score), text) for phrase, score in candidates}
    for phrase in sorted(ranks, key=ranks.__getitem__):
        phrase = _ELISION.sub("", phrase)
        words = [normalise(token) for token in tokenise(phrase)]
        if not words or any(word.isdigit() for word in words):
            continue
        if all(word in stop_words for word in words) or {words[0], words[-1]} & boundary:
            continue
        if len(words) == 1 and words[0] in _GENERIC_WORDS:
            continue
        key = " " + " ".join(phrase_key(phrase)) + " "
        # "show" after "trade show" adds nothing, nor "shortcuts marketing debt" after
        # "marketing debt"; "marketing debt" after "marketing" does.
        if any(key in other or (other.count(" ") > 2 and other in key) for other in kept):
            continue
        kept.append(key)  # a name, left out below, still keeps its parts out ("Morel")
        spellings = _spellings(phrase, text)
        spelling = str(spellings.most_common(1)[0][0]) if spellings else phrase
        if _is_name(spelling):
            continue
        phrases.append(spelling)
        if len(phrases) == top:
            break
    return phrases


def _keyphrase_weights(phrases: Sequence[str], scale: float) -> dict[str, float]:
    """Weigh keyphrases by rank (the best ``scale``), keyed by their padded stem string."""
    count = len(phrases)
    return {
        " " + " ".join(phrase_key(phrase)) + " ": scale * (1 - rank / (count + 1))
        for rank, phrase in enumerate(phrases)
    }


def _weight_in(text: str, weights: dict[str, float]) -> float:
    stems = " " + " ".join(phrase_key(text)) + " "
    return sum(weight for key, weight in weights.items() if key.strip() and key in stems)


# --- Excerpts ---------------------------------------------------------------------------------


def _excerpts(sentences: Sequence[Sentence], values: Sequence[float]) -> list[Excerpt]:
    """Choose the non-overlapping 30-90 s windows of sentences richest in material."""
    shortest, longest = EXCERPT_SECONDS
    windows: list[tuple[float, int, int]] = []
    for first, opening in enumerate(sentences):
        if opening.start is None:
            continue
        total = 0.0
        for last in range(first, len(sentences)):
            closing = sentences[last]
            if closing.end is None or closing.start is None:
                break
            duration = closing.end - opening.start
            if duration > longest:
                break
            total += values[last]
            if duration >= shortest:
                windows.append((total * 60 / duration, first, last))
    windows.sort(key=lambda window: (-window[0], window[1]))
    chosen: list[Excerpt] = []
    for score, first, last in windows:
        if len(chosen) == MAX_EXCERPTS or score <= 0:
            break
        start, end = sentences[first].start, sentences[last].end
        assert start is not None
        assert end is not None
        if any(start < other.end and other.start < end for other in chosen):
            continue
        text = " ".join(sentence.text for sentence in sentences[first : last + 1])
        chosen.append(Excerpt(start, end, text, sentences[first].section, round(score, 3)))
    return chosen


# --- The whole analysis -----------------------------------------------------------------------


def analyse(document: SourceDocument) -> Analysis:
    """Analyse a source document into sections, keyphrases, quotes, statistics and excerpts."""
    language = document.language
    units, positions = _sentence_units(document)
    parts = _parts(document, units, positions)
    keyphrases = extract_keyphrases(document.text, language, DOCUMENT_KEYPHRASES)
    used_titles: set[tuple[str, ...]] = set()
    sections: list[Section] = []
    for index, part in enumerate(parts):
        section_units = units[part.first : part.end]
        sentences = [Sentence(unit.text, index, unit.start, unit.end) for unit in section_units]
        body = " ".join(unit.text for unit in section_units)
        text = f"{part.heading}.\n{body}" if part.heading else body
        phrases = extract_keyphrases(text, language, SECTION_KEYPHRASES, by_position=False)
        title = part.heading or title_from_keyphrases(phrases, used_titles, language)
        if not title:
            title = f"Partie {index + 1}" if language == "fr" else f"Part {index + 1}"
        sections.append(Section(title, sentences, phrases, from_heading=part.heading is not None))

    document_weights = _keyphrase_weights(keyphrases, 1.0)
    all_sentences = [sentence for section in sections for sentence in section.sentences]
    statistics: list[Statistic] = []
    seen: set[tuple[str, str]] = set()
    candidates: list[Candidate] = []
    for section in sections:
        weights = {**_keyphrase_weights(section.keyphrases, 0.5), **document_weights}
        for sentence in section.sentences:
            figures = find_statistics(sentence.text)
            for figure in figures:
                if (figure.expression, sentence.text) in seen:
                    continue
                seen.add((figure.expression, sentence.text))
                statistics.append(
                    Statistic(
                        figure.expression,
                        figure.values,
                        figure.unit,
                        sentence.text,
                        sentence.section,
                    )
                )
            candidates.append(
                Candidate(
                    sentence.text,
                    sentence.section,
                    keyphrase_weight=_weight_in(sentence.text, weights),
                    has_statistic=bool(figures),
                    start=sentence.start,
                    end=sentence.end,
                )
            )
    quotes = rank_quotes(candidates, language)
    excerpts = (
        _excerpts(all_sentences, _excerpt_values(candidates, quotes))
        if document.has_timecodes
        else []
    )
    return Analysis(
        language=language,
        title=document.title,
        sections=sections,
        keyphrases=keyphrases,
        quotes=quotes,
        statistics=statistics,
        excerpts=excerpts,
        word_count=document.word_count,
    )


def _excerpt_values(candidates: Sequence[Candidate], quotes: Sequence[Quote]) -> list[float]:
    """Value each sentence for a clip: a quote, a statistic, keyphrases."""
    quoted: dict[str, float] = {}
    for quote in quotes:
        for candidate in candidates:
            if quote.text in candidate.text:
                quoted[candidate.text] = max(
                    quoted.get(candidate.text, 0.0), 1.5 if quote.explicit else 1.0
                )
                break
    return [
        quoted.get(candidate.text, 0.0)
        + (0.7 if candidate.has_statistic else 0.0)
        + 0.5 * min(candidate.keyphrase_weight, 1.5)
        for candidate in candidates
    ]
