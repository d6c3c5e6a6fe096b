"""Pages of content recycling: upload a script, follow the job, edit and download the pieces."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import Depends, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.config import get_settings
from propulse.content import pipeline, rewriting, service
from propulse.content.models import PackageStatus, Piece, PieceStatus
from propulse.kit.errors import Conflict, InvalidInput
from propulse.kit.forms import errors_by_field
from propulse.kit.i18n import gettext as _
from propulse.web import current_user, flash, get_db, html_router, redirect, render
from propulse.workspace import service as workspace
from propulse.workspace.models import User

router = html_router()
KIND_ORDER = ("ebook", "article", "linkedin", "email")


def today() -> date:
    """Return today's date (one place, so tests can move the clock)."""
    return date.today()


def _home_context(session: Session, **extra: Any) -> dict[str, Any]:
    return {
        "packages": service.list_packages(session),
        "default_start": (today() + timedelta(days=7)).isoformat(),
        "default_country": workspace.get_workspace(session).country,
        "errors": {},
        "values": {},
        **extra,
    }


@router.get("/content")
def content_home(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    return render(request, "content/home.html", _home_context(session))


@router.post("/content/sources")
async def upload_source(
    request: Request,
    file: UploadFile | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    form = await request.form()
    values = {
        "language": str(form.get("language", "")),
        "start_on": str(form.get("start_on", "")),
        "country": str(form.get("country", "")),
    }
    limit = get_settings().max_upload_bytes
    data = await file.read(limit + 1) if file is not None else b""
    try:
        if file is None or not file.filename:  # the form was sent without choosing a file
            raise InvalidInput.on_field("file", _("Choose the file to recycle."))
        if len(data) > limit:
            raise service.file_too_large(limit)
        try:
            start_on = date.fromisoformat(values["start_on"]) if values["start_on"] else today()
        except ValueError as exc:
            raise InvalidInput.on_field("start_on", _("Enter a date as YYYY-MM-DD.")) from exc
        source = service.add_source(
            session,
            actor=user,
            data=data,
            filename=file.filename or "source.txt",
            language=values["language"] or None,
        )
        package = service.start_package(
            session,
            actor=user,
            source_id=source.id,
            start_on=start_on,
            country=values["country"] or workspace.get_workspace(session).country,
        )
    except InvalidInput as error:
        session.rollback()
        context = _home_context(session, errors=errors_by_field(error.problems), values=values)
        return render(request, "content/home.html", context, status_code=422)
    session.commit()
    return redirect(f"/content/packages/{package.id}")


def _package_context(session: Session, package_id: int) -> dict[str, Any]:
    package = service.get_package(session, package_id=package_id)
    groups = {kind: [p for p in package.pieces if p.kind == kind] for kind in KIND_ORDER}
    quality = package.quality or {}
    failed = [rule for rule in quality.get("rules", []) if not rule.get("passed")]
    return {
        "package": package,
        "groups": groups,
        "quality": quality,
        "failed_rules": failed,
        "calendar": service.calendar_entries(package),
    }


@router.get("/content/packages/{package_id}")
def package_page(
    request: Request,
    package_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    context = _package_context(session, package_id)
    template = "content/package.html"
    if request.headers.get("hx-request") == "true":
        template = "content/_progress.html"
        if context["package"].status == PackageStatus.ready:
            # The job finished: reload the whole page to show the pieces.
            return Response(status_code=200, headers={"HX-Refresh": "true"})
    return render(request, template, context)


@router.get("/content/packages/{package_id}/download.zip")
def download_zip(
    package_id: int, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    files = service.package_files(session, package_id=package_id)
    return Response(
        pipeline.zip_outputs(files),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="content-{package_id}.zip"'},
    )


@router.get("/content/packages/{package_id}/ebook.pdf")
def download_pdf(
    package_id: int, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    files = service.package_files(session, package_id=package_id)
    if "ebook.pdf" not in files:
        raise InvalidInput.on_field("ebook", _("The e-book is not rendered yet."))
    return Response(
        files["ebook.pdf"],
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="ebook-{package_id}.pdf"'},
    )


@router.post("/content/packages/{package_id}/retry")
def retry_package(
    request: Request,
    package_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    service.retry_package(session, actor=user, package_id=package_id)
    session.commit()
    return redirect(f"/content/packages/{package_id}")


META_FIELDS = {
    "article": ("slug", "meta_description"),
    "email": ("subject", "preheader", "cta_text", "cta_url"),
    "linkedin": ("hashtags",),
    "ebook": (),
}


@router.get("/content/pieces/{piece_id}")
def piece_page(
    request: Request,
    piece_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    piece = service.get_piece(session, piece_id=piece_id)
    context = {
        "piece": piece,
        "meta_fields": META_FIELDS[piece.kind],
        "errors": {},
        "statuses": list(PieceStatus),
        **_rewrite_context(session, piece),
    }
    return render(request, "content/piece.html", context)


@router.post("/content/pieces/{piece_id}")
async def save_piece(
    request: Request,
    piece_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    form = await request.form()
    piece = service.get_piece(session, piece_id=piece_id)
    meta: dict[str, Any] = {}
    for name in META_FIELDS[piece.kind]:
        raw = str(form.get(name, ""))
        meta[name] = (
            [tag.strip() for tag in raw.split() if tag.strip()] if name == "hashtags" else raw
        )
    status_value = str(form.get("status", piece.status))
    try:
        service.edit_piece(
            session,
            actor=user,
            piece_id=piece_id,
            title=str(form.get("title", "")),
            body=str(form.get("body", "")).replace("\r\n", "\n"),
            meta=meta,
            status=PieceStatus(status_value) if status_value in PieceStatus.__members__ else None,
            version=int(str(form.get("version")))
            if str(form.get("version", "")).isdigit()
            else None,
        )
    except InvalidInput as error:
        session.rollback()
        piece = service.get_piece(session, piece_id=piece_id)
        context = {
            "piece": piece,
            "meta_fields": META_FIELDS[piece.kind],
            "errors": errors_by_field(error.problems),
            "statuses": list(PieceStatus),
            **_rewrite_context(session, piece),
        }
        return render(request, "content/piece.html", context, status_code=422)
    session.commit()
    flash(request, _("Saved as a new revision."))
    return redirect(f"/content/pieces/{piece_id}")


@router.post("/content/pieces/{piece_id}/regenerate")
def regenerate_piece(
    request: Request,
    piece_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    service.regenerate_piece(session, actor=user, piece_id=piece_id)
    session.commit()
    flash(request, _("Made again from the source, as a new revision."))
    return redirect(f"/content/pieces/{piece_id}")


def _rewrite_context(
    session: Session, piece: Piece, refusal: str = "", problems: list[str] | None = None
) -> dict[str, Any]:
    """The rewrite button shows only when a language model is configured (never for the e-book)."""
    return {
        "can_rewrite": piece.kind != "ebook" and rewriting.llm_configured(session),
        "rewrite_refusal": refusal,
        "rewrite_problems": problems or [],
    }


@router.post("/content/pieces/{piece_id}/rewrite")
def rewrite_piece(
    request: Request,
    piece_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    """Rewrite in the brand's tone; a refusal is shown beside the button, nothing changed."""
    try:
        rewriting.rewrite_piece(session, actor=user, piece_id=piece_id)
    except (InvalidInput, Conflict, rewriting.LanguageModelFailed) as error:
        session.rollback()
        piece = service.get_piece(session, piece_id=piece_id)
        problems = [problem.message for problem in error.problems]
        refusal = _("The rewrite was refused; nothing changed:") if problems else error.message
        context = {
            "piece": piece,
            "meta_fields": META_FIELDS[piece.kind],
            "errors": {},
            "statuses": list(PieceStatus),
            **_rewrite_context(session, piece, refusal, problems),
        }
        return render(request, "content/piece.html", context, status_code=error.status_code)
    session.commit()
    flash(request, _("Rewritten in the brand's tone, as a new revision."))
    return redirect(f"/content/pieces/{piece_id}")
