"""Optional LLM rewriting: a fake OpenAI-compatible server on loopback, the checks, the pages.

The fake server answers ``POST /v1/chat/completions`` with canned rewrites (faithful, with an
invented number, with an invented quotation), a 500, a malformed body or silence, and records
every request it receives.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from propulse.content import llm, rewriting, serialize, service
from propulse.content.document import BrandKit
from propulse.content.models import (
    BrandSettings,
    Package,
    PackageStatus,
    Piece,
    PieceRevision,
)
from propulse.kit.errors import Conflict, Forbidden, InvalidInput
from tests.support.web import csrf_from, post_form, sign_in

SCRIPT = Path(__file__).resolve().parents[1] / "data" / "content" / "webinar-script-en.md"

ORIGINAL = (
    "Orbiteo grew from 20 to 400 employees in four years.\n\n"
    "“If everything is a priority, then nothing is a priority.”\n\n"
    "Our rule: at most 3 objectives per quarter.\n\n"
    "#Marketing #OKR #Focus"
)
FAITHFUL = (
    "In four years, Orbiteo went from 20 to 400 employees.\n\n"
    "“If everything is a priority,  then nothing is a priority.”\n\n"
    "The rule we keep: 3 objectives per quarter, never more.\n\n"
    "#Marketing #OKR #Focus"
)
INVENTED_NUMBER = FAITHFUL.replace("400 employees", "400 employees and 75,000 customers")
INVENTED_QUOTE = FAITHFUL + "\n\n“Focus is the only strategy that scales.”"


# The fake server


@dataclass
class FakeLlm:
    """What the server will answer next, and every request it received."""

    url: str = ""
    status: int = 200
    content: str = FAITHFUL
    raw_body: str | None = None  # sent as is instead of a chat completion
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)


def _handler(fake: FakeLlm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            fake.requests.append(
                {"path": self.path, "headers": dict(self.headers), "body": json.loads(raw)}
            )
            if fake.delay:
                fake.released.wait(fake.delay)
            if fake.raw_body is not None:
                body = fake.raw_body.encode()
            else:
                completion = {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "model": "fake",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": fake.content},
                            "finish_reason": "stop",
                        }
                    ],
                }
                body = json.dumps(completion).encode()
            try:
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up waiting (the timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def fake_llm() -> Iterator[FakeLlm]:
    fake = FakeLlm()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield fake
    fake.released.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# The workspace: a source, a ready package and one LinkedIn post drafted from it


@pytest.fixture
def piece(session, cast) -> Piece:  # type: ignore[no-untyped-def]
    source = service.add_source(
        session, actor=cast.intern, data=SCRIPT.read_bytes(), filename=SCRIPT.name, language=None
    )
    package = Package(
        source_id=source.id,
        status=PackageStatus.ready,
        progress=100,
        start_on=date(2027, 3, 1),
        brand=serialize.brand_to_json(BrandKit(name="Orbiteo", tone="informal")),
        created_by_id=cast.intern.id,
    )
    session.add(package)
    session.flush()
    row = Piece(package_id=package.id, kind="linkedin", index=1, title="Focus", body=ORIGINAL)
    session.add(row)
    session.flush()
    session.add(
        PieceRevision(piece_id=row.id, number=1, title=row.title, body=row.body, reason="generated")
    )
    session.commit()
    return row


def configure(session, cast, fake: FakeLlm, api_key: str | None = None) -> None:  # type: ignore[no-untyped-def]
    rewriting.save_llm_settings(
        session, actor=cast.manager, base_url=fake.url, model="llama3.1:8b", api_key=api_key
    )
    session.commit()


def revisions(session, piece: Piece) -> list[str]:  # type: ignore[no-untyped-def]
    rows = session.scalars(
        select(PieceRevision.reason)
        .where(PieceRevision.piece_id == piece.id)
        .order_by(PieceRevision.number)
    )
    return list(rows)


def write_headers(session, user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _record, secret = auth.create_token(
        session, actor=user, owner=user, name="test", scope=TokenScope.write
    )
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


# The checks, alone


def test_numbers_are_compared_after_normalising_and_ranges_by_their_ends():
    source = "Le panier moyen atteint 40 000 euros, soit 12,5 % de plus, de 3 à 12 mois."
    draft = "Le panier moyen : 40 000 euros."
    assert (
        llm.check_rewrite(draft, "Panier moyen : 40000 euros, +12.5%, 3 à 12 mois.", source) == []
    )
    assert llm.check_rewrite(draft, "Entre 12 et 3 mois, 40 000 €.", source) == []
    problems = llm.check_rewrite(draft, "Le panier moyen : 45 000 euros.", source)
    assert problems == ["the rewrite invented the number 45,000"]


def test_quotations_must_be_in_the_source_word_for_word_spaces_aside():
    source = "Thomas said: If everything is a priority, then nothing is a priority. We agreed."
    draft = "Thomas said that when everything is a priority, nothing is."
    for marks in ("«\u00a0{}\u00a0»", "“{}”", '"{}"'):
        faithful = marks.format("If everything is a priority,\nthen nothing is a priority.")
        assert llm.check_rewrite(draft, faithful, source) == [], marks
    changed = "“If everything is urgent, then nothing is.”"
    assert llm.check_rewrite(draft, changed, source) == [
        "the rewrite invented the quotation « If everything is urgent, then nothing is. »"
    ]


def test_links_hashtags_time_codes_and_list_numbers_are_not_content():
    source = "Our sales cycles last from 3 to 12 months."
    rewritten = (
        "1. Sales cycles: 3 to 12 months.\n2. Watch it at 00:12:30.\n"
        "[Get the guide](https://orbiteo.example/2027/guide-v2) #B2B2027"
    )
    assert llm.check_rewrite("Sales cycles: 3 to 12 months. " * 3, rewritten, source) == []


def test_a_number_already_in_the_draft_may_stay_and_an_empty_or_bloated_answer_is_refused():
    source = "Our sales cycles last from 3 to 12 months."
    draft = "Cycles last 3 to 12 months. [Download the 5-step guide](https://x.example)"
    assert (
        llm.check_rewrite(
            draft, "From 3 to 12 months. [The 5-step guide](https://x.example)", source
        )
        == []
    )
    assert llm.check_rewrite(draft, "  \n", source) == ["the answer is empty"]
    problems = llm.check_rewrite(draft, draft * 4, source)
    assert problems == ["the answer is 4.0 times longer than the draft"]


def test_the_prompt_asks_for_the_brands_tone_in_the_pieces_language():
    formal_fr = llm.system_prompt(kind="linkedin", language="fr", tone="formal")
    informal_fr = llm.system_prompt(kind="email", language="fr", tone="informal")
    assert "vouvoyez" in formal_fr and "un post LinkedIn" in formal_fr
    assert "tutoyez" in informal_fr and "un e-mail" in informal_fr
    english = llm.system_prompt(kind="article", language="en", tone="formal")
    for rule in ("Markdown", "every number", "word for word", "Add no fact"):
        assert rule in english


# The call, against the fake server


def test_the_request_carries_the_model_the_messages_and_the_key(fake_llm):
    settings = llm.LlmSettings(base_url=fake_llm.url + "/", model="qwen2.5:7b", api_key="sk-42")
    fake_llm.content = "```markdown\n" + FAITHFUL + "\n```"
    answer = llm.rewrite(ORIGINAL, kind="linkedin", language="en", tone="formal", settings=settings)
    assert answer == FAITHFUL  # the code fence some models add is removed
    [request] = fake_llm.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-42"
    body = request["body"]
    assert body["model"] == "qwen2.5:7b" and body["temperature"] == 0.3
    assert [message["role"] for message in body["messages"]] == ["system", "user"]
    assert body["messages"][0]["content"].startswith("You are a B2B marketing writer")
    assert body["messages"][1]["content"] == ORIGINAL


def test_without_a_key_no_authorization_header_is_sent(fake_llm):
    settings = llm.LlmSettings(base_url=fake_llm.url, model="m")
    llm.rewrite(ORIGINAL, kind="linkedin", language="en", tone="formal", settings=settings)
    assert "Authorization" not in fake_llm.requests[0]["headers"]


def test_network_errors_timeouts_bad_statuses_and_bad_json_are_clear_errors(fake_llm):
    settings = llm.LlmSettings(base_url=fake_llm.url, model="m")

    def attempt(**options: Any) -> llm.LlmError:
        with pytest.raises(llm.LlmError) as caught:
            llm.rewrite(
                ORIGINAL,
                kind="linkedin",
                language="en",
                tone="formal",
                settings=settings,
                **options,
            )
        return caught.value

    fake_llm.status, fake_llm.raw_body = 500, '{"error": "model not loaded"}'
    error = attempt()
    assert error.code == "status" and "HTTP 500" in str(error) and "model not loaded" in str(error)
    fake_llm.status, fake_llm.raw_body = 200, "<html>not json</html>"
    assert attempt().code == "malformed"
    fake_llm.raw_body = '{"choices": []}'
    assert attempt().code == "malformed"
    fake_llm.raw_body, fake_llm.delay = None, 5
    error = attempt(timeout=0.3)
    assert error.code == "timeout" and "0.3 seconds" in str(error)
    closed = llm.LlmSettings(base_url="http://127.0.0.1:9/v1", model="m")  # discard port
    with pytest.raises(llm.LlmError) as caught:
        llm.rewrite(ORIGINAL, kind="article", language="en", tone="formal", settings=closed)
    assert caught.value.code == "unreachable"


def test_nothing_is_sent_without_a_base_url_and_a_model(fake_llm):
    for settings in (
        llm.LlmSettings(base_url="", model="m"),
        llm.LlmSettings(base_url=fake_llm.url, model=" "),
    ):
        with pytest.raises(llm.LlmError) as caught:
            llm.rewrite(ORIGINAL, kind="article", language="en", tone="formal", settings=settings)
        assert caught.value.code == "not_configured"
    assert fake_llm.requests == []


# The service


def test_a_faithful_rewrite_is_saved_as_a_new_revision(session, cast, piece, fake_llm):
    configure(session, cast, fake_llm)
    rewritten = rewriting.rewrite_piece(session, actor=cast.intern, piece_id=piece.id)
    session.commit()
    assert rewritten.body == FAITHFUL and rewritten.revision == 2
    assert revisions(session, piece) == ["generated", "rewritten"]
    system = fake_llm.requests[0]["body"]["messages"][0]["content"]
    assert "friendly and conversational" in system  # the package's brand is informal


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (INVENTED_NUMBER, "the rewrite invented the number 75,000"),
        (INVENTED_QUOTE, "the rewrite invented the quotation « Focus is the only strategy"),
    ],
)
def test_an_invented_number_or_quotation_is_refused_and_nothing_changes(
    session, cast, piece, fake_llm, answer, problem
):
    configure(session, cast, fake_llm)
    fake_llm.content = answer
    with pytest.raises(InvalidInput) as caught:
        rewriting.rewrite_piece(session, actor=cast.intern, piece_id=piece.id)
    session.rollback()
    assert caught.value.status_code == 422
    assert problem in caught.value.message
    assert caught.value.message.startswith("The rewrite was refused: ")
    session.refresh(piece)
    assert piece.body == ORIGINAL and piece.revision == 1
    assert revisions(session, piece) == ["generated"]


def test_a_failing_model_is_a_502_and_nothing_changes(session, cast, piece, fake_llm, monkeypatch):
    configure(session, cast, fake_llm)
    fake_llm.status, fake_llm.raw_body = 500, "boom"
    with pytest.raises(rewriting.LanguageModelFailed) as caught:
        rewriting.rewrite_piece(session, actor=cast.intern, piece_id=piece.id)
    assert caught.value.status_code == 502
    assert "HTTP 500" in caught.value.message
    session.rollback()
    fake_llm.status, fake_llm.raw_body, fake_llm.delay = 200, None, 5
    monkeypatch.setattr(llm, "REWRITE_TIMEOUT_SECONDS", 0.3)
    with pytest.raises(rewriting.LanguageModelFailed) as caught:
        rewriting.rewrite_piece(session, actor=cast.intern, piece_id=piece.id)
    assert "did not answer within 0.3 seconds" in caught.value.message
    session.rollback()
    session.refresh(piece)
    assert piece.body == ORIGINAL and revisions(session, piece) == ["generated"]


def test_without_configuration_the_rewrite_is_refused_and_nothing_is_sent(
    session, cast, piece, fake_llm
):
    with pytest.raises(Conflict) as caught:
        rewriting.rewrite_piece(session, actor=cast.intern, piece_id=piece.id)
    assert caught.value.status_code == 409
    assert "No language model is configured" in caught.value.message
    assert fake_llm.requests == []


def test_the_settings_are_checked_and_only_managers_change_them(session, cast, fake_llm):
    def problems(**values: Any) -> dict[str, str]:
        with pytest.raises(InvalidInput) as caught:
            rewriting.save_llm_settings(session, actor=cast.manager, api_key=None, **values)
        return {problem.field: problem.message for problem in caught.value.problems}

    assert "llm_base_url" in problems(base_url="ftp://models.example/v1", model="m")
    assert "llm_base_url" in problems(base_url="localhost:11434", model="m")
    assert "llm_base_url" in problems(base_url="http:///v1", model="m")
    assert "llm_base_url" in problems(base_url="", model="m")
    assert "llm_model" in problems(base_url=fake_llm.url, model="")
    with pytest.raises(Forbidden):
        rewriting.save_llm_settings(
            session, actor=cast.intern, base_url=fake_llm.url, model="m", api_key=None
        )
    saved = rewriting.save_llm_settings(
        session, actor=cast.cmo, base_url=fake_llm.url, model="m", api_key="sk-1"
    )
    assert (saved.llm_base_url, saved.llm_model, saved.llm_api_key) == (fake_llm.url, "m", "sk-1")
    rewriting.save_llm_settings(
        session, actor=cast.cmo, base_url=fake_llm.url, model="n", api_key=None
    )
    assert saved.llm_api_key == "sk-1"  # an empty key field keeps the key
    rewriting.save_llm_settings(session, actor=cast.cmo, base_url="", model="", api_key=None)
    assert (saved.llm_base_url, saved.llm_model, saved.llm_api_key) == (None, None, None)
    assert not rewriting.llm_configured(session)


# The pages and the API


def test_the_brand_page_saves_the_model_and_never_shows_the_key(client, session, cast, fake_llm):
    sign_in(client, cast.manager.email)
    page = client.get("/content/brand")
    assert "Rewriting with a language model (optional)" in page.text
    response = post_form(
        client,
        "/content/brand",
        "/content/brand/llm",
        {"llm_base_url": fake_llm.url, "llm_model": "llama3.1:8b", "llm_api_key": "sk-secret-99"},
    )
    assert response.status_code == 303, response.text
    page = client.get("/content/brand")
    assert "sk-secret-99" not in page.text
    assert "A key is saved" in page.text and "llama3.1:8b" in page.text
    settings = session.scalar(select(BrandSettings))
    session.refresh(settings)
    assert settings.llm_api_key == "sk-secret-99"
    response = post_form(
        client,
        "/content/brand",
        "/content/brand/llm",
        {"llm_base_url": fake_llm.url, "llm_model": "m", "llm_forget_key": "1"},
    )
    assert response.status_code == 303
    session.refresh(settings)
    assert settings.llm_api_key is None
    assert fake_llm.requests == []  # saving sends nothing


def test_the_brand_page_refuses_a_bad_address(client, session, cast):
    sign_in(client, cast.manager.email)
    response = post_form(
        client,
        "/content/brand",
        "/content/brand/llm",
        {"llm_base_url": "javascript:alert(1)", "llm_model": "m", "llm_api_key": "sk-x"},
    )
    assert response.status_code == 422
    assert "Enter an http:// or https:// address" in response.text
    assert 'value="javascript:alert(1)"' in response.text  # kept for correction
    assert "sk-x" not in response.text
    assert (
        session.scalar(
            select(func.count())
            .select_from(BrandSettings)
            .where(BrandSettings.llm_base_url.is_not(None))
        )
        == 0
    )


def test_an_intern_cannot_change_the_model(client, cast):
    sign_in(client, cast.intern.email)
    page = client.get("/content")
    response = client.post(
        "/content/brand/llm",
        data={
            "llm_base_url": "http://evil.example/v1",
            "llm_model": "m",
            "csrf_token": csrf_from(page),
        },
    )
    assert response.status_code == 403


def test_the_button_shows_only_when_a_model_is_configured(client, session, cast, piece, fake_llm):
    sign_in(client, cast.intern.email)
    page = client.get(f"/content/pieces/{piece.id}")
    assert page.status_code == 200
    assert "Rewrite in the brand's tone" not in page.text
    assert fake_llm.requests == []
    configure(session, cast, fake_llm)
    page = client.get(f"/content/pieces/{piece.id}")
    assert "Rewrite in the brand's tone" in page.text
    assert f'action="/content/pieces/{piece.id}/rewrite"' in page.text


def test_the_piece_page_rewrites_or_shows_why_not(client, session, cast, piece, fake_llm):
    configure(session, cast, fake_llm)
    sign_in(client, cast.intern.email)
    path = f"/content/pieces/{piece.id}"
    fake_llm.content = INVENTED_NUMBER
    refused = post_form(client, path, path + "/rewrite", {})
    assert refused.status_code == 422
    assert "The rewrite was refused; nothing changed:" in refused.text
    assert "the rewrite invented the number 75,000" in refused.text
    fake_llm.status, fake_llm.raw_body = 500, "boom"
    failed = post_form(client, path, path + "/rewrite", {})
    assert failed.status_code == 502
    assert "The language model answered with an error (HTTP 500)" in failed.text
    session.refresh(piece)
    assert piece.body == ORIGINAL and revisions(session, piece) == ["generated"]
    fake_llm.status, fake_llm.raw_body, fake_llm.content = 200, None, FAITHFUL
    done = post_form(client, path, path + "/rewrite", {})
    assert done.status_code == 303
    page = client.get(path)
    assert "#2 · rewritten" in page.text and "Rewritten in the brand" in page.text
    session.refresh(piece)
    assert piece.body == FAITHFUL


def test_the_api_rewrites_a_piece_or_answers_a_problem(client, session, cast, piece, fake_llm):
    headers = write_headers(session, cast.intern)
    url = f"/api/v1/content/pieces/{piece.id}/rewrite"
    refused = client.post(url, headers=headers)
    assert refused.status_code == 409 and fake_llm.requests == []
    assert refused.headers["content-type"] == "application/problem+json"
    configure(session, cast, fake_llm, api_key="sk-api")
    fake_llm.content = INVENTED_QUOTE
    invented = client.post(url, headers=headers)
    assert invented.status_code == 422
    assert invented.json()["errors"][0]["field"] == "rewrite"
    assert "Focus is the only strategy" in invented.json()["detail"]
    fake_llm.content = FAITHFUL
    done = client.post(url, headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["body"] == FAITHFUL and done.json()["revision"] == 2
    assert fake_llm.requests[-1]["headers"]["Authorization"] == "Bearer sk-api"


def test_the_ebook_is_not_rewritten(session, cast, piece, fake_llm):
    configure(session, cast, fake_llm)
    ebook = Piece(package_id=piece.package_id, kind="ebook", index=1, title="E-book", body="")
    session.add(ebook)
    session.commit()
    with pytest.raises(Conflict):
        rewriting.rewrite_piece(session, actor=cast.intern, piece_id=ebook.id)
    assert fake_llm.requests == []


def test_a_viewer_cannot_rewrite(session, cast, piece, fake_llm):
    configure(session, cast, fake_llm)
    with pytest.raises(Forbidden):
        rewriting.rewrite_piece(session, actor=cast.salesperson, piece_id=piece.id)
    assert fake_llm.requests == []
