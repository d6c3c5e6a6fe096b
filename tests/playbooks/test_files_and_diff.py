"""Playbooks as files (lossless round trip, clear errors), the built-in library, version diffs."""

from __future__ import annotations

from pathlib import Path

import pytest

from propulse.playbooks import diff, files
from propulse.playbooks.content import ContentError, PlaybookContent, StepContent
from propulse.playbooks.service import LIBRARY_DIR


def sample() -> PlaybookContent:
    return PlaybookContent(
        slug="webinar",
        language="en",
        name="Scripted webinar",
        category="webinar",
        goal="Qualified pipeline: write: the script",
        anchor="event",
        anchor_label="Webinar date",
        tutorial="## Why\n\nBecause *scripts* work.",
        best_practices=["Script it: 8-10 pages", "- starts with a dash"],
        success_measures=["40 % attendance"],
        translation="fr",
        steps=[
            StepContent(
                key="topic",
                title="Choose the topic",
                owner_role="Webinar lead",
                offset_days=-42,
                duration_days=2,
                checklist=["Ask sales"],
                deliverables=["Brief"],
                advice="Ask: why?",
                tutorial="Talk to **sales**.",
            ),
            StepContent(
                key="script",
                title="Write the script",
                owner_role="Writer",
                after_key="topic",
                lag_days=1,
                duration_days=3,
                day_kind="calendar",
                effort_hours=12.5,
                optional=True,
            ),
        ],
    )


def test_a_playbook_round_trips_through_files_losslessly(tmp_path: Path):
    folder = files.write_folder(sample(), tmp_path)
    assert folder.name == "webinar.en"
    assert sorted(p.name for p in (folder / "steps").iterdir()) == ["01-topic.md", "02-script.md"]
    assert files.read_folder(folder) == sample()


def test_errors_name_the_file_and_the_problem(tmp_path: Path):
    folder = files.write_folder(sample(), tmp_path)
    (folder / "steps" / "02-script.md").write_text("---\nkey: script\ntitle: [unclosed\n---\n")
    (folder / "steps" / "03-extra.md").write_text(
        "---\nkey: extra\ntitle: Extra\nowner_role: X\nafter: {step: nowhere}\n---\n"
    )
    with pytest.raises(ContentError) as error:
        files.read_folder(folder)
    wheres = " ".join(where for where, _what in error.value.problems)
    assert "steps/02-script.md" in wheres
    text = str(error.value)
    assert "not valid YAML" in text


def test_a_missing_offset_and_a_cycle_are_refused(tmp_path: Path):
    content = sample()
    content.steps[0].offset_days = None
    content.steps[0].after_key = "script"
    folder = files.write_folder(content, tmp_path)
    with pytest.raises(ContentError, match="wait for each other"):
        files.read_folder(folder)


def test_the_built_in_library_is_complete_in_french_and_english():
    folders = files.library_folders(LIBRARY_DIR)
    contents = [files.read_folder(folder) for folder in folders]
    by_slug: dict[str, dict[str, PlaybookContent]] = {}
    for content in contents:
        by_slug.setdefault(content.slug, {})[content.language] = content
    expected = {
        "webinar",
        "email-campaign",
        "trade-show",
        "nurturing-sequence",
        "content-recycling",
        "market-entry",
        "onboarding",
    }
    assert expected <= set(by_slug)
    for slug, languages in by_slug.items():
        assert set(languages) == {"en", "fr"}, slug
        english, french = languages["en"], languages["fr"]
        assert [s.key for s in english.steps] == [s.key for s in french.steps], slug
        assert [s.offset_days for s in english.steps] == [s.offset_days for s in french.steps], slug
        assert len(english.steps) >= 8 and english.tutorial and english.best_practices
        assert all(step.tutorial and step.advice for step in english.steps + french.steps), slug


def test_diff_lists_changed_added_removed_and_moved_steps():
    before = sample()
    after = sample()
    after.name = "Scripted webinar (v2)"
    after.steps[0].advice = "Ask sales first."
    after.steps.append(
        StepContent(key="recycle", title="Recycle", owner_role="Writer", offset_days=7)
    )
    result = diff.compare(before, after)
    assert [c.field for c in result.fields] == ["name"]
    kinds = {change.key: change.kind for change in result.steps}
    assert kinds == {"topic": "changed", "recycle": "added"}
    assert result.steps[0].fields[0].field == "advice"
    removed = diff.compare(after, before)
    assert {c.key: c.kind for c in removed.steps}["recycle"] == "removed"
    assert diff.compare(before, sample()).is_empty
