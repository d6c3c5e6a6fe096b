"""Split French and English text into sentences, punctuated or not (automatic captions).

``split_sentences`` cuts written text at . ? ! … while respecting abbreviations, initials,
numbers, URLs, quotations in « guillemets » or “curly quotes” and list items.
``split_unpunctuated`` cuts caption words that carry no punctuation at the longest pauses
and at discourse markers ("so", "donc", "en fait"...), keeping each sentence's times.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence

from propulse.kit.text import STOP_WORDS_EN, STOP_WORDS_FR, normalise

__all__ = ["TimedText", "is_unpunctuated", "split_sentences", "split_unpunctuated"]

TimedText = tuple[str, float | None, float | None]
"""A word or a caption cue with its start and end in seconds (None when unknown)."""


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Abbreviations, normalised (lowercase, accent-free) and without their final dot.
# Titles and Latin shorthands are always followed by more of the same sentence.
_NEVER_ENDS = {
    "en": _set(
        "mr mrs ms mx messrs dr prof sr jr st mt rev gen col capt lt sgt gov sen rep hon "
        "e.g i.e vs v cf viz al incl resp"
    ),
    "fr": _set("m mme mmes mlle mlles dr pr mgr st ste vs cf ex c.-a-d c-a-d p.-s resp"),
}
# Shorthands written before a number ("p. 12", "art. 3", "approx. 40"): a digit after them
# continues the sentence, while a capitalised word shows the sentence did end there.
_BEFORE_NUMBER = {
    "en": _set(
        "p pp no nos nr fig figs vol vols ch sec art approx ca est min tel "
        "jan feb mar apr jun jul aug sep sept oct nov dec"
    ),
    "fr": _set(
        "p pp n no nos fig vol chap ch art env approx ca min tel "
        "janv fevr avr juil sept oct nov dec"
    ),
}
# Shorthands that often close a sentence: "etc." does before any capital; company suffixes,
# dotted acronyms (U.S., a.m.) and single letters only before a grammar word ("The", "Nous").
_ETC = "etc"
_SUFFIXES = _set("inc ltd co corp llc plc cie bros")
_STOP_WORDS = {"en": STOP_WORDS_EN, "fr": STOP_WORDS_FR}

_TERMINATOR = re.compile(r"[.!?…]+")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,2}\.-?)+[^\W\d_]{1,2}")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# After the final mark: French puts a space before », English quotes and brackets hug it.
_CLOSERS = re.compile(r"(?:[ \u00a0\u202f]*»|[”\"’)\]»])+")
_OPENERS = '«“"‘([¿¡-–—•*'
_LIST_MARKER = re.compile(r"[ \t]*(?:[-–—•*▪◦·]|\(?\d{1,3}[.)]|\(?[a-z]\))[ \t]+")
_QUOTE_PAIRS = (("«", "»"), ("“", "”"))
_MAX_QUOTE_WORDS = 80  # a longer "quotation" is an unclosed mark, not a quote to protect
_SPACES = re.compile(r"[ \t\r]+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n")


def split_sentences(text: str, language: str) -> list[str]:
    """Split text into sentences; blank lines and list items always start a new one.

    Line breaks inside a paragraph count as spaces; a list marker ("- ", "2. ", "a) ") at
    the start of a sentence is dropped; quotations up to 80 words stay whole.
    """
    lang = "fr" if language == "fr" else "en"
    sentences: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n")):
        for segment in _list_segments(paragraph):
            sentences.extend(_split_segment(segment, lang))
    return sentences


def _list_segments(paragraph: str) -> list[str]:
    """Join the lines of a paragraph, starting a new segment at each list item."""
    segments: list[list[str]] = [[]]
    for line in paragraph.split("\n"):
        marker = _LIST_MARKER.match(line)
        if marker and line[marker.end() :].strip():
            segments.append([line[marker.end() :]])
        else:
            segments[-1].append(line)
    joined = (_SPACES.sub(" ", " ".join(lines)).strip() for lines in segments)
    return [segment for segment in joined if segment]


def _quote_spans(text: str) -> tuple[list[int], list[int]]:
    """Return the starts and ends of the short quotations, merged and sorted."""
    spans: list[tuple[int, int]] = []
    for opening, closing in _QUOTE_PAIRS:
        start = text.find(opening)
        while start != -1:
            end = text.find(closing, start + 1)
            if end == -1:
                break
            spans.append((start, end))
            start = text.find(opening, end + 1)
    straight = [index for index, char in enumerate(text) if char == '"']
    spans.extend(zip(straight[::2], straight[1::2], strict=False))
    spans = [(s, e) for s, e in spans if text.count(" ", s, e) < _MAX_QUOTE_WORDS]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return [s for s, _ in merged], [e for _, e in merged]


def _split_segment(text: str, lang: str) -> list[str]:
    """Cut one paragraph segment (no line breaks left) at its sentence boundaries."""
    starts, ends = _quote_spans(text)
    sentences: list[str] = []
    sentence_start = 0
    for match in _TERMINATOR.finditer(text):
        mark_start, boundary = match.start(), match.end()
        closers = _CLOSERS.match(text, boundary)
        if closers:
            boundary = closers.end()
        if boundary < len(text) and not text[boundary].isspace():
            continue  # 3.5, www.example.com, "Yahoo!Inc": no space, no boundary
        index = bisect.bisect_right(starts, mark_start - 1) - 1
        if index >= 0 and mark_start < ends[index] and boundary <= ends[index]:
            continue  # inside a quotation that goes on after this mark
        next_word = _next_word(text, boundary)
        if next_word is not None and not _ends_sentence(
            text, sentence_start, match.group(), mark_start, next_word, lang
        ):
            continue
        sentences.append(text[sentence_start:boundary].strip())
        sentence_start = boundary
    sentences.append(text[sentence_start:].strip())
    return [_drop_list_marker(sentence) for sentence in sentences if sentence]


def _next_word(text: str, position: int) -> str | None:
    """Return the word after ``position`` (openers included), or None at the end."""
    rest = text[position : position + 60].lstrip()
    if not rest:
        return None
    return rest.split(maxsplit=1)[0]


def _ends_sentence(
    text: str, sentence_start: int, marks: str, mark_start: int, next_word: str, lang: str
) -> bool:
    """Tell whether ``marks`` followed by ``next_word`` closes the sentence."""
    first = next_word[0]
    if not (first.isupper() or first.isdigit() or first in _OPENERS):
        return False  # « Pourquoi ? » demande-t-il ; et puis… on verra
    if marks != ".":
        return True  # ? ! ?! … and "..." before a capital
    word_start = mark_start
    while word_start > sentence_start and not text[word_start - 1].isspace():
        word_start -= 1
    word_before = text[word_start:mark_start].lstrip(_OPENERS + "'’")
    if not word_before:
        return True
    if _NUMBER.fullmatch(word_before):
        # "2. Second point" at the start of a sentence is a list number, not a full stop.
        return text[sentence_start:word_start].strip() != ""
    key = normalise(word_before).rsplit("'", 1)[-1]  # "l'art. 3" is "art."
    word = normalise(next_word.lstrip(_OPENERS)).strip(".,;:!?…»”\"')")
    grammar_word_next = word in _STOP_WORDS[lang]
    if key in _NEVER_ENDS[lang]:
        return False
    if key in _BEFORE_NUMBER[lang]:
        return not first.isdigit()
    if key == _ETC:
        return True
    if len(word_before) == 1 and word_before.isalpha():
        # Initials (J. K. Rowling) and "M. Dupont"; "le plan B. Ensuite" does end.
        return grammar_word_next and not (lang == "fr" and word_before == "M")
    if key in _SUFFIXES or _DOTTED.fullmatch(word_before):
        return grammar_word_next
    return True


def _drop_list_marker(sentence: str) -> str:
    """Remove a leading list number or bullet left by an inline list ("2. Second point.")."""
    marker = _LIST_MARKER.match(sentence)
    if marker and sentence[marker.end() :].strip():
        return sentence[marker.end() :].strip()
    return sentence


# --- Captions without punctuation ---------------------------------------------------------

_MARKERS = {
    "en": (
        "so", "and then", "but", "now", "okay", "ok", "alright", "all right", "anyway",
        "well", "first", "second", "third", "secondly", "thirdly", "finally", "next",
        "the first thing", "the second thing", "the third thing", "the last thing",
        "another thing", "in fact", "actually", "because of that", "let's", "so now",
    ),
    "fr": (
        "donc", "alors", "mais", "en fait", "ensuite", "du coup", "et puis", "puis",
        "premiere chose", "deuxieme chose", "troisieme chose", "derniere chose",
        "premierement", "deuxiemement", "troisiemement", "enfin", "d'abord", "bref", "bon",
        "maintenant", "par contre", "en revanche", "par exemple", "finalement", "aujourd'hui",
    ),
}  # fmt: skip
_MARKER_WORDS = {lang: [tuple(m.split()) for m in markers] for lang, markers in _MARKERS.items()}
# Words after which a spoken sentence cannot stop: articles, prepositions, conjunctions.
_NO_END = _set(
    """
    a an the of to in on at for with from by and or but that which who whose my your our
    their his her its this these those is are was be as than if so because into about very
    le la les l un une des du de d au aux et ou mais que qu qui dont pour par avec sans dans
    en sur sous vers chez ce cet cette ces mon ma mes ton ta tes son sa ses notre nos votre
    vos leur leurs est sont ne n se s je tu il elle on nous vous ils elles tres plus c j
    i we they he she am was were has had will would can could should must y
    """
)
# "and" and "et" open many spoken sentences, and join as many phrases: a weak marker.
_WEAK_MARKERS = _set("and et")
# Words that continue a phrase and rarely open a spoken sentence.
_NO_START = _set("of about to from by than into de du des d a au aux dont")
_END_MARKERS = frozenset({"voila", "right"})  # spoken full stops: cut after them
# The cost of a sentence twice the target length (or of none at all): long sentences are
# worse to read than short ones, so they weigh more.
_LONG_WEIGHT = 4.0
_SHORT_WEIGHT = 2.0
_CUT_COST = 2.5  # every cut must earn its place through a pause or a marker
_MARKER_SCORE = 2.5
_PAUSE_SCORE = 3.5
_SHORT = 4  # a sentence under four words is a fragment


def is_unpunctuated(text: str) -> bool:
    """Tell whether text has fewer than one sentence-ending mark per 40 words."""
    words = len(text.split())
    marks = len(re.findall(r"[.!?…]+(?=[\s»”\"')\]]|$)", text))
    return words > 0 and marks * 40 < words


def split_unpunctuated(
    words: Sequence[TimedText],
    language: str,
    *,
    target_words: int = 18,
    max_words: int = 35,
) -> list[TimedText]:
    """Cut caption words or cues into capitalised sentences of at most ``max_words`` words.

    Cuts go to the longest pauses and before discourse markers, away from function words;
    each sentence keeps the start of its first word and the end of its last (interpolated
    inside a cue of several words).
    """
    lang = "fr" if language == "fr" else "en"
    tokens: list[str] = []
    owners: list[tuple[int, int, int]] = []  # (item, position in item, words in item)
    for item_index, (text, _, _) in enumerate(words):
        item_tokens = text.split()
        tokens.extend(item_tokens)
        owners.extend((item_index, pos, len(item_tokens)) for pos in range(len(item_tokens)))
    if not tokens:
        return []
    keys = [normalise(token).strip(".,;:!?…\"'«»“”()") for token in tokens]
    cut_costs = _cut_costs(tokens, keys, owners, words, lang)
    cuts = _best_cuts(cut_costs, len(tokens), max(1, target_words), max(1, max_words))
    sentences: list[TimedText] = []
    for begin, end in itertools.pairwise(cuts):
        start = _word_time(words, owners[begin], at_end=False)
        finish = _word_time(words, owners[end - 1], at_end=True)
        sentences.append((_as_sentence(tokens[begin:end], lang), start, finish))
    return sentences


def _cut_costs(
    tokens: list[str],
    keys: list[str],
    owners: list[tuple[int, int, int]],
    items: Sequence[TimedText],
    lang: str,
) -> list[float]:
    """Return the cost of cutting before each token (index 0 unused)."""
    gaps = [0.0] * len(tokens)
    for index in range(1, len(tokens)):
        item, position, _ = owners[index]
        previous_end, start = items[owners[index - 1][0]][2], items[item][1]
        if position == 0 and previous_end is not None and start is not None:
            gaps[index] = max(0.0, start - previous_end)
    # A pause counts by how much it exceeds the usual gap: cues that follow each other at
    # a steady rhythm say nothing about where sentences end.
    between = sorted(gaps[index] for index in range(1, len(tokens)) if owners[index][1] == 0)
    usual = between[len(between) // 2] if between else 0.0
    spread = max(between[int(len(between) * 0.9)] - usual, 0.2) if between else 1.0
    costs = [_CUT_COST] * len(tokens)
    for index in range(1, len(tokens)):
        score = _PAUSE_SCORE * min(max(gaps[index] - usual, 0.0) / spread, 1.2)
        if any(_starts_with(keys, index, marker) for marker in _MARKER_WORDS[lang]):
            score += _MARKER_SCORE
        elif keys[index] in _WEAK_MARKERS:
            score += _MARKER_SCORE / 2
        elif keys[index] in _NO_START:  # after the markers: "du coup" opens a sentence
            score -= 2.0
        before = tokens[index - 1]
        if before[-1] in ".!?…":
            score += 3.0
        elif before[-1] in ",;:":
            score += 1.0
        if keys[index - 1] in _END_MARKERS:
            score += 1.5
        if keys[index - 1] in _NO_END:
            score -= 3.0
        costs[index] = _CUT_COST - score
    return costs


def _starts_with(keys: list[str], index: int, marker: tuple[str, ...]) -> bool:
    return tuple(keys[index : index + len(marker)]) == marker


def _best_cuts(cut_costs: list[float], count: int, target: int, longest: int) -> list[int]:
    """Choose the cut positions minimising length deviations plus cut costs (dynamic programme)."""
    best = [0.0] + [float("inf")] * count
    previous = [0] * (count + 1)
    for end in range(1, count + 1):
        for begin in range(max(0, end - longest), end):
            if best[begin] == float("inf"):
                continue
            length = end - begin
            weight = _LONG_WEIGHT if length > target else _SHORT_WEIGHT
            cost = best[begin] + weight * ((length - target) / target) ** 2
            if length < _SHORT and count >= _SHORT:
                cost += 10.0
            if begin:
                cost += cut_costs[begin]
            if cost < best[end]:
                best[end], previous[end] = cost, begin
    cuts = [count]
    while cuts[-1]:
        cuts.append(previous[cuts[-1]])
    return cuts[::-1]


def _word_time(
    items: Sequence[TimedText], owner: tuple[int, int, int], *, at_end: bool
) -> float | None:
    """Return the start (or end) of one word, interpolated inside a multi-word cue."""
    item, position, size = owner
    _, start, end = items[item]
    if at_end and position == size - 1:
        return end
    if not at_end and position == 0:
        return start
    if start is None or end is None:
        return None
    fraction = (position + 1 if at_end else position) / size
    return round(start + (end - start) * fraction, 3)


def _as_sentence(tokens: list[str], lang: str) -> str:
    """Join words into a sentence: capital first letter, "I" in English, a final period."""
    if lang == "en":
        tokens = [_capital_i(token) for token in tokens]
    text = " ".join(tokens).rstrip(",;: ")
    text = text[0].upper() + text[1:] if text else text
    if text and text[-1] not in ".!?…":
        text += "."
    return text


def _capital_i(word: str) -> str:
    if word == "i" or word.startswith(("i'", "i’")):
        return "I" + word[1:]
    return word
