"""The segment pages: the list, the builder and its live count, a segment with its members."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy.orm import Session

from propulse.segments import service
from propulse.segments.schemas import SegmentIn
from tests.segments.factories import make_company, make_contact, make_event
from tests.support.web import assert_unique_ids, csrf_from, post_form, sign_in

FRENCH = {"field": "country", "op": "in", "value": ["FR", "BE"]}


def count_fragment(client: Any, page: Any, definition: str) -> Any:
    return client.post(
        "/segments/count",
        data={"definition": definition},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_from(page)},
    )


def test_the_builder_renders_with_its_catalog(client: Any, cast: Any, session: Session) -> None:
    sign_in(client, cast.manager.email)
    page = client.get("/segments/new")
    assert page.status_code == 200
    assert_unique_ids(page.text)
    assert 'id="segment-builder"' in page.text
    assert '<script src="/static/segments.js" defer></script>' in page.text
    catalog = json.loads(
        re.search(r'data-catalog="([^"]+)"', page.text)
        .group(1)
        .replace("&#34;", '"')  # type: ignore[union-attr]
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
    )
    names = {field["name"] for group in catalog["groups"] for field in group["fields"]}
    assert {"country", "score", "last_activity_at", "company"} <= names
    assert any(event["value"] == "webinar_attended" for event in catalog["events"])
    assert 'name="definition"' in page.text
    assert client.get("/static/segments.js").status_code == 200


def test_the_live_count_and_its_messages(client: Any, cast: Any, session: Session) -> None:
    acme = make_company(session, name="Acme")
    anne = make_contact(session, country="FR", company=acme)
    make_contact(session, country="DE")
    make_event(session, anne, "email_clicked")
    session.commit()
    sign_in(client, cast.manager.email)
    page = client.get("/segments/new")

    counted = count_fragment(
        client, page, json.dumps({"all": [FRENCH, {"event": "email_clicked"}]})
    )
    assert counted.status_code == 200
    assert "1 contact matches" in counted.text
    assert "Country is one of FR, BE AND clicked an e-mail" in counted.text

    broken = count_fragment(
        client, page, json.dumps({"all": [{"field": "country", "op": "in", "value": "FR"}]})
    )
    assert broken.status_code == 200
    assert "all[0].value: a list is expected for &#34;in&#34;" in broken.text

    not_json = count_fragment(client, page, '{"all": [')
    assert not_json.status_code == 200
    assert "The definition is not valid JSON" in not_json.text


def test_a_manager_creates_a_segment_from_the_form(
    client: Any, cast: Any, session: Session
) -> None:
    make_contact(session, country="FR")
    session.commit()
    sign_in(client, cast.manager.email)
    response = post_form(
        client,
        "/segments/new",
        "/segments/new",
        {
            "name": "Francophones",
            "description": "",
            "kind": "dynamic",
            "definition": json.dumps(FRENCH),
        },
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "Francophones" in page.text
    assert "Country is one of FR, BE" in page.text
    assert "person" in page.text  # the member's e-mail in the members table

    invalid = post_form(
        client,
        "/segments/new",
        "/segments/new",
        {
            "name": "Bad",
            "kind": "dynamic",
            "definition": '{"field": "country", "op": "in", "value": "FR"}',
        },
    )
    assert invalid.status_code == 422
    assert "value: a list is expected for &#34;in&#34;" in invalid.text
    assert "Bad" in invalid.text  # what was typed stays


def test_edit_rebuild_and_delete(client: Any, cast: Any, session: Session) -> None:
    make_contact(session, country="FR")
    segment = service.create_segment(
        session, actor=cast.manager, data=SegmentIn(name="French", definition=FRENCH)
    )
    session.commit()
    sign_in(client, cast.manager.email)
    edit = client.get(f"/segments/{segment.id}/edit")
    assert edit.status_code == 200 and "&#34;country&#34;" in edit.text
    saved = post_form(
        client,
        f"/segments/{segment.id}/edit",
        f"/segments/{segment.id}/edit",
        {
            "name": "French only",
            "description": "",
            "definition": json.dumps({"field": "country", "op": "eq", "value": "FR"}),
            "version": str(segment.version),
        },
    )
    assert saved.status_code == 303
    rebuilt = post_form(client, f"/segments/{segment.id}", f"/segments/{segment.id}/rebuild", {})
    assert rebuilt.status_code == 303
    assert "0 entered, 0 left, 1 members" in client.get(f"/segments/{segment.id}").text
    deleted = post_form(client, f"/segments/{segment.id}", f"/segments/{segment.id}/delete", {})
    assert deleted.status_code == 303
    after = client.get("/segments").text
    assert "Segment French only is deleted." in after
    assert "No segment yet." in after


def test_a_static_list_page(client: Any, cast: Any, session: Session) -> None:
    anne = make_contact(session, email="anne@example.org", first_name="Anne")
    listed = service.create_segment(
        session, actor=cast.manager, data=SegmentIn(name="Trade show", kind="static")
    )
    session.commit()
    sign_in(client, cast.intern.email)
    added = post_form(
        client,
        f"/segments/{listed.id}",
        f"/segments/{listed.id}/members/add",
        {"emails": "anne@example.org\nghost@example.org"},
    )
    assert added.status_code == 303
    page = client.get(f"/segments/{listed.id}")
    assert "1 contact added." in page.text
    assert "No contact has these addresses: ghost@example.org." in page.text
    assert f'href="/contacts/{anne.id}"' in page.text
    removed = post_form(
        client,
        f"/segments/{listed.id}",
        f"/segments/{listed.id}/members/remove",
        {"contact_id": str(anne.id)},
    )
    assert removed.status_code == 303
    assert "No contact is in it." in client.get(f"/segments/{listed.id}").text


def test_roles(client: Any, cast: Any, session: Session) -> None:
    segment = service.create_segment(
        session, actor=cast.manager, data=SegmentIn(name="French", definition=FRENCH)
    )
    session.commit()
    sign_in(client, cast.salesperson.email)
    listing = client.get("/segments")
    assert listing.status_code == 200 and "French" in listing.text
    assert "New segment" not in listing.text
    detail = client.get(f"/segments/{segment.id}")
    assert detail.status_code == 200 and "Rebuild now" not in detail.text
    assert client.get("/segments/new").status_code == 403
    assert client.get(f"/segments/{segment.id}/edit").status_code == 403
    refused = post_form(client, f"/segments/{segment.id}", f"/segments/{segment.id}/rebuild", {})
    assert refused.status_code == 403
    assert "may not rebuild segments" in refused.text
    assert client.get("/segments/999").status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client: Any) -> None:
    assert client.get("/segments").status_code == 303
