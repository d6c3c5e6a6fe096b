"""Benchmark: an 8-10 page script into every text piece (target < 3 s) and the PDF (< 10 s).

Baselines measured in the same run: reading the file alone (the floor of any pipeline), and
compiling the same text as a plain, undesigned Typst document (the cost of typesetting alone,
to show what our design adds). Run: `.venv/bin/python bench/content_recycling.py [--runs 5]`.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import typst
from pypdf import PdfReader

from propulse.content import analysis, ebook, ingest, pieces, quality
from propulse.content.document import BrandKit

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "content"
SOURCES = ("webinar-script-en.md", "webinar-transcript-fr.srt", "webinar-captions-en.vtt")


def timed(function: Callable[[], object], runs: int) -> tuple[float, object]:
    durations, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), result


def plain_typst_seconds(text: str) -> float:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "plain.typ"
        escaped = (
            text.replace("\\", "\\\\").replace("#", "\\#").replace("$", "\\$").replace("*", "\\*")
        )
        escaped = (
            escaped.replace("_", "\\_").replace("@", "\\@").replace("<", "\\<").replace("[", "\\[")
        )
        escaped = escaped.replace("]", "\\]").replace("`", "\\`")
        source.write_text(escaped, encoding="utf-8")
        started = time.perf_counter()
        typst.compile(str(source), font_paths=[], ignore_system_fonts=True)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}"
    )
    brand = BrandKit(name="Orbiteo", hashtags=["#B2BMarketing"])
    for name in SOURCES:
        data = (DATA / name).read_bytes()
        read_floor, _ = timed(lambda data=data: data.decode("utf-8", "replace").split(), runs)
        ingest_s, document = timed(
            lambda data=data, name=name: ingest.read_source(data, name), runs
        )
        analysis_s, found = timed(lambda: analysis.analyse(document), runs)  # type: ignore[arg-type]
        pieces_s, package = timed(
            lambda: pieces.build_package(found, brand, start=date(2027, 3, 1)),
            runs,  # type: ignore[arg-type]
        )
        quality_s, _ = timed(lambda: quality.report(document.text, found, package), runs)  # type: ignore[arg-type,union-attr]
        text_total = ingest_s + analysis_s + pieces_s + quality_s
        pdf_s, pdf = timed(lambda: ebook.render_pdf(package.ebook, brand), runs)  # type: ignore[union-attr]
        plain_s = plain_typst_seconds(document.text)  # type: ignore[union-attr]
        pages = len(PdfReader(io.BytesIO(pdf)).pages)  # type: ignore[arg-type]
        print(
            f"\n{name}: {document.word_count} words ({document.language})\n"  # type: ignore[union-attr]
            f"  baseline, reading the file: {read_floor * 1000:.1f} ms\n"
            f"  text pieces: {text_total:.2f} s (ingest {ingest_s:.2f}, analysis {analysis_s:.2f}, "
            f"pieces {pieces_s:.2f}, quality {quality_s:.2f}) — target < 3 s: "
            f"{'met' if text_total < 3 else 'MISSED'}\n"
            f"  e-book PDF: {pdf_s:.2f} s, {pages} pages — target < 10 s: {'met' if pdf_s < 10 else 'MISSED'}; "
            f"baseline, the same text as a plain Typst document: {plain_s:.2f} s"
        )


if __name__ == "__main__":
    main()
