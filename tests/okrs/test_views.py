"""The OKR pages: the board, the fourth objective refused, check-ins, closing, report, CSV."""

from __future__ import annotations

import pytest

from propulse.okrs import service as okrs
from propulse.okrs import views
from tests.support.factories import TODAY, make_quarter
from tests.support.web import assert_unique_ids, csrf_from, post_form, sign_in


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: TODAY)
    from propulse.okrs import period_views

    monkeypatch.setattr(period_views, "today", lambda: TODAY)


def test_the_board_shows_objectives_progress_and_figures(client, cast, session):
    period = make_quarter(session, cast)
    session.commit()
    sign_in(client, cast.intern.email)
    page = client.get("/okrs")
    assert page.status_code == 200
    assert "Generate enterprise pipeline in Germany" in page.text
    assert "2027-Q1" in page.text
    assert "New objective" not in page.text  # members do not set objectives
    assert f"/okrs/periods/{period.id}/report" in page.text
    post_form(client, "/", "/logout", {})
    sign_in(client, cast.manager.email)
    assert_unique_ids(client.get("/okrs").text)


def test_a_fourth_objective_is_refused_on_the_page_with_archive_and_replace(client, cast, session):
    period = make_quarter(session, cast)
    session.commit()
    sign_in(client, cast.manager.email)
    refused = post_form(
        client,
        "/okrs",
        f"/okrs/periods/{period.id}/objectives",
        {"title": "Sponsor a golf tournament"},
    )
    assert refused.status_code == 409
    assert "At most 3 objectives per team and period" in refused.text
    assert "Replace it by Sponsor a golf tournament" in refused.text
    assert len(okrs.active_objectives(session, period_id=period.id)) == 3
    first = okrs.active_objectives(session, period_id=period.id)[0]
    replaced = client.post(
        f"/okrs/objectives/{first.id}/replace",
        data={"title": "Sponsor a golf tournament", "csrf_token": csrf_from(refused)},
    )
    assert replaced.status_code == 303
    session.expire_all()
    titles = [o.title for o in okrs.active_objectives(session, period_id=period.id)]
    assert "Sponsor a golf tournament" in titles and len(titles) == 3


def test_a_key_result_with_target_equal_to_start_shows_the_error(client, cast, session):
    period = make_quarter(session, cast, objectives=1)
    session.commit()
    objective = okrs.active_objectives(session, period_id=period.id)[0]
    sign_in(client, cast.manager.email)
    response = post_form(
        client,
        "/okrs",
        f"/okrs/objectives/{objective.id}/key-results",
        {"title": "Leads", "start_value": "10", "target_value": "10", "direction": "increase"},
    )
    assert response.status_code == 422
    assert "To increase, the target must be above the start value." in response.text
    assert 'value="Leads"' in response.text  # what was typed is kept


def test_a_check_in_from_the_page_updates_the_key_result_and_its_chart(client, cast, session):
    period = make_quarter(session, cast, objectives=1)
    session.commit()
    kr = okrs.active_objectives(session, period_id=period.id)[0].key_results[0]
    sign_in(client, cast.intern.email)
    response = post_form(
        client,
        f"/okrs/key-results/{kr.id}",
        f"/okrs/key-results/{kr.id}/check-ins",
        {"value": "42,5", "confidence": "8", "comment": "Two webinars done"},
    )
    assert response.status_code == 303
    page = client.get(f"/okrs/key-results/{kr.id}")
    assert "Two webinars done" in page.text
    assert "<svg" in page.text and 'role="img"' in page.text
    bad = post_form(
        client,
        f"/okrs/key-results/{kr.id}",
        f"/okrs/key-results/{kr.id}/check-ins",
        {"value": "50", "confidence": "11"},
    )
    assert bad.status_code == 422
    assert 'id="e-confidence"' in bad.text


def test_closing_a_period_from_the_pages(client, cast, session):
    period = make_quarter(session, cast)
    session.commit()
    first = okrs.active_objectives(session, period_id=period.id)[0]
    sign_in(client, cast.manager.email)
    page = client.get(f"/okrs/periods/{period.id}/close")
    assert page.status_code == 200
    grade_field = f"grade_{first.key_results[0].id}"
    saved = client.post(
        f"/okrs/periods/{period.id}/grades",
        data={grade_field: "0,8", "csrf_token": csrf_from(page)},
    )
    assert saved.status_code == 303
    closed = client.post(
        f"/okrs/periods/{period.id}/close",
        data={"carry": str(first.id), "csrf_token": csrf_from(page)},
    )
    assert closed.status_code == 303
    report = client.get(closed.headers["location"])
    assert report.status_code == 200
    assert "closed on" in report.text and "0.8" in report.text
    assert report.text.count("<svg") >= 4  # one chart per objective, and the effort chart
    following = okrs.find_period(session, name="2027-Q2", team_id=period.team_id)
    assert following is not None


def test_a_member_cannot_close_a_period(client, cast, session):
    period = make_quarter(session, cast)
    session.commit()
    sign_in(client, cast.intern.email)
    response = post_form(client, "/okrs", f"/okrs/periods/{period.id}/close", {})
    assert response.status_code == 403
    assert "may not close OKR periods" in response.text


def test_csv_export_then_import_into_a_new_period(client, cast, session):
    period = make_quarter(session, cast, objectives=2)
    session.commit()
    sign_in(client, cast.manager.email)
    exported = client.get(f"/okrs/periods/{period.id}/export.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    content = exported.content
    assert b"Generate enterprise pipeline in Germany" in content
    page = client.get("/okrs/periods/new")
    created = client.post(
        "/okrs/periods/new", data={"name": "2027-Q2", "csrf_token": csrf_from(page)}
    )
    assert created.status_code == 303
    new_period = okrs.find_period(session, name="2027-Q2", team_id=period.team_id)
    imported = client.post(
        f"/okrs/periods/{new_period.id}/import",
        files={"file": ("okrs.csv", content, "text/csv")},
        data={"csrf_token": csrf_from(page)},
    )
    assert imported.status_code == 303, imported.text
    session.expire_all()
    copies = okrs.active_objectives(session, period_id=new_period.id)
    assert [len(o.key_results) for o in copies] == [2, 2]


def test_a_wrong_csv_names_the_lines_and_imports_nothing(client, cast, session):
    period = make_quarter(session, cast, objectives=1)
    session.commit()
    sign_in(client, cast.manager.email)
    page = client.get("/okrs")
    csv_text = "objective;key_result;start;target;direction\nNew;Leads;0;abc;increase\nNew;Churn;5;9;decrease\n"
    response = client.post(
        f"/okrs/periods/{period.id}/import",
        files={"file": ("okrs.csv", csv_text.encode(), "text/csv")},
        data={"csrf_token": csrf_from(page)},
    )
    assert response.status_code == 422
    assert "line 2: target_value" in response.text
    assert "line 3" in response.text
    assert len(okrs.active_objectives(session, period_id=period.id)) == 1


def test_an_admin_lowers_the_limits(client, cast, session):
    sign_in(client, cast.cmo.email)
    response = post_form(
        client, "/okrs/limits", "/okrs/limits", {"max_objectives": "2", "max_key_results": "3"}
    )
    assert response.status_code == 303
    refused = post_form(
        client, "/okrs/limits", "/okrs/limits", {"max_objectives": "5", "max_key_results": "3"}
    )
    assert refused.status_code == 422
    assert okrs.get_limits(session).max_objectives == 2
