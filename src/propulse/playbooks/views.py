"""Pages of playbooks: the library, a playbook with its steps, editing, versions and diffs."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Depends, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.kit.errors import InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.playbooks import diff, feedback, labels, service, zip_io
from propulse.playbooks.content import CATEGORIES, PlaybookContent
from propulse.playbooks.editor_views import router as editor_router
from propulse.playbooks.models import Playbook
from propulse.web import current_user, flash, get_db, html_router, redirect, render, require_role
from propulse.workspace.models import Role, User

router = html_router()
# The editor's routes first: /playbooks/new must not be read as /playbooks/{playbook_id}.
router.include_router(editor_router)

writer = require_role(Role.member, "write playbooks")
LABELS = {
    "category_label": labels.category_label,
    "anchor_label": labels.anchor_label,
    "status_label": labels.status_label,
    "language_labels": labels.LANGUAGE_LABELS,
    "timing": labels.timing,
    "duration": labels.duration,
    "field_label": labels.field_label,
    "change_label": labels.change_label,
}


def today() -> date:
    """Return today's date (one place, so tests can move the clock)."""
    return date.today()


def library_context(
    session: Session,
    *,
    language: str | None,
    category: str | None,
    archived: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """Gather the library: each playbook with its review date, staleness and use."""
    playbooks = service.list_playbooks(
        session, language=language or None, category=category or None, include_archived=archived
    )
    names = {p.id: p.name for p in service.list_playbooks(session, include_archived=True)}
    cards = [
        {
            "playbook": playbook,
            "review_due": service.review_due_on(playbook),
            "stale": service.is_stale(playbook, today=today()),
            "times_used": feedback.playbook_stats(session, playbook_id=playbook.id).times_used,
            "translation_name": names.get(playbook.translation_id or 0),
        }
        for playbook in playbooks
    ]
    return {
        "cards": cards,
        "language": language or "",
        "category": category or "",
        "archived": archived,
        "categories": [(value, labels.category_label(value)) for value in CATEGORIES],
        "import_error": None,
        "import_problems": [],
        **LABELS,
        **extra,
    }


@router.get("/playbooks")
def library(
    request: Request,
    lang: str | None = None,
    category: str | None = None,
    archived: bool = False,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    context = library_context(session, language=lang, category=category, archived=archived)
    return render(request, "playbooks/library.html", context)


def playbook_context(session: Session, playbook: Playbook, **extra: Any) -> dict[str, Any]:
    """Gather a playbook's page: its content as a tutorial, versions, feedback, figures."""
    content = service.content_of(playbook)
    stats = feedback.playbook_stats(session, playbook_id=playbook.id)
    return {
        "playbook": playbook,
        "content": content,
        "titles": {step.key: step.title for step in content.steps},
        "translation": playbook.translation,
        "review_due": service.review_due_on(playbook),
        "stale": service.is_stale(playbook, today=today()),
        "stats": stats,
        "versions": service.list_versions(session, playbook_id=playbook.id),
        "suggestions": feedback.list_suggestions(session, playbook_id=playbook.id),
        **draft_context(playbook, content),
        **LABELS,
        **extra,
    }


def draft_context(playbook: Playbook, content: PlaybookContent) -> dict[str, Any]:
    """Return the draft of the next version and what it changes."""
    draft = PlaybookContent.from_snapshot(playbook.draft) if playbook.draft else None
    return {
        "playbook": playbook,
        "draft": draft,
        "draft_diff": diff.compare(content, draft) if draft else None,
    }


@router.get("/playbooks/{playbook_id}")
def playbook_page(
    request: Request,
    playbook_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    playbook = service.get_playbook(session, playbook_id=playbook_id)
    return render(request, "playbooks/playbook.html", playbook_context(session, playbook))


@router.post("/playbooks/{playbook_id}/publish")
def publish(
    request: Request,
    playbook_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    playbook = service.publish(session, actor=user, playbook_id=playbook_id)
    session.commit()
    flash(request, _("Published as version %(n)s.", n=playbook.current_version))
    return redirect(f"/playbooks/{playbook_id}")


@router.post("/playbooks/{playbook_id}/review")
def mark_reviewed(
    request: Request,
    playbook_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    playbook = service.mark_reviewed(session, actor=user, playbook_id=playbook_id, today=today())
    session.commit()
    due = service.review_due_on(playbook)
    flash(request, _("Marked as reviewed; the next review is due on %(date)s.", date=due))
    return redirect(f"/playbooks/{playbook_id}")


@router.post("/playbooks/{playbook_id}/archive")
def archive(
    request: Request,
    playbook_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    playbook = service.archive(session, actor=user, playbook_id=playbook_id)
    session.commit()
    flash(request, _("%(name)s is archived.", name=playbook.name))
    return redirect("/playbooks")


@router.post("/playbooks/{playbook_id}/draft/publish")
def publish_draft(
    request: Request,
    playbook_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(writer),
) -> Response:
    feedback.publish_draft(session, actor=user, playbook_id=playbook_id)
    session.commit()
    playbook = service.get_playbook(session, playbook_id=playbook_id)
    flash(request, _("The draft is now version %(n)s.", n=playbook.current_version))
    return redirect(f"/playbooks/{playbook_id}")


@router.post("/playbooks/suggestions/{suggestion_id}")
async def decide_suggestion(
    request: Request,
    suggestion_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    """Accept a suggestion into the draft or reject it; HTMX swaps the item and the draft."""
    form = await request.form()
    accept = form.get("decision") == "accept"
    suggestion = feedback.decide_suggestion(
        session, actor=user, suggestion_id=suggestion_id, accept=accept
    )
    session.commit()
    message = _("Added to the draft.") if accept else _("Rejected.")
    if request.headers.get("hx-request") != "true":
        flash(request, message)
        return redirect(f"/playbooks/{suggestion.playbook_id}#suggestions")
    playbook = service.get_playbook(session, playbook_id=suggestion.playbook_id)
    context = {
        "suggestion": suggestion,
        "message": message,
        "titles": {step.key: step.title for step in playbook.steps},
        **draft_context(playbook, service.content_of(playbook)),
        **LABELS,
    }
    return render(request, "playbooks/_suggestion_swap.html", context)


@router.get("/playbooks/{playbook_id}/export.zip")
def export_zip(
    playbook_id: int, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    """Download the playbook as a .zip of its folder (Markdown with YAML front matter)."""
    with tempfile.TemporaryDirectory() as temporary:
        folder = service.export_folder(session, playbook_id=playbook_id, parent=Path(temporary))
        data = zip_io.zip_folder(folder)
    return Response(
        content=data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{folder.name}.zip"'},
    )


@router.post("/playbooks/import")
async def import_zip(
    request: Request,
    file: UploadFile,
    session: Session = Depends(get_db),
    user: User = Depends(writer),
) -> Response:
    """Import a .zip of a playbook folder: a new playbook, or the next version of its own."""
    data = await file.read(zip_io.MAX_ZIP_BYTES + 1)
    try:
        with tempfile.TemporaryDirectory() as temporary:
            folder = zip_io.unpack_playbook(data, Path(temporary))
            playbook = service.import_folder(session, actor=user, folder=folder)
    except InvalidInput as error:
        session.rollback()
        context = library_context(
            session,
            language=None,
            category=None,
            import_error=_("%(file)s: %(reason)s", file=file.filename, reason=error.message),
            import_problems=error.problems,
        )
        return render(request, "playbooks/library.html", context, status_code=422)
    session.commit()
    flash(
        request,
        _("%(name)s is imported (version %(n)s).", name=playbook.name, n=playbook.current_version),
    )
    return redirect(f"/playbooks/{playbook.id}")


@router.get("/playbooks/{playbook_id}/versions")
def versions_page(
    request: Request,
    playbook_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    playbook = service.get_playbook(session, playbook_id=playbook_id)
    versions = service.list_versions(session, playbook_id=playbook_id)
    context = {"playbook": playbook, "versions": versions, **LABELS}
    return render(request, "playbooks/versions.html", context)


TEXT_FIELDS = frozenset(
    {
        "tutorial",
        "goal",
        "best_practices",
        "success_measures",
        "checklist",
        "deliverables",
        "advice",
    }
)


@router.get("/playbooks/{playbook_id}/diff")
def diff_page(
    request: Request,
    playbook_id: int,
    before: int | None = Query(None, alias="from"),
    after: int | None = Query(None, alias="to"),
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    """Show what changed between two versions: fields, then steps added, removed, changed."""
    playbook = service.get_playbook(session, playbook_id=playbook_id)
    after = after or playbook.current_version
    before = before if before is not None else after - 1
    if after < 1 or before < 1:
        raise NotFound(_("This playbook has no earlier version to compare with."))
    old = service.get_version(session, playbook_id=playbook_id, number=before)
    new = service.get_version(session, playbook_id=playbook_id, number=after)
    changes = diff.compare(
        PlaybookContent.from_snapshot(old.snapshot), PlaybookContent.from_snapshot(new.snapshot)
    )
    context = {
        "playbook": playbook,
        "old": old,
        "new": new,
        "changes": changes,
        "text_fields": TEXT_FIELDS,
        "versions": service.list_versions(session, playbook_id=playbook_id),
        **LABELS,
    }
    return render(request, "playbooks/diff.html", context)
