"""Playbooks: create, edit (a published one gets a new version), review, files, the library."""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from propulse.audit import service as audit
from propulse.kit.errors import FieldProblem, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.playbooks import files
from propulse.playbooks.content import ContentError, PlaybookContent, StepContent, check_content
from propulse.playbooks.models import Playbook, PlaybookStatus, PlaybookVersion, Step
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

LIBRARY_DIR = Path(__file__).resolve().parent / "library"


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later (the last day of a shorter month)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_due_on(playbook: Playbook) -> date:
    """Return when a playbook must be reviewed: 6 months after its last review by default."""
    reviewed = playbook.reviewed_on or playbook.created_at.date()
    return add_months(reviewed, playbook.review_every_months)


def is_stale(playbook: Playbook, *, today: date) -> bool:
    return playbook.status != PlaybookStatus.archived and review_due_on(playbook) <= today


def content_error(error: ContentError) -> InvalidInput:
    """Turn content problems into field-level input errors."""
    return InvalidInput(
        _("This playbook needs corrections."),
        [FieldProblem(where, what) for where, what in error.problems],
    )


def content_of(playbook: Playbook) -> PlaybookContent:
    """Return a playbook's current content as plain data."""
    translation = playbook.translation
    return PlaybookContent(
        slug=playbook.slug,
        language=playbook.language,
        name=playbook.name,
        category=playbook.category,
        goal=playbook.goal,
        anchor=playbook.anchor,
        anchor_label=playbook.anchor_label,
        tutorial=playbook.tutorial,
        best_practices=list(playbook.best_practices),
        success_measures=list(playbook.success_measures),
        reviewed_on=playbook.reviewed_on,
        review_every_months=playbook.review_every_months,
        translation=translation.language if translation else None,
        version=playbook.current_version or None,
        steps=[
            StepContent(
                key=step.key,
                title=step.title,
                owner_role=step.owner_role,
                offset_days=step.offset_days,
                after_key=step.after_key,
                lag_days=step.lag_days,
                duration_days=step.duration_days,
                day_kind=step.day_kind,
                effort_hours=step.effort_hours,
                checklist=list(step.checklist),
                deliverables=list(step.deliverables),
                advice=step.advice,
                optional=step.optional,
                tutorial=step.tutorial,
            )
            for step in playbook.steps
        ],
    )


def _apply(playbook: Playbook, content: PlaybookContent) -> None:
    playbook.name = content.name.strip()
    playbook.category = content.category  # type: ignore[assignment]
    playbook.goal = content.goal
    playbook.anchor = content.anchor  # type: ignore[assignment]
    playbook.anchor_label = content.anchor_label
    playbook.tutorial = content.tutorial
    playbook.best_practices = list(content.best_practices)
    playbook.success_measures = list(content.success_measures)
    playbook.review_every_months = content.review_every_months
    if content.reviewed_on is not None:
        playbook.reviewed_on = content.reviewed_on
    # Keep the row of each step whose key stays: replacing it would insert the new row before
    # deleting the old one, and break the unique (playbook, key) constraint.
    existing = {step.key: step for step in playbook.steps}
    steps = []
    for index, step in enumerate(content.steps, start=1):
        row = existing.pop(step.key, None) or Step(key=step.key)
        row.position = index
        row.title = step.title.strip()
        row.tutorial = step.tutorial
        row.owner_role = step.owner_role.strip()
        row.offset_days = step.offset_days
        row.after_key = step.after_key
        row.lag_days = step.lag_days
        row.duration_days = step.duration_days
        row.day_kind = step.day_kind  # type: ignore[assignment]
        row.effort_hours = step.effort_hours
        row.checklist = list(step.checklist)
        row.deliverables = list(step.deliverables)
        row.advice = step.advice
        row.optional = step.optional
        steps.append(row)
    playbook.steps = steps


def get_playbook(session: Session, *, playbook_id: int) -> Playbook:
    playbook = session.scalar(
        select(Playbook)
        .where(Playbook.id == playbook_id)
        .options(selectinload(Playbook.steps), selectinload(Playbook.translation))
    )
    if playbook is None:
        raise NotFound(_("This playbook does not exist."))
    return playbook


def find_playbook(session: Session, *, slug: str, language: str) -> Playbook | None:
    return session.scalar(
        select(Playbook)
        .where(Playbook.slug == slug, Playbook.language == language)
        .options(selectinload(Playbook.steps), selectinload(Playbook.translation))
    )


def list_playbooks(
    session: Session,
    *,
    language: str | None = None,
    category: str | None = None,
    include_archived: bool = False,
) -> list[Playbook]:
    statement = (
        select(Playbook)
        .options(selectinload(Playbook.steps))
        .order_by(Playbook.name, Playbook.language)
    )
    if language:
        statement = statement.where(Playbook.language == language)
    if category:
        statement = statement.where(Playbook.category == category)
    if not include_archived:
        statement = statement.where(Playbook.status != PlaybookStatus.archived)
    return list(session.scalars(statement))


def _check(content: PlaybookContent) -> None:
    problems = check_content(content)
    if content.language not in ("en", "fr"):
        problems.append(("language", "en or fr"))
    if problems:
        raise content_error(ContentError(problems))


def _snapshot(
    session: Session, *, playbook: Playbook, actor: User | None, note: str
) -> PlaybookVersion:
    """Freeze the current content as the next version."""
    session.flush()
    number = (
        session.scalar(
            select(func.max(PlaybookVersion.number)).where(
                PlaybookVersion.playbook_id == playbook.id
            )
        )
        or 0
    ) + 1
    content = content_of(playbook)
    content.version = number
    version = PlaybookVersion(
        playbook_id=playbook.id,
        number=number,
        snapshot=content.to_snapshot(),
        note=note[:500],
        created_by_id=actor.id if actor else None,
    )
    session.add(version)
    playbook.current_version = number
    session.flush()
    return version


def create_playbook(
    session: Session,
    *,
    actor: User | None,
    content: PlaybookContent,
    publish: bool = False,
    builtin: bool = False,
) -> Playbook:
    """Create a playbook (a draft unless ``publish``); ``actor`` None only for the library."""
    if actor is not None:
        ensure_role(actor, Role.member, action=_("write playbooks"))
    _check(content)
    if find_playbook(session, slug=content.slug, language=content.language) is not None:
        raise InvalidInput.on_field(
            "slug", _("A playbook %(slug)s exists in this language.", slug=content.slug)
        )
    playbook = Playbook(
        slug=content.slug,
        language=content.language,
        owner_id=actor.id if actor else None,
        is_builtin=builtin,
        status=PlaybookStatus.draft,
        steps=[],
    )
    _apply(playbook, content)
    session.add(playbook)
    session.flush()
    _link_translation(session, playbook=playbook, language=content.translation)
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="playbook",
        object_id=playbook.id,
        summary=f"playbook {playbook.slug} ({playbook.language})",
    )
    if publish:
        playbook.status = PlaybookStatus.published
        _snapshot(session, playbook=playbook, actor=actor, note="first version")
    return playbook


def _link_translation(session: Session, *, playbook: Playbook, language: str | None) -> None:
    """Link a playbook and its translation both ways (same slug, the other language)."""
    if not language or language == playbook.language:
        return
    other = find_playbook(session, slug=playbook.slug, language=language)
    if other is not None:
        # Through the relationship, so both objects in the session show the link at once.
        playbook.translation = other
        other.translation = playbook


def update_playbook(
    session: Session,
    *,
    actor: User,
    playbook_id: int,
    content: PlaybookContent,
    note: str = "",
    version: int | None = None,
) -> Playbook:
    """Replace a playbook's content; a published one gets a new version (projects keep theirs)."""
    ensure_role(actor, Role.member, action=_("edit playbooks"))
    playbook = get_playbook(session, playbook_id=playbook_id)
    workspace.check_version(playbook, version)
    content.slug, content.language = playbook.slug, playbook.language
    _check(content)
    _apply(playbook, content)
    _link_translation(session, playbook=playbook, language=content.translation)
    audit.record(
        session,
        actor=actor,
        action="changed",
        object_type="playbook",
        object_id=playbook.id,
        summary=f"playbook {playbook.slug} ({playbook.language}) edited"
        + (f": {note}" if note else ""),
    )
    if playbook.status == PlaybookStatus.published:
        _snapshot(session, playbook=playbook, actor=actor, note=note)
    session.flush()
    return playbook


def publish(session: Session, *, actor: User, playbook_id: int) -> Playbook:
    ensure_role(actor, Role.member, action=_("publish playbooks"))
    playbook = get_playbook(session, playbook_id=playbook_id)
    if not playbook.steps:
        raise InvalidInput.on_field(
            "steps", _("A playbook needs at least one step to be published.")
        )
    if playbook.status != PlaybookStatus.published:
        playbook.status = PlaybookStatus.published
        _snapshot(session, playbook=playbook, actor=actor, note="published")
        audit.record(
            session,
            actor=actor,
            action="published",
            object_type="playbook",
            object_id=playbook.id,
            summary=f"published {playbook.slug} ({playbook.language}) v{playbook.current_version}",
        )
    return playbook


def archive(session: Session, *, actor: User, playbook_id: int) -> Playbook:
    ensure_role(actor, Role.manager, action=_("archive playbooks"))
    playbook = get_playbook(session, playbook_id=playbook_id)
    playbook.status = PlaybookStatus.archived
    audit.record(
        session,
        actor=actor,
        action="archived",
        object_type="playbook",
        object_id=playbook.id,
        summary=f"archived {playbook.slug} ({playbook.language})",
    )
    return playbook


def mark_reviewed(session: Session, *, actor: User, playbook_id: int, today: date) -> Playbook:
    """Record that a playbook was reviewed today: the next review is due months later."""
    ensure_role(actor, Role.member, action=_("review playbooks"))
    playbook = get_playbook(session, playbook_id=playbook_id)
    playbook.reviewed_on = today
    audit.record(
        session,
        actor=actor,
        action="reviewed",
        object_type="playbook",
        object_id=playbook.id,
        summary=f"reviewed {playbook.slug} ({playbook.language})",
    )
    return playbook


def list_versions(session: Session, *, playbook_id: int) -> list[PlaybookVersion]:
    statement = (
        select(PlaybookVersion)
        .where(PlaybookVersion.playbook_id == playbook_id)
        .order_by(PlaybookVersion.number.desc())
    )
    return list(session.scalars(statement))


def get_version(session: Session, *, playbook_id: int, number: int) -> PlaybookVersion:
    version = session.scalar(
        select(PlaybookVersion).where(
            PlaybookVersion.playbook_id == playbook_id, PlaybookVersion.number == number
        )
    )
    if version is None:
        raise NotFound(_("This version does not exist."))
    return version


def latest_version(session: Session, *, playbook_id: int) -> PlaybookVersion | None:
    versions = list_versions(session, playbook_id=playbook_id)
    return versions[0] if versions else None


def import_folder(
    session: Session, *, actor: User | None, folder: Path, publish: bool = True
) -> Playbook:
    """Create or update a playbook from a folder of Markdown files."""
    try:
        content = files.read_folder(folder)
    except ContentError as error:
        raise content_error(error) from error
    existing = find_playbook(session, slug=content.slug, language=content.language)
    if existing is None:
        return create_playbook(session, actor=actor, content=content, publish=publish)
    if actor is None:
        raise InvalidInput.on_field("slug", _("This playbook exists already."))
    return update_playbook(
        session,
        actor=actor,
        playbook_id=existing.id,
        content=content,
        note=f"imported from {folder.name}",
    )


def export_folder(session: Session, *, playbook_id: int, parent: Path) -> Path:
    """Write a playbook as a folder under ``parent``; importing it back is lossless."""
    return files.write_folder(content_of(get_playbook(session, playbook_id=playbook_id)), parent)


def load_library(session: Session, *, folder: Path = LIBRARY_DIR) -> list[Playbook]:
    """Load the built-in playbooks that are missing (idempotent: edits are never overwritten)."""
    created = []
    for playbook_folder in files.library_folders(folder):
        content = files.read_folder(playbook_folder)
        if find_playbook(session, slug=content.slug, language=content.language) is None:
            created.append(
                create_playbook(session, actor=None, content=content, publish=True, builtin=True)
            )
    session.flush()
    return created
