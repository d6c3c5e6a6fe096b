"""The playbook pages: the library, a playbook as a tutorial, the editor, versions, zip files."""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import date

import pytest

from propulse.kit.errors import InvalidInput
from propulse.playbooks import diff, feedback, files, service, views, zip_io
from propulse.playbooks.content import PlaybookContent
from tests.playbooks.test_service import make_playbook, run_and_close, sample_content
from tests.support.factories import TODAY
from tests.support.web import assert_unique_ids, csrf_from, post_form, sign_in


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: TODAY)


def editor_form(**changes: str) -> dict[str, str]:
    """Return the editor's fields for a two-step playbook, as a browser would post them."""
    data = {
        "name": "Customer case study",
        "slug": "",
        "language": "en",
        "category": "content_recycling",
        "goal": "One customer story, five formats.",
        "anchor": "launch",
        "anchor_label": "Publication date",
        "tutorial": "## Why\n\nProof sells.",
        "best_practices": "Quote numbers\nGet legal approval early",
        "success_measures": "3 sales meetings",
        "review_every_months": "6",
        "translation": "",
        "steps-0-title": "Interview the customer",
        "steps-0-owner_role": "Content lead",
        "steps-0-key": "",
        "steps-0-after": "",
        "steps-0-offset_days": "-14",
        "steps-0-lag_days": "0",
        "steps-0-duration_days": "2",
        "steps-0-day_kind": "working",
        "steps-0-checklist": "Send questions ahead\nRecord the call",
        "steps-0-advice": "Ask for numbers before and after.",
        "steps-0-tutorial": "Book **45 minutes**.",
        "steps-1-title": "Write the case",
        "steps-1-owner_role": "Writer",
        "steps-1-key": "write-case",
        "steps-1-after": "interview-the-customer",
        "steps-1-offset_days": "",
        "steps-1-lag_days": "1",
        "steps-1-duration_days": "3",
        "steps-1-day_kind": "calendar",
        "steps-1-optional": "1",
        "action": "save",
    }
    data.update(changes)
    return data


def test_the_library_shows_each_playbook_with_review_date_staleness_and_translation(
    client, cast, session, tmp_path
):
    english = sample_content()
    english.translation = "fr"
    english.reviewed_on = date(2026, 6, 1)  # due 2026-12-01: stale on TODAY
    french = sample_content(language="fr")
    french.translation = "en"
    french.reviewed_on = date(2027, 1, 10)
    for content in (english, french):
        files.write_folder(content, tmp_path)
    service.load_library(session, folder=tmp_path)
    session.commit()
    sign_in(client, cast.intern.email)
    page = client.get("/playbooks")
    assert page.status_code == 200
    assert "Sector webinar" in page.text and "Webinaire sectoriel" in page.text
    assert "stale: review due" in page.text and page.text.count("is-stale") == 1
    assert "built-in" in page.text and "Times used" in page.text
    french_id = service.find_playbook(session, slug="launch-webinar", language="fr").id
    assert f'href="/playbooks/{french_id}" hreflang="fr"' in page.text
    filtered = client.get("/playbooks?lang=fr")
    assert ">Webinaire sectoriel</a></h2>" in filtered.text
    assert ">Sector webinar</a></h2>" not in filtered.text
    assert "No playbook matches" in client.get("/playbooks?category=trade_show").text
    assert_unique_ids(page.text)


def test_a_playbook_reads_as_a_tutorial_with_steps_advice_and_dates(client, cast, session):
    playbook = make_playbook(session, cast.intern)
    sign_in(client, cast.intern.email)
    page = client.get(f"/playbooks/{playbook.id}")
    assert page.status_code == 200
    text = page.text
    assert "<strong>scripted</strong>" in text  # the tutorial, rendered from Markdown
    assert "<strong>three questions</strong>" in text  # a step's own tutorial
    assert "Write as you speak: short sentences." in text and 'class="advice"' in text
    assert "D-21" in text and "after Write the script + 1 d" in text and "D+3" in text
    assert "3 working days" in text and "1 calendar day" in text and "optional" in text
    assert "Outline of 4-6 sections" in text and "Script (8-10 pages)" in text
    assert f"/projects/new?playbook={playbook.id}" in text
    assert f"/playbooks/{playbook.id}/export.zip" in text
    assert_unique_ids(text)


def test_the_editor_creates_a_playbook_keeping_order_and_timing(client, cast, session):
    sign_in(client, cast.intern.email)
    blank = client.get("/playbooks/new")
    assert blank.status_code == 200
    assert_unique_ids(blank.text)
    created = client.post("/playbooks/new", data={**editor_form(), "csrf_token": csrf_from(blank)})
    assert created.status_code == 303, created.text
    playbook = service.find_playbook(session, slug="customer-case-study", language="en")
    assert playbook is not None and playbook.status == "draft"
    first, second = playbook.steps
    assert (first.key, first.offset_days, first.checklist) == (
        "interview-the-customer",
        -14,
        ["Send questions ahead", "Record the call"],
    )
    assert (second.after_key, second.lag_days, second.day_kind, second.optional) == (
        "interview-the-customer",
        1,
        "calendar",
        True,
    )
    editor = client.get(f"/playbooks/{playbook.id}/edit")
    assert 'value="interview-the-customer"' in editor.text and "Book **45 minutes**." in editor.text
    assert_unique_ids(editor.text)


def test_step_buttons_add_move_and_remove_blocks_without_saving(client, cast, session):
    sign_in(client, cast.intern.email)
    token = csrf_from(client.get("/playbooks/new"))
    added = client.post("/playbooks/new", data={**editor_form(action="add"), "csrf_token": token})
    assert added.status_code == 200
    assert 'name="steps-2-title"' in added.text
    assert '<option value="write-case" selected>' in added.text  # the new step follows the last
    moved = client.post(
        "/playbooks/new",
        data={**editor_form(action="up:1"), "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert moved.text.index("Write the case") < moved.text.index("Interview the customer")
    removed = client.post(
        "/playbooks/new", data={**editor_form(action="remove:0"), "csrf_token": token}
    )
    assert (
        "Interview the customer" not in removed.text and 'name="steps-1-title"' not in removed.text
    )
    assert service.list_playbooks(session) == []
    assert_unique_ids(added.text)


def test_errors_show_next_to_their_step_and_keep_what_was_typed(client, cast, session):
    sign_in(client, cast.intern.email)
    token = csrf_from(client.get("/playbooks/new"))
    data = editor_form(
        **{"steps-1-owner_role": "", "steps-1-duration_days": "three", "steps-0-offset_days": ""}
    )
    refused = client.post("/playbooks/new", data={**data, "csrf_token": token})
    assert refused.status_code == 422
    step_two = refused.text[refused.text.index('id="step-2"') :]
    assert (
        "An owner role is required." in step_two and "Duration: enter a whole number." in step_two
    )
    assert 'href="#step-1"' in refused.text  # the summary links to the step
    assert 'value="three"' in refused.text and "Proof sells." in refused.text
    assert service.list_playbooks(session) == []
    assert_unique_ids(refused.text)


def test_in_french_the_errors_also_sit_next_to_their_step(client, cast, session):
    sign_in(client, cast.intern.email)
    token = csrf_from(client.get("/playbooks/new"))
    data = editor_form(**{"steps-1-owner_role": ""})
    refused = client.post(
        "/playbooks/new", data={**data, "csrf_token": token}, headers={"Accept-Language": "fr"}
    )
    assert refused.status_code == 422
    step_two = refused.text[refused.text.index('id="step-2"') :]
    assert "Un rôle responsable est requis." in step_two


def test_a_published_playbook_saves_as_a_new_version_and_the_diff_shows_it(client, cast, session):
    playbook = make_playbook(session, cast.intern)
    sign_in(client, cast.intern.email)
    editor = client.get(f"/playbooks/{playbook.id}/edit")
    assert "saving creates version 2" in editor.text
    form = {
        "name": "Sector webinar",
        "category": "webinar",
        "anchor": "event",
        "review_every_months": "6",
        "version": str(playbook.version),
        "note": "Rehearse earlier",
        "action": "save",
        "csrf_token": csrf_from(editor),
    }
    for index, step in enumerate(service.content_of(playbook).steps):
        form |= {
            f"steps-{index}-key": step.key,
            f"steps-{index}-title": step.title,
            f"steps-{index}-owner_role": step.owner_role,
            f"steps-{index}-after": step.after_key or "",
            f"steps-{index}-offset_days": "" if step.offset_days is None else str(step.offset_days),
            f"steps-{index}-lag_days": str(step.lag_days),
            f"steps-{index}-duration_days": str(step.duration_days),
            f"steps-{index}-day_kind": step.day_kind,
            f"steps-{index}-advice": step.advice,
        }
    form["steps-0-advice"] = "Read it aloud twice."
    form["steps-0-offset_days"] = "-28"
    saved = client.post(f"/playbooks/{playbook.id}/edit", data=form)
    assert saved.status_code == 303, saved.text
    session.expire_all()
    assert service.get_playbook(session, playbook_id=playbook.id).current_version == 2
    changes = client.get(f"/playbooks/{playbook.id}/diff?from=1&to=2")
    assert changes.status_code == 200
    assert "<del>-Write as you speak: short sentences.</del>" in changes.text
    assert "<ins>+Read it aloud twice.</ins>" in changes.text
    assert "<del>-21</del> → <ins>-28</ins>" in changes.text
    assert "Rehearse earlier" in changes.text
    versions = client.get(f"/playbooks/{playbook.id}/versions")
    assert "compared with version 1" in versions.text
    assert_unique_ids(versions.text)
    assert_unique_ids(changes.text)


def test_a_stale_edit_is_refused_with_409_and_the_text_kept(client, cast, session):
    playbook = make_playbook(session, cast.intern, publish=False)
    sign_in(client, cast.intern.email)
    editor = client.get(f"/playbooks/{playbook.id}/edit")
    stale_version = str(playbook.version)
    changed = service.content_of(playbook)
    changed.goal = "Changed by the manager meanwhile."
    service.update_playbook(session, actor=cast.manager, playbook_id=playbook.id, content=changed)
    session.commit()
    data = editor_form(version=stale_version, name="My own name")
    refused = client.post(
        f"/playbooks/{playbook.id}/edit", data={**data, "csrf_token": csrf_from(editor)}
    )
    assert refused.status_code == 409
    assert "changed meanwhile" in refused.text and 'value="My own name"' in refused.text
    session.expire_all()
    assert service.get_playbook(session, playbook_id=playbook.id).name == "Sector webinar"


def test_a_viewer_reads_playbooks_but_may_not_edit_them(client, cast, session):
    playbook = make_playbook(session, cast.intern)
    sign_in(client, cast.salesperson.email)
    page = client.get(f"/playbooks/{playbook.id}")
    assert page.status_code == 200 and "Write the script" in page.text
    assert f"/playbooks/{playbook.id}/edit" not in page.text and "/projects/new" not in page.text
    assert client.get(f"/playbooks/{playbook.id}/edit").status_code == 403
    assert client.get("/playbooks/new").status_code == 403
    refused = post_form(
        client, f"/playbooks/{playbook.id}", f"/playbooks/{playbook.id}/edit", editor_form()
    )
    assert refused.status_code == 403
    assert client.get(f"/playbooks/{playbook.id}/export.zip").status_code == 200


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_export_then_import_a_zip_makes_the_next_version(client, cast, session):
    playbook = make_playbook(session, cast.intern)
    sign_in(client, cast.intern.email)
    exported = client.get(f"/playbooks/{playbook.id}/export.zip")
    assert exported.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(exported.content)).namelist()
    assert (
        "launch-webinar.en/playbook.md" in names
        and "launch-webinar.en/steps/02-design-slides.md" in names
    )
    token = csrf_from(client.get("/playbooks"))
    imported = client.post(
        "/playbooks/import",
        files={"file": ("webinar.zip", exported.content, "application/zip")},
        data={"csrf_token": token},
    )
    assert imported.status_code == 303, imported.text
    session.expire_all()
    assert service.get_playbook(session, playbook_id=playbook.id).current_version == 2


def test_an_import_with_a_bad_file_names_it_and_writes_nothing(client, cast, session, tmp_path):
    folder = files.write_folder(sample_content(slug="fresh"), tmp_path)
    entries = {
        f"fresh.en/{path.relative_to(folder).as_posix()}": path.read_text()
        for path in folder.rglob("*.md")
    }
    entries["fresh.en/steps/02-design-slides.md"] = (
        "---\nkey: design-slides\ntitle: [unclosed\n---\n"
    )
    sign_in(client, cast.intern.email)
    token = csrf_from(client.get("/playbooks"))
    refused = client.post(
        "/playbooks/import",
        files={"file": ("fresh.zip", _zip(entries), "application/zip")},
        data={"csrf_token": token},
    )
    assert refused.status_code == 422
    assert "steps/02-design-slides.md" in refused.text and "not valid YAML" in refused.text
    assert "Nothing was imported." in refused.text
    assert service.find_playbook(session, slug="fresh", language="en") is None
    escaping = client.post(
        "/playbooks/import",
        files={
            "file": (
                "evil.zip",
                _zip({"../evil.md": "x", "fresh.en/playbook.md": "x"}),
                "application/zip",
            )
        },
        data={"csrf_token": token},
    )
    assert escaping.status_code == 422 and "../evil.md: this path is not allowed." in escaping.text
    not_zip = client.post(
        "/playbooks/import",
        files={"file": ("notes.zip", b"hello", "application/zip")},
        data={"csrf_token": token},
    )
    assert not_zip.status_code == 422 and "not a .zip archive" in not_zip.text
    assert_unique_ids(refused.text)


def test_suggestions_are_accepted_in_place_into_the_draft_then_published(client, cast, session):
    playbook = make_playbook(session, cast.intern)
    suggestions = [feedback.SuggestionInput("Book the designer two weeks ahead.", "design-slides")]
    run_and_close(session, cast.intern, playbook, suggestions)
    suggestion = feedback.list_suggestions(session, playbook_id=playbook.id)[0]
    sign_in(client, cast.intern.email)
    page = client.get(f"/playbooks/{playbook.id}")
    assert (
        "Book the designer two weeks ahead." in page.text and "Accept into the draft" in page.text
    )
    swapped = client.post(
        f"/playbooks/suggestions/{suggestion.id}",
        data={"decision": "accept", "csrf_token": csrf_from(page)},
        headers={"HX-Request": "true"},
    )
    assert swapped.status_code == 200
    assert (
        f'id="suggestion-{suggestion.id}"' in swapped.text
        and "accepted: in the draft" in swapped.text
    )
    assert 'id="draft" aria-labelledby="draft-title" hx-swap-oob="outerHTML"' in swapped.text
    assert "Publish the draft" in swapped.text
    published = post_form(
        client, f"/playbooks/{playbook.id}", f"/playbooks/{playbook.id}/draft/publish", {}
    )
    assert published.status_code == 303
    session.expire_all()
    assert service.get_playbook(session, playbook_id=playbook.id).current_version == 2
    assert (
        "two weeks ahead" in service.get_playbook(session, playbook_id=playbook.id).steps[1].advice
    )


def test_publish_review_and_archive_from_the_page(client, cast, session):
    playbook = make_playbook(session, cast.intern, publish=False)
    sign_in(client, cast.intern.email)
    page_path = f"/playbooks/{playbook.id}"
    assert post_form(client, page_path, f"{page_path}/publish", {}).status_code == 303
    assert post_form(client, page_path, f"{page_path}/review", {}).status_code == 303
    assert post_form(client, page_path, f"{page_path}/archive", {}).status_code == 403
    session.expire_all()
    reviewed = service.get_playbook(session, playbook_id=playbook.id)
    assert reviewed.current_version == 1 and reviewed.reviewed_on == TODAY
    post_form(client, "/", "/logout", {})
    sign_in(client, cast.manager.email)
    assert post_form(client, page_path, f"{page_path}/archive", {}).status_code == 303
    assert ">Sector webinar</a></h2>" not in client.get("/playbooks").text
    assert ">Sector webinar</a></h2>" in client.get("/playbooks?archived=true").text


def browser_fields(page: str) -> dict[str, str]:
    """Return what a browser would submit from the editor (text areas with CRLF line ends)."""
    form = page[page.index('class="editor"') :]
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value and 'type="checkbox"' not in tag and name.group(1) != "csrf_token":
            fields[name.group(1)] = html.unescape(value.group(1))
    for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S
    ):
        fields[name] = html.unescape(value).replace("\n", "\r\n")
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"\s*selected', body)
        fields[name] = html.unescape(chosen.group(1)) if chosen else ""
    for name in re.findall(r'<input type="checkbox"[^>]*name="([^"]+)"[^>]*checked', form):
        fields[name] = "1"
    return fields


def test_saving_the_editor_unchanged_changes_nothing_in_the_content(client, cast, session):
    playbook = make_playbook(session, cast.intern)
    sign_in(client, cast.intern.email)
    editor = client.get(f"/playbooks/{playbook.id}/edit")
    form = browser_fields(editor.text)
    saved = client.post(
        f"/playbooks/{playbook.id}/edit",
        data={**form, "action": "save", "csrf_token": csrf_from(editor)},
    )
    assert saved.status_code == 303, saved.text
    first = service.get_version(session, playbook_id=playbook.id, number=1)
    second = service.get_version(session, playbook_id=playbook.id, number=2)
    changes = diff.compare(
        PlaybookContent.from_snapshot(first.snapshot),
        PlaybookContent.from_snapshot(second.snapshot),
    )
    assert changes.is_empty, changes


def test_translating_starts_from_a_copy_in_the_other_language_and_links_both(client, cast, session):
    english = make_playbook(session, cast.intern)
    sign_in(client, cast.intern.email)
    page = client.get(f"/playbooks/new?translate={english.id}")
    assert page.status_code == 200
    assert '<option value="fr" selected>' in page.text and 'value="Write the script"' in page.text
    form = browser_fields(page.text)
    form["name"] = "Webinaire sectoriel"
    created = client.post("/playbooks/new", data={**form, "csrf_token": csrf_from(page)})
    assert created.status_code == 303, created.text
    french = service.find_playbook(session, slug="launch-webinar", language="fr")
    assert french is not None and french.translation_id == english.id
    assert [step.key for step in french.steps] == [step.key for step in english.steps]
    library = client.get("/playbooks")
    assert f'href="/playbooks/{french.id}" hreflang="fr"' in library.text


def test_unpacking_refuses_links_bombs_and_several_playbooks(tmp_path, monkeypatch):
    link = zipfile.ZipInfo("fresh.en/steps/01-x.md")
    link.external_attr = (0o120777 << 16) | 0x20
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(InvalidInput, match="not allowed"):
        zip_io.unpack_playbook(buffer.getvalue(), tmp_path / "link")
    monkeypatch.setattr(zip_io, "MAX_UNPACKED_BYTES", 1000)
    bomb = _zip({"a.en/playbook.md": "x" * 600, "a.en/steps/01-a.md": "y" * 600})
    with pytest.raises(InvalidInput, match="larger than"):
        zip_io.unpack_playbook(bomb, tmp_path / "bomb")
    two = _zip({"a.en/playbook.md": "x", "b.en/playbook.md": "y"})
    with pytest.raises(InvalidInput, match="several playbooks"):
        zip_io.unpack_playbook(two, tmp_path / "two")
    at_root = zip_io.unpack_playbook(
        _zip({"playbook.md": "x", "notes.txt": "skipped"}), tmp_path / "root"
    )
    assert at_root == (tmp_path / "root").resolve()
    assert not (at_root / "notes.txt").exists()
