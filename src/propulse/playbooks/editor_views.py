"""The playbook editor: the playbook's fields and its steps (add, remove, reorder, edit).

The form is server-rendered and works without JavaScript: the step buttons submit the whole
form with an ``action`` (``add``, ``remove:2``, ``up:2``, ``down:2``) and the page comes back
with the change and everything typed; with HTMX only the steps are swapped. ``save`` saves.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.kit.errors import Conflict, FieldProblem, InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.playbooks import labels, service
from propulse.playbooks.content import PlaybookContent, StepContent, check_content
from propulse.playbooks.models import Playbook, PlaybookStatus
from propulse.web import flash, get_db, html_router, redirect, render, require_role
from propulse.workspace.models import Role, User

router = html_router()

writer = require_role(Role.member, "write playbooks")
STEP_FIELD = re.compile(r"^steps-(\d+)-([a-z_]+)$")
# "step 3 (key)" in English, "étape 3 (key)" in French: the number is what matters.
STEP_PROBLEM = re.compile(r"^\w+ (\d+) \(")
MAX_STEPS = 100
TOP_FIELDS = (
    "slug",
    "language",
    "name",
    "category",
    "goal",
    "anchor",
    "anchor_label",
    "tutorial",
    "best_practices",
    "success_measures",
    "review_every_months",
    "translation",
    "version",
    "note",
)
STEP_FIELDS = (
    "key",
    "title",
    "owner_role",
    "after",
    "offset_days",
    "lag_days",
    "duration_days",
    "day_kind",
    "effort_hours",
    "checklist",
    "deliverables",
    "advice",
    "tutorial",
    "optional",
)


def slugify(text: str) -> str:
    """Return a key made of lowercase letters, digits and dashes, from any title."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def values_of(content: PlaybookContent, *, version: int | str = "") -> dict[str, Any]:
    """Return a playbook's content as the editor's form values (texts, one item a line)."""
    return {
        "slug": content.slug,
        "language": content.language,
        "name": content.name,
        "category": content.category,
        "goal": content.goal,
        "anchor": content.anchor,
        "anchor_label": content.anchor_label,
        "tutorial": content.tutorial,
        "best_practices": "\n".join(content.best_practices),
        "success_measures": "\n".join(content.success_measures),
        "review_every_months": str(content.review_every_months),
        "translation": content.translation or "",
        "version": str(version),
        "note": "",
        "steps": [
            {
                "key": step.key,
                "title": step.title,
                "owner_role": step.owner_role,
                "after": step.after_key or "",
                "offset_days": "" if step.offset_days is None else str(step.offset_days),
                "lag_days": str(step.lag_days),
                "duration_days": str(step.duration_days),
                "day_kind": step.day_kind,
                "effort_hours": "" if step.effort_hours is None else f"{step.effort_hours:g}",
                "checklist": "\n".join(step.checklist),
                "deliverables": "\n".join(step.deliverables),
                "advice": step.advice,
                "tutorial": step.tutorial,
                "optional": step.optional,
            }
            for step in content.steps
        ],
    }


def blank_step(after: str = "") -> dict[str, Any]:
    """Return a new step: it follows the last one, for a day of work."""
    return {
        **dict.fromkeys(STEP_FIELDS, ""),
        "after": after,
        "offset_days": "" if after else "0",
        "lag_days": "0",
        "duration_days": "1",
        "day_kind": "working",
        "optional": False,
    }


def _text(value: Any) -> str:
    """Return a form value with Unix line ends (browsers send text areas with CRLF)."""
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n")


def read_form(form: Any) -> dict[str, Any]:
    """Return the typed values; steps keep their order, blank keys come from their titles."""
    values: dict[str, Any] = {name: _text(form.get(name)) for name in TOP_FIELDS}
    steps: dict[int, dict[str, Any]] = {}
    for name in form:
        match = STEP_FIELD.match(name)
        if match and match.group(2) in STEP_FIELDS and int(match.group(1)) < MAX_STEPS:
            steps.setdefault(int(match.group(1)), {})[match.group(2)] = _text(form.get(name))
    values["steps"] = []
    for index in sorted(steps):
        step = {**blank_step(), **steps[index]}
        step["optional"] = bool(steps[index].get("optional"))
        values["steps"].append(step)
    keys = {step["key"].strip() for step in values["steps"]}
    for step in values["steps"]:
        step["key"] = step["key"].strip()
        if not step["key"] and step["title"].strip():
            key = base = slugify(step["title"]) or "step"
            number = 2
            while key in keys:
                key, number = f"{base}-{number}", number + 1
            step["key"] = key
            keys.add(key)
    if not values["slug"].strip() and values["name"].strip():
        values["slug"] = slugify(values["name"])
    return values


def apply_action(values: dict[str, Any], action: str) -> None:
    """Add, remove or move a step of the form (nothing is saved)."""
    steps: list[dict[str, Any]] = values["steps"]
    verb, _sep, number = action.partition(":")
    if verb == "add" and len(steps) < MAX_STEPS:
        steps.append(blank_step(after=steps[-1]["key"] if steps else ""))
        return
    if not number.isdigit() or int(number) >= len(steps):
        return
    index = int(number)
    if verb == "remove":
        steps.pop(index)
    elif verb == "up" and index > 0:
        steps[index - 1], steps[index] = steps[index], steps[index - 1]
    elif verb == "down" and index < len(steps) - 1:
        steps[index + 1], steps[index] = steps[index], steps[index + 1]


def _number(
    text: str, where: str, label: str, problems: list[tuple[str, str]], *, default: int | None
) -> int | None:
    text = text.strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        problems.append((where, _("%(field)s: enter a whole number.", field=label)))
        return default


def content_from(values: dict[str, Any]) -> tuple[PlaybookContent, list[tuple[str, str]]]:
    """Build the content from the form; return it with the numbers that could not be read."""
    problems: list[tuple[str, str]] = []
    steps = []
    for index, raw in enumerate(values["steps"], start=1):
        where = _("step %(n)s (%(key)s)", n=index, key=raw["key"])
        after = raw["after"].strip() or None
        offset = _number(raw["offset_days"], where, _("Offset"), problems, default=None)
        effort: float | None = None
        if raw["effort_hours"].strip():
            try:
                effort = float(raw["effort_hours"].replace(",", "."))
            except ValueError:
                problems.append((where, _("%(field)s: enter a number.", field=_("Effort"))))
        steps.append(
            StepContent(
                key=raw["key"],
                title=raw["title"],
                owner_role=raw["owner_role"],
                offset_days=None if after else offset,
                after_key=after,
                lag_days=_number(raw["lag_days"], where, _("Lag"), problems, default=0) or 0,
                duration_days=_number(
                    raw["duration_days"], where, _("Duration"), problems, default=1
                )
                or 1,
                day_kind=raw["day_kind"] or "working",
                effort_hours=effort,
                checklist=_lines(raw["checklist"]),
                deliverables=_lines(raw["deliverables"]),
                advice=raw["advice"].strip(),
                optional=bool(raw["optional"]),
                tutorial=raw["tutorial"].strip("\n"),
            )
        )
    months = _number(
        values["review_every_months"], "review_every_months", _("Review"), problems, default=6
    )
    if months is not None and not 1 <= months <= 24:
        problems.append(("review_every_months", _("Review every 1 to 24 months.")))
    content = PlaybookContent(
        slug=values["slug"].strip(),
        language=values["language"],
        name=values["name"],
        category=values["category"],
        goal=values["goal"].strip(),
        anchor=values["anchor"],
        anchor_label=values["anchor_label"].strip(),
        tutorial=values["tutorial"].strip("\n"),
        best_practices=_lines(values["best_practices"]),
        success_measures=_lines(values["success_measures"]),
        review_every_months=months if months and 1 <= months <= 24 else 6,
        translation=values["translation"] or None,
        steps=steps,
    )
    return content, problems


def split_errors(problems: list[FieldProblem]) -> tuple[dict[str, str], dict[int, list[str]]]:
    """Sort problems into the playbook's fields and each step's list (by position, from 0)."""
    fields: dict[str, str] = {}
    steps: dict[int, list[str]] = {}
    for problem in problems:
        match = STEP_PROBLEM.match(problem.field)
        if match:
            steps.setdefault(int(match.group(1)) - 1, []).append(problem.message)
        else:
            fields.setdefault(problem.field or "steps", problem.message)
    return fields, steps


def editor_context(
    values: dict[str, Any],
    *,
    playbook: Playbook | None,
    problems: list[FieldProblem] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    errors, step_errors = split_errors(problems or [])
    published = playbook is not None and playbook.status == PlaybookStatus.published
    return {
        "playbook": playbook,
        "values": values,
        "errors": errors,
        "step_errors": step_errors,
        "problems": problems or [],
        "next_version": playbook.current_version + 1 if playbook and published else None,
        "categories": labels.category_choices(),
        "anchors": labels.anchor_choices(),
        "day_kinds": labels.day_kind_choices(),
        "languages": list(labels.LANGUAGE_LABELS.items()),
        "language_labels": labels.LANGUAGE_LABELS,
        "field_label": labels.field_label,
        "action": f"/playbooks/{playbook.id}/edit" if playbook else "/playbooks/new",
        **extra,
    }


@router.get("/playbooks/new")
def new_page(
    request: Request,
    translate: int | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(writer),
) -> Response:
    """Open an empty editor, or a copy of a playbook to translate into the other language."""
    if translate is not None:
        source = service.get_playbook(session, playbook_id=translate)
        values = values_of(service.content_of(source))
        values["language"] = "fr" if source.language == "en" else "en"
        values["translation"] = source.language
    else:
        values = values_of(
            PlaybookContent(slug="", language=user.ui_language or "en", name=""), version=""
        )
        values["steps"] = [blank_step()]
    return render(request, "playbooks/editor.html", editor_context(values, playbook=None))


@router.post("/playbooks/new")
async def create(
    request: Request, session: Session = Depends(get_db), user: User = Depends(writer)
) -> Response:
    form = await request.form()
    values = read_form(form)
    action = str(form.get("action") or "save")
    if action != "save":
        apply_action(values, action)
        return render(request, "playbooks/editor.html", editor_context(values, playbook=None))
    content, problems = content_from(values)
    try:
        _refuse(content, problems)
        playbook = service.create_playbook(session, actor=user, content=content)
    except InvalidInput as error:
        session.rollback()
        context = editor_context(values, playbook=None, problems=error.problems)
        return render(request, "playbooks/editor.html", context, status_code=422)
    session.commit()
    flash(request, _("The playbook %(name)s is created as a draft.", name=playbook.name))
    return redirect(f"/playbooks/{playbook.id}")


def _refuse(content: PlaybookContent, problems: list[tuple[str, str]]) -> None:
    """Refuse unreadable numbers together with every other problem of the content."""
    if not problems:
        return
    everything = problems + [p for p in check_content(content) if p not in problems]
    raise InvalidInput(
        _("This playbook needs corrections."), [FieldProblem(w, m) for w, m in everything]
    )


@router.get("/playbooks/{playbook_id}/edit")
def edit_page(
    request: Request,
    playbook_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(writer),
) -> Response:
    playbook = service.get_playbook(session, playbook_id=playbook_id)
    values = values_of(service.content_of(playbook), version=playbook.version)
    return render(request, "playbooks/editor.html", editor_context(values, playbook=playbook))


@router.post("/playbooks/{playbook_id}/edit")
async def save(
    request: Request,
    playbook_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(writer),
) -> Response:
    playbook = service.get_playbook(session, playbook_id=playbook_id)
    form = await request.form()
    values = read_form(form)
    values["slug"], values["language"] = playbook.slug, playbook.language
    action = str(form.get("action") or "save")
    if action != "save":
        apply_action(values, action)
        return render(request, "playbooks/editor.html", editor_context(values, playbook=playbook))
    content, problems = content_from(values)
    version = int(values["version"]) if values["version"].isdigit() else None
    try:
        _refuse(content, problems)
        service.update_playbook(
            session,
            actor=user,
            playbook_id=playbook_id,
            content=content,
            note=values["note"].strip(),
            version=version,
        )
    except InvalidInput as error:
        session.rollback()
        context = editor_context(values, playbook=playbook, problems=error.problems)
        return render(request, "playbooks/editor.html", context, status_code=422)
    except Conflict as error:
        # Keep what was typed; saving again now replaces the other person's changes.
        session.rollback()
        playbook = service.get_playbook(session, playbook_id=playbook_id)
        values["version"] = str(playbook.version)
        context = editor_context(values, playbook=playbook, conflict=error.message)
        return render(request, "playbooks/editor.html", context, status_code=409)
    session.commit()
    if playbook.status == PlaybookStatus.published:
        message = _("Saved as version %(n)s.", n=playbook.current_version)
    else:
        message = _("The playbook is saved.")
    flash(request, message)
    return redirect(f"/playbooks/{playbook_id}")
