"""The CMO sets three objectives; the fourth is refused, with the way out."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def test_three_objectives_then_the_fourth_is_refused(page):
    sign_in(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    page.get_by_role("link", name="Objectives").click()
    page.get_by_role("link", name="Create the period").click()
    page.get_by_label("Name").fill("2031-Q2")
    page.get_by_role("button", name="Create the period").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Objectives · 2031-Q2")

    for title in (
        "Generate enterprise pipeline in Germany",
        "Make nurturing convert more MQLs",
        "Turn every webinar into a content library",
    ):
        form = page.locator("#new-objective")
        form.get_by_label("Objective").fill(title)
        form.get_by_role("button", name="Add the objective").click()
        expect(page.get_by_role("heading", level=2, name=title)).to_be_visible()

    form = page.locator("#new-objective")
    form.get_by_label("Objective").fill("Sponsor the regional golf tournament")
    form.get_by_role("button", name="Add the objective").click()
    refusal = page.locator("#refusal")
    expect(refusal).to_contain_text("At most 3 objectives per team and period")
    expect(
        refusal.get_by_role(
            "button", name="Replace it by Sponsor the regional golf tournament"
        ).first
    ).to_be_visible()
    expect(page.locator("article.objective")).to_have_count(3)
