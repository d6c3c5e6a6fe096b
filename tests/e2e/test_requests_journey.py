"""A salesperson submits a request; the CMO accepts it against a current objective."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from propulse.okrs.progress import quarter_name
from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, sign_in

SALES_EMAIL = "marc@alpinea.example"
SALES_PASSWORD = "sales person password"
OBJECTIVE = "Generate enterprise pipeline in Germany"


def test_a_salesperson_submits_and_the_cmo_accepts_against_an_objective(page, live_server):
    live_server.propulse(
        "users",
        "add",
        SALES_EMAIL,
        "--name",
        "Marc Lefèvre",
        "--role",
        "viewer",
        "--password-stdin",
        stdin=SALES_PASSWORD + "\n",
    )
    live_server.propulse(
        "okrs",
        "add-objective",
        "--period",
        quarter_name(date.today()),
        "--title",
        OBJECTIVE,
        "--description",
        "Trade shows, webinars and ABM for German industrial companies",
    )

    sign_in(page, SALES_EMAIL, SALES_PASSWORD)
    page.goto("/requests/new")
    page.get_by_label("Title").fill("Booth at Hannover Messe")
    page.get_by_label("Description").fill("German industrial buyers all visit this trade show.")
    page.get_by_label("Department").fill("Sales")
    page.get_by_role("button", name="Submit the request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Booth at Hannover Messe")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/requests")
    row = page.locator("tr.request-row", has_text="Booth at Hannover Messe")
    expect(row).to_be_visible()
    row.get_by_role("button", name="Objective…").click()
    popover = row.locator("div[popover]").first
    popover.get_by_label("It serves").select_option(label=OBJECTIVE)
    popover.get_by_role("button", name="Accept").click()
    swapped = page.locator("tr.request-row", has_text="Booth at Hannover Messe")
    expect(swapped).to_contain_text(OBJECTIVE)
    expect(swapped).to_have_class(re.compile("state-accepted"))
