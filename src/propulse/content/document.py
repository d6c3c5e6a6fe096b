"""The plain data that flows through content recycling: source → analysis → pieces → report.

Every stage is a pure function over these types (no I/O, no database), so each one is tested
alone and the web, the API, the CLI and the jobs share them:

    ingest.read_source(data, filename, language=None) -> SourceDocument
    analysis.analyse(document) -> Analysis
    pieces.build_package(analysis, brand, start=date, country="FR") -> ContentPackage
    ebook.render_pdf(package.ebook, brand) -> bytes
    quality.report(document, analysis, package) -> QualityReport
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Language = Literal["fr", "en"]
BlockKind = Literal["heading", "paragraph"]
PieceKind = Literal["article", "linkedin", "email"]
PostKind = Literal["quote", "statistic", "insight", "video"]

MIN_WORDS = 500
MAX_WORDS = 60_000


# 1. The source, as read from a file


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph of the source; a transcript cue keeps its time codes (seconds)."""

    kind: BlockKind
    text: str
    level: int = 0  # 1 for a title, 2 for a section heading... 0 for a paragraph
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class SourceDocument:
    title: str
    language: Language
    detected_language: Language
    format: str  # docx, md, txt, pdf, srt, vtt
    blocks: list[Block]
    word_count: int

    @property
    def has_timecodes(self) -> bool:
        return any(block.start is not None for block in self.blocks)

    @property
    def text(self) -> str:
        return "\n\n".join(block.text for block in self.blocks)


class SourceError(ValueError):
    """A source that cannot be used; ``code`` names the problem, the edge translates it.

    Codes: empty, too_short, too_long, unsupported_format, corrupt, no_text_layer, encoding.
    ``details`` carries the numbers of the message (e.g. {"words": 312, "minimum": 500}).
    """

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


# 2. What the analysis finds


@dataclass(frozen=True)
class Sentence:
    text: str
    section: int  # index into Analysis.sections
    start: float | None = None  # seconds, for transcripts
    end: float | None = None


@dataclass
class Section:
    title: str  # the heading, or a title made from the section's keyphrases
    sentences: list[Sentence]
    keyphrases: list[str] = field(default_factory=list)
    from_heading: bool = True  # False when found by topic segmentation

    @property
    def text(self) -> str:
        return " ".join(sentence.text for sentence in self.sentences)

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class Quote:
    """A quotable sentence: an explicit quotation first, then a strong self-contained statement."""

    text: str  # exactly as in the source (without the surrounding quotation marks)
    section: int
    explicit: bool
    score: float
    speaker: str | None = None
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class Statistic:
    """A number with its context: "40 %", "30 à 40 000 contacts", "de 20 à 400 salariés"."""

    expression: str  # the number as written in the source, e.g. "30 à 40 000"
    values: tuple[float, ...]  # normalised values (a range has two): (30000.0, 40000.0)
    unit: str  # %, EUR, contacts, pages... ("" when none)
    sentence: str  # the whole sentence it comes from, as in the source
    section: int


@dataclass(frozen=True)
class Excerpt:
    """A 30-90 second stretch of a transcript worth a video clip."""

    start: float
    end: float
    text: str
    section: int
    score: float


@dataclass
class Analysis:
    language: Language
    title: str
    sections: list[Section]
    keyphrases: list[str]  # of the whole source, best first
    quotes: list[Quote]  # best first
    statistics: list[Statistic]  # in source order
    excerpts: list[Excerpt]  # best first; empty without time codes
    word_count: int


# 3. What is produced


@dataclass
class BrandKit:
    name: str = "Propulse"
    logo: str | None = None  # path to a PNG or SVG file
    colors: list[str] = field(default_factory=lambda: ["#4338ca", "#0f172a"])
    font: str = "Libertinus Serif"  # one of the fonts shipped with the typst package
    cta_url: str = "https://example.com"
    cta_text: str = ""
    hashtags: list[str] = field(default_factory=list)
    tone: Literal["formal", "informal"] = "formal"  # vous or tu in French


@dataclass
class EbookChapter:
    title: str
    paragraphs: list[str]  # Markdown paragraphs, from the section's material
    pull_quotes: list[Quote] = field(default_factory=list)
    statistics: list[Statistic] = field(default_factory=list)


@dataclass
class Ebook:
    title: str
    subtitle: str
    language: Language
    introduction: list[str]
    chapters: list[EbookChapter]
    conclusion: list[str]
    cta_text: str
    cta_url: str


@dataclass
class Piece:
    """An article, a LinkedIn post or an e-mail: Markdown text plus what its format needs."""

    kind: PieceKind
    index: int  # 1-based within its kind
    title: str
    body: str  # Markdown
    section: int | None = None  # the source section it deepens
    meta: dict[str, Any] = field(default_factory=dict)
    # article: slug, meta_description, h2 (list); linkedin: post_kind, hook, hashtags, quote,
    # statistic, start, end; email: subject, preheader, cta_text, cta_url, delay_days


@dataclass(frozen=True)
class CalendarEntry:
    day: str  # ISO date
    kind: str  # ebook, article, linkedin, email
    index: int
    title: str


@dataclass
class ContentPackage:
    language: Language
    ebook: Ebook
    articles: list[Piece]
    posts: list[Piece]
    emails: list[Piece]
    calendar: list[CalendarEntry]

    def pieces(self) -> list[Piece]:
        return [*self.articles, *self.posts, *self.emails]


@dataclass
class RuleCheck:
    piece: str  # e.g. "article 2", "linkedin 5", "email 1", "ebook", "package"
    rule: str  # e.g. "title_max_60", "hook_within_210", "hashtags_3_to_5"
    passed: bool
    detail: str = ""


@dataclass
class QualityReport:
    faithfulness: dict[
        str, Any
    ]  # {"score": 1.0, "numbers_checked": n, "quotes_checked": n, "unfaithful": [...]}
    coverage: dict[
        str, Any
    ]  # {"quotes": 0.9, "statistics": 1.0, "keyphrases": 0.8, "missing": {...}}
    duplication: dict[str, Any]  # {"max_overlap": 0.12, "pairs": [...]}
    rules: list[RuleCheck]
    pieces: list[dict[str, Any]]  # per piece: kind, index, title, words, reading_ease, flags

    def to_json(self) -> dict[str, Any]:
        return {
            "faithfulness": self.faithfulness,
            "coverage": self.coverage,
            "duplication": self.duplication,
            "rules": [rule.__dict__ for rule in self.rules],
            "pieces": self.pieces,
        }
