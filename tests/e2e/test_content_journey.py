"""The CMO recycles a webinar script, edits one LinkedIn post and downloads the package."""

from __future__ import annotations

import zipfile
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

SCRIPT = Path(__file__).resolve().parents[1] / "data" / "content" / "webinar-script-en.md"
EDITED = "Hand-written hook: one webinar, a month of content.\n\n#Webinar #B2B #ContentMarketing"


def test_upload_a_script_edit_a_post_and_download_the_zip(page, live_server, tmp_path):
    sign_in(page)
    page.get_by_role("link", name="Content", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Content recycling")
    page.get_by_label("File").set_input_files(str(SCRIPT))
    page.get_by_role("button", name="Recycle").click()
    page.wait_for_url("**/content/packages/*")
    expect(page.locator("#progress")).to_contain_text("Working on it")

    # The server runs without a worker: run the job as the worker would. The page polls
    # with htmx and reloads itself once the package is ready.
    live_server.propulse("jobs", "run-pending")
    expect(page.get_by_role("heading", name="Quality report")).to_be_visible(timeout=20_000)
    posts = page.locator("section.card").filter(
        has=page.get_by_role("heading", name="LinkedIn posts")
    )
    expect(posts.get_by_role("link")).not_to_have_count(0)
    package_url = page.url

    posts.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Revisions")).to_be_visible()
    page.get_by_label("Text (Markdown)").fill(EDITED)
    page.get_by_role("button", name="Save a new revision").click()
    expect(page.locator("#messages")).to_contain_text("Saved as a new revision.")
    expect(page.locator(".preview")).to_contain_text("Hand-written hook")
    expect(page.get_by_role("listitem").filter(has_text="#2 · edited")).to_be_visible()
    post_title = page.get_by_role("heading", level=1).inner_text()

    page.get_by_role("link", name="←").click()
    assert page.url == package_url
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=post_title))
    expect(row.first.locator("td.num")).to_have_text("2")  # its revision

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download everything (.zip)").click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert "ebook.pdf" in names and "quality.json" in names
        posts_text = [archive.read(n).decode() for n in names if n.startswith("linkedin/")]
    assert sum("Hand-written hook: one webinar" in text for text in posts_text) == 1
