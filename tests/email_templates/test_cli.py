"""`propulse templates`: list, preview and test, with --json; the test arrives by SMTP."""

from __future__ import annotations

import json
from email.header import decode_header, make_header
from typing import Any

from sqlalchemy.orm import Session

from propulse.delivery.placeholders import UNSUBSCRIBE_URL
from tests.email_templates.factories import make_template
from tests.segments.factories import make_contact


def test_list_and_preview(run: Any, cast: Any, session: Session) -> None:
    template = make_template(session, cast.intern)
    make_contact(session, email="anne@client.example", first_name="Anne", language="fr")
    session.commit()
    code, out, err = run("templates", "list", "--json")
    assert code == 0, err
    assert json.loads(out) == [
        {
            "id": template.id,
            "name": "Guide follow-up",
            "description": "After the guide",
            "languages": "en, fr",
            "default_language": "en",
            "updated_at": json.loads(out)[0]["updated_at"],
        }
    ]
    code, out, err = run("templates", "list")
    assert code == 0 and "Guide follow-up" in out

    code, out, err = run("templates", "preview", str(template.id))
    assert code == 0, err
    assert "Subject: Your guide, Camille" in out
    assert "Hello Camille," in out

    code, out, err = run(
        "templates", "preview", str(template.id), "--contact", "anne@client.example", "--json"
    )
    assert code == 0, err
    shown = json.loads(out)
    assert shown["language"] == "fr" and "Bonjour Anne," in shown["text_body"]
    code, out, err = run("templates", "preview", str(template.id), "--language", "en", "--json")
    assert json.loads(out)["language"] == "en"


def test_clear_errors(run: Any, cast: Any, session: Session) -> None:
    template = make_template(session, cast.intern)
    session.commit()
    code, _out, err = run("templates", "preview", "999999")
    assert code == 2 and "does not exist" in err
    code, _out, err = run("templates", "preview", str(template.id), "--contact", "x@y.example")
    assert code == 2 and "No contact has the e-mail x@y.example" in err
    code, _out, err = run("--as", cast.salesperson.email, "templates", "test", str(template.id))
    assert code == 2 and "may not edit e-mail templates" in err


def test_a_test_send_arrives_in_the_smtp_server(
    run: Any, cast: Any, session: Session, smtp_server: Any
) -> None:
    template = make_template(session, cast.intern)
    session.commit()
    code, out, err = run("--as", cast.intern.email, "templates", "test", str(template.id), "--json")
    assert code == 0, err
    queued = json.loads(out)
    assert queued["to"] == cast.intern.email
    code, out, err = run("delivery", "run", "--connections", "1", "--json")
    assert code == 0, err
    [received] = smtp_server.messages
    assert received["To"] == cast.intern.email
    assert str(make_header(decode_header(received["Subject"]))) == "[Test] Your guide, Léa"
    assert received["List-Unsubscribe"].startswith("<http://testserver/u/")
    parts = {part.get_content_type(): part for part in received.walk()}
    text = parts["text/plain"].get_payload(decode=True).decode()
    html = parts["text/html"].get_payload(decode=True).decode()
    assert "See our guide." in text
    assert "<strong" in html and "Unsubscribe" in html
    assert UNSUBSCRIBE_URL not in html and "http://testserver/u/" in html
