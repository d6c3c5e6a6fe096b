"""People and teams: validation next to the field, stale edits refused, audit entries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from propulse.audit.models import AuditEntry
from propulse.kit.errors import InvalidInput
from propulse.workspace import service
from propulse.workspace.schemas import UserCreate, UserUpdate
from tests.support.web import csrf_from, post_form, sign_in


def _update_form(person, **overrides):
    data = {
        "name": person.name,
        "role": str(person.role),
        "country": person.country or "",
        "languages": ",".join(person.languages),
        "ui_language": "",
        "weekly_capacity_hours": str(person.weekly_capacity_hours),
        "manager_id": str(person.manager_id or ""),
        "is_active": "on",
        "version": str(person.version),
    }
    data.update(overrides)
    return data


def test_a_stale_edit_is_refused_with_changed_meanwhile(client, cast, session):
    sign_in(client, cast.cmo.email)
    page = client.get(f"/people/{cast.intern.id}")
    token = csrf_from(page)
    stale = _update_form(cast.intern)
    first = client.post(
        f"/people/{cast.intern.id}",
        data={**stale, "weekly_capacity_hours": "20", "csrf_token": token},
    )
    assert first.status_code == 303
    second = client.post(
        f"/people/{cast.intern.id}",
        data={**stale, "weekly_capacity_hours": "28", "csrf_token": token},
    )
    assert second.status_code == 409
    assert "changed meanwhile" in second.text
    session.refresh(cast.intern)
    assert cast.intern.weekly_capacity_hours == 20


def test_invalid_fields_are_shown_next_to_the_field_and_nothing_is_saved(client, cast, session):
    sign_in(client, cast.cmo.email)
    response = post_form(
        client,
        "/people/new",
        "/people/new",
        {
            "email": "not-an-email",
            "name": "",
            "role": "member",
            "country": "XX",
            "weekly_capacity_hours": "500",
        },
    )
    assert response.status_code == 422
    assert 'id="e-email"' in response.text and "valid e-mail address" in response.text
    assert 'id="e-country"' in response.text and "ISO 3166" in response.text
    assert 'id="e-weekly_capacity_hours"' in response.text
    assert 'id="e-name"' in response.text
    assert service.find_user_by_email(session, "not-an-email") is None


def test_emails_are_unique_regardless_of_case(session, cast):
    with pytest.raises(InvalidInput, match="already has an account"):
        service.create_user(
            session, actor=cast.cmo, data=UserCreate(email="CLAIRE@alpinea.example", name="Twin")
        )


def test_a_manager_loop_is_refused(session, cast):
    data = UserUpdate(
        name=cast.cmo.name, role=cast.cmo.role, weekly_capacity_hours=35, manager_id=cast.intern.id
    )
    with pytest.raises(InvalidInput, match="own manager"):
        service.update_user(session, actor=cast.cmo, user_id=cast.cmo.id, data=data)


def test_an_admin_cannot_remove_their_own_admin_role(session, cast):
    data = UserUpdate(name=cast.cmo.name, role="member", weekly_capacity_hours=35)
    with pytest.raises(InvalidInput, match="own admin role"):
        service.update_user(session, actor=cast.cmo, user_id=cast.cmo.id, data=data)


def test_new_people_join_the_marketing_team_and_are_audited(session, cast):
    marketing = service.get_team(session, team_id=service.marketing_team(session).id)
    assert {m.email for m in marketing.members} == {
        cast.cmo.email,
        cast.manager.email,
        cast.intern.email,
    }  # the salesperson (viewer) is not in marketing
    entries = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "user")).all()
    assert len(entries) == 4
    assert entries[1].actor_label == cast.cmo.email


def test_team_membership_changes_through_htmx(client, cast, session):
    sign_in(client, cast.manager.email)
    team_id = service.marketing_team(session).id
    page = client.get("/teams")
    response = client.post(
        f"/teams/{team_id}/members",
        data={"user_id": str(cast.salesperson.id)},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_from(page)},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<article")
    assert "Marc (sales)" in response.text


def test_a_deactivated_person_is_signed_out(client, cast, session):
    sign_in(client, cast.intern.email)
    assert client.get("/").status_code == 200
    session.refresh(cast.intern)
    data = UserUpdate(
        name=cast.intern.name,
        role=cast.intern.role,
        weekly_capacity_hours=35,
        manager_id=cast.manager.id,
        is_active=False,
    )
    service.update_user(session, actor=cast.cmo, user_id=cast.intern.id, data=data)
    session.commit()
    assert client.get("/").status_code == 303


def test_people_page_lists_everyone_with_their_manager(client, cast):
    sign_in(client, cast.intern.email)
    page = client.get("/people")
    assert page.status_code == 200
    assert "Julien (manager)" in page.text
    assert "Invite someone" not in page.text  # only admins invite
    post_form(client, "/", "/logout", {})
