"""The scoring page: everyone reads it, managers change rules and settings, bad input explained."""

from __future__ import annotations

import re

from propulse import jobs
from propulse.scoring import config
from propulse.scoring.models import ScoringRule
from tests.scoring.factories import add_event, make_contact, make_rule
from tests.support.web import assert_unique_ids, csrf_from, post_form, sign_in


def test_a_viewer_reads_rules_grades_and_scores_but_edits_nothing(client, session, cast):
    make_rule(session, "Clicked an e-mail", points=5, event_type="email_clicked", cap=20)
    make_rule(
        session,
        "In France",
        kind="fit",
        points=10,
        condition={"field": "country", "op": "eq", "value": "FR"},
    )
    contact = make_contact(session, country="FR")
    add_event(session, contact, "email_clicked")
    from propulse.scoring import service

    service.rescore_all(session)
    session.commit()
    sign_in(client, cast.salesperson.email)
    page = client.get("/scoring")
    assert page.status_code == 200
    assert "Clicked an e-mail" in page.text and "In France" in page.text
    assert "Country is FR" in page.text
    assert "<svg" in page.text  # the distribution of scores
    assert 'href="/contacts?grade=C3"' in page.text
    assert "Rescore now" not in page.text and "Add a fit rule" not in page.text
    assert_unique_ids(page.text)
    refused = client.post("/scoring/rescore", data={"csrf_token": csrf_from(page)})
    assert refused.status_code == 403
    assert client.get(f"/scoring/rules/{session.query(ScoringRule).first().id}").status_code == 403


def test_a_manager_adds_an_engagement_rule_and_everyone_is_rescored(client, session, cast):
    contact = make_contact(session)
    add_event(session, contact, "webinar_attended", properties={"topic": "Retail"})
    session.commit()
    sign_in(client, cast.manager.email)
    page = client.get("/scoring")
    assert_unique_ids(page.text)
    response = post_form(
        client,
        "/scoring",
        "/scoring/rules",
        {
            "kind": "engagement",
            "name": "Retail webinar",
            "points": "15",
            "event_type": "webinar_attended",
            "where_key_0": "topic",
            "where_value_0": "retail",
            "decay": "expiry",
            "decay_days": "180",
            "active": "on",
        },
    )
    assert response.status_code == 303
    rule = session.query(ScoringRule).one()
    assert (rule.event_type, rule.condition, rule.decay_days) == (
        "webinar_attended",
        {"where": {"topic": "retail"}},
        180,
    )
    assert jobs.run_pending() == 1
    session.refresh(contact)
    assert contact.score == 15
    assert "Retail webinar" in client.get("/scoring").text


def test_a_fit_rule_from_rows_and_from_json(client, session, cast):
    sign_in(client, cast.manager.email)
    post_form(
        client,
        "/scoring",
        "/scoring/rules",
        {
            "kind": "fit",
            "name": "Mature retailers",
            "points": "20",
            "match": "all",
            "field_0": "sector",
            "op_0": "in",
            "value_0": "Retail, Food",
            "field_1": "maturity",
            "op_1": "gte",
            "value_1": "3",
            "active": "on",
        },
    )
    post_form(
        client,
        "/scoring",
        "/scoring/rules",
        {
            "kind": "fit",
            "name": "Not opted out",
            "points": "5",
            "condition_json": '{"not": {"consent": "email", "in": ["withdrawn"]}}',
            "active": "on",
        },
    )
    found = {rule.name: rule.condition for rule in session.query(ScoringRule)}
    assert found == {
        "Mature retailers": {
            "all": [
                {"field": "sector", "op": "in", "value": ["Retail", "Food"]},
                {"field": "maturity", "op": "gte", "value": 3},
            ]
        },
        "Not opted out": {"not": {"consent": "email", "in": ["withdrawn"]}},
    }


def test_bad_input_shows_field_errors_and_keeps_what_was_typed(client, session, cast):
    sign_in(client, cast.manager.email)
    response = post_form(
        client,
        "/scoring",
        "/scoring/rules",
        {
            "kind": "engagement",
            "name": "Oops",
            "points": "lots",
            "decay": "half_life",
            "event_type": "",
        },
    )
    assert response.status_code == 422
    assert "Enter a whole number." in response.text
    assert 'value="Oops"' in response.text
    assert_unique_ids(response.text)
    response = post_form(
        client,
        "/scoring",
        "/scoring/rules",
        {"kind": "fit", "name": "Broken", "points": "5", "condition_json": "{not json"},
    )
    assert response.status_code == 422 and "This is not valid JSON" in response.text
    response = post_form(
        client,
        "/scoring",
        "/scoring/rules",
        {"kind": "fit", "name": "Events", "points": "5", "condition_json": '{"event": "meeting"}'},
    )
    assert response.status_code == 422 and "engagement rule" in response.text
    assert session.query(ScoringRule).count() == 0


def test_a_manager_edits_and_deletes_a_rule(client, session, cast):
    rule = make_rule(session, "Opened", points=1, event_type="email_opened", group="email")
    session.commit()
    sign_in(client, cast.manager.email)
    page = client.get(f"/scoring/rules/{rule.id}")
    assert page.status_code == 200 and 'value="Opened"' in page.text
    assert_unique_ids(page.text)
    form = {
        "version": str(rule.version),
        "name": "Opened an e-mail",
        "points": "2",
        "cap": "10",
        "group": "email",
        "event_type": "email_opened",
        "decay": "half_life",
        "decay_days": "30",
        "active": "on",
    }
    saved = client.post(f"/scoring/rules/{rule.id}", data={**form, "csrf_token": csrf_from(page)})
    assert saved.status_code == 303
    session.refresh(rule)
    assert (rule.name, rule.points, rule.cap, rule.decay) == (
        "Opened an e-mail",
        2,
        10,
        "half_life",
    )
    stale = client.post(f"/scoring/rules/{rule.id}", data={**form, "csrf_token": csrf_from(page)})
    assert stale.status_code == 409
    bad = client.post(
        f"/scoring/rules/{rule.id}",
        data={
            **form,
            "version": str(rule.version),
            "decay_days": "",
            "csrf_token": csrf_from(page),
        },
    )
    assert bad.status_code == 422 and "how many days" in bad.text
    deleted = client.post(f"/scoring/rules/{rule.id}/delete", data={"csrf_token": csrf_from(page)})
    assert deleted.status_code == 303
    assert session.query(ScoringRule).count() == 0


def test_settings_are_saved_or_explained(client, session, cast):
    sign_in(client, cast.manager.email)
    settings = config.get_settings(session)
    session.commit()
    page = client.get("/scoring")
    form = {
        "version": str(settings.version),
        "total_limit": "",
        "mql_threshold": "50",
        "group_caps": "email = 25\nevents = 40",
        "fit_grade_a": "40",
        "fit_grade_b": "20",
        "engagement_grade_1": "30",
        "engagement_grade_2": "10",
        "mql_notify_owner": "on",
        "mql_segment_id": "",
    }
    bad = client.post(
        "/scoring/settings",
        data={
            **form,
            "fit_grade_b": "60",
            "group_caps": "email: 25",
            "csrf_token": csrf_from(page),
        },
    )
    assert bad.status_code == 422
    assert "group = points" in bad.text
    saved = client.post("/scoring/settings", data={**form, "csrf_token": csrf_from(page)})
    assert saved.status_code == 303
    session.refresh(settings)
    assert (settings.total_limit, settings.mql_threshold, settings.group_caps) == (
        None,
        50,
        {"email": 25, "events": 40},
    )
    assert (settings.mql_notify_owner, settings.mql_set_stage) == (True, False)
    bad = client.post(
        "/scoring/settings", data={**form, "fit_grade_b": "60", "csrf_token": csrf_from(page)}
    )
    assert bad.status_code == 409  # the form is older than the settings now


def test_rescore_now_queues_the_job(client, session, cast):
    sign_in(client, cast.manager.email)
    page = client.get("/scoring")
    response = client.post("/scoring/rescore", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303
    assert jobs.huey.pending_count() == 1
    assert "being rescored" in client.get("/scoring").text


def test_the_grade_matrix_counts_contacts(client, session, cast):
    make_rule(session, "Meeting", points=40, event_type="meeting")
    make_rule(
        session,
        "Big",
        kind="fit",
        points=45,
        condition={"field": "company_size", "op": "eq", "value": "1000+"},
    )
    for size in ("1000+", "1000+", "10"):
        add_event(session, make_contact(session, company_size=size), "meeting")
    from propulse.scoring import service

    service.rescore_all(session)
    session.commit()
    sign_in(client, cast.salesperson.email)
    text = client.get("/scoring").text
    assert re.search(r'href="/contacts\?grade=A1"[^>]*>2<', text)
    assert re.search(r'href="/contacts\?grade=C1"[^>]*>1<', text)
