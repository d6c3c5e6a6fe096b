"""Content recycling through the API and the command line."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import icalendar
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from propulse import jobs
from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from propulse.content.models import Package, Source

DATA = Path(__file__).resolve().parents[1] / "data" / "content"
SCRIPT = DATA / "webinar-script-en.md"
TRANSCRIPT = DATA / "webinar-transcript-fr.srt"
CAPTIONS = DATA / "webinar-captions-en.vtt"


def _headers(session, user, scope=TokenScope.write):  # type: ignore[no-untyped-def]
    _token, secret = auth.create_token(session, actor=user, owner=user, name="t", scope=scope)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _upload(client, headers, path: Path = SCRIPT, **params: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/content/sources",
        files={"file": (path.name, path.read_bytes())},
        params=params,
        headers=headers,
    )


# --- API ------------------------------------------------------------------------------------


def test_the_api_recycles_a_source_into_a_package(client, cast, session):
    headers = _headers(session, cast.intern)
    uploaded = _upload(client, headers)
    assert uploaded.status_code == 201, uploaded.text
    source = uploaded.json()
    assert source["language"] == "en" and source["format"] == "md"
    assert source["word_count"] > 4000 and source["has_timecodes"] is False
    listing = client.get("/api/v1/content/sources", headers=headers).json()
    assert [s["id"] for s in listing["items"]] == [source["id"]]

    created = client.post(
        "/api/v1/content/packages",
        json={"source_id": source["id"], "start_on": "2027-03-01", "country": "fr"},
        headers=headers,
    )
    assert created.status_code == 202, created.text
    package = created.json()
    assert package["status"] == "queued" and package["country"] == "FR"
    waiting = client.get(f"/api/v1/content/packages/{package['id']}", headers=headers).json()
    assert waiting["status"] == "queued" and waiting["pieces"] == []

    assert jobs.run_pending() == 1
    ready = client.get(f"/api/v1/content/packages/{package['id']}", headers=headers)
    assert ready.status_code == 200
    detail = ready.json()
    assert detail["status"] == "ready" and detail["progress"] == 100
    kinds = [p["kind"] for p in detail["pieces"]]
    assert kinds.count("ebook") == 1
    assert 5 <= kinds.count("article") <= 6
    assert 8 <= kinds.count("linkedin") <= 12
    assert 4 <= kinds.count("email") <= 6
    assert detail["quality"]["faithfulness"]["score"] == 1.0
    assert detail["calendar"] and all(day["day"] >= "2027-03-01" for day in detail["calendar"])
    packages = client.get("/api/v1/content/packages", headers=headers).json()
    assert [p["id"] for p in packages["items"]] == [package["id"]]

    post = next(p for p in detail["pieces"] if p["kind"] == "linkedin")
    assert post["revision"] == 1 and post["status"] == "draft"
    put = client.put(
        f"/api/v1/content/pieces/{post['id']}",
        json={
            "title": "Edited through the API",
            "body": "An edited post.\n\n#Webinar #B2B #Growth",
            "status": "approved",
            "version": post["version"],
        },
        headers=headers,
    )
    assert put.status_code == 200, put.text
    edited = put.json()
    assert edited["revision"] == 2 and edited["status"] == "approved"
    assert edited["version"] > post["version"]
    stale = client.put(
        f"/api/v1/content/pieces/{post['id']}",
        json={"title": "Again", "body": "Again.", "version": post["version"]},
        headers=headers,
    )
    assert stale.status_code == 409
    assert stale.headers["content-type"] == "application/problem+json"

    regenerated = client.post(f"/api/v1/content/pieces/{post['id']}/regenerate", headers=headers)
    assert regenerated.status_code == 200, regenerated.text
    again = regenerated.json()
    assert again["revision"] == 3 and again["body"] == post["body"]
    assert again["title"] == post["title"]

    ebook = next(p for p in detail["pieces"] if p["kind"] == "ebook")
    retitled = client.put(
        f"/api/v1/content/pieces/{ebook['id']}",
        json={"title": "A new cover title", "body": "", "meta": {"ebook": {"broken": True}}},
        headers=headers,
    )
    assert retitled.status_code == 200, retitled.text
    assert retitled.json()["meta"]["ebook"]["title"] == "A new cover title"


def test_a_read_token_cannot_upload_or_edit(client, cast, session):
    headers = _headers(session, cast.intern, TokenScope.read)
    refused = _upload(client, headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "may only read" in refused.json()["detail"]
    assert client.get("/api/v1/content/packages", headers=headers).status_code == 200
    assert session.scalar(select(func.count()).select_from(Source)) == 0


def test_a_viewer_token_cannot_recycle(client, cast, session):
    headers = _headers(session, cast.salesperson)
    refused = _upload(client, headers)
    assert refused.status_code == 403
    assert "may not recycle content" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("name", "data", "detail"),
    [
        ("empty.md", b"", "This file is empty."),
        ("script.exe", b"MZ\0\0", "Use a .docx, .md, .txt, .pdf, .srt or .vtt file."),
        ("short.txt", b"Too short to recycle. " * 10, "at least 500"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "seems damaged"),
    ],
)
def test_a_bad_file_is_a_422_problem(client, cast, session, name, data, detail):
    headers = _headers(session, cast.intern)
    response = client.post("/api/v1/content/sources", files={"file": (name, data)}, headers=headers)
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["status"] == 422 and detail in problem["detail"]
    assert problem["errors"][0]["field"] == "file"
    assert session.scalar(select(func.count()).select_from(Source)) == 0


def test_an_api_upload_over_the_size_limit_is_refused(client, cast, session, monkeypatch):
    from propulse.config import get_settings

    headers = _headers(session, cast.intern)
    monkeypatch.setenv("PROPULSE_MAX_UPLOAD_BYTES", str(3 * 1024 * 1024))
    get_settings.cache_clear()
    try:
        big = b"word " * (700 * 1024)
        response = client.post(
            "/api/v1/content/sources", files={"file": ("big.txt", big)}, headers=headers
        )
    finally:
        monkeypatch.delenv("PROPULSE_MAX_UPLOAD_BYTES")
        get_settings.cache_clear()
    assert response.status_code == 422
    assert response.json()["detail"] == "This file is larger than 3 MB."
    assert session.scalar(select(func.count()).select_from(Source)) == 0


def test_api_refusals_for_packages(client, cast, session):
    headers = _headers(session, cast.intern)
    missing = client.post(
        "/api/v1/content/packages",
        json={"source_id": 999999, "start_on": "2027-03-01"},
        headers=headers,
    )
    assert missing.status_code == 404
    source_id = _upload(client, headers).json()["id"]
    bad_country = client.post(
        "/api/v1/content/packages",
        json={"source_id": source_id, "start_on": "2027-03-01", "country": "Narnia"},
        headers=headers,
    )
    assert bad_country.status_code == 422
    assert bad_country.json()["errors"][0]["field"] == "country"
    assert session.scalar(select(func.count()).select_from(Package)) == 0
    bad_language = _upload(client, headers, language="de")
    assert bad_language.status_code == 422
    assert bad_language.json()["errors"][0]["field"] == "language"
    assert client.get("/api/v1/content/packages/999999", headers=headers).status_code == 404
    assert client.post("/api/v1/content/pieces/999999/regenerate", headers=headers).status_code == (
        404
    )


def test_the_language_can_be_forced_through_the_api(client, cast, session):
    headers = _headers(session, cast.intern)
    uploaded = _upload(client, headers, language="fr")
    assert uploaded.status_code == 201
    assert uploaded.json()["language"] == "fr"
    assert uploaded.json()["detected_language"] == "en"


# --- CLI ------------------------------------------------------------------------------------


def expected_files(out: Path) -> dict[str, list[Path]]:
    return {
        "articles_md": sorted((out / "articles").glob("*.md")),
        "articles_html": sorted((out / "articles").glob("*.html")),
        "linkedin": sorted((out / "linkedin").glob("*.md")),
        "emails": sorted((out / "emails").glob("*.md")),
    }


@pytest.mark.parametrize(
    ("path", "language", "pages"),
    [(SCRIPT, "en", (15, 20)), (TRANSCRIPT, "fr", (10, 20)), (CAPTIONS, "en", (6, 20))],
    ids=["script", "transcript", "captions"],
)
def test_the_cli_writes_one_file_per_piece(run, tmp_path, path, language, pages):
    out = tmp_path / "package"
    code, stdout, stderr = run(
        "content", "recycle", str(path), "--out", str(out), "--json", "--start", "2027-03-01"
    )
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert summary["language"] == language and summary["faithfulness"] == 1.0
    files = expected_files(out)
    assert 5 <= len(files["articles_md"]) <= 6
    assert len(files["articles_html"]) == len(files["articles_md"])
    assert all(re.fullmatch(r"\d\d-[a-z0-9-]+\.md", p.name) for p in files["articles_md"])
    assert 8 <= len(files["linkedin"]) <= 12
    assert all(re.fullmatch(r"\d\d\.md", p.name) for p in files["linkedin"] + files["emails"])
    assert 4 <= len(files["emails"]) <= 6
    assert summary["articles"] == len(files["articles_md"])
    assert summary["linkedin_posts"] == len(files["linkedin"])
    assert summary["emails"] == len(files["emails"])
    written = {Path(name) for name in summary["files"]}
    assert written == {p for p in out.rglob("*") if p.is_file()}

    reader = PdfReader(out / "ebook.pdf")
    assert pages[0] <= len(reader.pages) <= pages[1]
    calendar = icalendar.Calendar.from_ical((out / "calendar.ics").read_bytes())
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    rows = list(csv.DictReader(io.StringIO((out / "calendar.csv").read_text())))
    assert len(events) == len(rows) > 0
    assert min(row[next(iter(row))] for row in rows) >= "2027-03-01"
    quality = json.loads((out / "quality.json").read_text())
    assert {"faithfulness", "coverage", "duplication", "rules", "pieces"} <= set(quality)
    assert quality["faithfulness"]["score"] == 1.0
    html = files["articles_html"][0].read_text()
    assert html.startswith("<!doctype html>") and "<h2" in html


def test_the_cli_applies_a_brand_file_and_a_forced_language(run, tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    brand = tmp_path / "brand.yaml"
    brand.write_text(
        "name: Orbiteo\n"
        "logo: logo.svg\n"
        'colors: ["#0f766e", "#111827"]\n'
        "font: New Computer Modern\n"
        "cta_url: https://orbiteo.example/ebook\n"
        "cta_text: Récupérez le livre blanc\n"
        'hashtags: ["#Orbiteo", "marketing automation"]\n'
        "tone: informal\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, stdout, stderr = run(
        "content", "recycle", str(SCRIPT), "--out", str(out), "--brand", str(brand),
        "--lang", "fr", "--json",
    )  # fmt: skip
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert summary["language"] == "fr"
    posts = [p.read_text() for p in sorted((out / "linkedin").glob("*.md"))]
    assert all("#Orbiteo" in post for post in posts)
    assert any("#MarketingAutomation" in post for post in posts)
    emails = [p.read_text() for p in sorted((out / "emails").glob("*.md"))]
    assert any("https://orbiteo.example/ebook" in email for email in emails)
    assert (out / "ebook.pdf").read_bytes().startswith(b"%PDF")


def test_the_cli_prints_a_summary_without_json(run, tmp_path):
    code, stdout, stderr = run("content", "recycle", str(CAPTIONS), "--out", str(tmp_path))
    assert code == 0, stderr
    assert "files written to" in stdout and "LinkedIn posts" in stdout


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def test_the_cli_refuses_bad_input_with_one_line(run, tmp_path):
    out = tmp_path / "out"
    code, _, stderr = run("content", "recycle", str(tmp_path / "nope.md"), "--out", str(out))
    assert code == 2 and "No file at" in _one_line(stderr)

    exe = tmp_path / "script.exe"
    exe.write_bytes(b"MZ" + b"\0" * 100)
    code, _, stderr = run("content", "recycle", str(exe), "--out", str(out))
    assert code == 2 and "Use a .docx, .md, .txt, .pdf, .srt or .vtt file." in _one_line(stderr)

    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    code, _, stderr = run("content", "recycle", str(empty), "--out", str(out))
    assert code == 2 and "This file is empty." in _one_line(stderr)

    brand = tmp_path / "brand.yaml"
    brand.write_text('colors: ["blue"]\n')
    code, _, stderr = run(
        "content", "recycle", str(SCRIPT), "--out", str(out), "--brand", str(brand)
    )
    assert code == 2 and "colors" in _one_line(stderr)

    brand.write_text("name: Orbiteo\nslogan: Go\n")
    code, _, stderr = run(
        "content", "recycle", str(SCRIPT), "--out", str(out), "--brand", str(brand)
    )
    assert code == 2 and "slogan" in _one_line(stderr)

    brand.write_text("name: [unclosed\n  colors: x\n")
    code, _, stderr = run(
        "content", "recycle", str(SCRIPT), "--out", str(out), "--brand", str(brand)
    )
    assert code == 2 and "YAML" in _one_line(stderr)

    code, _, stderr = run(
        "content", "recycle", str(SCRIPT), "--out", str(out), "--brand", str(tmp_path / "no.yaml")
    )
    assert code == 2 and "no.yaml" in _one_line(stderr)

    code, _, stderr = run("content", "recycle", str(SCRIPT), "--out", str(out), "--lang", "de")
    assert code == 2 and "--lang" in _one_line(stderr)

    code, _, stderr = run("content", "recycle", str(SCRIPT), "--out", str(out), "--start", "x")
    assert code == 2 and "--start" in _one_line(stderr)

    code, _, stderr = run("content", "recycle", str(SCRIPT), "--out", str(out), "--country", "ZZ")
    assert code == 2 and "ZZ" in _one_line(stderr)

    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    code, _, stderr = run("content", "recycle", str(SCRIPT), "--out", str(blocker))
    assert code == 2 and "a-file" in _one_line(stderr)

    assert not out.exists()  # nothing written for a refused input
