"""Run the whole recycling pipeline on a source: analysis, pieces, e-book, calendar, report.

Pure orchestration of the pure stages, with a progress callback so a job can show where it
is. The CLI writes the result as files; the service stores it in the database.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from propulse.content import analysis as analysis_stage
from propulse.content import calendar as calendar_stage
from propulse.content import ebook as ebook_stage
from propulse.content import pieces as pieces_stage
from propulse.content import quality as quality_stage
from propulse.content.document import (
    Analysis,
    BrandKit,
    ContentPackage,
    Piece,
    QualityReport,
    SourceDocument,
)
from propulse.kit.markdown import render_markdown

Progress = Callable[[int, str], None]


def _silent(_percent: int, _step: str) -> None:
    return None


@dataclass
class RecycledContent:
    document: SourceDocument
    analysis: Analysis
    package: ContentPackage
    report: QualityReport
    pdf: bytes


def recycle(
    document: SourceDocument,
    brand: BrandKit,
    *,
    start: date,
    country: str = "FR",
    logo: bytes | None = None,
    progress: Progress = _silent,
) -> RecycledContent:
    """Turn a source into a content package with its e-book and its quality report."""
    progress(10, "analysis")
    analysis = analysis_stage.analyse(document)
    progress(40, "pieces")
    package = pieces_stage.build_package(analysis, brand, start=start, country=country)
    progress(55, "quality")
    report = quality_stage.report(document.text, analysis, package)
    progress(65, "ebook")
    pdf = ebook_stage.render_pdf(package.ebook, brand, logo_bytes=logo)
    progress(100, "done")
    return RecycledContent(document, analysis, package, report, pdf)


def article_html(piece: Piece) -> str:
    """Return an article as a standalone HTML page (sanitised body)."""
    title = str(render_markdown(piece.title)).removeprefix("<p>").removesuffix("</p>\n")
    description = str(piece.meta.get("meta_description", "")).replace('"', "&quot;")
    return (
        f'<!doctype html>\n<html><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="description" content="{description}"></head>\n<body>\n'
        f"{render_markdown(piece.body)}</body></html>\n"
    )


def article_stem(article: Piece) -> str:
    """Return where an article's files go: ``articles/NN-slug`` (the slug made safe for a path)."""
    from propulse.content.drafting import slugify

    slug = slugify(str(article.meta.get("slug") or article.title))
    return f"articles/{article.index:02d}-{slug}"


def piece_markdown(piece: Piece) -> str:
    """Return a piece as Markdown with its metadata as front matter."""
    front = {"title": piece.title, **{k: v for k, v in piece.meta.items() if k != "html"}}
    lines = [
        "---",
        *(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()),
        "---",
        "",
    ]
    return "\n".join(lines) + piece.body.rstrip() + "\n"


def output_files(content: RecycledContent, *, calendar_title: str) -> dict[str, bytes]:
    """Return every output file by its path, as the CLI writes them and the zip holds them."""
    package = content.package
    files: dict[str, bytes] = {"ebook.pdf": content.pdf}
    for article in package.articles:
        stem = article_stem(article)
        files[f"{stem}.md"] = piece_markdown(article).encode()
        files[f"{stem}.html"] = article_html(article).encode()
    for post in package.posts:
        files[f"linkedin/{post.index:02d}.md"] = piece_markdown(post).encode()
    for email in package.emails:
        files[f"emails/{email.index:02d}.md"] = piece_markdown(email).encode()
    files["calendar.ics"] = calendar_stage.calendar_ics(package.calendar, calendar_title)
    files["calendar.csv"] = calendar_stage.calendar_csv(package.calendar).encode()
    files["quality.json"] = json.dumps(
        content.report.to_json(), ensure_ascii=False, indent=2
    ).encode()
    return files


def write_outputs(files: dict[str, bytes], out: Path) -> list[Path]:
    """Write the output files under ``out``; return their paths."""
    written = []
    for name, data in sorted(files.items()):
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def zip_outputs(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return buffer.getvalue()
