"""Journey: write a template, build a three-step sequence, enrol a segment, receive the first
e-mails in a real SMTP server, and unsubscribe through the link of one of them.

Contacts of Portugal (a country no other journey uses: journeys share one server), two with
an opt-in and one without any consent, who must never receive anything.
"""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, sign_in
from tests.support.smtp import RecordingSmtpServer

WEEKDAYS = range(7)


def _seed(live_server: LiveServer) -> None:
    for email, first_name, consent in (
        ("ana@journey-nurture.example", "Ana", "opt_in"),
        ("rui@journey-nurture.example", "Rui", "legitimate_interest"),
        ("eva@journey-nurture.example", "Eva", None),
    ):
        extra = ["--consent", consent] if consent else []
        live_server.propulse(
            "contacts", "add", email, "--first-name", first_name, "--country", "PT",
            "--language", "en", *extra,
        )  # fmt: skip
    definition = {"all": [{"field": "country", "op": "eq", "value": "PT"}]}
    live_server.propulse(
        "segments", "create", "Portugal (journey)", "--definition", json.dumps(definition)
    )


def _body_text(message) -> str:  # type: ignore[no-untyped-def]
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return str(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8"))
    raise AssertionError("no text part")


def test_sequence_from_template_to_unsubscribe(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    _seed(live_server)
    sign_in(page)

    page.goto("/email-templates/new")
    page.locator("#f-name").fill("Journey welcome")
    page.locator("#f-en-subject").fill("Welcome {{ contact.first_name | default('there') }}")
    page.locator("#f-en-body").fill("Hello {{ contact.first_name }},\n\nHere is **the guide**.")
    expect(page.locator("#template-preview")).to_contain_text("Welcome")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flash").first).to_be_visible()

    page.goto("/sequences/new")
    page.locator("#f-name").fill("Journey: Portugal welcome")
    page.locator("#f-steps-0-template_id").select_option(label="Journey welcome")
    page.locator("#f-new_step_kind").select_option("wait")
    page.locator("#add-step").click()
    expect(page.locator("#f-steps-1-days")).to_be_visible()
    page.locator("#f-steps-1-days").fill("2")
    page.locator("#f-new_step_kind").select_option("send_email")
    page.locator("#add-step").click()
    expect(page.locator("#f-steps-2-template_id")).to_be_visible()
    page.locator("#f-steps-2-template_id").select_option(label="Journey welcome")
    # Always open, so the first e-mail leaves now whatever the day and hour of the test.
    page.locator("#f-windows-0-start").fill("00:00")
    page.locator("#f-windows-0-end").fill("23:59")
    for day in WEEKDAYS:
        page.locator(f"input[name='windows-0-weekdays'][value='{day}']").check()
    page.locator("input[name='windows-0-skip_holidays']").uncheck()
    page.get_by_role("button", name="Create the sequence (as a draft)").click()
    page.wait_for_url(re.compile(r"/sequences/\d+$"))
    sequence_id = page.url.rsplit("/", 1)[1]
    expect(page.locator(".step-box, .flow li").nth(2)).to_be_visible()

    page.get_by_role("button", name="Activate").click()
    page.locator("#f-enrol-segment").select_option(label="Portugal (journey)")
    page.get_by_role("button", name="Enrol the segment").click()
    expect(page.locator("#enrolments")).to_contain_text("ana@journey-nurture.example")

    smtp = RecordingSmtpServer()
    smtp.start()
    try:
        mail = {"PROPULSE_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}"}
        live_server.propulse("nurture", "run", env=mail)
        live_server.propulse("delivery", "run", env=mail)
        received = smtp.wait_for(2)
    finally:
        smtp.stop()
    recipients = sorted(str(message["To"]) for message in received)
    assert recipients == ["ana@journey-nurture.example", "rui@journey-nurture.example"]
    to_ana = next(message for message in received if "ana@" in str(message["To"]))
    assert to_ana["Subject"] == "Welcome Ana"
    assert to_ana["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = _body_text(to_ana)
    assert "Hello Ana" in text
    link = re.search(r"https?://\S+/u/[\w.\-]+", text)
    assert link is not None, text

    page.goto(link.group(0))
    page.get_by_role("button", name=re.compile("Unsubscribe")).click()
    expect(page.locator("main")).to_contain_text(re.compile("unsubscribed", re.IGNORECASE))

    live_server.propulse("nurture", "run")
    stats = json.loads(live_server.propulse("nurture", "stats", sequence_id, "--json"))
    first = stats["steps"][0]
    assert (first["sent"], first["unsubscribed"]) == (2, 1)
    page.goto(f"/sequences/{sequence_id}")
    expect(page.locator("#enrolments")).to_contain_text("ana@journey-nurture.example")
