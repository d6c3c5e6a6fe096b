"""A marketing manager imports a CSV of contacts, builds a segment and reads a score's reasons."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import LiveServer, sign_in

# A French export: semicolons, French headers, one row whose e-mail is not an address.
CONTACTS_CSV = """\
Prénom;Nom;E-mail;Société;Pays;Secteur
Élodie;Garnier;elodie.garnier@boulangerie-garnier.example;Boulangerie Garnier;FR;Retail
Marc;Dubois;marc.dubois@metallurgie-dubois.example;Métallurgie Dubois;FR;Industry
Sofia;Rossi;sofia.rossi@moda-rossi.example;Moda Rossi;IT;Retail
Jan;Peeters;jan.peeters@peeters-logistics.example;Peeters Logistics;BE;Logistics
Paul;Martin;paul.martin-chez-martin-sa;Martin SA;FR;Retail
"""
BAD_ROW_EMAIL = "paul.martin-chez-martin-sa"
FIT_RULE = "Retail journey fit"
FIT_POINTS = 20
ENGAGEMENT_RULE = "Webinar journey attendance"
ENGAGEMENT_POINTS = 15


@pytest.fixture
def background() -> Iterator[ThreadPoolExecutor]:
    """Threads for CLI calls: each starts a Python process, which takes seconds on a loaded
    machine, so they run while the browser works (SQLite serialises the writes)."""
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


def figure(page: Page, label: str) -> Locator:
    """The value of one of the import's figures ("created", "rejected"...)."""
    labelled = page.locator(".label", has_text=re.compile(rf"^\s*{label}\s*$"))
    return page.locator("#import-status .figure").filter(has=labelled).locator(".value")


def add_scoring_rules(live_server: LiveServer, background: ThreadPoolExecutor) -> list[Future[str]]:
    """Add a fit rule (retail sector) and an engagement rule (webinar attended), side by side."""
    retail = {"field": "sector", "op": "eq", "value": "Retail"}
    fit = (
        "scoring", "rules", "add", FIT_RULE, "--kind", "fit",
        "--points", str(FIT_POINTS), "--condition", json.dumps(retail),
    )  # fmt: skip
    engagement = (
        "scoring", "rules", "add", ENGAGEMENT_RULE, "--kind", "engagement",
        "--points", str(ENGAGEMENT_POINTS), "--event", "webinar_attended",
    )  # fmt: skip
    return [background.submit(live_server.propulse, *args) for args in (fit, engagement)]


def test_import_contacts_build_a_segment_and_read_why_a_score(
    page: Page, live_server: LiveServer, tmp_path: Path, background: ThreadPoolExecutor
) -> None:
    seeding = add_scoring_rules(live_server, background)
    upload = tmp_path / "salon-retail-2024.csv"
    upload.write_text(CONTACTS_CSV, encoding="utf-8")

    # 1. Upload the file and check the proposed mapping.
    sign_in(page)
    page.goto("/contacts/import")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import contacts")
    page.locator("#f-file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and check the columns").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check the columns")
    expect(page.get_by_label("E-mail", exact=True)).to_have_value("email")
    expect(page.get_by_label("Prénom")).to_have_value("first_name")
    expect(page.get_by_label("Société")).to_have_value("company")
    expect(page.get_by_label("Pays")).to_have_value("country")
    expect(page.get_by_label("Secteur")).to_have_value("sector")
    page.get_by_role("button", name="Start the import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import of salon-retail-2024.csv")
    expect(page.locator("#import-status")).to_contain_text("Waiting for a worker")

    # 2. The server has no worker: run the import (and the rescore the rules queued).
    for added in seeding:
        added.result()
    live_server.propulse("jobs", "run-pending")
    page.reload()
    expect(page.locator("#import-status")).to_contain_text("Import finished.")
    expect(figure(page, "created")).to_have_text("4")
    expect(figure(page, "rejected")).to_have_text("1")
    rejects_link = page.get_by_role("link", name=re.compile("Download the rejected rows"))
    expect(rejects_link).to_be_visible()
    with page.expect_download() as download_info:
        rejects_link.click()
    rejects = tmp_path / "rejects.csv"
    download_info.value.save_as(rejects)
    # The original row, in the file's own delimiter, plus its line number and the reason.
    text = rejects.read_text(encoding="utf-8-sig")
    rejected_rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rejected_rows) == 1, text
    assert rejected_rows[0]["E-mail"] == BAD_ROW_EMAIL, text
    assert rejected_rows[0]["row"] == "6", text
    assert "not a valid e-mail address" in rejected_rows[0]["reason"], text

    # Élodie attends a webinar: engagement points on top of her fit points.
    events = tmp_path / "events.csv"
    events.write_text(
        "id,email,type,occurred_at\n"
        "journey-webinar-1,elodie.garnier@boulangerie-garnier.example,webinar_attended,\n",
        encoding="utf-8",
    )
    recording = background.submit(live_server.propulse, "contacts", "events", "import", str(events))

    # 3. Build the segment "Country is FR" with the builder, watching the live count.
    page.goto("/segments/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("New segment")
    page.get_by_label("Name").fill("French contacts of the retail fair")
    builder = page.locator("#segment-builder")
    builder.get_by_role("button", name="Add a condition").click()
    builder.get_by_role("combobox", name="Condition").select_option(label="Country")
    builder.get_by_role("combobox", name="Operator").select_option("eq")
    builder.get_by_role("textbox", name="Value").fill("FR")
    count = page.locator("#live-count")
    expect(count).to_contain_text("2 contacts match", timeout=15_000)
    expect(count.locator(".in-words")).to_contain_text("FR")
    expect(page.locator("#f-definition")).to_have_value(re.compile(r'"value": "FR"'))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "French contacts of the retail fair"
    )
    members = page.locator("table.segment-members tbody tr")
    expect(members).to_have_count(2)
    expect(members.filter(has_text="Élodie Garnier")).to_have_count(1)
    expect(members.filter(has_text="Marc Dubois")).to_have_count(1)
    expect(page.locator("table.segment-members")).not_to_contain_text("Sofia Rossi")

    # 4. Élodie's page explains her score: both rules with their points.
    recording.result()
    page.get_by_role("link", name="Élodie Garnier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Élodie Garnier")
    total = FIT_POINTS + ENGAGEMENT_POINTS
    score_figure = page.locator(".contact-figures .figure").filter(has_text="Score")
    expect(score_figure.locator(".value")).to_have_text(str(total))
    why = page.locator("section.card").filter(
        has=page.get_by_role("heading", name="Why this score")
    )
    expect(why).to_contain_text(
        f"Fit {FIT_POINTS} + engagement {ENGAGEMENT_POINTS} = {total} points."
    )
    reasons = why.locator("table.score-reasons tbody tr")
    expect(reasons).to_have_count(2)
    fit_row = reasons.filter(has_text=FIT_RULE)
    expect(fit_row.locator("td.num")).to_have_text(str(FIT_POINTS))
    expect(fit_row).to_contain_text("Fit")
    engagement_row = reasons.filter(has_text=ENGAGEMENT_RULE)
    expect(engagement_row.locator("td.num")).to_have_text(str(ENGAGEMENT_POINTS))
    expect(engagement_row).to_contain_text("Engagement")
