"""The sequence pages: the list, the editor (rows, moves, errors), a sequence's flow and figures."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.kit.errors import InvalidInput
from propulse.nurture import service
from propulse.nurture.form_values import new_step_key
from propulse.nurture.forms import (
    apply_action,
    data_from_values,
    empty_values,
    form_errors,
    values_from_sequence,
)
from propulse.nurture.models import Enrolment, EnrolmentSource, Sequence, SequenceStatus
from tests.nurture.factories import active_sequence, make_contact, make_template, sequence_in
from tests.segments.factories import make_segment
from tests.support.web import assert_unique_ids, csrf_from, post_form, sign_in

DEFAULT_WINDOW = {
    "windows-0-country": "default",
    "windows-0-start": "09:00",
    "windows-0-end": "18:00",
    "windows-0-weekdays": ["0", "1", "2", "3", "4"],
    "windows-0-skip_holidays": "1",
}


def three_steps(template_id: int, second_template_id: int) -> dict[str, Any]:
    return {
        "steps-0-key": "s1",
        "steps-0-kind": "send_email",
        "steps-0-template_id": str(template_id),
        "steps-1-key": "s2",
        "steps-1-kind": "wait",
        "steps-1-wait_mode": "days",
        "steps-1-days": "3",
        "steps-2-key": "s3",
        "steps-2-kind": "send_email",
        "steps-2-template_id": str(second_template_id),
    }


def simple_sequence(session: Session, actor: Any, name: str = "E-book follow-up") -> Sequence:
    template_id = make_template(session, actor)
    return active_sequence(
        session,
        actor,
        [
            {"key": "s1", "kind": "send_email", "config": {"template_id": template_id}},
            {"key": "s2", "kind": "wait", "config": {"days": 2}},
            {
                "key": "s3",
                "kind": "branch",
                "config": {"condition": {"type": "opened", "step": "s1"}, "yes": "s4"},
            },
            {"key": "s4", "kind": "end", "config": {}},
        ],
        name=name,
    )


def test_pages_render_for_every_role(app: Any, cast: Any, session: Session) -> None:
    from fastapi.testclient import TestClient

    sequence = simple_sequence(session, cast.manager)
    session.commit()
    for person, may_edit in (
        (cast.cmo, True),
        (cast.manager, True),
        (cast.intern, False),
        (cast.salesperson, False),
    ):
        with TestClient(app, follow_redirects=False) as client:
            sign_in(client, person.email)
            listing = client.get("/sequences")
            assert listing.status_code == 200
            assert "E-book follow-up" in listing.text
            assert ('href="/sequences/new"' in listing.text) is may_edit
            assert_unique_ids(listing.text)
            page = client.get(f"/sequences/{sequence.id}")
            assert page.status_code == 200, page.text
            assert_unique_ids(page.text)
            assert "Who may receive marketing e-mail" in page.text
            assert "opt-in consent or a recorded legitimate interest" in page.text
            assert 'class="chart"' in page.text  # the funnel
            assert (f'action="/sequences/{sequence.id}/pause"' in page.text) is may_edit
            editor = client.get(f"/sequences/{sequence.id}/edit")
            assert editor.status_code == (200 if may_edit else 403)
            if may_edit:
                assert_unique_ids(editor.text)
                assert client.get("/sequences/new").status_code == 200
            else:
                assert client.get("/sequences/new").status_code == 403
            assert "Sequences" in listing.text  # the navigation entry


def test_the_flow_shows_each_step_with_its_figures(
    client: Any, cast: Any, session: Session
) -> None:
    sequence = simple_sequence(session, cast.manager)
    anne = make_contact(session, email="anne@example.org", first_name="Anne")
    service.enrol_contact(
        session,
        actor=cast.manager,
        sequence_id=sequence.id,
        contact_id=anne.id,
        source=EnrolmentSource.manual,
    )
    session.commit()
    sign_in(client, cast.intern.email)
    page = client.get(f"/sequences/{sequence.id}")
    assert page.status_code == 200
    text = page.text
    for key in ("s1", "s2", "s3", "s4"):
        assert f'id="flow-{key}"' in text
    assert "Send an e-mail" in text and "Branch on a condition" in text
    assert "Your e-book" in text  # the subject of the template sent at s1
    assert "2 days" in text
    assert re.search(r'yes</li>|yes → <a href="#flow-s4"', text)
    assert "at this step" in text and "delivered" in text and "unsubscribed" in text
    assert "anne@example.org" in text  # who is at which step
    first = sequence.steps[0]
    filtered = client.get(f"/sequences/{sequence.id}?step={first.id}")
    assert filtered.status_code == 200
    assert_unique_ids(filtered.text)
    other = client.get(f"/sequences/{sequence.id}?step={sequence.steps[3].id}&status=active")
    assert "anne@example.org" not in other.text.split('id="enrolments"')[1]


def test_a_manager_creates_a_three_step_sequence(client: Any, cast: Any, session: Session) -> None:
    first = make_template(session, cast.manager, name="E-book")
    second = make_template(session, cast.manager, name="Case study")
    readers = make_segment(session, name="E-book readers")
    session.commit()
    sign_in(client, cast.manager.email)
    form = {
        "name": "E-book nurture",
        "description": "After the download",
        "reenrolment": "never",
        "exit_goals": ["became_sql", "unsubscribed"],
        "triggers-0-kind": "segment_entered",
        "triggers-0-segment_id": str(readers.id),
        **DEFAULT_WINDOW,
        **three_steps(first, second),
    }
    response = post_form(client, "/sequences/new", "/sequences/new", form)
    assert response.status_code == 303, response.text
    created = session.scalar(select(Sequence).where(Sequence.name == "E-book nurture"))
    assert created is not None
    assert created.status == SequenceStatus.draft
    assert [(s.key, s.kind) for s in created.steps] == [
        ("s1", "send_email"),
        ("s2", "wait"),
        ("s3", "send_email"),
    ]
    assert created.steps[1].config == {"days": 3}
    assert created.triggers == [{"kind": "segment_entered", "segment_id": readers.id}]
    assert created.exit_goals == ["became_sql", "unsubscribed"]
    assert created.sending_windows["default"]["weekdays"] == [0, 1, 2, 3, 4]
    assert response.headers["location"] == f"/sequences/{created.id}"
    page = client.get(response.headers["location"])
    assert "Sequence E-book nurture is saved." in page.text
    assert "E-book readers" in page.text


def test_editing_keeps_step_ids_and_accepts_a_french_user(
    client: Any, cast: Any, session: Session
) -> None:
    sequence = simple_sequence(session, cast.manager)
    ids = {step.key: step.id for step in sequence.steps}
    session.commit()
    sign_in(client, cast.manager.email)
    editor = client.get(f"/sequences/{sequence.id}/edit")
    assert 'name="steps-2-condition_step"' in editor.text
    assert 'value="s4" selected' in editor.text  # the branch's "yes" target
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', editor.text))
    form = {
        "name": "E-book follow-up, v2",
        "version": fields["version"],
        "reenrolment": "never",
        **DEFAULT_WINDOW,
        "steps-0-key": "s1",
        "steps-0-kind": "send_email",
        "steps-0-template_id": str(sequence.steps[0].config["template_id"]),
        "steps-1-key": "s2",
        "steps-1-kind": "wait",
        "steps-1-wait_mode": "weekday",
        "steps-1-until_weekday": "1",
        "steps-1-until_hour": "10",
        "steps-2-key": "s4",
        "steps-2-kind": "end",
    }
    saved = client.post(
        f"/sequences/{sequence.id}/edit", data={**form, "csrf_token": csrf_from(editor)}
    )
    assert saved.status_code == 303, saved.text
    session.expire_all()
    changed = service.get_sequence(session, sequence_id=sequence.id)
    assert [s.key for s in changed.steps] == ["s1", "s2", "s4"]
    assert {s.key: s.id for s in changed.steps} == {k: ids[k] for k in ("s1", "s2", "s4")}
    assert changed.steps[1].config == {"until_weekday": 1, "until_hour": 10}
    client.post("/language", data={"language": "fr", "next": "/", "csrf_token": csrf_from(editor)})
    french = client.get(f"/sequences/{sequence.id}/edit")
    assert french.status_code == 200
    assert 'lang="fr"' in french.text
    for path in ("/sequences", f"/sequences/{sequence.id}", "/sequences/new"):
        page = client.get(path)
        assert page.status_code == 200 and 'lang="fr"' in page.text, path


def test_validation_errors_are_shown_beside_the_step_and_input_is_kept(
    client: Any, cast: Any, session: Session
) -> None:
    session.commit()
    sign_in(client, cast.manager.email)
    form = {
        "name": "",
        "description": "Kept as typed",
        "reenrolment": "after_days",
        **DEFAULT_WINDOW,
        "windows-1-country": "DE",
        "windows-1-start": "18:00",
        "windows-1-end": "09:00",
        "windows-1-weekdays": ["0"],
        "triggers-0-kind": "score_reached",
        "triggers-0-score": "",
        "steps-0-key": "s1",
        "steps-0-kind": "send_email",
        "steps-0-template_id": "",
        "steps-1-key": "s2",
        "steps-1-kind": "wait",
        "steps-1-days": "900",
    }
    response = post_form(client, "/sequences/new", "/sequences/new", form)
    assert response.status_code == 422
    text = response.text
    assert_unique_ids(text)
    assert "Some fields need your attention." in text
    assert 'id="e-name" class="field-error">This field is required.' in text
    assert "Kept as typed" in text
    step0 = text.split('id="step-0"')[1].split('id="step-1"')[0]
    assert "Choose a template." in step0
    step1 = text.split('id="step-1"')[1]
    assert "Wait between 1 and 365 days." in step1 and 'value="900"' in step1
    window = text.split('id="window-1"')[1]
    assert "The window must end after it starts." in window
    assert 'value="DE"' in window
    assert "Enter the score that enrols contacts." in text.split('id="trigger-0"')[1]
    assert "Say after how many days" in text
    assert session.scalar(select(Sequence)) is None


def test_editor_buttons_add_move_and_remove_rows(client: Any, cast: Any, session: Session) -> None:
    session.commit()
    sign_in(client, cast.manager.email)
    page = client.get("/sequences/new")
    token = csrf_from(page)
    base = {"name": "Draft", "csrf_token": token, **DEFAULT_WINDOW, "steps-0-key": "s1"}
    base["steps-0-kind"] = "send_email"

    added = client.post(
        "/sequences/new", data={**base, "action": "add_step", "new_step_kind": "wait"}
    )
    assert added.status_code == 200
    assert 'name="steps-1-key" value="s2"' in added.text
    assert 'id="f-steps-1-kind"' in added.text and "autofocus" in added.text
    assert 'name="steps-1-days"' in added.text  # the wait step's fields
    assert session.scalar(select(Sequence)) is None  # nothing saved

    two = {**base, "steps-1-key": "s2", "steps-1-kind": "wait", "steps-1-days": "4"}
    moved = client.post(
        "/sequences/new", data={**two, "action": "up-1"}, headers={"HX-Request": "true"}
    )
    assert moved.status_code == 200
    assert 'name="steps-0-key" value="s2"' in moved.text
    assert 'name="steps-1-key" value="s1"' in moved.text
    assert 'value="4"' in moved.text  # the moved step keeps its input

    removed = client.post("/sequences/new", data={**two, "action": "remove_step-0"})
    assert 'name="steps-0-key" value="s2"' in removed.text
    assert 'name="steps-1-key"' not in removed.text

    branch = client.post(
        "/sequences/new",
        data={**two, "steps-1-kind": "branch", "action": "refresh", "focus": "f-steps-1-kind"},
    )
    assert 'name="steps-1-condition_type"' in branch.text
    assert 'name="steps-1-yes"' in branch.text

    with_rows = client.post("/sequences/new", data={**base, "action": "add_trigger"})
    assert 'name="triggers-0-kind"' in with_rows.text
    with_window = client.post("/sequences/new", data={**base, "action": "add_window"})
    assert 'name="windows-1-country"' in with_window.text


def test_pause_and_resume_from_the_page(client: Any, cast: Any, session: Session) -> None:
    sequence = simple_sequence(session, cast.manager)
    session.commit()
    sign_in(client, cast.manager.email)
    path = f"/sequences/{sequence.id}"
    paused = post_form(client, path, f"{path}/pause", {})
    assert paused.status_code == 303
    page = client.get(path)
    assert "The sequence is paused" in page.text
    assert f'action="{path}/resume"' in page.text
    assert "Paused by Julien (manager)." in page.text
    session.expire_all()
    assert service.get_sequence(session, sequence_id=sequence.id).status == "paused"
    resumed = post_form(client, path, f"{path}/resume", {})
    assert resumed.status_code == 303
    session.expire_all()
    assert service.get_sequence(session, sequence_id=sequence.id).status == "active"
    again = post_form(client, path, f"{path}/activate", {})
    assert again.status_code == 303


def test_a_draft_is_activated_and_refuses_enrolment_before(
    client: Any, cast: Any, session: Session
) -> None:
    template_id = make_template(session, cast.manager)
    draft = service.create_sequence(
        session,
        actor=cast.manager,
        data=sequence_in(
            [{"key": "s1", "kind": "send_email", "config": {"template_id": template_id}}]
        ),
    )
    anne = make_contact(session, email="anne@example.org")
    session.commit()
    sign_in(client, cast.manager.email)
    path = f"/sequences/{draft.id}"
    page = client.get(path)
    assert "Activate the sequence before enrolling contacts." in page.text
    refused = post_form(client, path, f"{path}/enrol", {"emails": anne.email})
    assert refused.status_code == 303
    assert "is a draft" in client.get(path).text
    activated = post_form(client, path, f"{path}/activate", {})
    assert activated.status_code == 303
    assert "The sequence is active" in client.get(path).text


def test_enrol_a_segment_and_take_a_contact_out(client: Any, cast: Any, session: Session) -> None:
    sequence = simple_sequence(session, cast.manager)
    anne = make_contact(session, email="anne@example.org")
    bob = make_contact(session, email="bob@example.org")
    readers = make_segment(session, name="Readers", members=[anne, bob])
    session.commit()
    sign_in(client, cast.intern.email)  # a member may enrol
    path = f"/sequences/{sequence.id}"
    enrolled = post_form(client, path, f"{path}/enrol", {"segment_id": str(readers.id)})
    assert enrolled.status_code == 303
    page = client.get(path)
    assert "2 contacts enrolled." in page.text
    assert "anne@example.org" in page.text and "bob@example.org" in page.text

    typed = post_form(
        client, path, f"{path}/enrol", {"emails": "anne@example.org\nnobody@example.org"}
    )
    assert typed.status_code == 303
    page = client.get(path)
    assert "Already in the sequence: 1." in page.text
    assert "nobody@example.org" in page.text

    found = session.scalar(
        select(Enrolment).where(
            Enrolment.sequence_id == sequence.id, Enrolment.contact_id == bob.id
        )
    )
    assert found is not None
    cancel = f"{path}/enrolments/{found.id}/cancel"
    assert post_form(client, path, cancel, {}).status_code == 303
    session.expire_all()
    assert session.get(Enrolment, found.id).status == "cancelled"  # type: ignore[union-attr]
    assert "The contact left the sequence." in client.get(path).text
    nothing = post_form(client, path, f"{path}/enrol", {})
    assert nothing.status_code == 303
    assert "Choose a segment, or type at least one e-mail address." in client.get(path).text


def test_an_intern_cannot_edit_nor_switch(
    app: Any, client: Any, cast: Any, session: Session
) -> None:
    from fastapi.testclient import TestClient

    sequence = simple_sequence(session, cast.manager)
    session.commit()
    sign_in(client, cast.intern.email)
    path = f"/sequences/{sequence.id}"
    assert client.get(f"{path}/edit").status_code == 403
    refused = post_form(client, path, f"{path}/pause", {})
    assert refused.status_code == 403
    assert "may not manage nurturing sequences" in refused.text
    created = post_form(client, path, "/sequences/new", {"name": "Mine"})
    assert created.status_code == 403
    with TestClient(app, follow_redirects=False) as viewer:
        sign_in(viewer, cast.salesperson.email)
        enrol = post_form(viewer, path, f"{path}/enrol", {"emails": "x@example.org"})
        assert enrol.status_code == 403
        assert "Enrol contacts" not in viewer.get(path).text


def test_forms_without_a_csrf_token_are_refused(client: Any, cast: Any, session: Session) -> None:
    sequence = simple_sequence(session, cast.manager)
    session.commit()
    sign_in(client, cast.manager.email)
    assert client.post("/sequences/new", data={"name": "x"}).status_code == 403
    assert client.post(f"/sequences/{sequence.id}/pause").status_code == 403
    assert client.get("/sequences/99999").status_code == 404


# ---- The form's values, without a page --------------------------------------------------------


def test_a_saved_sequence_reads_back_into_the_same_data(cast: Any, session: Session) -> None:
    sequence = simple_sequence(session, cast.manager)
    sequence.triggers = [
        {"kind": "event", "event_type": "form_submitted", "properties": {"form_id": 3}},
        {"kind": "score_reached", "score": 50},
    ]
    sequence.sending_windows = {
        "DE": {"start": "08:00", "end": "17:00", "weekdays": [0, 1], "skip_holidays": True},
        "default": {"start": "09:00", "end": "18:00", "weekdays": [0], "skip_holidays": False},
    }
    values = values_from_sequence(sequence)
    assert [w["country"] for w in values["windows"]] == ["default", "DE"]
    assert values["triggers"][0]["properties"] == "form_id=3"
    data = data_from_values(values)
    assert [step.model_dump() for step in data.steps] == [
        {"key": s.key, "kind": s.kind, "config": s.config, "next_key": s.next_key}
        for s in sequence.steps
    ]
    assert data.triggers[0].stored() == sequence.triggers[0]
    assert data.sending_windows["DE"].weekdays == [0, 1]
    assert data.version == sequence.version


def test_the_form_names_the_row_of_each_problem() -> None:
    values = empty_values()
    values["name"] = "Checks"
    values["steps"][0].update(kind="wait", days="3")
    values["triggers"] = [{"kind": "event", "event_type": "form_submitted", "properties": "x"}]
    with pytest.raises(InvalidInput) as refused:
        data_from_values(values)
    errors = form_errors(refused.value, values)
    assert errors["triggers-0-properties"] == "Line 1: write each property as name=value."
    assert "This field is required." not in errors.values()  # the name was given

    values["triggers"] = []
    values["windows"].append({**values["windows"][0], "country": "de"})
    values["windows"].append({**values["windows"][0], "country": "DE"})
    with pytest.raises(InvalidInput) as twice:
        data_from_values(values)
    assert form_errors(twice.value, values)["windows-2-country"] == (
        "DE has two sending windows: keep one."
    )

    values["windows"] = values["windows"][:2]
    values["windows"][1]["weekdays"] = []
    values["steps"].append({**values["steps"][0], "key": "s2", "kind": "branch"})
    values["steps"][1].update(condition_type="opened", condition_step="s1", yes="s9")
    with pytest.raises(InvalidInput) as wrong:
        data_from_values(values)
    errors = form_errors(wrong.value, values)
    assert errors["window_rows"][1] == ["Choose at least one day of the week."]
    assert "“s1” is not an e-mail step" in errors["steps_list"]


def test_generated_keys_never_reuse_a_shown_one() -> None:
    assert new_step_key([]) == "s1"
    assert new_step_key([{"key": "s1"}, {"key": "welcome"}, {"key": "s7"}]) == "s8"
    values = empty_values()
    assert apply_action(values, "add_step", "branch") == "f-steps-1-kind"
    assert [s["key"] for s in values["steps"]] == ["s1", "s2"]
    assert apply_action(values, "down-0") == "f-steps-1-kind"
    assert [s["key"] for s in values["steps"]] == ["s2", "s1"]
    assert apply_action(values, "up-0") is None  # the first step cannot go up
    assert apply_action(values, "remove_window-0") is None  # the default window stays
    assert apply_action(values, "remove_step-9") is None
    assert len(values["steps"]) == 2


def test_a_missing_template_and_a_stale_edit_are_explained(
    client: Any, cast: Any, session: Session
) -> None:
    sequence = simple_sequence(session, cast.manager)
    session.commit()
    sign_in(client, cast.manager.email)
    editor = client.get(f"/sequences/{sequence.id}/edit")
    form = {
        "name": sequence.name,
        "version": str(sequence.version),
        "reenrolment": "never",
        **DEFAULT_WINDOW,
        "steps-0-key": "s1",
        "steps-0-kind": "send_email",
        "steps-0-template_id": "99999",
        "csrf_token": csrf_from(editor),
    }
    missing = client.post(f"/sequences/{sequence.id}/edit", data=form)
    assert missing.status_code == 422
    assert "This template does not exist." in missing.text.split('id="step-0"')[1]
    stale = client.post(
        f"/sequences/{sequence.id}/edit",
        data={
            **form,
            "version": "0",
            "steps-0-template_id": str(sequence.steps[0].config["template_id"]),
        },
    )
    assert stale.status_code == 409
    assert "changed meanwhile by someone else" in stale.text
    assert f'value="{sequence.name}"' in stale.text


def test_a_stream_paused_by_failures_shows_its_reason(
    client: Any, cast: Any, session: Session
) -> None:
    from propulse.delivery import service as delivery

    sequence = simple_sequence(session, cast.manager)
    delivery.pause_stream(
        session, name=sequence.stream, reason="Paused after 5 failures in a row: 550 no such user"
    )
    session.commit()
    sign_in(client, cast.salesperson.email)
    listing = client.get("/sequences")
    assert "paused" in listing.text and "550 no such user" in listing.text
    page = client.get(f"/sequences/{sequence.id}")
    assert "Paused after 5 failures in a row: 550 no such user" in page.text
    assert f'action="/sequences/{sequence.id}/resume"' not in page.text  # a viewer cannot
