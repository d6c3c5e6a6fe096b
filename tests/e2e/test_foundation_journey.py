"""A person signs in, switches to French, and signs out, in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD


def test_sign_in_switch_to_french_and_sign_out(page):
    page.goto("/")
    assert "/login" in page.url
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello Claire Martin")

    page.get_by_role("button", name="Français").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Claire Martin")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="Personnes")).to_be_visible()

    page.get_by_role("link", name="Équipes").click()
    expect(page.get_by_role("heading", name="Équipes", level=1)).to_be_visible()

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connectez-vous à Propulse")
    page.goto("/teams")
    assert "/login" in page.url  # signed out for real


def test_a_wrong_password_shows_the_error_beside_the_form(page):
    page.goto("/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an active account")
