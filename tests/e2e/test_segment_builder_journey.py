"""The builder in a browser: conditions picked from menus, the live count, the saved sentence."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def test_a_manager_builds_a_segment_with_a_live_count(page, live_server):
    live_server.propulse(
        "contacts", "add", "anne@example.lu", "--country", "LU", "--first-name", "Anne"
    )
    live_server.propulse("contacts", "add", "bernd@example.at", "--country", "AT")
    sign_in(page)
    page.goto("/segments/new")
    # Other journeys may share this server: the countries here are used by no other test.
    page.get_by_label("Name").fill("Luxembourg and Malta")

    page.get_by_role("button", name="Add a condition").click()
    row = page.locator(".builder-row").first
    row.get_by_role("combobox", name="Condition").select_option(label="Country")
    row.get_by_role("combobox", name="Operator").select_option(label="is one of")
    row.get_by_role("textbox", name="separate values with commas").fill("LU, MT")
    expect(page.locator("#live-count")).to_contain_text("1 contact matches")
    expect(page.locator("#live-count")).to_contain_text("Country is one of LU, MT")

    page.get_by_role("button", name="Add a group").click()
    group = page.locator(".builder-group .builder-group")
    group.get_by_role("button", name="Add a condition").click()
    inner = group.locator(".builder-row")
    inner.get_by_role("combobox", name="Condition").select_option(label="did an activity…")
    expect(page.locator("#live-count")).to_contain_text("0 contacts match")
    expect(page.locator("#live-count")).to_contain_text("clicked an e-mail in the last 30 days")
    inner.get_by_role("button", name="Remove").last.click()
    expect(page.locator("#live-count")).to_contain_text("1 contact matches")

    definition = json.loads(page.locator("#f-definition").input_value())
    assert definition["all"][0] == {"field": "country", "op": "in", "value": ["LU", "MT"]}
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Luxembourg and Malta")
    expect(page.locator(".in-words")).to_contain_text("Country is one of LU, MT")
    expect(page.locator("table.segment-members")).to_contain_text("anne@example.lu")

    # Editing reloads the builder from the saved JSON.
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("combobox", name="Condition").first).to_have_value("country")
