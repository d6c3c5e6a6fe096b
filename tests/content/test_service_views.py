"""Content recycling in the workspace: upload, the job, the package page, edits and the zip."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import icalendar
import pytest
import typst
from pypdf import PdfReader
from sqlalchemy import func, select, update

from propulse import jobs
from propulse.config import get_settings
from propulse.content import pipeline, service, tasks
from propulse.content.models import (
    BrandSettings,
    Package,
    PackageStatus,
    Piece,
    PieceRevision,
    Source,
)
from propulse.db import utcnow
from tests.support.web import assert_unique_ids, csrf_from, post_form, sign_in

DATA = Path(__file__).resolve().parents[1] / "data" / "content"
SCRIPT = DATA / "webinar-script-en.md"
HTMX = {"HX-Request": "true"}


def upload(client, filename: str, data: bytes, **fields: str):  # type: ignore[no-untyped-def]
    """Open the content page, then send a file with its CSRF token, as the browser does."""
    page = client.get("/content")
    assert page.status_code == 200, page.text
    form = {"csrf_token": csrf_from(page), "language": "", "start_on": "2027-03-01", **fields}
    return client.post("/content/sources", data=form, files={"file": (filename, data)})


def ready_package(client, session, cast, path: Path = SCRIPT) -> Package:  # type: ignore[no-untyped-def]
    """Upload a script as the intern and run the job; return the ready package."""
    sign_in(client, cast.intern.email)
    response = upload(client, path.name, path.read_bytes())
    assert response.status_code == 303, response.text
    package_id = int(response.headers["location"].rsplit("/", 1)[1])
    assert jobs.run_pending() >= 1
    session.expire_all()
    package = service.get_package(session, package_id=package_id)
    assert package.status == PackageStatus.ready, package.error
    return package


def counts(session) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return (
        session.scalar(select(func.count()).select_from(Source)) or 0,
        session.scalar(select(func.count()).select_from(Package)) or 0,
    )


def piece_of(package: Package, kind: str, index: int = 1) -> Piece:
    return next(p for p in package.pieces if p.kind == kind and p.index == index)


def zip_of(client, package_id: int) -> zipfile.ZipFile:  # type: ignore[no-untyped-def]
    response = client.get(f"/content/packages/{package_id}/download.zip")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def error_next_to_file(html: str) -> str:
    match = re.search(r'<p id="e-file" class="field-error">([^<]*)</p>', html)
    assert match, "no error next to the file field"
    return match.group(1)


# --- The whole journey ----------------------------------------------------------------------


def test_an_intern_uploads_a_script_and_gets_a_full_package(client, cast, session):
    sign_in(client, cast.intern.email)
    home = client.get("/content")
    assert home.status_code == 200
    assert "Nothing recycled yet." in home.text
    assert_unique_ids(home.text)
    assert 'href="/content/brand"' not in home.text  # the brand kit is for managers

    response = upload(client, SCRIPT.name, SCRIPT.read_bytes(), country="FR")
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/content/packages/\d+", location)
    package_id = int(location.rsplit("/", 1)[1])

    queued = client.get(location)
    assert queued.status_code == 200
    assert "Working on it…" in queued.text
    assert 'hx-trigger="every 1s"' in queued.text
    assert "download.zip" not in queued.text
    fragment = client.get(location, headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="progress"')
    assert "<html" not in fragment.text
    assert "<progress" in fragment.text

    assert jobs.run_pending() == 1
    session.expire_all()
    package = service.get_package(session, package_id=package_id)
    assert package.status == PackageStatus.ready and package.progress == 100
    assert package.error is None
    kinds = [piece.kind for piece in package.pieces]
    assert kinds.count("ebook") == 1
    assert 5 <= kinds.count("article") <= 6
    assert 8 <= kinds.count("linkedin") <= 12
    assert 4 <= kinds.count("email") <= 6
    assert package.calendar and {e["kind"] for e in package.calendar} >= {"article", "linkedin"}
    assert package.quality is not None
    assert package.quality["faithfulness"]["score"] == 1.0
    assert package.source.language == "en" and package.source.word_count > 4000
    assert package.ebook_pdf and package.ebook_pdf.startswith(b"%PDF")
    assert all(piece.revision == 1 and piece.status == "draft" for piece in package.pieces)

    # Once ready, the polling fragment asks HTMX to reload the whole page.
    done = client.get(location, headers=HTMX)
    assert done.status_code == 200 and done.headers.get("HX-Refresh") == "true"

    page = client.get(location)
    assert page.status_code == 200
    assert_unique_ids(page.text)
    assert "Quality report" in page.text and "100%" in page.text
    assert "faithful to the source" in page.text
    assert 'hx-trigger="every 1s"' not in page.text
    for piece in package.pieces:
        assert f'href="/content/pieces/{piece.id}"' in page.text
    assert f"/content/packages/{package_id}/download.zip" in page.text
    assert "Publishing calendar" in page.text
    assert package.calendar[0]["title"] in page.text or "&#39;" in page.text

    listing = client.get("/content")
    assert f'href="{location}"' in listing.text and "ready" in listing.text

    pdf = client.get(f"/content/packages/{package_id}/ebook.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content == package.ebook_pdf


def test_the_zip_holds_every_file_of_the_package(client, cast, session):
    package = ready_package(client, session, cast)
    archive = zip_of(client, package.id)
    names = set(archive.namelist())

    reader = PdfReader(io.BytesIO(archive.read("ebook.pdf")))
    assert 15 <= len(reader.pages) <= 20

    articles = [p for p in package.pieces if p.kind == "article"]
    for article in articles:
        stem = f"articles/{article.index:02d}-{article.meta['slug']}"
        assert f"{stem}.md" in names and f"{stem}.html" in names
        markdown = archive.read(f"{stem}.md").decode()
        assert markdown.startswith("---\n") and article.body.strip() in markdown
        html = archive.read(f"{stem}.html").decode()
        assert html.startswith("<!doctype html>") and "<h2" in html
    assert len([n for n in names if re.fullmatch(r"articles/\d\d-[a-z0-9-]+\.md", n)]) == len(
        articles
    )
    posts = [p for p in package.pieces if p.kind == "linkedin"]
    assert {f"linkedin/{p.index:02d}.md" for p in posts} <= names
    emails = [p for p in package.pieces if p.kind == "email"]
    assert {f"emails/{p.index:02d}.md" for p in emails} <= names
    assert "subject" in archive.read("emails/01.md").decode()

    calendar = icalendar.Calendar.from_ical(archive.read("calendar.ics"))
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(events) == len(package.calendar)
    rows = list(csv.reader(io.StringIO(archive.read("calendar.csv").decode())))
    assert len(rows) == len(package.calendar) + 1  # with its header

    quality = json.loads(archive.read("quality.json"))
    assert {"faithfulness", "coverage", "duplication", "rules", "pieces"} <= set(quality)
    assert quality["faithfulness"]["score"] == 1.0

    expected = {
        "ebook.pdf",
        "calendar.ics",
        "calendar.csv",
        "quality.json",
        *(f"linkedin/{p.index:02d}.md" for p in posts),
        *(f"emails/{p.index:02d}.md" for p in emails),
    }
    assert expected <= names
    assert all(name in expected or name.startswith("articles/") for name in names)


def test_the_zip_matches_what_the_cli_writes(client, cast, session):
    package = ready_package(client, session, cast)
    archive = zip_of(client, package.id)
    source = service.get_source(session, source_id=package.source_id)
    content = pipeline.recycle(
        service.document_of(source),
        service.brand_kit(session),
        start=package.start_on,
        country=package.country,
    )
    files = pipeline.output_files(content, calendar_title=source.title)
    assert set(files) == set(archive.namelist())
    for name, data in files.items():
        if name == "calendar.ics":  # stamped with the time it is made
            assert without_stamps(archive.read(name)) == without_stamps(data)
        elif name != "ebook.pdf":  # the PDF embeds its creation date
            assert archive.read(name) == data, name


def without_stamps(ics: bytes) -> bytes:
    return re.sub(rb"DTSTAMP:[0-9TZ]+\r\n", b"", ics)


# --- Editing and regenerating ---------------------------------------------------------------


def test_editing_a_post_makes_revision_2_and_the_zip_carries_the_edit(client, cast, session):
    package = ready_package(client, session, cast)
    post = piece_of(package, "linkedin", 2)
    page = client.get(f"/content/pieces/{post.id}")
    assert page.status_code == 200
    assert_unique_ids(page.text)
    assert f'name="version" value="{post.version}"' in page.text
    assert "#1 · generated" in page.text
    new_body = (
        "A fresh hook written by hand.\n\nThen the rest of the post.\n\n#Webinar #B2B #Growth"
    )
    saved = client.post(
        f"/content/pieces/{post.id}",
        data={
            "csrf_token": csrf_from(page),
            "version": str(post.version),
            "title": "Hand-written post",
            "hashtags": "#Webinar #B2B #Growth",
            "body": new_body.replace("\n", "\r\n"),
            "status": "approved",
        },
    )
    assert saved.status_code == 303, saved.text
    session.expire_all()
    edited = service.get_piece(session, piece_id=post.id)
    assert edited.revision == 2 and edited.status == "approved"
    assert edited.body == new_body and edited.title == "Hand-written post"
    assert edited.meta["hashtags"] == ["#Webinar", "#B2B", "#Growth"]
    assert [(r.number, r.reason) for r in edited.revisions] == [(2, "edited"), (1, "generated")]
    assert edited.revisions[0].author_id == cast.intern.id
    shown = client.get(f"/content/pieces/{post.id}")
    assert "Saved as a new revision." in shown.text
    assert "#2 · edited" in shown.text and cast.intern.name in shown.text
    listing = client.get(f"/content/packages/{package.id}")
    assert "Hand-written post" in listing.text

    archive = zip_of(client, package.id)
    text = archive.read(f"linkedin/{post.index:02d}.md").decode()
    assert "A fresh hook written by hand." in text and "\r" not in text
    assert '"Hand-written post"' in text


def test_a_stale_edit_is_refused_with_409(client, cast, session):
    package = ready_package(client, session, cast)
    post = piece_of(package, "linkedin", 1)
    page = client.get(f"/content/pieces/{post.id}")
    form = {
        "csrf_token": csrf_from(page),
        "version": str(post.version),
        "title": post.title,
        "hashtags": " ".join(post.meta["hashtags"]),
        "body": post.body + "\n\nFirst edit.",
        "status": "draft",
    }
    assert client.post(f"/content/pieces/{post.id}", data=form).status_code == 303
    stale = client.post(
        f"/content/pieces/{post.id}", data={**form, "body": post.body + "\n\nSecond edit."}
    )
    assert stale.status_code == 409
    assert "changed" in stale.text.lower()
    session.expire_all()
    piece = service.get_piece(session, piece_id=post.id)
    assert piece.revision == 2 and piece.body.endswith("First edit.")


def test_an_empty_text_shows_the_error_and_keeps_the_piece(client, cast, session):
    package = ready_package(client, session, cast)
    post = piece_of(package, "linkedin", 1)
    page = client.get(f"/content/pieces/{post.id}")
    refused = client.post(
        f"/content/pieces/{post.id}",
        data={
            "csrf_token": csrf_from(page),
            "version": str(post.version),
            "title": "",
            "body": "   ",
        },
    )
    assert refused.status_code == 422
    assert "A title is required." in refused.text
    assert_unique_ids(refused.text)
    session.expire_all()
    assert service.get_piece(session, piece_id=post.id).revision == 1


def test_editing_an_article_slug_renames_its_files_safely(client, cast, session):
    package = ready_package(client, session, cast)
    article = piece_of(package, "article", 1)
    page = client.get(f"/content/pieces/{article.id}")
    assert 'name="slug"' in page.text and 'name="meta_description"' in page.text
    saved = client.post(
        f"/content/pieces/{article.id}",
        data={
            "csrf_token": csrf_from(page),
            "version": str(article.version),
            "title": article.title,
            "slug": "../../Évite les Pièges",
            "meta_description": "A shorter description.",
            "body": article.body,
            "status": "draft",
        },
    )
    assert saved.status_code == 303, saved.text
    names = zip_of(client, package.id).namelist()
    assert all(".." not in name and name.count("/") <= 1 for name in names)
    assert "articles/01-evite-les-pieges.md" in names
    assert "articles/01-evite-les-pieges.html" in names


def test_regenerating_a_piece_makes_a_new_revision(client, cast, session):
    package = ready_package(client, session, cast)
    original_quality = package.quality
    email = piece_of(package, "email", 1)
    original = email.body
    page = client.get(f"/content/pieces/{email.id}")
    edited = client.post(
        f"/content/pieces/{email.id}",
        data={
            "csrf_token": csrf_from(page),
            "version": str(email.version),
            "title": email.title,
            "subject": "Edited subject",
            "preheader": email.meta.get("preheader", ""),
            "cta_text": email.meta.get("cta_text", ""),
            "cta_url": email.meta.get("cta_url", ""),
            "body": "Edited body.",
        },
    )
    assert edited.status_code == 303
    regenerated = post_form(
        client, f"/content/pieces/{email.id}", f"/content/pieces/{email.id}/regenerate", {}
    )
    assert regenerated.status_code == 303
    assert regenerated.headers["location"] == f"/content/pieces/{email.id}"
    session.expire_all()
    piece = service.get_piece(session, piece_id=email.id)
    assert piece.revision == 3
    assert [r.reason for r in piece.revisions] == ["regenerated", "edited", "generated"]
    assert piece.body == original and piece.meta["subject"] != "Edited subject"
    shown = client.get(f"/content/pieces/{email.id}")
    assert "Made again from the source, as a new revision." in shown.text
    assert "#3 · made again from the source" in shown.text
    package = service.get_package(session, package_id=package.id)
    assert package.quality == original_quality  # back to what was generated


def first_page_text(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def test_editing_the_ebook_renders_its_pdf_again(client, cast, session):
    package = ready_package(client, session, cast)
    ebook = piece_of(package, "ebook")
    generated_title = ebook.title
    page = client.get(f"/content/pieces/{ebook.id}")
    assert page.status_code == 200
    title = "Recycle #1 webinar: $5 *stars* [and] <more>"
    saved = client.post(
        f"/content/pieces/{ebook.id}",
        data={
            "csrf_token": csrf_from(page),
            "version": str(ebook.version),
            "title": title,
            "body": "A subtitle written by hand",
        },
    )
    assert saved.status_code == 303, saved.text
    pdf = client.get(f"/content/packages/{package.id}/ebook.pdf").content
    cover = first_page_text(pdf)
    assert "Recycle #1 webinar: $5 *stars* [and] <more>" in cover
    assert "A subtitle written by hand" in cover
    assert title in zip_of(client, package.id).read("calendar.csv").decode()

    again = post_form(
        client, f"/content/pieces/{ebook.id}", f"/content/pieces/{ebook.id}/regenerate", {}
    )
    assert again.status_code == 303
    session.expire_all()
    piece = service.get_piece(session, piece_id=ebook.id)
    assert piece.revision == 3 and piece.title == generated_title
    pdf = client.get(f"/content/packages/{package.id}/ebook.pdf").content
    assert "A subtitle written by hand" not in first_page_text(pdf)


def test_the_quality_report_follows_the_edits(client, cast, session):
    package = ready_package(client, session, cast)
    post = piece_of(package, "linkedin", 3)
    page = client.get(f"/content/pieces/{post.id}")
    saved = client.post(
        f"/content/pieces/{post.id}",
        data={
            "csrf_token": csrf_from(page),
            "version": str(post.version),
            "title": "Invented",
            "hashtags": "#B2B",
            "body": "Our webinars convert 97.3% of their guests, said nobody.\n\n#B2B",
        },
    )
    assert saved.status_code == 303
    session.expire_all()
    quality = service.get_package(session, package_id=package.id).quality
    assert quality is not None and quality["faithfulness"]["score"] < 1.0
    assert "97.3" in json.dumps(quality["faithfulness"])
    flags = next(
        p["flags"] for p in quality["pieces"] if p["kind"] == "linkedin" and p["index"] == 3
    )
    assert flags  # a single hashtag: the edit breaks a rule, and the post is flagged
    listing = client.get(f"/content/packages/{package.id}")
    assert "rule broken" in listing.text and "rule(s) broken" in listing.text
    assert json.loads(zip_of(client, package.id).read("quality.json")) == quality


def test_a_viewer_reads_packages_but_cannot_change_them(client, cast, session):
    package = ready_package(client, session, cast)
    post = piece_of(package, "linkedin", 1)
    post_form(client, "/", "/logout", {})
    sign_in(client, cast.salesperson.email)
    assert client.get("/content").status_code == 200
    assert client.get(f"/content/packages/{package.id}").status_code == 200
    assert client.get(f"/content/pieces/{post.id}").status_code == 200
    assert client.get(f"/content/packages/{package.id}/download.zip").status_code == 200
    assert 'action="/content/sources"' not in client.get("/content").text
    piece_page = client.get(f"/content/pieces/{post.id}").text
    assert f'action="/content/pieces/{post.id}"' not in piece_page
    assert "/regenerate" not in piece_page and "Preview" in piece_page

    refused = upload(client, SCRIPT.name, SCRIPT.read_bytes())
    assert refused.status_code == 403
    assert "may not recycle content" in refused.text
    edit = post_form(
        client,
        f"/content/pieces/{post.id}",
        f"/content/pieces/{post.id}",
        {"version": str(post.version), "title": "Mine", "body": "Mine."},
    )
    assert edit.status_code == 403 and "may not edit content" in edit.text
    regenerate = post_form(
        client, f"/content/pieces/{post.id}", f"/content/pieces/{post.id}/regenerate", {}
    )
    assert regenerate.status_code == 403
    assert counts(session) == (1, 1)
    session.expire_all()
    assert service.get_piece(session, piece_id=post.id).revision == 1


def test_unknown_packages_and_pieces_are_404(client, cast):
    sign_in(client, cast.intern.email)
    assert client.get("/content/packages/999999").status_code == 404
    assert client.get("/content/packages/999999/download.zip").status_code == 404
    assert client.get("/content/pieces/999999").status_code == 404


def test_a_package_not_ready_has_no_download_yet(client, cast, session):
    sign_in(client, cast.intern.email)
    response = upload(client, SCRIPT.name, SCRIPT.read_bytes())
    location = response.headers["location"]
    assert client.get(location + "/download.zip").status_code == 409
    assert client.get(location + "/ebook.pdf").status_code == 409


# --- Bad uploads ----------------------------------------------------------------------------


def _scan_pdf(tmp_path: Path) -> bytes:
    source = tmp_path / "scan.typ"
    source.write_text("#rect(width: 100%, height: 60%, fill: gray)\n", encoding="utf-8")
    return typst.compile(str(source), format="pdf")


@pytest.mark.parametrize(
    ("filename", "make", "message"),
    [
        ("script.md", lambda _: b"", "This file is empty."),
        ("script.exe", lambda _: b"MZ" + b"\0" * 100, "Use a .docx, .md, .txt, .pdf, .srt or .vtt"),
        ("script.txt", lambda _: b"A short text. " * 20, "a source needs at least 500"),
        (
            "script.docx",
            lambda _: random.Random(3).randbytes(4000),
            "This file cannot be read: it seems damaged.",
        ),
        ("scan.pdf", _scan_pdf, "This PDF has no text layer"),
    ],
    ids=["empty", "extension", "too-short", "corrupt-docx", "scan"],
)
def test_a_bad_upload_is_refused_next_to_the_file_field(
    client, cast, session, tmp_path, filename, make, message
):
    sign_in(client, cast.intern.email)
    response = upload(client, filename, make(tmp_path), country="BE")
    assert response.status_code == 422
    assert message in error_next_to_file(response.text)
    assert "Some fields need your attention." in response.text
    assert 'value="BE"' in response.text  # what was typed stays
    assert_unique_ids(response.text)
    assert counts(session) == (0, 0)
    assert jobs.run_pending() == 0


@pytest.fixture
def small_uploads(monkeypatch):
    monkeypatch.setenv("PROPULSE_MAX_UPLOAD_BYTES", "2000")
    get_settings.cache_clear()
    yield 2000
    monkeypatch.delenv("PROPULSE_MAX_UPLOAD_BYTES")
    get_settings.cache_clear()


def test_submitting_without_choosing_a_file_says_so(client, cast, session):
    sign_in(client, cast.intern.email)
    response = upload(client, "", b"")
    assert response.status_code == 422
    assert error_next_to_file(response.text) == "Choose the file to recycle."
    page = client.get("/content")
    response = client.post("/content/sources", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 422
    assert error_next_to_file(response.text) == "Choose the file to recycle."
    assert counts(session) == (0, 0)


def test_an_upload_over_the_size_limit_is_refused(client, cast, session, small_uploads):
    sign_in(client, cast.intern.email)
    response = upload(client, SCRIPT.name, SCRIPT.read_bytes())
    assert response.status_code == 422
    message = error_next_to_file(response.text)
    assert "This file is larger than" in message and " 0 MB" not in message
    assert counts(session) == (0, 0)


def test_a_bad_date_or_country_shows_the_field_error(client, cast, session):
    sign_in(client, cast.intern.email)
    response = upload(client, SCRIPT.name, SCRIPT.read_bytes(), start_on="01/03/2027")
    assert response.status_code == 422
    assert 'id="e-start_on"' in response.text
    assert counts(session) == (0, 0)
    response = upload(client, SCRIPT.name, SCRIPT.read_bytes(), country="France")
    assert response.status_code == 422
    assert 'id="e-country"' in response.text
    assert counts(session) == (0, 0)


def test_the_language_can_be_chosen(client, cast, session):
    sign_in(client, cast.intern.email)
    response = upload(client, SCRIPT.name, SCRIPT.read_bytes(), language="fr")
    assert response.status_code == 303
    source = session.scalars(select(Source)).one()
    assert source.language == "fr" and source.detected_language == "en"
    bad = upload(client, SCRIPT.name, SCRIPT.read_bytes(), language="de")
    assert bad.status_code == 422 and 'id="e-language"' in bad.text


def test_the_french_interface_speaks_french(client, cast, session):
    client.headers["Accept-Language"] = "fr-FR,fr;q=0.9"
    sign_in(client, cast.intern.email)
    page = client.get("/content")
    assert '<html lang="fr"' in page.text
    assert "Recyclage de contenu" in page.text
    refused = upload(client, "script.md", b"")
    assert refused.status_code == 422
    assert error_next_to_file(refused.text) == "Ce fichier est vide."
    unknown = upload(client, SCRIPT.name, SCRIPT.read_bytes(), country="ZZ")
    assert "Pays inconnu" in unknown.text
    response = upload(client, SCRIPT.name, SCRIPT.read_bytes())
    jobs.run_pending()
    package = client.get(response.headers["location"])
    assert package.status_code == 200
    assert '<html lang="fr"' in package.text and "100" in package.text
    post = session.scalars(select(Piece).where(Piece.kind == "linkedin")).first()
    assert post is not None
    assert client.get(f"/content/pieces/{post.id}").status_code == 200


# --- The brand kit --------------------------------------------------------------------------

BRAND_FORM = {
    "name": "Alpinea",
    "colors": "#0F766E, #111827",
    "font": "New Computer Modern",
    "cta_url": "https://alpinea.example/ebook",
    "cta_text": "Get the e-book",
    "hashtags": "growth, #B2BMarketing",
    "tone": "informal",
}


def test_a_manager_saves_the_brand_kit_and_new_packages_use_it(client, cast, session):
    sign_in(client, cast.manager.email)
    page = client.get("/content/brand")
    assert page.status_code == 200
    assert_unique_ids(page.text)
    assert 'href="/content/brand"' in client.get("/content").text
    saved = post_form(client, "/content/brand", "/content/brand", BRAND_FORM)
    assert saved.status_code == 303, saved.text
    session.expire_all()
    kit = service.brand_kit(session)
    assert kit.colors == ["#0f766e", "#111827"] and kit.font == "New Computer Modern"
    assert kit.hashtags == ["#growth", "#B2BMarketing"] and kit.tone == "informal"
    shown = client.get("/content/brand")
    assert "The brand kit is saved." in shown.text
    assert 'value="#0f766e #111827"' in shown.text
    assert 'value="#growth #B2BMarketing"' in shown.text
    assert 'value="informal" selected' in shown.text

    logo = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    with_logo = client.post(
        "/content/brand",
        data={**BRAND_FORM, "csrf_token": csrf_from(shown)},
        files={"logo": ("logo.svg", logo, "image/svg+xml")},
    )
    assert with_logo.status_code == 303
    settings = session.scalars(select(BrandSettings)).one()
    session.refresh(settings)
    assert settings.logo == logo and settings.logo_type == "image/svg+xml"

    response = upload(client, SCRIPT.name, SCRIPT.read_bytes())
    assert response.status_code == 303
    jobs.run_pending()
    session.expire_all()
    package = service.get_package(session, package_id=int(response.headers["location"][18:]))
    assert package.status == PackageStatus.ready, package.error
    posts = [p for p in package.pieces if p.kind == "linkedin"]
    assert all("#growth" in p.body or "#B2BMarketing" in p.body for p in posts)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("colors", "blue"),
        ("font", "Comic Sans"),
        ("cta_url", "ftp://example.com"),
        ("tone", "shouty"),
        ("name", "  "),
        ("hashtags", "#_"),
    ],
)
def test_an_invalid_brand_value_shows_the_field_error(client, cast, session, field, value):
    sign_in(client, cast.manager.email)
    response = post_form(client, "/content/brand", "/content/brand", {**BRAND_FORM, field: value})
    assert response.status_code == 422
    assert f'id="e-{field}"' in response.text, response.text
    assert_unique_ids(response.text)
    session.expire_all()
    assert service.brand_kit(session).cta_url != BRAND_FORM["cta_url"]  # nothing saved


def test_every_wrong_brand_field_is_shown_at_once(client, cast):
    sign_in(client, cast.manager.email)
    wrong = {**BRAND_FORM, "colors": "#12", "cta_url": "example.com", "tone": "loud"}
    response = post_form(client, "/content/brand", "/content/brand", wrong)
    assert response.status_code == 422
    for name in ("colors", "cta_url", "tone"):
        assert f'id="e-{name}"' in response.text
    assert "Write each colour as #rrggbb" in response.text
    assert 'value="example.com"' in response.text  # what was typed stays


def test_a_bad_logo_is_refused(client, cast, session):
    sign_in(client, cast.manager.email)
    page = client.get("/content/brand")
    response = client.post(
        "/content/brand",
        data={**BRAND_FORM, "csrf_token": csrf_from(page)},
        files={"logo": ("logo.gif", b"GIF89a", "image/gif")},
    )
    assert response.status_code == 422
    assert 'id="e-logo"' in response.text and "PNG or SVG" in response.text


def test_the_brand_kit_is_for_managers(client, cast):
    for person in (cast.salesperson, cast.intern):
        sign_in(client, person.email)
        assert client.get("/content/brand").status_code == 403
        refused = post_form(client, "/content", "/content/brand", BRAND_FORM)
        assert refused.status_code == 403
        assert "may not change the brand kit" in refused.text
        post_form(client, "/", "/logout", {})


# --- The job --------------------------------------------------------------------------------


def test_a_failed_job_shows_the_error_and_can_be_tried_again(
    client, cast, session, monkeypatch, caplog
):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("typst exploded")

    sign_in(client, cast.intern.email)
    response = upload(client, SCRIPT.name, SCRIPT.read_bytes())
    location = response.headers["location"]
    with monkeypatch.context() as patched:
        patched.setattr(pipeline, "recycle", broken)
        assert jobs.run_pending() == 1
    session.expire_all()
    package = session.get(Package, int(location.rsplit("/", 1)[1]))
    assert package is not None and package.status == PackageStatus.failed
    assert "typst exploded" in (package.error or "")
    assert "recycling package" in caplog.text

    page = client.get(location)
    assert "The recycling failed" in page.text and "typst exploded" in page.text
    assert "Try again" in page.text
    fragment = client.get(location, headers=HTMX)
    assert "typst exploded" in fragment.text and "hx-trigger" not in fragment.text

    post_form(client, "/", "/logout", {})
    sign_in(client, cast.salesperson.email)
    refused = post_form(client, location, location + "/retry", {})
    assert refused.status_code == 403
    assert jobs.run_pending() == 0
    post_form(client, "/", "/logout", {})

    sign_in(client, cast.intern.email)
    retried = post_form(client, location, location + "/retry", {})
    assert retried.status_code == 303 and retried.headers["location"] == location
    session.expire_all()
    assert session.get(Package, package.id).status == PackageStatus.queued  # type: ignore[union-attr]
    assert "Working on it" in client.get(location).text
    assert jobs.run_pending() == 1
    session.expire_all()
    package = service.get_package(session, package_id=package.id)
    assert package.status == PackageStatus.ready and package.error is None
    assert package.pieces


def test_the_job_is_idempotent(client, cast, session):
    package = ready_package(client, session, cast)
    pieces = len(package.pieces)
    assert tasks.recycle_package.call_local(package.id) == "skipped"
    assert tasks.recycle_package.call_local(999999) == "skipped"
    session.expire_all()
    assert len(service.get_package(session, package_id=package.id).pieces) == pieces
    assert session.scalar(select(func.count()).select_from(PieceRevision)) == pieces


def test_the_job_reports_its_progress(client, cast, session, monkeypatch):
    steps: list[tuple[int, str]] = []
    real = tasks._set_progress

    def spy(package_id: int, percent: int, step: str) -> None:
        real(package_id, percent, step)
        steps.append((percent, step))

    monkeypatch.setattr(tasks, "_set_progress", spy)
    ready_package(client, session, cast)
    assert [s for _, s in steps] == ["analysis", "pieces", "quality", "ebook", "done"]
    assert [p for p, _ in steps] == sorted(p for p, _ in steps)


def test_the_sweep_requeues_a_lost_package_and_fails_a_stalled_one(client, cast, session):
    sign_in(client, cast.intern.email)
    first = upload(client, SCRIPT.name, SCRIPT.read_bytes())
    jobs.huey.flush()  # the job was lost
    package_id = int(first.headers["location"].rsplit("/", 1)[1])
    assert tasks.sweep_content_packages.call_local() == 0  # too recent to be lost
    long_ago = utcnow() - timedelta(minutes=3)
    session.execute(
        update(Package)
        .where(Package.id == package_id)
        .values(created_at=long_ago, updated_at=long_ago)
    )
    session.commit()
    assert tasks.sweep_content_packages.call_local() == 1
    assert jobs.run_pending() == 1
    session.expire_all()
    assert session.get(Package, package_id).status == PackageStatus.ready  # type: ignore[union-attr]

    second = upload(client, SCRIPT.name, SCRIPT.read_bytes())
    stalled_id = int(second.headers["location"].rsplit("/", 1)[1])
    jobs.huey.flush()
    an_hour_ago = utcnow() - timedelta(hours=1)
    session.execute(
        update(Package)
        .where(Package.id == stalled_id)
        .values(status=PackageStatus.running, created_at=an_hour_ago, updated_at=an_hour_ago)
    )
    session.commit()
    assert tasks.sweep_content_packages.call_local() == 0
    session.expire_all()
    stalled = session.get(Package, stalled_id)
    assert stalled is not None and stalled.status == PackageStatus.failed
    assert "stalled" in (stalled.error or "")

    # Tried again, an old package is not lost: its job is queued, the sweep leaves it.
    retried = post_form(
        client, second.headers["location"], f"{second.headers['location']}/retry", {}
    )
    assert retried.status_code == 303
    assert tasks.sweep_content_packages.call_local() == 0
    assert jobs.run_pending() == 1
    session.expire_all()
    assert session.get(Package, stalled_id).status == PackageStatus.ready  # type: ignore[union-attr]
