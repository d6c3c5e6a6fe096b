"""Pages of contact imports: upload, mapping, progress, rejects (managers and admins)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Depends, Request, UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from propulse.config import get_settings
from propulse.contacts.importing import mapping, uploads
from propulse.contacts.importing.importer import custom_definitions
from propulse.contacts.merge import UpdateRule
from propulse.contacts.models import ContactImport, ImportStatus
from propulse.kit.errors import InvalidInput, NotFound
from propulse.kit.forms import errors_by_field
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext
from propulse.web import get_db, html_router, redirect, render, require_role
from propulse.workspace.models import Role, User

router = html_router()
managers = require_role(Role.manager, lazy_gettext("import contacts"))


def _upload_context(session: Session, **extra: Any) -> dict[str, Any]:
    return {
        "imports": uploads.recent_imports(session),
        "limit_mb": get_settings().max_upload_bytes / (1024 * 1024),
        "errors": {},
        **extra,
    }


@router.get("/contacts/import")
def import_home(
    request: Request, session: Session = Depends(get_db), user: User = Depends(managers)
) -> Response:
    return render(request, "contacts/import.html", _upload_context(session))


@router.post("/contacts/import")
async def upload(
    request: Request,
    file: UploadFile | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(managers),
) -> Response:
    limit = get_settings().max_upload_bytes
    stored: Path | None = None
    try:
        if file is None or not file.filename:
            raise InvalidInput.on_field("file", _("Choose the file to import."))
        if file.size is not None and file.size > limit:
            raise uploads.file_too_large(limit)
        stored = uploads.store_upload(file.file, file.filename, limit=limit)
        record = uploads.create_import(session, actor=user, stored=stored, filename=file.filename)
    except InvalidInput as error:
        session.rollback()
        if stored is not None:
            stored.unlink(missing_ok=True)
        context = _upload_context(session, errors=errors_by_field(error.problems))
        return render(request, "contacts/import.html", context, status_code=422)
    session.commit()
    return redirect(f"/contacts/import/{record.id}")


def _mapping_context(session: Session, record: ContactImport, **extra: Any) -> dict[str, Any]:
    definitions = custom_definitions(session)
    choices = [(name, _(label)) for name, label in mapping.FIELD_LABELS.items()]
    choices += [(mapping.CUSTOM_PREFIX + d.key, d.label) for d in definitions]
    return {
        "record": record,
        "columns": uploads.preview(session, record=record),
        "choices": choices,
        "rules": [
            (UpdateRule.fill.value, _("Fill the empty fields of existing contacts")),
            (UpdateRule.overwrite.value, _("Overwrite existing contacts with the file's values")),
        ],
        "errors": {},
        **extra,
    }


@router.get("/contacts/import/{import_id}")
def import_page(
    request: Request,
    import_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(managers),
) -> Response:
    record = uploads.get_import(session, import_id=import_id)
    if record.status == ImportStatus.mapping:
        return render(request, "contacts/import_mapping.html", _mapping_context(session, record))
    return render(request, "contacts/import_progress.html", {"record": record})


@router.post("/contacts/import/{import_id}/start")
async def start(
    request: Request,
    import_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(managers),
) -> Response:
    form = await request.form()
    record = uploads.get_import(session, import_id=import_id)
    width = len(uploads.preview(session, record=record))
    targets = [str(form.get(f"column_{index}", "")) or None for index in range(width)]
    try:
        rule = UpdateRule(str(form.get("update_rule", "fill")))
    except ValueError:
        rule = UpdateRule.fill
    try:
        uploads.start_import(
            session,
            actor=user,
            import_id=import_id,
            targets=targets,
            rule=rule,
            dry_run=form.get("dry_run") == "on",
        )
    except InvalidInput as error:
        session.rollback()
        record = uploads.get_import(session, import_id=import_id)
        record.mapping = mapping.to_stored(targets)  # show the choices made, not saved
        context = _mapping_context(session, record, errors=errors_by_field(error.problems))
        response = render(request, "contacts/import_mapping.html", context, status_code=422)
        session.rollback()
        return response
    session.commit()
    return redirect(f"/contacts/import/{import_id}")


@router.get("/contacts/import/{import_id}/status")
def status(
    request: Request,
    import_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(managers),
) -> Response:
    record = uploads.get_import(session, import_id=import_id)
    return render(request, "contacts/import_status.html", {"record": record})


@router.post("/contacts/import/{import_id}/run")
def run_for_real(
    request: Request,
    import_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(managers),
) -> Response:
    record = uploads.run_for_real(session, actor=user, import_id=import_id)
    session.commit()
    return redirect(f"/contacts/import/{record.id}")


@router.post("/contacts/import/{import_id}/retry")
def retry(
    request: Request,
    import_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(managers),
) -> Response:
    uploads.retry_import(session, actor=user, import_id=import_id)
    session.commit()
    return redirect(f"/contacts/import/{import_id}")


@router.get("/contacts/import/{import_id}/rejects.csv")
def rejects(
    import_id: int, session: Session = Depends(get_db), user: User = Depends(managers)
) -> Response:
    record = uploads.get_import(session, import_id=import_id)
    path = Path(record.rejects_path) if record.rejects_path else None
    if path is None or not path.is_file():
        raise NotFound(_("This import rejected no row."))
    name = Path(record.filename).stem + ".rejects.csv"
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=name)
