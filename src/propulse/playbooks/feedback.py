"""Closing a project: what to change in its playbook becomes a draft of the next version.

And what the projects teach about each playbook: times used, on-time rate, delay per step.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.kit.errors import Conflict, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.playbooks import projects, service
from propulse.playbooks.content import PlaybookContent
from propulse.playbooks.models import (
    PlaybookSuggestion,
    Project,
    ProjectStatus,
    SuggestionStatus,
    Task,
    TaskStatus,
)
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role


@dataclass(frozen=True)
class SuggestionInput:
    text: str
    step_key: str | None = None


def close_project(
    session: Session,
    *,
    actor: User,
    project_id: int,
    suggestions: list[SuggestionInput],
    cancelled: bool = False,
) -> Project:
    """Close a project and record what to change in its playbook."""
    ensure_role(actor, Role.member, action=_("close projects"))
    project = projects.get_project(session, project_id=project_id)
    # A project whose last task got done is "done" by itself: its feedback is still welcome.
    finished_by_itself = project.status == ProjectStatus.done and not cancelled
    if project.status != ProjectStatus.active and not finished_by_itself:
        raise Conflict(_("This project is closed already."))
    keys = {task.step_key for task in project.tasks}
    for suggestion in suggestions:
        if suggestion.step_key is not None and suggestion.step_key not in keys:
            raise InvalidInput.on_field("step_key", _("This step is not part of the project."))
    project.status = ProjectStatus.cancelled if cancelled else ProjectStatus.done
    for task in project.tasks:
        if task.status in projects.OPEN_STATUSES:
            task.status = TaskStatus.skipped
    if project.playbook_id is not None:
        for suggestion in suggestions:
            if suggestion.text.strip():
                session.add(
                    PlaybookSuggestion(
                        playbook_id=project.playbook_id,
                        project_id=project.id,
                        step_key=suggestion.step_key,
                        text=suggestion.text.strip()[:5000],
                        author_id=actor.id,
                    )
                )
    audit.record(
        session,
        actor=actor,
        action="closed",
        object_type="project",
        object_id=project.id,
        summary=f"closed {project.name!r} with {len(suggestions)} suggestion(s)",
    )
    session.flush()
    return project


def list_suggestions(
    session: Session,
    *,
    playbook_id: int,
    status: SuggestionStatus | None = SuggestionStatus.proposed,
) -> list[PlaybookSuggestion]:
    statement = (
        select(PlaybookSuggestion)
        .where(PlaybookSuggestion.playbook_id == playbook_id)
        .order_by(PlaybookSuggestion.id)
    )
    if status is not None:
        statement = statement.where(PlaybookSuggestion.status == status)
    return list(session.scalars(statement))


def draft_of(session: Session, *, playbook_id: int) -> PlaybookContent:
    """Return the draft of the next version, starting from the current content."""
    playbook = service.get_playbook(session, playbook_id=playbook_id)
    if playbook.draft:
        return PlaybookContent.from_snapshot(playbook.draft)
    return service.content_of(playbook)


def decide_suggestion(
    session: Session, *, actor: User, suggestion_id: int, accept: bool
) -> PlaybookSuggestion:
    """Accept a suggestion into the next version's draft (as its step's advice), or reject it."""
    ensure_role(actor, Role.member, action=_("edit playbooks"))
    suggestion = session.get(PlaybookSuggestion, suggestion_id)
    if suggestion is None:
        raise NotFound(_("This suggestion does not exist."))
    if suggestion.status != SuggestionStatus.proposed:
        raise Conflict(_("This suggestion was decided already."))
    suggestion.status = SuggestionStatus.accepted if accept else SuggestionStatus.rejected
    suggestion.decided_by_id = actor.id
    if accept:
        draft = draft_of(session, playbook_id=suggestion.playbook_id)
        step = next((s for s in draft.steps if s.key == suggestion.step_key), None)
        if step is not None:
            step.advice = (step.advice + "\n\n" if step.advice else "") + suggestion.text
        else:
            draft.best_practices.append(suggestion.text)
        playbook = service.get_playbook(session, playbook_id=suggestion.playbook_id)
        playbook.draft = draft.to_snapshot()
    session.flush()
    return suggestion


def save_draft(
    session: Session, *, actor: User, playbook_id: int, content: PlaybookContent
) -> None:
    ensure_role(actor, Role.member, action=_("edit playbooks"))
    playbook = service.get_playbook(session, playbook_id=playbook_id)
    content.slug, content.language = playbook.slug, playbook.language
    playbook.draft = content.to_snapshot()
    session.flush()


def publish_draft(session: Session, *, actor: User, playbook_id: int, note: str = "") -> None:
    """Make the draft the playbook's next version."""
    playbook = service.get_playbook(session, playbook_id=playbook_id)
    if not playbook.draft:
        raise Conflict(_("There is no draft to publish."))
    content = PlaybookContent.from_snapshot(playbook.draft)
    service.update_playbook(
        session,
        actor=actor,
        playbook_id=playbook_id,
        content=content,
        note=note or "draft published",
    )
    playbook.draft = None
    session.flush()


@dataclass(frozen=True)
class StepStats:
    key: str
    done: int
    average_delay_days: float


@dataclass(frozen=True)
class PlaybookStats:
    times_used: int
    tasks_done: int
    on_time_rate: float | None
    steps: list[StepStats]


def playbook_stats(session: Session, *, playbook_id: int) -> PlaybookStats:
    """Return how often a playbook was used and how its steps kept their dates."""
    times_used = (
        session.scalar(
            select(func.count()).select_from(Project).where(Project.playbook_id == playbook_id)
        )
        or 0
    )
    done = list(
        session.scalars(
            select(Task)
            .join(Project, Task.project_id == Project.id)
            .where(Project.playbook_id == playbook_id, Task.status == TaskStatus.done)
            .where(Task.completed_at.is_not(None))
        )
    )
    delays: dict[str, list[int]] = defaultdict(list)
    on_time = 0
    for task in done:
        assert task.completed_at is not None
        delay = (task.completed_at.date() - task.due_on).days
        delays[task.step_key].append(max(0, delay))
        on_time += delay <= 0
    steps = [
        StepStats(key, len(values), round(sum(values) / len(values), 1))
        for key, values in sorted(delays.items())
    ]
    return PlaybookStats(
        times_used=times_used,
        tasks_done=len(done),
        on_time_rate=on_time / len(done) if done else None,
        steps=steps,
    )
