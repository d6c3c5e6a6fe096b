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
from typing import Any

import typst
from pypdf import PdfReader

from propulse.content import analysis, ebook, ingest, pieces, quality
from propulse.content.document import BrandKit

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "content"
SOURCES = ("webinar-script-en.md", "webinar-transcript-fr.srt", "webinar-captions-en.vtt")


def timed(function: Callable[[], Any], runs: int) -> tuple[float, Any]:
    durations: list[float] = []
    result: Any = None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), result


TYPST_SPECIALS = "\\#$*_@<>[]`"


def plain_typst_seconds(text: str) -> float:
    """Time the compile of the same text as a plain Typst document (no design)."""
    escaped = "".join("\\" + char if char in TYPST_SPECIALS else char for char in text)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "plain.typ"
        source.write_text(escaped, encoding="utf-8")
        started = time.perf_counter()
        typst.compile(str(source), font_paths=[], ignore_system_fonts=True)
        return time.perf_counter() - started


def measure(name: str, runs: int, brand: BrandKit) -> None:
    """Print each stage's median time for one source, against the targets and baselines."""
    data = (DATA / name).read_bytes()
    floor, _ = timed(lambda: data.decode("utf-8", "replace").split(), runs)
    document = ingest.read_source(data, name)
    ingest_s, _ = timed(lambda: ingest.read_source(data, name), runs)
    found = analysis.analyse(document)
    analysis_s, _ = timed(lambda: analysis.analyse(document), runs)
    package = pieces.build_package(found, brand, start=date(2027, 3, 1))
    pieces_s, _ = timed(lambda: pieces.build_package(found, brand, start=date(2027, 3, 1)), runs)
    quality_s, _ = timed(lambda: quality.report(document.text, found, package), runs)
    text_total = ingest_s + analysis_s + pieces_s + quality_s
    pdf = ebook.render_pdf(package.ebook, brand)
    pdf_s, _ = timed(lambda: ebook.render_pdf(package.ebook, brand), runs)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    verdict_text = "met" if text_total < 3 else "MISSED"
    verdict_pdf = "met" if pdf_s < 10 else "MISSED"
    print(f"\n{name}: {document.word_count} words ({document.language})")
    print(f"  baseline, reading the file: {floor * 1000:.1f} ms")
    print(
        f"  text pieces: {text_total:.2f} s (ingest {ingest_s:.2f}, analysis {analysis_s:.2f}, "
        f"pieces {pieces_s:.2f}, quality {quality_s:.2f}); target < 3 s: {verdict_text}"
    )
    print(f"  e-book PDF: {pdf_s:.2f} s, {pages} pages; target < 10 s: {verdict_pdf}")
    plain_s = plain_typst_seconds(document.text)
    print(f"  baseline, the same text as a plain Typst document: {plain_s:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    cpus, machine = os.cpu_count(), platform.machine()
    print(f"machine: {cpus} CPUs, {machine}, Python {platform.python_version()}")
    brand = BrandKit(name="Orbiteo", hashtags=["#B2BMarketing"])
    for name in SOURCES:
        measure(name, runs, brand)


if __name__ == "__main__":
    main()
