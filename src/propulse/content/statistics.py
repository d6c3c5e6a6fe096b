"""Find the statistics of a text: numbers with their unit, as written and normalised.

French and English formats meet: "40 000" and "40,000", "12,5 %" and "12.5%", "2 M€",
"$1.2M", ranges ("8 à 10 pages", "de 20 à 400", and the spoken French "30 à 40 000" that
means 30,000 to 40,000), multipliers ("3x", "×2"), durations ("3 à 12 mois"). Years, list
numbering, time codes, dates, ordinals and digits glued to letters (B2B, Q3) are not
statistics. A comma followed by exactly three digits is read as a thousands separator in
both languages ("1,200" is 1200), since a French decimal rarely carries three digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from propulse.kit.text import STOP_WORDS_EN, STOP_WORDS_FR, normalise

__all__ = ["Figure", "find_statistics", "normalise_number_text"]


@dataclass(frozen=True)
class Figure:
    """A number or a range found in a text, with its span and its normalised reading."""

    expression: str  # as written, units that belong to the number included: "2 M€", "40 %"
    values: tuple[float, ...]
    unit: str
    start: int
    end: int


_SPACE = (
    "[ \u00a0\u202f\u2009]"  # French writes thousands and units after a (narrow) no-break space
)
_NUMBER_CORE = (
    rf"(?:\d{{1,3}}(?:{_SPACE}\d{{3}})+(?:,\d+)?"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"
    r"|\d+(?:[.,]\d+)?)"
    r"(?![.,]?\d)"
)
# A number that starts a token: not inside a word (B2B, Q3), a version (2.0.1), a code
# (#3, 12/03) or a hyphenated name (COVID-19); "x2" is a multiplier, so x may precede.
_NUMBER = re.compile(rf"(?:(?<![\w.,/:#°])(?<![^\W\d_]-)|(?<=(?<!\w)[xX])){_NUMBER_CORE}")
_NUMBER_AT = re.compile(_NUMBER_CORE)
_LETTERS = re.compile(r"[^\W\d_]+")

_MAGNITUDES = {
    "k": 1e3,
    "K": 1e3,
    "mille": 1e3,
    "thousand": 1e3,
    "thousands": 1e3,
    "M": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "Md": 1e9,
    "Mds": 1e9,
    "Mrd": 1e9,
    "bn": 1e9,
    "B": 1e9,
    "milliard": 1e9,
    "milliards": 1e9,
    "billion": 1e9,
    "billions": 1e9,
}
_CURRENCY_CODES = r"EUR|USD|GBP"
_MAGNITUDE_GLUED = re.compile(rf"(?P<mag>Mds|Mrd|Md|bn|k|K|M|B)(?=(?:{_CURRENCY_CODES})\b|[^\w]|$)")
_MAGNITUDE_SPACED = re.compile(
    rf"{_SPACE}(?P<mag>Mds|Md|k|K|M)(?={_SPACE}?(?:[€$£]|(?:{_CURRENCY_CODES})\b))"
    rf"|{_SPACE}(?P<word>millions?|milliards?|billions?|thousands?|mille)\b"
)
_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}
_CURRENCY_WORDS = {"euro": "EUR", "dollar": "USD", "livre": "GBP"}
_CURRENCY_AFTER = re.compile(
    rf"{_SPACE}?(?P<symbol>[€$£]|(?:{_CURRENCY_CODES})\b)"
    rf"|{_SPACE}(?:d['’]|de{_SPACE}|of{_SPACE})?(?P<word>(?i:euros?|dollars?|livres?{_SPACE}sterling))\b"
)
_CURRENCY_BEFORE = re.compile(rf"(?:(?P<symbol>[€$£])|(?P<code>{_CURRENCY_CODES}){_SPACE}?)$")
_PERCENT = re.compile(rf"{_SPACE}?%|{_SPACE}(?i:pour{_SPACE}?cent|percent|per{_SPACE}cent)\b")
_TIMES_AFTER = re.compile(
    rf"(?P<sign>{_SPACE}?[x×])(?![^\W\d_])|{_SPACE}(?P<word>(?i:fois|times))\b"
    rf"(?P<comparative>{_SPACE}+(?i:plus|moins|mieux|more|less|faster|higher|better|as)\b)?"
)
_RANGE_LINK = re.compile(rf"{_SPACE}?[-–—]{_SPACE}?|{_SPACE}(?P<word>à|a|to|ou|or|et|and){_SPACE}")
_RANGE_OPENER = re.compile(rf"(?i:\b(?:entre|between)){_SPACE}+$")
_FROM_BEFORE = re.compile(rf"(?i:\bfrom){_SPACE}+$")
_RATIO_LINK = re.compile(
    rf"(?:{_SPACE}(?P<noun>[^\W\d_][\w’'-]*))?{_SPACE}(?P<link>sur|in|out{_SPACE}of){_SPACE}"
)
_NEXT_WORD = re.compile(rf"{_SPACE}+(?P<word>[^\W\d_][\w’'-]*)")
_OF_WORD = re.compile(rf"{_SPACE}+(?:de{_SPACE}+|d['’]|of{_SPACE}+)(?P<word>[^\W\d_][\w’'-]*)")
_WORD_BEFORE = re.compile(rf"(?P<word>[^\W\d_]+)\.?{_SPACE}*(?:n°|no\.?|#)?{_SPACE}*$")
_LIST_NUMBER_END = re.compile(rf"(?:[.)°]|{_SPACE}?[:–-]{_SPACE})")
_YEAR = re.compile(r"(?:19|20)\d\d")

_MONTHS_FR = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
    "novembre|décembre|decembre"
)
_MONTHS_EN = "January|February|March|April|May|June|July|August|September|October|November|December"
# Spans whose digits are not content: time codes, clock times, dates.
_NOT_CONTENT = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
    r"|\b\d{1,2}\s?h\s?\d{2}\b"
    r"|\b\d{1,2}\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)"
    r"|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b"
    r"|\b\d{4}-\d{2}-\d{2}\b"
    rf"|\b\d{{1,2}}(?:er|st|nd|rd|th)?{_SPACE}(?i:{_MONTHS_FR})(?:{_SPACE}\d{{4}})?\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?{_SPACE}(?:{_MONTHS_EN})(?:,?{_SPACE}\d{{4}})?\b"
    rf"|\b(?:{_MONTHS_EN}){_SPACE}\d{{1,2}}(?:st|nd|rd|th)?(?:,?{_SPACE}\d{{4}})?\b"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _units(words: str, unit: str) -> dict[str, str]:
    return dict.fromkeys(words.split(), unit)


# Words that number the thing after them rather than count it: "étape 3", "page 12".
_LABELS = _words(
    """
    etape step page pages p chapitre chapter chapters partie part slide slides diapo
    diapositive figure fig tableau table annexe appendix question episode saison season
    niveau level phase module version numero number no n top article section point ligne
    line lot tome vol volume lecon lesson sprint acte act scene pilier pillar regle rule
    conseil tip erreur mistake raison reason option exemple example priorite priority
    objectif objective okr kr cas case semaine week jour day
    """
)
# Units read the same in both languages; a unit listed here counts even after "1".
_UNITS = {
    **_units(
        "salarie salaries employe employes employee employees people personnes "
        "collaborateurs collaboratrices staff",
        "people",
    ),
    **_units("client clients customer customers", "customers"),
    **_units("mois month months", "months"),
    **_units("an ans annee annees year years", "years"),
    **_units("semaine semaines week weeks", "weeks"),
    **_units("jour jours day days", "days"),
    **_units("heure heures hour hours", "hours"),
    **_units("minute minutes min", "minutes"),
    **_units("seconde secondes second seconds", "seconds"),
    **_units("email emails e-mail e-mails mail mails courriel courriels", "emails"),
    **_units("page pages", "pages"),
    **_units("article articles", "articles"),
    **_units("contact contacts", "contacts"),
    **_units("lead leads", "leads"),
    **_units("post posts", "posts"),
    **_units("webinaire webinaires webinar webinars", "webinars"),
    **_units("compte comptes account accounts", "accounts"),
    **_units("pays country countries", "countries"),
    **_units("point points pts pt", "points"),
    **_units("visiteur visiteurs visitor visitors", "visitors"),
    **_units("prospect prospects", "prospects"),
}
# French adjectives that stand between a number and its noun: "3 grandes erreurs".
_ADJECTIVES = _words(
    """
    grands grandes petits petites bons bonnes nouveaux nouvelles premiers premieres derniers
    dernieres gros grosses vrais vraies seuls seules autres meilleurs meilleures principaux
    principales memes simples enormes beaux belles vieux vieilles jeunes
    """
)
_TIME_UNITS = frozenset({"months", "years", "weeks", "days", "hours", "minutes", "seconds"})
_STOP_WORDS = STOP_WORDS_EN | STOP_WORDS_FR


@dataclass
class _Reading:
    """A number or a range being read: where it is, its values, what follows it."""

    start: int
    end: int  # where reading stops (a currency word included)
    values: list[float]
    expression_end: int = 0  # "800 à 1 000 euros": the expression stops before "euros"
    unit: str = ""
    magnitude: bool = False
    is_range: bool = False
    year_like: bool = False
    list_item: bool = False  # "1." or "2)" opening a line
    labelled: bool = False  # "étape 3", "page 12"


def _to_float(raw: str) -> float:
    """Read a number written the French or the English way."""
    digits = re.sub(_SPACE, "", raw)
    if "," in digits and "." in digits:
        digits = digits.replace(",", "")
    elif "," in digits:
        if re.fullmatch(r"[1-9]\d{0,2}(?:,\d{3})+", digits):
            digits = digits.replace(",", "")
        else:
            digits = digits.replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}", digits):
        digits = digits.replace(".", "")
    return float(digits)


def _scaled(value: float, magnitude: float) -> float:
    return round(value * magnitude, 6)


def _glued_letters_ok(text: str, end: int) -> bool:
    """Tell whether letters right after a number are a unit (3x, 2M) and not a word (2nd, 3D)."""
    letters = _LETTERS.match(text, end)
    if letters is None:
        return True
    return letters.group() in {"x", "X"} or _MAGNITUDE_GLUED.match(text, end) is not None


def _read_magnitude(text: str, end: int) -> tuple[float, int, bool]:
    """Return the magnitude after a number, where it ends, and whether it is a word."""
    glued = _MAGNITUDE_GLUED.match(text, end)
    if glued:
        return _MAGNITUDES[glued.group("mag")], glued.end(), False
    spaced = _MAGNITUDE_SPACED.match(text, end)
    if spaced:
        if spaced.group("mag"):
            return _MAGNITUDES[spaced.group("mag")], spaced.end(), False
        return _MAGNITUDES[spaced.group("word").lower()], spaced.end(), True
    return 1.0, end, False


def _read_symbol(text: str, end: int) -> tuple[str, int, int]:
    """Read a unit written as a symbol or a currency after a number.

    Return the unit, where reading stops and where the expression stops: a symbol belongs
    to the expression ("2 M€", "40 %"), a word does not ("800 à 1 000" euros).
    """
    percent = _PERCENT.match(text, end)
    if percent:
        return "%", percent.end(), percent.end()
    currency = _CURRENCY_AFTER.match(text, end)
    if currency:
        if currency.group("symbol"):
            symbol = currency.group("symbol")
            unit = _CURRENCY_SYMBOLS.get(symbol, symbol)
            return unit, currency.end(), currency.end()
        word = normalise(currency.group("word")).split()[0].rstrip("s")
        return _CURRENCY_WORDS[word], currency.end(), end
    times = _TIMES_AFTER.match(text, end)
    if times:
        if times.group("sign"):
            return "x", times.end("sign"), times.end("sign")
        unit = "x" if times.group("comparative") else "times"
        return unit, times.end("word"), times.end("word")
    return "", end, end


def _read_currency_before(text: str, start: int) -> tuple[str, int]:
    match = _CURRENCY_BEFORE.search(text, max(0, start - 4), start)
    if match is None:
        return "", start
    if match.group("symbol"):
        return _CURRENCY_SYMBOLS[match.group("symbol")], match.start()
    # A code reads as a word ("EUR 1.2 million"): like "euros", it names the unit only.
    return match.group("code"), start


def _looks_plural_noun(word: str, key: str) -> bool:
    return (
        word[0].islower()
        and len(key) >= 4
        and key.endswith(("s", "x"))
        and not key.endswith("ss")
        and "'" not in key
        and key not in _STOP_WORDS
    )


def _read_noun(text: str, end: int, after_magnitude_word: bool) -> str:
    """Return the unit named by the noun after a number ("30 000 contacts"), or ""."""
    match = (_OF_WORD.match(text, end) if after_magnitude_word else None) or _NEXT_WORD.match(
        text, end
    )
    if match is None:
        return ""
    words = [match.group("word")]
    second = _NEXT_WORD.match(text, match.end())
    if second:
        words.append(second.group("word"))
    for index, word in enumerate(words):
        key = normalise(word)
        if key in _UNITS:
            return _UNITS[key]
        if _looks_plural_noun(word, key) and not (index == 0 and key in _ADJECTIVES):
            return word.lower()
        # One word may sit between a number and its noun: "3 grandes erreurs", "10 LinkedIn
        # posts"; a third word is too far to be the number's noun.
        if index > 0:
            return ""
    return ""


def _is_list_item(text: str, start: int, number_end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip() and bool(_LIST_NUMBER_END.match(text, number_end))


def _is_labelled(text: str, start: int) -> bool:
    label = _WORD_BEFORE.search(text, max(0, start - 24), start)
    return label is not None and normalise(label.group("word")) in _LABELS


_RangeEnd = tuple[re.Match[str], float, float, str, int, int]


def _read_range_end(text: str, position: int) -> _RangeEnd | None:
    """Read a range's second end: match, value, magnitude, symbol, end, expression end."""
    if position < len(text) and text[position] in _CURRENCY_SYMBOLS:
        position += 1
    other = _NUMBER_AT.match(text, position)
    if other is None or not _glued_letters_ok(text, other.end()):
        return None
    magnitude, after, _ = _read_magnitude(text, other.end())
    symbol, after, expression_end = _read_symbol(text, after)
    return other, _to_float(other.group()), magnitude, symbol, after, expression_end


def _read_ratio(text: str, reading: _Reading, first: float) -> bool:
    """Read "1 sur 3", "1 client sur 3", "1 in 5", "9 out of 10" into ``reading``."""
    ratio = _RATIO_LINK.match(text, reading.end)
    if ratio is None or (ratio.group("noun") and ratio.group("link") == "in"):
        return False
    other = _NUMBER_AT.match(text, ratio.end())
    if other is None or _LETTERS.match(text, other.end()):
        return False
    second = _to_float(other.group())
    if not (first == int(first) and 1 <= first < second <= 100):
        return False
    reading.values = [first, second]
    reading.end = reading.expression_end = other.end()
    reading.unit = "ratio"
    reading.is_range = True
    return True


def _thousands_idiom(first: float, second: float) -> bool:
    """Tell whether "30 à 40 000" means 30,000 to 40,000 (the first end drops its thousands)."""
    if first != int(first) or not 0 < first < 1000 or second < 1000 or second % 1000:
        return False
    return 1 < second / (first * 1000) < 10


def _read_at(text: str, match: re.Match[str]) -> _Reading:
    """Read the number found at ``match`` with what belongs to it: range, magnitude, unit."""
    unit_before, start = _read_currency_before(text, match.start())
    if not unit_before and start > 0 and text[start - 1] in "x×X":
        unit_before, start = "x", start - 1
    first = _to_float(match.group())
    first_magnitude, end, magnitude_word = _read_magnitude(text, match.end())
    symbol, end, expression_end = _read_symbol(text, end)
    reading = _Reading(start=start, end=end, values=[first], expression_end=expression_end)
    reading.year_like = bool(_YEAR.fullmatch(match.group())) and first_magnitude == 1.0
    reading.labelled = _is_labelled(text, match.start())

    second: _RangeEnd | None = None
    link = _RANGE_LINK.match(text, end)
    opener = _RANGE_OPENER.search(text, max(0, start - 12), start)
    if link and (link.group("word") not in {"et", "and"} or opener):
        second = _read_range_end(text, link.end())
        # "3x to 12 000 users" is no range: a unit on the first end must be repeated.
        if second and symbol and second[3] != symbol:
            second = None
    if second is None:
        reading.list_item = _is_list_item(text, match.start(), match.end())
        if not symbol and not unit_before and _read_ratio(text, reading, first):
            reading.year_like = False
            return reading
        reading.values = [_scaled(first, first_magnitude)]
        reading.magnitude = first_magnitude != 1.0
    else:
        other, value, second_magnitude, second_symbol, end, expression_end = second
        symbol = second_symbol or symbol
        magnitude_word = _read_magnitude(text, other.end())[2]
        if link and link.group("word") in {"et", "and"} and opener:
            reading.start = opener.start()
        if first_magnitude == 1.0 and second_magnitude != 1.0:
            first_magnitude = second_magnitude  # "2 à 3 millions": the magnitude is shared
        elif (
            first_magnitude == second_magnitude == 1.0
            and _thousands_idiom(first, value)
            and not _FROM_BEFORE.search(text, max(0, start - 8), start)
        ):
            first_magnitude = 1000.0
        reading.values = [_scaled(first, first_magnitude), _scaled(value, second_magnitude)]
        reading.magnitude = second_magnitude != 1.0
        reading.is_range = True
        reading.year_like = reading.year_like and bool(_YEAR.fullmatch(other.group()))
    reading.end = end
    reading.expression_end = expression_end
    reading.unit = unit_before or symbol or _read_noun(text, end, magnitude_word)
    return reading


def _readings(text: str) -> list[_Reading]:
    not_content = [match.span() for match in _NOT_CONTENT.finditer(text)]
    readings: list[_Reading] = []
    position = 0
    while match := _NUMBER.search(text, position):
        inside = any(start <= match.start() < end for start, end in not_content)
        if inside or not _glued_letters_ok(text, match.end()):
            letters = _LETTERS.match(text, match.end())
            position = letters.end() if letters else match.end()
            continue
        reading = _read_at(text, match)
        readings.append(reading)
        position = max(reading.end, match.end())
    return readings


_SYMBOL_UNITS = frozenset({"%", "EUR", "USD", "GBP", "x"})


def _is_statistic(reading: _Reading) -> bool:
    if reading.list_item:
        return False
    if reading.labelled and not (reading.unit in _SYMBOL_UNITS or reading.unit in _UNITS.values()):
        return False  # "étape 3 consiste", but "chaque semaine 3 posts" still counts
    if reading.year_like:
        # A year is a date unless it carries a unit that is not a time ("2000 contacts").
        return bool(reading.unit) and reading.unit not in _TIME_UNITS
    return bool(reading.unit) or reading.is_range or reading.magnitude


def find_statistics(text: str) -> list[Figure]:
    """Return the statistics of a text in order: numbers with a unit, ranges, amounts."""
    return [
        Figure(
            expression=text[reading.start : reading.expression_end],
            values=tuple(reading.values),
            unit=reading.unit,
            start=reading.start,
            end=reading.expression_end,
        )
        for reading in _readings(text)
        if _is_statistic(reading)
    ]


def normalise_number_text(text: str) -> list[float]:
    """Return every content number of a text, normalised ("40 000" and "40000" give 40000.0).

    Ranges give both ends ("30 à 40 000" gives 30000.0 and 40000.0), magnitudes are applied
    ("2 M€" gives 2000000.0), percentages keep their figure ("12,5 %" gives 12.5). Time
    codes, clock times, dates, list numbering, labels ("étape 3"), ordinals and digits glued
    to letters (B2B) are left out: they are not content.
    """
    return [
        value
        for reading in _readings(text)
        if not reading.list_item and (not reading.labelled or _is_statistic(reading))
        for value in reading.values
    ]
