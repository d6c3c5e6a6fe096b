"""``propulse content recycle``: a script in, one file per piece out, offline."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from propulse.content import brand as brand_module
from propulse.content import ingest, pipeline
from propulse.content.document import BrandKit, SourceError
from propulse.content.service import check_country, source_error
from propulse.kit.cli import JSON_OPTION, guarded, print_json, stdout
from propulse.kit.errors import InvalidInput

app = typer.Typer(
    help="Content recycling: a webinar script becomes a content package.", no_args_is_help=True
)


@app.command("recycle")
@guarded
def recycle(
    file: Path = typer.Argument(..., help="A .docx, .md, .txt, .pdf, .srt or .vtt script."),
    out: Path = typer.Option(..., "--out", help="The folder to write the pieces into."),
    lang: str | None = typer.Option(None, "--lang", help="fr or en (default: detected)."),
    brand: Path | None = typer.Option(None, "--brand", help="A brand kit YAML file."),
    start: str | None = typer.Option(None, "--start", help="First publishing day (YYYY-MM-DD)."),
    country: str = typer.Option("FR", "--country", help="Whose public holidays to skip."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Write ebook.pdf, articles/, linkedin/, emails/, calendar.ics/.csv and quality.json."""
    if lang not in (None, "fr", "en"):
        raise InvalidInput.on_field("--lang", "Choose fr or en.")
    if not file.is_file():
        raise InvalidInput.on_field("FILE", f"No file at {file}.")
    try:
        first_day = date.fromisoformat(start) if start else date.today()
    except ValueError as exc:
        raise InvalidInput.on_field("--start", "Enter a date as YYYY-MM-DD.") from exc
    try:
        country_code = check_country(country)
    except InvalidInput as exc:
        raise InvalidInput.on_field("--country", exc.message) from exc
    kit = BrandKit()
    logo: bytes | None = None
    if brand is not None:
        try:
            kit = brand_module.load_brand(brand)
        except (brand_module.BrandError, OSError) as exc:
            # One line, even for a YAML error and its excerpt of the file.
            raise InvalidInput.on_field("--brand", " ".join(str(exc).split())) from exc
        if kit.logo:
            logo = Path(kit.logo).read_bytes() if Path(kit.logo).is_file() else None
    try:
        document = ingest.read_source(file.read_bytes(), file.name, language=lang)
    except SourceError as error:
        raise source_error(error) from error
    with stdout.status("Recycling…"):
        content = pipeline.recycle(document, kit, start=first_day, country=country_code, logo=logo)
    files = pipeline.output_files(content, calendar_title=document.title)
    try:
        written = pipeline.write_outputs(files, out)
    except OSError as exc:
        raise InvalidInput.on_field(
            "--out", f"cannot write into {out}: {exc.strerror or exc}"
        ) from exc
    summary = {
        "source": str(file),
        "language": document.language,
        "words": document.word_count,
        "articles": len(content.package.articles),
        "linkedin_posts": len(content.package.posts),
        "emails": len(content.package.emails),
        "faithfulness": content.report.faithfulness.get("score"),
        "files": [str(path) for path in written],
    }
    if as_json:
        print_json(summary)
    else:
        stdout.print(
            f"{len(written)} files written to {out}: an e-book, {summary['articles']} articles, "
            f"{summary['linkedin_posts']} LinkedIn posts, {summary['emails']} e-mails."
        )
