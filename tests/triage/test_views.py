"""The request pages: submitting, the triage queue with HTMX actions, my requests, a request."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from propulse.okrs import service as okrs
from propulse.triage import service
from propulse.triage import views as triage_views
from propulse.triage.models import RequestState
from propulse.triage.schemas import RequestCreate, TriageDecision
from tests.support.factories import TODAY, make_quarter
from tests.support.web import csrf_from, post_form, sign_in


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(triage_views, "today", lambda: TODAY)


@pytest.fixture
def objectives(session, cast):
    period = make_quarter(session, cast)
    session.commit()
    return okrs.active_objectives(session, period_id=period.id)


def submit(session, actor, title, description="", department="Sales"):
    data = RequestCreate(title=title, description=description, department=department)
    request = service.submit(session, actor=actor, data=data)
    session.commit()
    return request


def decide(session, actor, request, **fields):
    decided = service.triage(
        session,
        actor=actor,
        request_id=request.id,
        decision=TriageDecision(**fields),
        today=TODAY,
    )
    session.commit()
    return decided


def htmx_post(client, page, path, data):
    headers = {"HX-Request": "true", "X-CSRF-Token": csrf_from(page)}
    return client.post(path, data=data, headers=headers)


def test_a_salesperson_submits_a_request_and_sees_where_it_stands(client, cast, session):
    submit(session, cast.manager, "Existing", department="Executive team")
    sign_in(client, cast.salesperson.email)
    form = client.get("/requests/new")
    assert form.status_code == 200
    assert '<datalist id="departments">' in form.text and 'value="Executive team"' in form.text
    for name in ("title", "description", "department", "wished_on", "impact", "confidence"):
        assert f'for="f-{name}"' in form.text
    response = post_form(
        client,
        "/requests/new",
        "/requests/new",
        {
            "title": "Trade show in Munich",
            "description": "The automotive fair where our German prospects go.",
            "department": "Sales",
            "wished_on": "2027-04-10",
            "impact": "8",
            "confidence": "6",
            "ease": "4",
            "effort_days": "12.5",
            "link": "https://fair.example/munich",
        },
    )
    assert response.status_code == 303
    request_id = int(response.headers["location"].rsplit("/", 1)[1])
    recorded = service.get_request(session, request_id=request_id)
    assert recorded.requester_id == cast.salesperson.id and recorded.effort_days == 12.5
    page = client.get(response.headers["location"])
    assert "Trade show in Munich" in page.text and f"Your request #{request_id}" in page.text
    assert "Waiting for triage" in page.text
    assert "/triage" not in page.text  # no triage form for a viewer


def test_invalid_input_is_shown_next_to_each_field_and_kept(client, cast):
    sign_in(client, cast.salesperson.email)
    response = post_form(
        client,
        "/requests/new",
        "/requests/new",
        {
            "title": "",
            "description": "Kept as typed",
            "department": "Sales",
            "impact": "11",
            "confidence": "x",
            "link": "ftp://nope",
        },
    )
    assert response.status_code == 422
    for name in ("title", "impact", "confidence", "link"):
        assert f'id="e-{name}"' in response.text
    assert 'id="e-department"' not in response.text
    assert "Kept as typed" in response.text and 'value="11"' in response.text
    assert "A link starts with https:// or http://." in response.text


def test_the_managers_queue_shows_counts_suggestions_and_shortcuts(
    client, cast, session, objectives
):
    fair = submit(
        session,
        cast.salesperson,
        "Trade show for German industry",
        "Meet enterprise prospects in Germany: pipeline for the German market.",
    )
    submit(session, cast.salesperson, "Office plants", "Green plants for the reception desk.")
    decided = submit(session, cast.intern, "Podcast", department="Marketing")
    decide(session, cast.manager, decided, action="decline", reason="No audience")
    sign_in(client, cast.manager.email)
    page = client.get("/requests")
    assert page.status_code == 200
    assert re.search(r'aria-current="page">new <span class="count">2</span>', page.text)
    assert re.search(r'declined <span class="count">1</span>', page.text)
    row = _row_html(page.text, fair.id)
    assert "Generate enterprise pipeline in Germany" in row and "Shared terms:" in row
    assert 'data-shortcut="a"' in row and 'data-shortcut="p"' in row
    assert 'data-shortcut="d"' in row and 'data-shortcut="j"' in row
    assert 'hx-swap="outerHTML"' in row and f'hx-target="#request-{fair.id}"' in row
    assert "Serves no current objective" in page.text
    assert "Podcast" not in page.text
    assert "<kbd>j</kbd>" in page.text and "<kbd>p</kbd>" in page.text
    declined = client.get("/requests?state=declined")
    assert "Podcast" in declined.text and "No audience" in declined.text
    marketing = client.get("/requests?state=new&department=Marketing")
    assert "Trade show" not in marketing.text and "queue is clear" in marketing.text


def _row_html(page: str, request_id: int) -> str:
    start = page.index(f'<tr id="request-{request_id}"')
    return page[start : page.index("</tr>", start)]


def test_an_htmx_accept_swaps_the_row(client, cast, session, objectives):
    request = submit(session, cast.salesperson, "Trade show for German industry")
    sign_in(client, cast.manager.email)
    page = client.get("/requests")
    response = htmx_post(
        client,
        page,
        f"/requests/{request.id}/triage",
        {"action": "accept", "objective_id": objectives[0].id, "version": request.version},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="request-{request.id}"')
    assert "accepted" in response.text and objectives[0].title in response.text
    assert 'hx-swap-oob="innerHTML"' in response.text and "<html" not in response.text
    session.expire_all()
    assert service.get_request(session, request_id=request.id).state == RequestState.accepted


def test_an_htmx_accept_of_a_key_result_from_the_select(client, cast, session, objectives):
    request = submit(session, cast.salesperson, "Lead scoring")
    key_result = objectives[1].key_results[0]
    sign_in(client, cast.manager.email)
    page = client.get("/requests")
    assert f'value="key_result:{key_result.id}"' in page.text
    response = htmx_post(
        client,
        page,
        f"/requests/{request.id}/triage",
        {"action": "accept", "serves": f"key_result:{key_result.id}"},
    )
    assert response.status_code == 200 and key_result.title in response.text
    session.expire_all()
    decided = service.get_request(session, request_id=request.id)
    assert (decided.objective_id, decided.key_result_id) == (objectives[1].id, key_result.id)


def test_a_refused_htmx_accept_comes_back_as_a_message_and_changes_nothing(
    client, cast, session, objectives
):
    request = submit(session, cast.salesperson, "Office plants")
    sign_in(client, cast.manager.email)
    page = client.get("/requests")
    response = htmx_post(client, page, f"/requests/{request.id}/triage", {"action": "accept"})
    assert response.status_code == 422
    assert response.headers["hx-retarget"] == "#messages"
    assert "If it serves none, park it or decline it" in response.text
    assert "<tr" not in response.text
    parked = htmx_post(
        client, page, f"/requests/{request.id}/triage", {"action": "park", "until": "tomorrow"}
    )
    assert parked.status_code == 422 and "YYYY-MM-DD" in parked.text
    session.expire_all()
    assert service.get_request(session, request_id=request.id).state == RequestState.new


def test_the_viewers_page_lists_their_requests_without_triage_controls(client, cast, session):
    mine = submit(session, cast.salesperson, "Trade show in Munich")
    submit(session, cast.intern, "Not mine")
    decide(session, cast.manager, mine, action="decline", reason="Not our market this year")
    sign_in(client, cast.salesperson.email)
    page = client.get("/requests")
    assert page.status_code == 200 and "My requests" in page.text
    assert "Trade show in Munich" in page.text and "Not mine" not in page.text
    assert "Not our market this year" in page.text
    assert "hx-post" not in page.text and "/triage" not in page.text
    detail = client.get(f"/requests/{mine.id}")
    assert "Not our market this year" in detail.text and "Julien (manager)" in detail.text
    assert 'name="action"' not in detail.text


def test_a_viewer_may_not_triage(client, cast, session, objectives):
    request = submit(session, cast.salesperson, "Trade show in Munich")
    sign_in(client, cast.salesperson.email)
    response = post_form(
        client,
        "/requests",
        f"/requests/{request.id}/triage",
        {"action": "accept", "objective_id": objectives[0].id},
    )
    assert response.status_code == 403 and "may not triage requests" in response.text
    session.expire_all()
    assert service.get_request(session, request_id=request.id).state == RequestState.new


def test_a_stale_decision_is_refused_with_409(client, cast, session):
    request = submit(session, cast.salesperson, "Trade show in Munich")
    sign_in(client, cast.manager.email)
    page = client.get(f"/requests/{request.id}")
    read_version = request.version
    decide(session, cast.cmo, request, action="decline", reason="Already decided")
    response = client.post(
        f"/requests/{request.id}/triage",
        data={
            "action": "reopen",
            "version": read_version,
            "csrf_token": csrf_from(page),
        },
    )
    assert response.status_code == 409 and "changed meanwhile" in response.text
    htmx = htmx_post(
        client, page, f"/requests/{request.id}/triage", {"action": "reopen", "version": 1}
    )
    assert htmx.status_code == 409 and htmx.headers["hx-retarget"] == "#messages"


def test_the_request_page_ranks_suggestions_and_shows_the_history(
    client, cast, session, objectives
):
    request = submit(
        session,
        cast.salesperson,
        "Webinar series for German industry",
        "Webinars to generate enterprise pipeline in Germany.",
    )
    decide(
        session, cast.manager, request, action="park", reason="After Q1", until=TODAY + timedelta(9)
    )
    sign_in(client, cast.manager.email)
    page = client.get(f"/requests/{request.id}")
    assert page.status_code == 200
    suggestions = page.text[page.text.index('<ol class="suggestions">') :]
    assert suggestions.index(objectives[0].title) < suggestions.index(objectives[1].title)
    assert "Shared terms:" in page.text and "Accept for this one" in page.text
    assert (
        'id="f-serves"' in page.text and "selected" not in page.text.split('id="f-serves"')[1][:200]
    )
    assert "Julien (manager)" in page.text and "After Q1" in page.text
    assert "parked" in page.text and "Put it back in the queue" in page.text


def test_a_full_page_decision_shows_errors_next_to_fields_then_redirects(client, cast, session):
    request = submit(session, cast.salesperson, "Trade show in Munich")
    sign_in(client, cast.manager.email)
    refused = post_form(
        client,
        f"/requests/{request.id}",
        f"/requests/{request.id}/triage",
        {"action": "park", "reason": "Later", "until": TODAY.isoformat(), "version": 1},
    )
    assert refused.status_code == 422
    assert 'id="e-park-until"' in refused.text and "in the future" in refused.text
    assert "Later" in refused.text  # the reason typed is kept
    done = post_form(
        client,
        f"/requests/{request.id}",
        f"/requests/{request.id}/triage",
        {"action": "decline", "reason": "Not our market", "next": "/requests?state=new"},
    )
    assert done.status_code == 303 and done.headers["location"] == "/requests?state=new"
    assert "is declined" in client.get("/requests").text


def test_the_queue_pages_by_cursor_and_keeps_its_filters(client, cast, session, objectives):
    for index in range(triage_views.QUEUE_PAGE_SIZE + 2):
        submit(session, cast.salesperson, f"Idea {index:02d}")
    submit(session, cast.salesperson, "Elsewhere", department="Executive")
    sign_in(client, cast.manager.email)
    first = client.get("/requests?department=Sales")
    assert first.text.count('class="request-row') == triage_views.QUEUE_PAGE_SIZE
    link = re.search(r'<nav class="pager"[^>]*><a href="([^"]+)"', first.text)
    assert link and "state=new" in link.group(1) and "department=Sales" in link.group(1)
    second = client.get("/requests" + link.group(1).replace("&amp;", "&"))
    assert second.text.count('class="request-row') == 2
    assert "Idea 26" in second.text and "Elsewhere" not in second.text


def test_the_objective_filter_shows_what_serves_it(client, cast, session, objectives):
    fair = submit(session, cast.salesperson, "Trade show")
    webinar = submit(session, cast.salesperson, "Webinar")
    decide(session, cast.manager, fair, action="accept", objective_id=objectives[0].id)
    decide(session, cast.manager, webinar, action="accept", objective_id=objectives[2].id)
    sign_in(client, cast.manager.email)
    page = client.get(f"/requests?state=accepted&objective_id={objectives[2].id}")
    assert "Webinar" in page.text and "Trade show" not in page.text
    assert re.search(r'accepted <span class="count">1</span>', page.text)
