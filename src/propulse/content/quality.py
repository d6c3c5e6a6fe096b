"""The quality report of a package: faithfulness, coverage, duplication, rules, per-piece figures.

- **Faithfulness**: every number and every quotation in the text of a piece (the e-book
  included) must be in the source, numbers compared after normalising their format ("40 000" =
  "40000", "12,5 %" = "12.5%"; a range counts by its ends). Not content, so not checked: links,
  hashtags, time codes, list numbering and the brand's own call-to-action text. Score = the
  share of faithful items; the unfaithful ones are listed with their piece.
- **Coverage**: the share of the analysis's top quotations, statistics and keyphrases used
  somewhere in the package (and outside the e-book, which holds the whole material).
- **Duplication**: Jaccard overlap of word 5-grams between every two pieces (the engine's
  recurring wording left out); pairs above the threshold (lower within a channel than across
  channels, where reusing the source is the point) are listed and both pieces flagged.
- **Rules**: one ``RuleCheck`` per rule and piece; a failed one flags its piece, never hides it.
- **Pieces**: words, reading ease (Flesch for English, Kandel & Moles for French, with our own
  syllable counter) and flags.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from propulse.content.document import (
    Analysis,
    ContentPackage,
    Ebook,
    Language,
    Piece,
    QualityReport,
    RuleCheck,
    SourceDocument,
)
from propulse.content.drafting import contains_phrase, word_key
from propulse.content.readability import plain_text, reading_ease, syllables, words
from propulse.content.statistics import normalise_number_text
from propulse.kit.text import normalise, tokenise

__all__ = [
    "CROSS_KIND_THRESHOLD",
    "DUPLICATION_THRESHOLD",
    "NumberNormaliser",
    "reading_ease",
    "report",
    "syllables",
]

NumberNormaliser = Callable[[str], list[float]]

# Jaccard overlap of word 5-grams above which two pieces are flagged: of the same kind (an
# article and an article), of different kinds (a post and the article it comes from).
DUPLICATION_THRESHOLD = 0.15
CROSS_KIND_THRESHOLD = 0.5
BOILERPLATE_PIECES = 3
NGRAM = 5
TOP_QUOTES, TOP_STATISTICS, TOP_KEYPHRASES = 10, 20, 15

_URL = re.compile(r"https?://[^\s)\]>]+")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_HASHTAG = re.compile(r"(?<![\w&#])#[^\W_]\w*")
_TIMECODE = re.compile(r"(?<![\d:])\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?![\d:])")
_LIST_NUMBER = re.compile(r"^[ \t]*\d{1,3}[.)][ \t]+", re.MULTILINE)
_QUOTATIONS = (
    re.compile(r"«\s*(.+?)\s*»", re.DOTALL),
    re.compile(r"“\s*(.+?)\s*”", re.DOTALL),
    re.compile(r'"\s*([^"]+?)\s*"'),
)
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_HHMMSS = re.compile(r"\d{2}:\d{2}:\d{2}")
_APOSTROPHES = str.maketrans(dict.fromkeys("’‘`´ʼ′", "'"))


@dataclass
class _Text:
    """One checked piece: its label, its text as shown, and its content text for checks."""

    label: str
    kind: str
    index: int
    title: str
    shown: str
    content: str
    flags: list[str] = field(default_factory=list)


def report(
    source_text: str | SourceDocument,
    analysis: Analysis,
    package: ContentPackage,
    *,
    normalise_numbers: NumberNormaliser | None = None,
    duplication_threshold: float = DUPLICATION_THRESHOLD,
    cross_kind_threshold: float = CROSS_KIND_THRESHOLD,
) -> QualityReport:
    """Check a package against its source and the format rules."""
    if normalise_numbers is None:
        normalise_numbers = normalise_number_text
    source = source_text.text if isinstance(source_text, SourceDocument) else source_text
    texts = _texts(package)
    faithfulness = _faithfulness(source, texts, normalise_numbers)
    coverage = _coverage(analysis, texts)
    duplication = _duplication(source, texts, duplication_threshold, cross_kind_threshold)
    rules = _rules(package)
    by_label = {text.label: text for text in texts}
    for rule in rules:
        if not rule.passed and rule.piece in by_label:
            by_label[rule.piece].flags.append(rule.rule)
    return QualityReport(
        faithfulness=faithfulness,
        coverage=coverage,
        duplication=duplication,
        rules=rules,
        pieces=[_figures(text, package.language) for text in texts],
    )


# What is checked


def _texts(package: ContentPackage) -> list[_Text]:
    ebook = package.ebook
    brand_literals = [ebook.cta_text] if ebook.cta_text else []
    texts = [_ebook_text(ebook, package.language, brand_literals)]
    for piece in package.pieces():
        parts = [piece.title, piece.body]
        if piece.kind == "article":
            parts.append(str(piece.meta.get("meta_description", "")))
        elif piece.kind == "email":
            subject = str(piece.meta.get("subject", ""))
            parts += [
                subject if subject != piece.title else "",
                str(piece.meta.get("preheader", "")),
            ]
        literals = [*brand_literals, str(piece.meta.get("cta_text") or "")]
        shown = "\n\n".join(part for part in parts if part)
        texts.append(
            _Text(
                label=f"{piece.kind} {piece.index}",
                kind=piece.kind,
                index=piece.index,
                title=piece.title,
                shown=piece.body,
                content=_content(shown, literals),
            )
        )
    return texts


def _ebook_text(ebook: Ebook, language: Language, literals: list[str]) -> _Text:
    parts = [ebook.title, ebook.subtitle, *ebook.introduction]
    for chapter in ebook.chapters:
        parts += [chapter.title, *chapter.paragraphs]
        parts += [_quoted(quote.text, language) for quote in chapter.pull_quotes]
        parts += [f"{stat.expression} {stat.unit}\n{stat.sentence}" for stat in chapter.statistics]
    parts += ebook.conclusion
    shown = "\n\n".join(part for part in parts if part)
    return _Text("ebook", "ebook", 1, ebook.title, shown, _content(shown, literals))


def _quoted(text: str, language: Language) -> str:
    return f"« {text} »" if language == "fr" else f"“{text}”"


def _content(text: str, literals: Iterable[str]) -> str:
    """Remove what is not content: the brand's CTA text, links, hashtags, time codes, numbering."""
    for literal in literals:
        if literal:
            text = text.replace(literal, " ")
    text = _LINK_TARGET.sub("]", text)
    text = _URL.sub(" ", text)
    text = _HASHTAG.sub(" ", text)
    text = _TIMECODE.sub(" ", text)
    return _LIST_NUMBER.sub("", text)


# Faithfulness


def _quote_key(text: str) -> str:
    return " ".join(text.translate(_APOSTROPHES).split())


def _number_key(value: float) -> float:
    return round(value, 6)


def quotations(text: str) -> list[str]:
    """Return the texts between quotation marks (« », “ ”, straight double quotes)."""
    found: list[str] = []
    for pattern in _QUOTATIONS:
        found.extend(match.group(1) for match in pattern.finditer(text))
    return [quote for quote in found if quote.strip()]


def _faithfulness(
    source: str, texts: list[_Text], normalise_numbers: NumberNormaliser
) -> dict[str, Any]:
    source_numbers = {_number_key(value) for value in normalise_numbers(source)}
    source_quotes = _quote_key(source)
    unfaithful: list[dict[str, Any]] = []
    numbers_checked = quotes_checked = 0
    for text in texts:
        for value in normalise_numbers(text.content):
            numbers_checked += 1
            if _number_key(value) not in source_numbers:
                unfaithful.append({"piece": text.label, "kind": "number", "value": value})
        for quote in quotations(text.content):
            quotes_checked += 1
            if _quote_key(quote) not in source_quotes:
                unfaithful.append({"piece": text.label, "kind": "quote", "text": quote})
    checked = numbers_checked + quotes_checked
    for item in unfaithful:
        flagged = next(text for text in texts if text.label == item["piece"])
        if "unfaithful" not in flagged.flags:
            flagged.flags.append("unfaithful")
    return {
        "score": round(1 - len(unfaithful) / checked, 4) if checked else 1.0,
        "numbers_checked": numbers_checked,
        "quotes_checked": quotes_checked,
        "unfaithful": unfaithful,
    }


# Coverage


def _coverage(analysis: Analysis, texts: list[_Text]) -> dict[str, Any]:
    everything = _Corpus(texts)
    outside = _Corpus([text for text in texts if text.kind != "ebook"])
    quotes = list(dict.fromkeys(quote.text for quote in analysis.quotes))[:TOP_QUOTES]
    statistics = analysis.statistics[:TOP_STATISTICS]
    keyphrases = analysis.keyphrases[:TOP_KEYPHRASES]

    def measure(corpus: _Corpus) -> tuple[dict[str, float], dict[str, list[str]]]:
        missing = {
            "quotes": [quote for quote in quotes if not corpus.has_quote(quote)],
            "statistics": [
                stat.expression for stat in statistics if not corpus.has_statistic(stat.expression)
            ],
            "keyphrases": [phrase for phrase in keyphrases if not corpus.has_phrase(phrase)],
        }
        totals = {
            "quotes": len(quotes),
            "statistics": len(statistics),
            "keyphrases": len(keyphrases),
        }
        shares = {
            name: round(1 - len(missing[name]) / totals[name], 4) if totals[name] else 1.0
            for name in totals
        }
        return shares, missing

    shares, missing = measure(everything)
    outside_shares, _ = measure(outside)
    return {
        **shares,
        "score": round(sum(shares.values()) / len(shares), 4),
        "missing": missing,
        "outside_ebook": outside_shares,
    }


class _Corpus:
    def __init__(self, texts: list[_Text]) -> None:
        self.plain = " ".join(" ".join(normalise(text.content).split()) for text in texts)
        self.words = " ".join(word_key(text.content) for text in texts)

    def has_quote(self, quote: str) -> bool:
        return " ".join(normalise(quote).split()) in self.plain

    def has_statistic(self, expression: str) -> bool:
        needle = re.escape(" ".join(normalise(expression).split()))
        return re.search(rf"(?<![\d.,]){needle}(?![\d])", self.plain) is not None

    def has_phrase(self, phrase: str) -> bool:
        return contains_phrase(self.words, phrase)


# Duplication


def _shingles(text: str) -> frozenset[tuple[str, ...]]:
    tokens = [normalise(token) for token in tokenise(text)]
    return frozenset(tuple(tokens[i : i + NGRAM]) for i in range(len(tokens) - NGRAM + 1))


def _duplication(
    source: str, texts: list[_Text], same_kind_threshold: float, cross_kind_threshold: float
) -> dict[str, Any]:
    """Compare every two pieces by the Jaccard overlap of their word 5-grams.

    A 5-gram not from the source and found in ``BOILERPLATE_PIECES`` pieces or more is
    template wording (a greeting, a call to action) and is left out. Within a channel,
    readers see both pieces, so a small overlap counts; across channels, reusing the
    source's sentences is the point of recycling, so only a near copy does.
    """
    pieces = [text for text in texts if text.kind != "ebook"]  # the e-book holds everything
    shingles = [_shingles(text.content) for text in pieces]
    from_source = _shingles(source)
    frequency: dict[tuple[str, ...], int] = {}
    for grams in shingles:
        for gram in grams:
            frequency[gram] = frequency.get(gram, 0) + 1
    template = {
        gram
        for gram, count in frequency.items()
        if count >= BOILERPLATE_PIECES and gram not in from_source
    }
    shingles = [grams - template for grams in shingles]
    best = best_same_kind = 0.0
    pairs: list[dict[str, Any]] = []
    for (i, a), (j, b) in combinations(enumerate(shingles), 2):
        shared = len(a & b)
        if not shared:
            continue
        overlap = shared / (len(a) + len(b) - shared)
        best = max(best, overlap)
        same_kind = pieces[i].kind == pieces[j].kind
        if same_kind:
            best_same_kind = max(best_same_kind, overlap)
        if overlap >= (same_kind_threshold if same_kind else cross_kind_threshold):
            pairs.append({"a": pieces[i].label, "b": pieces[j].label, "overlap": round(overlap, 4)})
            for text in (pieces[i], pieces[j]):
                if "duplication" not in text.flags:
                    text.flags.append("duplication")
    pairs.sort(key=lambda pair: (-pair["overlap"], pair["a"], pair["b"]))
    return {
        "max_overlap": round(best, 4),
        "max_overlap_same_kind": round(best_same_kind, 4),
        "ngram": NGRAM,
        "threshold_same_kind": same_kind_threshold,
        "threshold_cross_kind": cross_kind_threshold,
        "pairs": pairs,
    }


# Rules


def _check(piece: str, rule: str, passed: bool, detail: str = "") -> RuleCheck:
    return RuleCheck(piece=piece, rule=rule, passed=passed, detail=detail)


def _rules(package: ContentPackage) -> list[RuleCheck]:
    rules = [
        _count("articles_5_to_6", len(package.articles), 5, 6),
        _count("linkedin_8_to_12", len(package.posts), 8, 12),
        _count("emails_4_to_6", len(package.emails), 4, 6),
        _check(
            "ebook",
            "ebook_chapters_min_1",
            len(package.ebook.chapters) >= 1,
            f"{len(package.ebook.chapters)} chapters",
        ),
        _check("ebook", "ebook_cta", bool(package.ebook.cta_text and package.ebook.cta_url)),
    ]
    slugs: list[str] = []
    for article in package.articles:
        rules += _article_rules(article, slugs)
    quotes: dict[str, str] = {}
    statistics: dict[str, str] = {}
    for post in package.posts:
        rules += _post_rules(post, quotes, statistics)
    previous_delay: int | None = None
    for email in package.emails:
        rules += _email_rules(email, previous_delay, package.ebook.cta_url)
        delay = email.meta.get("delay_days")
        previous_delay = delay if isinstance(delay, int) else previous_delay
    return rules


def _count(rule: str, count: int, low: int, high: int) -> RuleCheck:
    return _check("package", rule, low <= count <= high, f"{count}")


def _max_length(label: str, rule: str, text: str, limit: int) -> RuleCheck:
    return _check(label, rule, len(text) <= limit, f"{len(text)} characters")


def _links(body: str) -> list[str]:
    return [match.group(2) for match in _LINK.finditer(body)]


def _article_rules(article: Piece, slugs: list[str]) -> list[RuleCheck]:
    label = f"article {article.index}"
    description = str(article.meta.get("meta_description", ""))
    slug = str(article.meta.get("slug", ""))
    headings = [line for line in article.body.splitlines() if line.startswith("## ")]
    links = _links(article.body)
    checks = [
        _max_length(label, "title_max_60", article.title, 60),
        _check(label, "meta_description_present", bool(description.strip())),
        _max_length(label, "meta_description_max_155", description, 155),
        _check(label, "slug_valid", bool(_SLUG.fullmatch(slug)) and len(slug) <= 60, slug),
        _check(label, "slug_unique", slug not in slugs, slug),
        _check(label, "h2_2_to_4", 2 <= len(headings) <= 4, f"{len(headings)} H2"),
        _check(label, "one_cta", len(links) == 1, f"{len(links)} links"),
    ]
    slugs.append(slug)
    return checks


def _post_rules(post: Piece, quotes: dict[str, str], statistics: dict[str, str]) -> list[RuleCheck]:
    label = f"linkedin {post.index}"
    first_line = post.body.split("\n", 1)[0]
    tags = [str(tag) for tag in post.meta.get("hashtags") or []]
    body_tags = _HASHTAG.findall(post.body)
    checks = [
        _max_length(label, "post_max_3000", post.body, 3000),
        _check(
            label,
            "hook_within_210",
            len(first_line) <= 210 and bool(first_line.strip()),
            f"{len(first_line)} characters",
        ),
        _check(
            label,
            "hashtags_3_to_5",
            3 <= len(tags) <= 5 and all(tag in body_tags for tag in tags),
            " ".join(tags),
        ),
    ]
    for name, seen, rule in (
        ("quote", quotes, "quote_not_reused"),
        ("statistic", statistics, "statistic_not_reused"),
    ):
        value = post.meta.get(name)
        if not value:
            continue
        value_key = " ".join(normalise(str(value)).split())
        earlier = seen.get(value_key)
        checks.append(_check(label, rule, earlier is None, f"also in {earlier}" if earlier else ""))
        seen.setdefault(value_key, label)
    if post.meta.get("post_kind") == "video":
        start, end = str(post.meta.get("start", "")), str(post.meta.get("end", ""))
        valid = bool(_HHMMSS.fullmatch(start) and _HHMMSS.fullmatch(end)) and start < end
        checks.append(_check(label, "video_timecodes", valid, f"{start}-{end}"))
    return checks


def _email_rules(email: Piece, previous_delay: int | None, ebook_url: str) -> list[RuleCheck]:
    label = f"email {email.index}"
    subject = str(email.meta.get("subject", ""))
    preheader = str(email.meta.get("preheader", ""))
    links = _links(email.body)
    cta_url = email.meta.get("cta_url")
    delay = email.meta.get("delay_days")
    checks = [
        _check(label, "subject_present", bool(subject.strip())),
        _max_length(label, "subject_max_60", subject, 60),
        _check(label, "preheader_present", bool(preheader.strip())),
        _max_length(label, "preheader_max_100", preheader, 100),
        _check(
            label,
            "one_cta",
            len(links) == 1 and links[0] == cta_url and bool(email.meta.get("cta_text")),
            f"{len(links)} links",
        ),
        _check(
            label,
            "delay_increasing",
            isinstance(delay, int)
            and delay >= 0
            and (previous_delay is None or delay > previous_delay),
            f"{delay} days",
        ),
    ]
    if email.index == 1:
        checks.append(_check(label, "first_delivers_ebook", delay == 0 and ebook_url in email.body))
    return checks


# Per-piece figures


def _figures(text: _Text, language: Language) -> dict[str, Any]:
    return {
        "kind": text.kind,
        "index": text.index,
        "title": text.title,
        "words": len(words(plain_text(text.shown))),
        "reading_ease": reading_ease(text.shown, language),
        "reading_formula": "kandel_moles" if language == "fr" else "flesch",
        "flags": text.flags,
    }
