"""What every drafted piece shares: shortening, slugs, hashtags, units of material.

The engine is extractive: the text of a piece is the source's own sentences, and the only words
it writes itself are the connective phrases of ``wording`` (greetings, calls to action, labels).
Those phrases hold no digit and no quotation mark, so a number or a quotation in a piece can
only come from the source (``quality.report`` checks it, and a test checks the phrases).

A *unit* is the material of one piece of depth (an article, an e-mail's lesson): a section of
the analysis, or a part of a large section when the source has too few sections.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TypeVar

from propulse.content.document import Analysis, Language, Sentence
from propulse.content.wording import Voice, phrase
from propulse.kit.text import STOP_WORDS_EN, STOP_WORDS_FR, normalise, strip_accents, tokenise

T = TypeVar("T")

# Last section titles that make it the e-book's conclusion rather than a chapter.
CONCLUSION_MARKERS = (
    "conclusion",
    "conclure",
    "en resume",
    "pour resumer",
    "a retenir",
    "to sum up",
    "summary",
    "wrap",
    "takeaway",
    "key lessons",
)

# Words of a phrase ("l'outil", "e-mail" kept whole) and the links a three-word phrase may hold.
_PHRASE_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_LINKS = frozenset({"de", "des", "du", "d", "of", "for", "and", "et", "a", "en", "la", "le"})
_SPEECH_OPENERS = frozenset(
    {"bonjour", "bonsoir", "bienvenue", "merci", "welcome", "thanks", "thank", "hello", "hi"}
)
OPENING_SENTENCES = 3
_DETERMINERS = frozenset(
    {
        *("the", "a", "an", "our", "your", "their", "this", "these", "its"),
        *("le", "la", "les", "un", "une", "des", "du", "de", "nos", "notre", "vos", "votre"),
        *("ce", "cette", "ces", "son", "sa", "ses", "leur", "leurs"),
    }
)
_NUMBER_GROUP = re.compile(r"\d +\d")
_SPACES = re.compile(r"[ \t\r\n]+")
_GLUE = "\x00"  # holds a number's groups together while words are split on spaces
_TRAILING_PUNCTUATION = " \t\n\u00a0\u202f,;:–—-(«“\"'’"
_QUOTE_PAIRS = (("«", "»"), ("“", "”"))


def stop_words(language: Language) -> frozenset[str]:
    return STOP_WORDS_FR if language == "fr" else STOP_WORDS_EN


def capitalise(text: str) -> str:
    """Upper-case the first letter only ("base de contacts" -> "Base de contacts")."""
    return text[:1].upper() + text[1:] if text else text


def key(text: str) -> str:
    """Return a comparison key: normalised (case, accents, apostrophes) words joined by spaces."""
    return " ".join(normalise(text).split())


@lru_cache(maxsize=16384)
def word_key(text: str) -> str:
    """Return the normalised tokens of a text between spaces, for whole-word containment tests."""
    return " " + " ".join(normalise(token) for token in tokenise(text)) + " "


def contains_phrase(haystack_key: str, phrase_text: str) -> bool:
    """Tell whether the phrase's words occur, in order and whole, in a ``word_key`` text."""
    needle = word_key(phrase_text)
    return len(needle) > 2 and needle in haystack_key


def shorten(text: str, limit: int, *, language: Language, ellipsis: bool = False) -> str:
    """Cut ``text`` to at most ``limit`` characters on a word boundary.

    A number written in groups ("40 000") is never split, a quotation opened in the kept part is
    dropped rather than left unclosed, and trailing stop words and punctuation go, so that a
    title never ends on "de" or "the". With ``ellipsis``, "…" marks the cut (inside the limit).
    """
    text = _SPACES.sub(" ", text).strip()  # no-break spaces stay: French typography
    if len(text) <= limit:
        return text
    room = limit - 1 if ellipsis else limit
    words = _unbreakable_words(text)
    kept: list[str] = []
    length = 0
    for word in words:
        extra = len(word) + (1 if kept else 0)
        if length + extra > room:
            break
        kept.append(word)
        length += extra
    if not kept:  # one word longer than the limit: a hard cut is all that is left
        return text[:room].rstrip() + ("…" if ellipsis else "")
    following = words[len(kept)] if len(kept) < len(words) else ""
    kept = _balance_quotes(kept)
    kept = _drop_open_range(kept, following)
    words_out = _trim_trailing(kept, stop_words(language))
    cut = " ".join(words_out).rstrip(_TRAILING_PUNCTUATION + ".")
    return cut + "…" if ellipsis else cut


_RANGE_WORDS = frozenset({"a", "to", "-", "–", "—", "et", "and", "ou", "or"})


def _has_digit(text: str) -> bool:
    return any(char.isdigit() for char in text)


def _drop_open_range(words: list[str], following: str) -> list[str]:
    """Drop a range cut in the middle: "de 20 à 400" cut after "20" or "à" would leave a
    number the source never says."""
    out = list(words)
    while len(out) > 1:
        if key(out[-1]) in _RANGE_WORDS:
            out.pop()
            following = "-"
        elif key(following) in _RANGE_WORDS and _has_digit(out[-1]):
            out.pop()
            following = ""
        else:
            break
    return out


def _unbreakable_words(text: str) -> list[str]:
    """Split on spaces, keeping digit groups ("30 à 40 000" keeps "40 000") together."""
    protected = _NUMBER_GROUP.sub(lambda match: match.group().replace(" ", _GLUE), text)
    return [word.replace(_GLUE, " ") for word in protected.split(" ")]


def _balance_quotes(words: list[str]) -> list[str]:
    """Drop the words from an unclosed opening quotation mark on."""
    joined = " ".join(words)
    cut = len(joined)
    for opening, closing in _QUOTE_PAIRS:
        if joined.count(opening) > joined.count(closing):
            cut = min(cut, joined.rfind(opening))
    if joined.count('"') % 2:
        cut = min(cut, joined.rfind('"'))
    if cut == len(joined):
        return words
    kept = joined[:cut].split(" ")
    return [word for word in kept if word] or words[:1]


def _trim_trailing(words: list[str], stops: frozenset[str]) -> list[str]:
    out = list(words)
    while len(out) > 1:
        last = normalise(out[-1].strip(_TRAILING_PUNCTUATION + "."))
        if last and last not in stops and not last.endswith("'"):
            break
        out.pop()
    return out


def slugify(text: str, limit: int = 60) -> str:
    """Return an ASCII slug: accents stripped, lower case, hyphens, cut on a hyphen."""
    ascii_text = strip_accents(normalise(text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > limit:
        slug = slug[: limit + 1]
        slug = slug[: slug.rfind("-")] if "-" in slug else slug[:limit]
    return slug.strip("-") or "article"


def hashtag(text: str) -> str | None:
    """Turn a phrase into ``#CamelCase`` (accents stripped, "e-mail" -> "Email").

    None when it makes no good tag: digits, more than three words, too short or too long.
    """
    joined = re.sub(r"(?<=\w)-(?=\w)", "", strip_accents(normalise_apostrophes(text)))
    words = re.findall(r"[A-Za-z0-9]+", joined)
    if not words or len(words) > 3 or any(char.isdigit() for word in words for char in word):
        return None
    tag = "".join(word[:1].upper() + word[1:] for word in words)
    return "#" + tag if 2 <= len(tag) <= 30 else None


def normalise_apostrophes(text: str) -> str:
    return re.sub(r"['’‘`´ʼ]", " ", text)


def group(items: Sequence[T], low: int = 3, high: int = 5) -> list[list[T]]:
    """Split items into consecutive groups of ``low`` to ``high`` (fewer only when too few)."""
    if not items:
        return []
    count = max(1, math.ceil(len(items) / high))
    if len(items) // count < low and count > 1:
        count = max(1, len(items) // low)
    size, extra = divmod(len(items), count)
    groups: list[list[T]] = []
    position = 0
    for index in range(count):
        length = size + (1 if index < extra else 0)
        groups.append(list(items[position : position + length]))
        position += length
    return groups


def paragraph(sentences: Iterable[Sentence]) -> str:
    return " ".join(sentence.text.strip() for sentence in sentences)


@dataclass(frozen=True)
class Unit:
    """The material of one deep piece: a section, or one part of a large one."""

    section: int
    part: int  # 0 for a whole section; 1, 2... for the parts of a split one
    title: str
    sentences: tuple[Sentence, ...]
    keyphrases: tuple[str, ...]

    @property
    def words(self) -> int:
        return sum(len(sentence.text.split()) for sentence in self.sentences)


class Material:
    """The analysis with what drafting asks of it often: sections, keys, strengths, units.

    ``sections`` are the analysis's sections (same indices) without the talk's furniture:
    a sentence opening on a greeting or thanks ("Bonjour à tous", "Thank you all for your
    attention") belongs to the live session, not to a book, an article or an e-mail.
    """

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.language: Language = analysis.language
        self.stops = stop_words(analysis.language)
        # Names ("Claire Morel") are found often but make no hook, heading or hashtag.
        self.top_keyphrases = [p for p in analysis.keyphrases[:20] if not looks_like_name(p)]
        self._strengths: dict[tuple[str, tuple[str, ...]], float] = {}
        self.sections = [
            replace(
                section,
                sentences=[s for s in section.sentences if not self.is_furniture(s.text)],
            )
            for section in analysis.sections
        ]
        # The talk's first sentences present the speaker ("I'm Claire, I run marketing at…").
        opening = [s for section in self.sections for s in section.sentences][:OPENING_SENTENCES]
        self._opening = {key(sentence.text) for sentence in opening}

    def is_furniture(self, text: str) -> bool:
        """Tell whether a sentence opens on a greeting or thanks ("thanks to" is content)."""
        words = word_key(text).split()[:6]
        for position, word in enumerate(words):
            if word in _SPEECH_OPENERS:
                following = words[position + 1] if position + 1 < len(words) else ""
                return not (word in ("thanks", "merci") and following in ("to", "a"))
        return False

    def strength(self, sentence: Sentence, keyphrases: Sequence[str] = ()) -> float:
        """Score a sentence for a hook, a meta description or a lesson: rich and self-contained."""
        cache_key = (sentence.text, tuple(keyphrases))
        cached = self._strengths.get(cache_key)
        if cached is None:
            cached = self._strengths[cache_key] = self._strength(sentence.text, keyphrases)
        return cached

    def _strength(self, text: str, keyphrases: Sequence[str]) -> float:
        words = len(text.split())
        found = word_key(text)
        score = sum(
            2.0
            for phrase_text in keyphrases
            if contains_phrase(found, phrase_text) and not looks_like_name(phrase_text)
        )
        score += sum(1.0 for other in self.top_keyphrases if contains_phrase(found, other))
        if any(char.isdigit() for char in text):
            score += 1.0
        if key(text) in self._opening:
            score -= 10.0  # the speaker presenting themselves: a last resort only
        if words < 8:
            score -= 2.0
        elif words > 40:
            score -= 1.5
        if text.rstrip().endswith("?"):
            score -= 1.0
        return score

    def strongest(
        self,
        sentences: Sequence[Sentence],
        count: int,
        keyphrases: Sequence[str] = (),
        *,
        avoid: set[str] | None = None,
        max_chars: int | None = None,
    ) -> list[Sentence]:
        """Return the ``count`` strongest sentences in source order (avoided ones last resort)."""
        ranked = sorted(
            range(len(sentences)),
            key=lambda index: (
                (avoid is not None and key(sentences[index].text) in avoid),
                max_chars is not None and len(sentences[index].text) > max_chars,
                -self.strength(sentences[index], keyphrases),
                index,
            ),
        )
        return [sentences[index] for index in sorted(ranked[:count])]

    def best_window(
        self,
        sentences: Sequence[Sentence],
        size: int,
        keyphrases: Sequence[str] = (),
        *,
        avoid: set[str] | None = None,
    ) -> list[Sentence]:
        """Return the strongest run of ``size`` consecutive sentences: they read as a passage.

        Runs holding an avoided sentence come last; ties go to the earliest run.
        """
        size = min(size, len(sentences))
        if not size:
            return []
        strengths = [self.strength(sentence, keyphrases) for sentence in sentences]
        avoided = [avoid is not None and key(sentence.text) in avoid for sentence in sentences]
        best = max(
            range(len(sentences) - size + 1),
            key=lambda start: (
                not any(avoided[start : start + size]),
                sum(strengths[start : start + size]),
                -start,
            ),
        )
        return list(sentences[best : best + size])

    def units(self, minimum: int = 5, maximum: int = 6) -> list[Unit]:
        """Return ``minimum``-``maximum`` units, in source order: the richest sections.

        With fewer sections than ``minimum``, the largest sections are split in two by
        paragraphs (keeping at least two sentences a part) until there are enough.
        """
        units = [
            Unit(index, 0, section.title, tuple(section.sentences), tuple(section.keyphrases))
            for index, section in enumerate(self.sections)
            if section.sentences
        ]
        while len(units) < minimum:
            splittable = [unit for unit in units if len(unit.sentences) >= 4]
            if not splittable:
                break
            largest = max(splittable, key=lambda unit: (unit.words, -unit.section))
            units = self._split(units, largest)
        if len(units) > maximum:
            ranked = sorted(units, key=lambda unit: (-self._richness(unit), unit.section))
            count = maximum if len(ranked[maximum - 1].sentences) >= 4 else minimum
            chosen = {(unit.section, unit.part) for unit in ranked[:count]}
            units = [unit for unit in units if (unit.section, unit.part) in chosen]
        return units

    def _richness(self, unit: Unit) -> float:
        text_key = word_key(" ".join(sentence.text for sentence in unit.sentences))
        global_hits = sum(1 for other in self.top_keyphrases if contains_phrase(text_key, other))
        return unit.words + 30 * len(unit.keyphrases) + 15 * global_hits

    def _split(self, units: list[Unit], unit: Unit) -> list[Unit]:
        """Split a unit at its middle sentence; its section's parts are numbered again."""
        middle = math.ceil(len(unit.sentences) / 2)
        first, second = unit.sentences[:middle], unit.sentences[middle:]
        halves = [
            Unit(unit.section, 0, unit.title, first, unit.keyphrases),
            Unit(unit.section, 0, self._part_title(unit, second), second, unit.keyphrases),
        ]
        position = units.index(unit)
        result = [*units[:position], *halves, *units[position + 1 :]]
        siblings = [u for u in result if u.section == unit.section]
        renumbered = {id(u): number for number, u in enumerate(siblings, start=1)}
        return [
            replace(u, part=renumbered[id(u)]) if u.section == unit.section else u for u in result
        ]

    def _part_title(self, unit: Unit, sentences: Sequence[Sentence]) -> str:
        """Title a second part by a phrase it holds, else the section title continued."""
        used = {key(unit.title)}
        found = self.heading_for(sentences, unit.keyphrases, used)
        if found:
            return found
        which: Voice = "en" if self.language == "en" else "fr-formal"
        return f"{unit.title} {phrase(which, 'continued')}"

    def heading_for(
        self,
        sentences: Sequence[Sentence],
        keyphrases: Sequence[str],
        used: set[str],
        *,
        elsewhere: set[str] | None = None,
    ) -> str | None:
        """Return a phrase of the sentences not used yet (``used`` holds keys), capitalised.

        ``used`` are the piece's own headings (nor them, nor phrases inside them); phrases in
        ``elsewhere`` (other pieces' headings) are skipped too, and the choice is added to it,
        so that articles do not all have a "Marketing" section. Person names are no headings.

        In order: the unit's keyphrases, the source's multi-word keyphrases, phrases repeated
        in the sentences, the source's one-word keyphrases, then a phrase after a determiner.
        """
        text_key = word_key(" ".join(sentence.text for sentence in sentences))
        found = [p for p in keyphrases if contains_phrase(text_key, p)]
        found_global = [p for p in self.top_keyphrases if contains_phrase(text_key, p)]
        salient = self.salient_phrases(sentences)
        candidates = [
            *found,
            *(p for p in found_global if len(p.split()) > 1),
            *(p for p, count, _ in salient if count > 1),
            *(p for p in found_global if len(p.split()) == 1),
            *(p for p, count, named in salient if count == 1 and named),
        ]
        for candidate in candidates:
            candidate_key = key(candidate)
            if any(candidate_key in other or other in candidate_key for other in used):
                continue
            if (elsewhere is not None and candidate_key in elsewhere) or looks_like_name(candidate):
                continue
            used.add(candidate_key)
            if elsewhere is not None:
                elsewhere.add(candidate_key)
            return capitalise(candidate)
        return None

    def salient_phrases(self, sentences: Sequence[Sentence]) -> list[tuple[str, int, bool]]:
        """Return the two- and three-word phrases of the sentences, best first.

        A phrase starts and ends with a content word (no stop word, no digit), so that it reads
        as a noun phrase ("marketing automation", "base de contacts"); the most repeated come
        first, then those following a determiner ("the blank page", "une base"), likelier nouns.
        """
        counts: dict[str, int] = {}
        after_determiner: dict[str, bool] = {}
        surface: dict[str, str] = {}
        for sentence in sentences:
            words = _PHRASE_WORD.findall(sentence.text)
            normalised = [normalise(word) for word in words]
            content = [self._is_content_word(word) for word in normalised]
            for size in (3, 2):
                for start in range(len(words) - size + 1):
                    end = start + size - 1
                    if not (content[start] and content[end]):
                        continue
                    # Three words only around a link ("base de contacts", "cost of sales"):
                    # "real value sits" is a clause, not a name.
                    if size == 3 and normalised[start + 1] not in _LINKS:
                        continue
                    gram_key = " ".join(normalised[start : end + 1])
                    counts[gram_key] = counts.get(gram_key, 0) + 1
                    surface.setdefault(gram_key, " ".join(words[start : end + 1]))
                    previous = normalised[start - 1] if start else ""
                    elided = "'" in normalised[start]
                    after_determiner[gram_key] = after_determiner.get(gram_key, False) or (
                        previous in _DETERMINERS or elided
                    )
        # sorted() is stable: ties keep the order of first appearance.
        ranked = sorted(
            counts, key=lambda k: (-counts[k], not after_determiner[k], -len(k.split()))
        )
        return [(surface[k], counts[k], after_determiner[k]) for k in ranked]

    def _is_content_word(self, word: str) -> bool:
        """Tell whether a word may open or close a phrase: "d'acquisition" may, "qu'on" not."""
        stem_part = word.rsplit("'", 1)[-1]
        return (
            len(stem_part) >= 3
            and stem_part not in self.stops
            and word not in self.stops
            and not any(char.isdigit() for char in word)
        )


def looks_like_name(text: str) -> bool:
    """Tell whether a phrase reads as a person's name: two or more words, all capitalised."""
    words = text.split()
    return len(words) >= 2 and all(word[:1].isupper() for word in words)


def join_topics(which: Voice, topics: Sequence[str]) -> str:
    if len(topics) <= 1:
        return "".join(topics)
    return ", ".join(topics[:-1]) + phrase(which, "and") + topics[-1]
