"""OKRs through the API and the CLI: the same limits, JSON with ids, problem+json, exit codes."""

from __future__ import annotations

import json

import pytest

from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from propulse.okrs import api as okrs_api
from propulse.okrs import cli as okrs_cli
from propulse.okrs import service as okrs
from tests.support.factories import TODAY, make_quarter


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(okrs_api, "today", lambda: TODAY)
    monkeypatch.setattr(okrs_cli, "today", lambda: TODAY)


def _headers(session, user, scope=TokenScope.write):
    _token, secret = auth.create_token(session, actor=user, owner=user, name="t", scope=scope)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_the_api_enforces_the_limit_with_a_409_problem(client, cast, session):
    period = make_quarter(session, cast)
    session.commit()
    headers = _headers(session, cast.manager)
    refused = client.post(
        "/api/v1/objectives", json={"period_id": period.id, "title": "Fourth"}, headers=headers
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert "At most 3 objectives" in refused.json()["detail"]
    detail = client.get(f"/api/v1/periods/{period.id}", headers=headers).json()
    assert len(detail["objectives"]) == 3
    assert all(len(o["key_results"]) == 2 for o in detail["objectives"])


def test_key_results_and_check_ins_through_the_api(client, cast, session):
    period = make_quarter(session, cast, objectives=1)
    session.commit()
    objective_id = okrs.active_objectives(session, period_id=period.id)[0].id
    headers = _headers(session, cast.manager)
    equal = client.post(
        "/api/v1/key-results",
        json={"objective_id": objective_id, "title": "X", "start_value": 5, "target_value": 5},
        headers=headers,
    )
    assert equal.status_code == 422
    assert "above the start value" in equal.json()["errors"][0]["detail"]
    kr = client.post(
        "/api/v1/key-results",
        json={
            "objective_id": objective_id,
            "title": "Webinar attendees",
            "start_value": 0,
            "target_value": 400,
            "unit": "people",
        },
        headers=headers,
    )
    assert kr.status_code == 201
    kr_id = kr.json()["id"]
    check = client.post(
        f"/api/v1/key-results/{kr_id}/check-ins",
        json={"value": 100, "confidence": 7},
        headers=headers,
    )
    assert check.status_code == 201
    assert check.json()["checked_on"] == TODAY.isoformat()
    listing = client.get(f"/api/v1/key-results/{kr_id}/check-ins", headers=headers).json()
    assert [c["value"] for c in listing["items"]] == [100]
    objective = client.get(f"/api/v1/objectives/{objective_id}", headers=headers).json()
    kr_out = next(k for k in objective["key_results"] if k["id"] == kr_id)
    assert kr_out["progress"] == 0.25 and kr_out["current_value"] == 100


def test_closing_through_the_api_refuses_later_check_ins(client, cast, session):
    period = make_quarter(session, cast)
    session.commit()
    first = okrs.active_objectives(session, period_id=period.id)[0]
    headers = _headers(session, cast.manager)
    closed = client.post(
        f"/api/v1/periods/{period.id}/close", json={"carry": [first.id]}, headers=headers
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    late = client.post(
        f"/api/v1/key-results/{first.key_results[0].id}/check-ins",
        json={"value": 1, "confidence": 5},
        headers=headers,
    )
    assert late.status_code == 409
    assert "closed" in late.json()["detail"]


def test_cli_creates_a_quarter_and_refuses_the_fourth_objective(run, cast):
    ids = []
    for title in ("Pipeline in Germany", "Nurturing converts", "Content library"):
        code, out, err = run(
            "okrs", "add-objective", "--period", "2027-Q1", "--title", title, "--json"
        )
        assert code == 0, err
        ids.append(json.loads(out)["id"])
    code, _out, err = run(
        "okrs", "add-objective", "--period", "2027-Q1", "--title", "Golf sponsoring"
    )
    assert code == 2
    assert "At most 3 objectives" in err and err.count("\n") == 1

    code, out, err = run(
        "okrs",
        "add-kr",
        str(ids[0]),
        "--title",
        "SQLs",
        "--start",
        "0",
        "--target",
        "40",
        "--unit",
        "SQL",
        "--json",
    )
    assert code == 0, err
    kr_id = json.loads(out)["id"]
    code, _out, err = run(
        "okrs", "add-kr", str(ids[0]), "--title", "Flat", "--start", "3", "--target", "3"
    )
    assert code == 2 and "above the start value" in err
    code, out, err = run(
        "okrs", "check-in", str(kr_id), "--value", "10", "--confidence", "6", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["value"] == 10
    code, out, _ = run("okrs", "list", "--period", "2027-Q1", "--json")
    listing = json.loads(out)
    assert [row["id"] for row in listing] == ids
    assert listing[0]["key_results"][0]["progress"] == 0.25
    code, out, err = run("okrs", "close-period", "2027-Q1", "--carry", str(ids[0]), "--json")
    assert code == 0, err
    assert json.loads(out)["next_period"] == "2027-Q2"
    code, _out, err = run("okrs", "check-in", str(kr_id), "--value", "12", "--confidence", "6")
    assert code == 2 and "closed" in err


def test_cli_refuses_a_member_adding_objectives(run, cast):
    code, _out, err = run(
        "--as", cast.intern.email, "okrs", "add-objective", "--period", "2027-Q1", "--title", "Mine"
    )
    assert code == 2
    assert "member" in err


def test_cli_csv_round_trip(run, cast, session, tmp_path):
    make_quarter(session, cast, objectives=2)
    session.commit()
    out = tmp_path / "okrs.csv"
    code, _o, err = run("okrs", "export", "2027-Q1", "--out", str(out))
    assert code == 0, err
    code, output, err = run("okrs", "import", "2027-Q2", str(out), "--json")
    assert code == 0, err
    assert json.loads(output)["key_results_created"] == 4
