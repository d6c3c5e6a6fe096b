"""An intern launches the built-in webinar playbook for a date and ticks the first step's checklist."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect

INTERN_EMAIL = "ines@alpinea.example"
INTERN_NAME = "Inès Laurent"
INTERN_PASSWORD = "intern browser password"
FIRST_STEP = "Choose the topic and angle with sales"
FIRST_ITEM = "Working session of 30-45 minutes"


def webinar_day() -> date:
    """A Thursday about two months ahead: no task of the plan is overdue yet."""
    day = date.today() + timedelta(days=60)
    return day + timedelta(days=(3 - day.weekday()) % 7)


def test_an_intern_launches_the_webinar_playbook_and_ticks_the_first_step(page, live_server):
    live_server.propulse(
        "users", "add", INTERN_EMAIL, "--name", INTERN_NAME, "--role", "member",
        "--password-stdin", stdin=INTERN_PASSWORD + "\n",
    )  # fmt: skip
    page.goto("/login")
    page.get_by_label("E-mail").fill(INTERN_EMAIL)
    page.get_by_label("Password").fill(INTERN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")

    page.get_by_role("link", name="Playbooks").click()
    page.get_by_role("link", name="Scripted webinar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scripted webinar")
    page.get_by_role("link", name="Launch a project").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Launch Scripted webinar")

    page.get_by_label("Project name").fill("Retail webinar")
    page.get_by_label("Webinar date").fill(webinar_day().isoformat())
    roles = page.locator("fieldset.roles select")
    assert roles.count() >= 3
    for index in range(roles.count()):
        roles.nth(index).select_option(label=INTERN_NAME)
    page.get_by_role("button", name="Preview the dates and problems").click()
    preview = page.locator("#launch-preview")
    expect(preview.get_by_role("heading", name="Preview")).to_be_visible()
    expect(preview.locator("table.plan")).to_contain_text(FIRST_STEP)
    expect(preview).not_to_contain_text("Nobody plays the role")
    page.get_by_role("button", name="Launch the project").click()
    expect(page.locator("#messages")).to_contain_text("Retail webinar is launched.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Retail webinar")

    page.locator("#column-todo + .cards").get_by_role("link", name=FIRST_STEP).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FIRST_STEP)
    expect(page.get_by_role("heading", name="How to do it")).to_be_visible()
    first = page.get_by_role("checkbox", name=FIRST_ITEM)
    expect(first).not_to_be_checked()
    first.check()
    expect(page.locator("#checklist-count")).to_contain_text("1 of")
    expect(page.get_by_role("checkbox", name=FIRST_ITEM)).to_be_checked()

    page.reload()
    expect(page.get_by_role("checkbox", name=FIRST_ITEM)).to_be_checked()
    expect(page.locator("#checklist-count")).to_contain_text("1 of")
