"""Playbooks as a folder of Markdown files with YAML front matter (see docs/playbook-format.md)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from propulse.kit.i18n import gettext as _
from propulse.playbooks.content import ContentError, PlaybookContent, StepContent, check_content

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)(.*)\Z", re.DOTALL)
PLAYBOOK_FILE = "playbook.md"
STEPS_DIR = "steps"


def split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    """Return the YAML front matter and the Markdown body of a file."""
    match = FRONT_MATTER.match(text.replace("\r\n", "\n").lstrip("\ufeff"))
    if match is None:
        raise ContentError([(where, _("The file must start with front matter between --- lines."))])
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 2})" if mark is not None else ""
        raise ContentError(
            [(where + line, _("The front matter is not valid YAML: %(error)s", error=exc))]
        ) from exc
    if not isinstance(data, dict):
        raise ContentError([(where, _("The front matter must be a mapping of fields."))])
    return data, match.group(2).strip("\n")


def _text_list(value: Any, where: str, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(item, str | int | float) for item in value
    ):
        raise ContentError([(where, _("%(field)s must be a list of texts.", field=field))])
    return [str(item) for item in value]


def _integer(value: Any, where: str, field: str, default: int | None) -> int | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContentError([(where, _("%(field)s must be a whole number.", field=field))])
    return value


def parse_step(text: str, where: str) -> StepContent:
    data, body = split_front_matter(text, where)
    after = data.get("after")
    after_key, lag = None, 0
    if after is not None:
        if not isinstance(after, dict) or "step" not in after:
            raise ContentError([(where, _("after must be {step: KEY, lag_days: N}."))])
        after_key = str(after["step"])
        lag = _integer(after.get("lag_days"), where, "after.lag_days", 0) or 0
    effort = data.get("effort_hours")
    if effort is not None and (isinstance(effort, bool) or not isinstance(effort, int | float)):
        raise ContentError([(where, _("effort_hours must be a number."))])
    return StepContent(
        key=str(data.get("key", "")),
        title=str(data.get("title", "")),
        owner_role=str(data.get("owner_role", "")),
        offset_days=_integer(data.get("offset_days"), where, "offset_days", None),
        after_key=after_key,
        lag_days=lag,
        duration_days=_integer(data.get("duration_days"), where, "duration_days", 1) or 1,
        day_kind=str(data.get("day_kind", "working")),
        effort_hours=float(effort) if effort is not None else None,
        checklist=_text_list(data.get("checklist"), where, "checklist"),
        deliverables=_text_list(data.get("deliverables"), where, "deliverables"),
        advice=str(data.get("advice") or "").strip(),
        optional=bool(data.get("optional", False)),
        tutorial=body,
    )


def parse_playbook(text: str, steps: list[StepContent], where: str) -> PlaybookContent:
    data, body = split_front_matter(text, where)
    reviewed = data.get("reviewed_on")
    if isinstance(reviewed, str):
        try:
            reviewed = date.fromisoformat(reviewed)
        except ValueError as exc:
            raise ContentError([(where, _("reviewed_on must be a date (YYYY-MM-DD)."))]) from exc
    if reviewed is not None and not isinstance(reviewed, date):
        raise ContentError([(where, _("reviewed_on must be a date (YYYY-MM-DD)."))])
    return PlaybookContent(
        slug=str(data.get("slug", "")),
        language=str(data.get("language", "")),
        name=str(data.get("name", "")),
        category=str(data.get("category", "custom")),
        goal=str(data.get("goal") or "").strip(),
        anchor=str(data.get("anchor", "event")),
        anchor_label=str(data.get("anchor_label") or ""),
        tutorial=body,
        best_practices=_text_list(data.get("best_practices"), where, "best_practices"),
        success_measures=_text_list(data.get("success_measures"), where, "success_measures"),
        reviewed_on=reviewed,
        review_every_months=_integer(
            data.get("review_every_months"), where, "review_every_months", 6
        )
        or 6,
        translation=str(data["translation"]) if data.get("translation") else None,
        version=_integer(data.get("version"), where, "version", None),
        steps=steps,
    )


def read_folder(folder: Path) -> PlaybookContent:
    """Read a playbook folder, checking every rule; raise ContentError naming each problem."""
    playbook_file = folder / PLAYBOOK_FILE
    if not playbook_file.is_file():
        raise ContentError([(str(folder), _("No %(file)s in this folder.", file=PLAYBOOK_FILE))])
    problems: list[tuple[str, str]] = []
    steps: list[StepContent] = []
    for step_file in sorted((folder / STEPS_DIR).glob("*.md")):
        try:
            steps.append(
                parse_step(step_file.read_text(encoding="utf-8"), f"{STEPS_DIR}/{step_file.name}")
            )
        except ContentError as error:
            problems += error.problems
    try:
        content = parse_playbook(playbook_file.read_text(encoding="utf-8"), steps, PLAYBOOK_FILE)
    except ContentError as error:
        raise ContentError(error.problems + problems) from error
    problems += check_content(content)
    if content.language not in ("en", "fr"):
        problems.append((PLAYBOOK_FILE, _("The language is en or fr.")))
    if problems:
        raise ContentError(problems)
    return content


def _front_matter(data: dict[str, Any]) -> str:
    kept = {key: value for key, value in data.items() if value not in (None, [], "")}
    dumped = yaml.safe_dump(kept, allow_unicode=True, sort_keys=False, width=100)
    return f"---\n{dumped}---\n"


def render_step(step: StepContent) -> str:
    data: dict[str, Any] = {"key": step.key, "title": step.title, "owner_role": step.owner_role}
    if step.after_key is not None:
        data["after"] = {"step": step.after_key, "lag_days": step.lag_days}
    else:
        data["offset_days"] = step.offset_days
    data.update(
        duration_days=step.duration_days,
        day_kind=step.day_kind,
        effort_hours=step.effort_hours,
        optional=step.optional,
        checklist=step.checklist,
        deliverables=step.deliverables,
        advice=step.advice,
    )
    return _front_matter(data) + (step.tutorial + "\n" if step.tutorial else "")


def render_playbook(content: PlaybookContent) -> str:
    data: dict[str, Any] = {
        "slug": content.slug,
        "language": content.language,
        "name": content.name,
        "category": content.category,
        "goal": content.goal,
        "anchor": content.anchor,
        "anchor_label": content.anchor_label,
        "version": content.version,
        "reviewed_on": content.reviewed_on,
        "review_every_months": content.review_every_months,
        "translation": content.translation,
        "best_practices": content.best_practices,
        "success_measures": content.success_measures,
    }
    return _front_matter(data) + (content.tutorial + "\n" if content.tutorial else "")


def folder_name(content: PlaybookContent) -> str:
    return f"{content.slug}.{content.language}"


def write_folder(content: PlaybookContent, parent: Path) -> Path:
    """Write a playbook as a folder under ``parent`` (replacing its step files); return it."""
    folder = parent / folder_name(content)
    steps_dir = folder / STEPS_DIR
    steps_dir.mkdir(parents=True, exist_ok=True)
    for old in steps_dir.glob("*.md"):
        old.unlink()
    (folder / PLAYBOOK_FILE).write_text(render_playbook(content), encoding="utf-8")
    for index, step in enumerate(content.steps, start=1):
        (steps_dir / f"{index:02d}-{step.key}.md").write_text(render_step(step), encoding="utf-8")
    return folder


def library_folders(root: Path) -> list[Path]:
    """Return the playbook folders below ``root`` (each holds a playbook.md)."""
    return sorted(path.parent for path in root.glob(f"*/{PLAYBOOK_FILE}"))
