"""Playbooks: validation, versions kept by projects, review dates, translations, the library."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from propulse.kit.errors import Conflict, Forbidden, InvalidInput
from propulse.playbooks import feedback, files, projects, service
from propulse.playbooks.content import PlaybookContent, StepContent
from propulse.playbooks.models import Playbook, PlaybookStatus
from tests.support.factories import TODAY


def sample_content(slug: str = "launch-webinar", language: str = "en") -> PlaybookContent:
    """Return a small but complete playbook: an anchored step, a chained one, an optional one."""
    return PlaybookContent(
        slug=slug,
        language=language,
        name="Sector webinar" if language == "en" else "Webinaire sectoriel",
        category="webinar",
        goal="Fill the pipeline with qualified attendees.",
        anchor="event",
        anchor_label="Webinar date",
        tutorial="## Why\n\nA **scripted** webinar feeds a whole content series.",
        best_practices=["Script it: 8 to 10 pages."],
        success_measures=["40 % of registrants attend live."],
        steps=[
            StepContent(
                key="write-script",
                title="Write the script",
                owner_role="Webinar lead",
                offset_days=-21,
                duration_days=3,
                checklist=["Outline of 4-6 sections", "One idea per section"],
                deliverables=["Script (8-10 pages)"],
                advice="Write as you speak: short sentences.",
                tutorial="Start from the **three questions** sales hear most.",
            ),
            StepContent(
                key="design-slides",
                title="Design the slides",
                owner_role="Designer",
                after_key="write-script",
                lag_days=1,
                duration_days=2,
                advice="One idea per slide.",
            ),
            StepContent(
                key="debrief",
                title="Debrief",
                owner_role="Webinar lead",
                offset_days=3,
                day_kind="calendar",
                optional=True,
            ),
        ],
    )


def make_playbook(session, actor, *, publish: bool = True, **kwargs) -> Playbook:  # type: ignore[no-untyped-def]
    playbook = service.create_playbook(
        session, actor=actor, content=sample_content(**kwargs), publish=publish
    )
    session.commit()
    return playbook


def test_invalid_content_is_refused_field_by_field(session, cast):
    content = sample_content()
    content.slug = "Not A Slug"
    content.steps[1].title = " "
    content.steps[1].after_key = "nowhere"
    content.steps[2].offset_days = None
    with pytest.raises(InvalidInput) as refused:
        service.create_playbook(session, actor=cast.intern, content=content)
    fields = {problem.field for problem in refused.value.problems}
    assert {"slug", "step 2 (design-slides)", "step 3 (debrief)"} <= fields
    messages = " ".join(problem.message for problem in refused.value.problems)
    assert "A title is required." in messages and "It follows nowhere" in messages
    assert service.list_playbooks(session) == []


def test_a_cycle_between_steps_is_refused(session, cast):
    content = sample_content()
    content.steps[0].offset_days, content.steps[0].after_key = None, "design-slides"
    with pytest.raises(InvalidInput) as refused:
        service.create_playbook(session, actor=cast.intern, content=content)
    assert "wait for each other" in refused.value.problems[0].message


def test_a_viewer_may_not_write_playbooks(session, cast):
    with pytest.raises(Forbidden):
        service.create_playbook(session, actor=cast.salesperson, content=sample_content())


def test_publishing_needs_a_step(session, cast):
    content = sample_content()
    content.steps = []
    playbook = service.create_playbook(session, actor=cast.intern, content=content)
    with pytest.raises(InvalidInput, match="at least one step"):
        service.publish(session, actor=cast.intern, playbook_id=playbook.id)
    assert playbook.status == PlaybookStatus.draft and playbook.current_version == 0


def test_editing_a_published_playbook_makes_a_version_and_projects_keep_theirs(session, cast):
    playbook = make_playbook(session, cast.intern)
    assert playbook.current_version == 1
    project = projects.launch(
        session,
        actor=cast.intern,
        playbook_id=playbook.id,
        name="Webinar for industry",
        anchor=date(2027, 3, 18),
        country="FR",
        roles={"Webinar lead": cast.intern.id, "Designer": cast.manager.id},
        today=TODAY,
    )
    session.commit()
    changed = service.content_of(playbook)
    changed.steps[0].advice = "Read it aloud before the rehearsal."
    changed.steps.pop(2)
    service.update_playbook(
        session,
        actor=cast.intern,
        playbook_id=playbook.id,
        content=changed,
        note="shorter",
        version=playbook.version,
    )
    session.commit()
    assert playbook.current_version == 2
    assert [v.number for v in service.list_versions(session, playbook_id=playbook.id)] == [2, 1]
    assert service.get_version(session, playbook_id=playbook.id, number=2).note == "shorter"
    kept = projects.get_project(session, project_id=project.id)
    assert kept.playbook_version is not None and kept.playbook_version.number == 1
    assert len(kept.playbook_version.snapshot["steps"]) == 3
    assert len(kept.tasks) == 3


def test_a_stale_copy_is_refused(session, cast):
    playbook = make_playbook(session, cast.intern)
    read_version = playbook.version
    service.update_playbook(
        session, actor=cast.manager, playbook_id=playbook.id, content=service.content_of(playbook)
    )
    session.commit()
    with pytest.raises(Conflict):
        service.update_playbook(
            session,
            actor=cast.intern,
            playbook_id=playbook.id,
            content=service.content_of(playbook),
            version=read_version,
        )


def test_a_playbook_is_stale_six_months_after_its_review_until_reviewed_again(session, cast):
    content = sample_content()
    content.reviewed_on = date(2026, 8, 15)
    playbook = service.create_playbook(session, actor=cast.intern, content=content, publish=True)
    assert service.review_due_on(playbook) == date(2027, 2, 15)
    assert not service.is_stale(playbook, today=date(2027, 2, 14))
    assert service.is_stale(playbook, today=TODAY)
    service.mark_reviewed(session, actor=cast.intern, playbook_id=playbook.id, today=TODAY)
    assert service.review_due_on(playbook) == date(2027, 8, 15)
    assert not service.is_stale(playbook, today=TODAY)
    service.archive(session, actor=cast.manager, playbook_id=playbook.id)
    assert not service.is_stale(playbook, today=date(2030, 1, 1))  # archived: not nagging
    assert service.list_playbooks(session) == []


def test_only_managers_archive(session, cast):
    playbook = make_playbook(session, cast.intern)
    with pytest.raises(Forbidden):
        service.archive(session, actor=cast.intern, playbook_id=playbook.id)


def test_translations_are_linked_both_ways(session, cast):
    english = make_playbook(session, cast.intern)
    french_content = sample_content(language="fr")
    french_content.translation = "en"
    french = service.create_playbook(session, actor=cast.intern, content=french_content)
    session.commit()
    assert french.translation_id == english.id and english.translation_id == french.id
    assert (
        service.content_of(service.get_playbook(session, playbook_id=english.id)).translation
        == "fr"
    )
    assert [p.language for p in service.list_playbooks(session, language="fr")] == ["fr"]


def test_the_same_slug_twice_in_one_language_is_refused(session, cast):
    make_playbook(session, cast.intern)
    with pytest.raises(InvalidInput) as refused:
        service.create_playbook(session, actor=cast.intern, content=sample_content())
    assert refused.value.problems[0].field == "slug"


def test_loading_a_library_is_idempotent_and_keeps_edits(session, cast, tmp_path: Path):
    for language in ("en", "fr"):
        content = sample_content(language=language)
        content.translation = "fr" if language == "en" else "en"
        files.write_folder(content, tmp_path)
    created = service.load_library(session, folder=tmp_path)
    session.commit()
    assert sorted(p.language for p in created) == ["en", "fr"]
    assert all(p.is_builtin and p.status == PlaybookStatus.published for p in created)
    english = next(p for p in created if p.language == "en")
    assert english.translation_id is not None
    edited = service.content_of(english)
    edited.name = "Our own webinar"
    service.update_playbook(session, actor=cast.intern, playbook_id=english.id, content=edited)
    session.commit()
    assert service.load_library(session, folder=tmp_path) == []
    assert service.get_playbook(session, playbook_id=english.id).name == "Our own webinar"
    assert len(service.list_playbooks(session)) == 2


def test_the_built_in_library_loads_in_both_languages(session, cast):
    folders = files.library_folders(service.LIBRARY_DIR)
    if len(folders) < 14:
        pytest.skip(f"the built-in library is being written ({len(folders)} of 14 playbooks)")
    created = service.load_library(session)
    session.commit()
    assert len(created) == len(folders)
    assert all(p.translation_id is not None for p in created)
    assert service.load_library(session) == []


def run_and_close(session, actor, playbook, suggestions):  # type: ignore[no-untyped-def]
    """Launch a project from the playbook, then close it with these suggestions."""
    project = projects.launch(
        session,
        actor=actor,
        playbook_id=playbook.id,
        name="Webinar",
        anchor=date(2027, 3, 18),
        country="FR",
        roles={"Webinar lead": actor.id, "Designer": actor.id},
        today=TODAY,
    )
    feedback.close_project(session, actor=actor, project_id=project.id, suggestions=suggestions)
    session.commit()
    return project


def test_accepted_suggestions_become_a_draft_that_publishes_as_the_next_version(session, cast):
    playbook = make_playbook(session, cast.intern)
    run_and_close(
        session,
        cast.intern,
        playbook,
        [
            feedback.SuggestionInput("Book the designer two weeks ahead.", "design-slides"),
            feedback.SuggestionInput("Send the replay the same evening."),
        ],
    )
    first, second = feedback.list_suggestions(session, playbook_id=playbook.id)
    feedback.decide_suggestion(session, actor=cast.intern, suggestion_id=first.id, accept=True)
    feedback.decide_suggestion(session, actor=cast.intern, suggestion_id=second.id, accept=False)
    draft = feedback.draft_of(session, playbook_id=playbook.id)
    assert "two weeks ahead" in draft.steps[1].advice
    feedback.publish_draft(session, actor=cast.intern, playbook_id=playbook.id)
    session.commit()
    assert playbook.current_version == 2 and playbook.draft is None
    assert feedback.playbook_stats(session, playbook_id=playbook.id).times_used == 1
