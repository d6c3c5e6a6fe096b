"""Each role: one allowed and one refused action, on the pages and in the services."""

from __future__ import annotations

import pytest

from propulse.kit.errors import Forbidden
from propulse.workspace import service
from propulse.workspace.schemas import TeamCreate, WorkspaceUpdate
from tests.support.web import post_form, sign_in


def test_admin_may_change_the_workspace_settings(client, cast, session):
    sign_in(client, cast.cmo.email)
    response = post_form(
        client,
        "/settings",
        "/settings",
        {"name": "Alpinea SAS", "country": "fr", "language": "fr", "timezone": "Europe/Paris"},
    )
    assert response.status_code == 303
    session.expire_all()
    assert service.get_workspace(session).name == "Alpinea SAS"
    assert service.get_workspace(session).country == "FR"


def test_manager_may_create_a_team_but_not_change_the_settings(client, cast, session):
    sign_in(client, cast.manager.email)
    created = post_form(
        client, "/teams", "/teams", {"name": "Growth", "description": "Acquisition"}
    )
    assert created.status_code == 303
    assert "Growth" in client.get("/teams").text

    refused = client.get("/settings")
    assert refused.status_code == 403
    assert (
        "Your role (manager) may not manage people and settings: it takes the admin role."
        in refused.text
    )


def test_member_may_read_people_but_not_create_teams(client, cast):
    sign_in(client, cast.intern.email)
    assert client.get("/people").status_code == 200
    refused = post_form(client, "/teams", "/teams", {"name": "Shadow team"})
    assert refused.status_code == 403
    assert "may not create teams" in refused.text


def test_viewer_may_read_teams_but_not_invite(client, cast):
    sign_in(client, cast.salesperson.email)
    assert client.get("/teams").status_code == 200
    refused = client.get("/people/new")
    assert refused.status_code == 403
    assert "viewer" in refused.text


@pytest.mark.parametrize("role_name", ["manager", "intern", "salesperson"])
def test_only_admins_change_the_workspace_in_the_service(session, cast, role_name):
    data = WorkspaceUpdate(name="X", country="FR", language="en", timezone="UTC")
    with pytest.raises(Forbidden):
        service.update_workspace(session, actor=getattr(cast, role_name), data=data)


def test_a_viewer_is_refused_team_creation_in_the_service(session, cast):
    with pytest.raises(Forbidden, match="viewer"):
        service.create_team(session, actor=cast.salesperson, data=TeamCreate(name="Nope"))


def test_the_audit_log_is_for_admins(client, cast):
    sign_in(client, cast.manager.email)
    assert client.get("/audit").status_code == 403
    post_form(client, "/", "/logout", {})
    sign_in(client, cast.cmo.email)
    page = client.get("/audit")
    assert page.status_code == 200
    assert "added julien@alpinea.example as manager" in page.text
