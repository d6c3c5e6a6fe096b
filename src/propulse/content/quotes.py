"""Find quotable sentences: explicit quotations first, then strong self-contained statements.

A quote's text is always the source's own, character for character: a quotation without
its marks, a statement as the whole sentence (spoken, without the "so" or "et" that opens
it). A statement must stand alone (no opening pronoun or connective that points back),
assert (no question), and carry a keyphrase, a statistic or an advice; it is scored by its
keyphrases, how close its length is to a pull quote's, and the advice or contrast words
that make a line quotable ("the key", "never", "is not", "il faut").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from propulse.content.document import Language, Quote
from propulse.kit.text import STOP_WORDS_EN, STOP_WORDS_FR, normalise

__all__ = [
    "MAX_QUOTES",
    "Candidate",
    "Quotation",
    "find_quotations",
    "opens_with_reference",
    "rank_quotes",
    "statement_score",
]

MAX_QUOTES = 25
QUOTATION_WORDS = (6, 60)
STATEMENT_WORDS = (10, 35)
IDEAL_WORDS = 16  # a pull quote reads best short: fifteen words or so


@dataclass(frozen=True)
class Candidate:
    """A sentence offered as a quote, with what the analysis knows of it."""

    text: str
    section: int
    keyphrase_weight: float
    has_statistic: bool
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class Quotation:
    """Text in quotation marks, its span (marks excluded) and who said it, if named nearby."""

    text: str
    start: int
    end: int
    speaker: str | None


_BLANK = " \t\n\u00a0\u202f\u2009"
_STOP_WORDS = STOP_WORDS_EN | STOP_WORDS_FR
_QUOTATION = re.compile(r"«(?P<g>[^«»]+)»|“(?P<c>[^“”]+)”|\"(?P<s>[^\"]+)\"")

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_NAME_WORD = rf"[{_UPPER}][{_LOWER}]+(?:[-'’][{_UPPER}][{_LOWER}]+)?"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}"
_NAME_AT = re.compile(rf"(?<!\w){_NAME}(?!\w)")
_LEAD_IN = re.compile(rf",?\s+[^.!?:«»\"“”]{{1,160}}:[{_BLANK}]*")
_ROLE = (
    r"(?:notre|votre|leur|son|sa|la|le|l['’]|un|une|our|their|his|her|the|a|an)\s*"
    r"[^\s,.;:!?«»\"“”]+(?:\s+[^\s,.;:!?«»\"“”]+){0,3}"
)
_SPEECH_VERBS = (
    r"(?:explique|expliquait|dit|disait|affirme|souligne|rappelle|résume|ajoute|précise|"
    r"confie|conclut|raconte|lance|insiste|répète|martèle|"
    r"says|said|explains|explained|adds|added|notes|noted|recalls|recalled|puts it|"
    r"concludes|concluded|insists|insisted|told us|tells us|likes to say)"
)
_SPEAKER_AFTER = re.compile(
    rf"[{_BLANK}]*[,.]?[{_BLANK}]*(?:[-–—][{_BLANK}]*)?{_SPEECH_VERBS}(?:-t-(?:il|elle))?"
    rf"\s+(?P<who>{_NAME}|{_ROLE})"
)
_SPEAKER_BEFORE = (
    re.compile(
        rf"\b(?:[Aa]s|[Cc]omme)\s+(?:le\s+|l['’]\s*)?(?:dit|disait|dirait|explique|rappelle|"
        rf"répète|résume)?\s*(?P<who>{_NAME})(?:\s+{_SPEECH_VERBS})?[{_BLANK},:]*$"
    ),
    re.compile(
        rf"\b(?:[Ss]elon|[Dd]['’]après|[Aa]ccording to)\s+(?P<who>{_NAME}|{_ROLE})[{_BLANK},:]*$"
    ),
    # "Claire Martin : « ... »": a full name, since "Concrètement : « ... »" is no speaker.
    re.compile(rf"(?P<who>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}})[{_BLANK}]*:[{_BLANK}]*$"),
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Openers that point back to something said before the sentence.
_REFERRING_OPENERS = {
    "en": _words(
        "this that it they these those he she so and but or then also its his her them "
        "such yes no okay ok well because here there's thus hence first second third "
        "fourth fifth finally lastly next moreover"
    ),
    "fr": _words(
        "cela ca ce c ceci cet cette ces celui celle ceux celles il elle ils elles donc et "
        "mais alors puis ensuite aussi sinon oui non bon bref voila voici lui leur "
        "la-dessus parce premierement deuxiemement troisiemement enfin"
    ),
}
_REFERRING_PHRASES = ("for example", "for instance", "par exemple", "du coup", "en fait")
# Impersonal French "il": "Il faut publier chaque semaine" stands alone.
_IMPERSONAL = ("il faut", "il ne faut", "il y a", "il n'y a")
_SPOKEN_CONNECTIVES = {
    "en": _words("so and but okay ok now well then alright anyway"),
    "fr": _words("donc et mais alors bon bref puis ensuite voila"),
}
_FIRST_WORD = re.compile(r"(?P<word>[^\W\d_]+)[,;:]?\s+")
_MARKERS = (
    "the key",
    "the mistake",
    "the secret",
    "the lesson",
    "the rule",
    "the trick",
    "the real",
    "the only",
    "the problem",
    "never",
    "always",
    "you have to",
    "you need to",
    "must",
    "don't",
    "do not",
    "instead of",
    "rather than",
    "is not",
    "isn't",
    "are not",
    "is just",
    "has to be",
    "cannot",
    "n'est pas",
    "ne sont pas",
    "doit etre",
    "la cle",
    "l'erreur",
    "le secret",
    "la lecon",
    "la regle",
    "le vrai",
    "la vraie",
    "le seul",
    "la seule",
    "le probleme",
    "le piege",
    "jamais",
    "toujours",
    "il faut",
    "plutot que",
    "au lieu de",
)
_MARKER_PATTERN = re.compile(r"\b(?:" + "|".join(re.escape(m) for m in _MARKERS) + r")\b")
_QUOTE_MARKS = '«»“”"'


def _speaker(text: str, start: int, end: int) -> str | None:
    """Return the person or role a quotation is attributed to, when named around it."""
    after = _SPEAKER_AFTER.match(text, end)
    if after:
        return after.group("who").strip()
    before = text[max(0, start - 300) : start]
    for pattern in _SPEAKER_BEFORE:
        match = pattern.search(before)
        if match:
            return match.group("who").strip()
    # "Julien puts it simply: « ... »", "Our CEO, Thomas Girard, summed it up...: « ... »":
    # the first name that is the subject of the lead-in.
    for name in _NAME_AT.finditer(before):
        if normalise(name.group().split()[0]) in _STOP_WORDS:
            continue
        if _LEAD_IN.fullmatch(before, name.end()):
            return name.group()
    return None


def find_quotations(text: str) -> list[Quotation]:
    """Return the quotations of 6 to 60 words in « », “ ” or " " marks, in order."""
    quotations = []
    for match in _QUOTATION.finditer(text):
        group = next(name for name in ("g", "c", "s") if match.group(name) is not None)
        inner_start, inner_end = match.span(group)
        raw = text[inner_start:inner_end]
        inner_start += len(raw) - len(raw.lstrip(_BLANK))
        inner_end -= len(raw) - len(raw.rstrip(_BLANK))
        inner = text[inner_start:inner_end]
        words = len(inner.split())
        if not QUOTATION_WORDS[0] <= words <= QUOTATION_WORDS[1]:
            continue
        speaker = _speaker(text, match.start(), match.end())
        quotations.append(Quotation(inner, inner_start, inner_end, speaker))
    return quotations


def opens_with_reference(sentence: str, language: Language) -> bool:
    """Tell whether a sentence opens with a word that needs what came before it."""
    key = normalise(sentence).lstrip(_QUOTE_MARKS + "([-–—•* ")
    if key.startswith(_REFERRING_PHRASES):
        return True
    if language == "fr" and key.startswith(_IMPERSONAL):
        return False
    first = re.split(r"[\s,;:.!?]+", key, maxsplit=1)[0]
    openers = _REFERRING_OPENERS[language]
    return first in openers or first.split("'")[0] in openers


def _spoken_remainder(text: str, language: Language) -> str:
    """Drop the connectives that open spoken sentences ("So now", "Et puis") off a sentence.

    Speech opens almost every sentence with one; what follows is still the speaker's exact
    words, and often stands alone.
    """
    connectives = _SPOKEN_CONNECTIVES[language]
    for _ in range(3):
        match = _FIRST_WORD.match(text)
        if match is None or normalise(match.group("word")) not in connectives:
            break
        text = text[match.end() :]
    return text


def statement_score(candidate: Candidate, language: Language) -> float | None:
    """Score a sentence as a stand-alone quote, or return None when it cannot be one."""
    quoted = _statement_text(candidate, language)
    return None if quoted is None else _score(quoted, candidate)


def _score(quoted: str, candidate: Candidate) -> float:
    words = len(quoted.split())
    markers = len(_MARKER_PATTERN.findall(normalise(quoted)))
    length_fit = max(0.0, 1 - abs(words - IDEAL_WORDS) / IDEAL_WORDS)
    # Keyphrases are capped: a long sentence that lists the talk's subjects is a summary,
    # while an advice or a contrast is what people quote.
    return (
        min(candidate.keyphrase_weight, 1.2)
        + length_fit
        + min(markers, 2) * 0.7
        + (0.4 if candidate.has_statistic else 0.0)
        - (0.3 if quoted != candidate.text.strip() else 0.0)
    )


def _statement_text(candidate: Candidate, language: Language) -> str | None:
    """Return the part of a sentence that can stand alone as a quote, if any.

    The whole sentence, or for speech (a sentence with a time code) the sentence without
    its opening connectives; kept only if it asserts (no question), opens on no word that
    points back, holds 10 to 35 words and a keyphrase, a statistic or an advice marker.
    """
    text = candidate.text.strip()
    if candidate.start is not None:
        text = _spoken_remainder(text, language)
    elif not text[:1].isupper():
        return None
    words = len(text.split())
    if not STATEMENT_WORDS[0] <= words <= STATEMENT_WORDS[1]:
        return None
    if "?" in text or text[-1] not in ".!…" or any(mark in text for mark in _QUOTE_MARKS):
        return None
    if opens_with_reference(text, language):
        return None
    markers = _MARKER_PATTERN.search(normalise(text))
    if candidate.keyphrase_weight <= 0 and not candidate.has_statistic and not markers:
        return None
    return text


def rank_quotes(
    candidates: Sequence[Candidate], language: Language, limit: int = MAX_QUOTES
) -> list[Quote]:
    """Return the quotes of a source: explicit quotations first, then statements; best first."""
    explicit: list[Quote] = []
    statements: list[Quote] = []
    seen: set[str] = set()
    for candidate in candidates:
        for quotation in find_quotations(candidate.text):
            if quotation.text in seen:
                continue
            seen.add(quotation.text)
            words = len(quotation.text.split())
            score = min(candidate.keyphrase_weight, 2.0) + max(
                0.0, 1 - abs(words - IDEAL_WORDS) / (2 * IDEAL_WORDS)
            )
            explicit.append(
                Quote(
                    quotation.text,
                    candidate.section,
                    explicit=True,
                    score=round(score, 3),
                    speaker=quotation.speaker,
                    start=candidate.start,
                    end=candidate.end,
                )
            )
        text = _statement_text(candidate, language)
        if text is not None and text not in seen:
            seen.add(text)
            statements.append(
                Quote(
                    text,
                    candidate.section,
                    explicit=False,
                    score=round(_score(text, candidate), 3),
                    start=candidate.start,
                    end=candidate.end,
                )
            )
    explicit.sort(key=lambda quote: -quote.score)
    statements.sort(key=lambda quote: -quote.score)
    return (explicit + statements)[:limit]
