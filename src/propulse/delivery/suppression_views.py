"""The suppressions page (admins and managers): search, add, remove, import and export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from propulse.config import get_settings
from propulse.contacts.models import SuppressionReason
from propulse.db import unit_of_work, utcnow
from propulse.delivery import suppressions
from propulse.delivery.suppression_csv import EXPORT_COLUMNS, decode, read_entries, read_lines
from propulse.kit.errors import InvalidInput
from propulse.kit.forms import errors_by_field
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext
from propulse.web import flash, get_db, html_router, redirect, render, require_role
from propulse.workspace.models import Role, User

router = html_router()
managers = require_role(Role.manager, lazy_gettext("manage suppressions"))

PAGE_SIZE = 50
REJECTS_SHOWN = 200
STREAM_CHUNK = 64 * 1024


def reason_labels() -> dict[str, str]:
    return {
        SuppressionReason.manual.value: _("added by hand"),
        SuppressionReason.unsubscribed.value: _("unsubscribed"),
        SuppressionReason.bounced.value: _("bounced"),
        SuppressionReason.complained.value: _("complained (spam report)"),
        SuppressionReason.erased.value: _("erased contact"),
    }


def _list_page(
    request: Request,
    session: Session,
    user: User,
    *,
    email: str = "",
    reason: str = "",
    cursor: str | None = None,
    errors: dict[str, str] | None = None,
    added_text: str = "",
    result: suppressions.BatchResult | None = None,
    status_code: int = 200,
) -> Response:
    errors = dict(errors or {})
    try:
        rows, next_cursor = suppressions.list_suppressions(
            session, actor=user, email=email, reason=reason or None, cursor=cursor, limit=PAGE_SIZE
        )
    except InvalidInput as error:
        errors.update(errors_by_field(error.problems))
        rows, next_cursor = [], None
        status_code = 422
    query = urlencode(
        [(name, value) for name, value in (("email", email), ("reason", reason)) if value]
    )
    context: dict[str, Any] = {
        "rows": rows,
        "next_cursor": next_cursor,
        "pager_base": f"?{query}&" if query else "?",
        "email": email,
        "reason": reason,
        "labels": reason_labels(),
        "removable": {reason.value for reason in suppressions.REMOVABLE},
        "errors": errors,
        "added_text": added_text,
        "result": result,
        "rejects": (result.rejected[:REJECTS_SHOWN] if result else []),
        "limit_mb": get_settings().max_upload_bytes / (1024 * 1024),
    }
    return render(request, "delivery/suppressions.html", context, status_code=status_code)


@router.get("/suppressions")
def suppressions_page(
    request: Request,
    email: str = "",
    reason: str = "",
    cursor: str | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(managers),
) -> Response:
    return _list_page(request, session, user, email=email, reason=reason, cursor=cursor)


def _summary(result: suppressions.BatchResult) -> str:
    return _(
        "%(added)s suppressed, %(already)s already suppressed, %(rejected)s refused.",
        added=result.added,
        already=result.already,
        rejected=len(result.rejected),
    )


@router.post("/suppressions/add")
async def add_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(managers)
) -> Response:
    form = await request.form()
    text = str(form.get("emails", ""))
    entries = list(read_lines(text))
    if not entries:
        errors = {"emails": _("Enter at least one address, one per line.")}
        return _list_page(request, session, user, errors=errors, status_code=422)
    result = suppressions.add_suppressions(session, actor=user, entries=entries, source="page")
    session.commit()
    if result.rejected:  # show the refused lines beside the text, to fix and send again
        return _list_page(request, session, user, added_text=text, result=result, status_code=422)
    flash(request, _summary(result))
    return redirect("/suppressions")


@router.post("/suppressions/import")
async def import_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(managers)
) -> Response:
    form = await request.form()
    upload = form.get("file")
    limit = get_settings().max_upload_bytes
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput.on_field("file", _("Choose the CSV file to import."))
        content = await upload.read(limit + 1)
        if len(content) > limit:
            raise InvalidInput.on_field(
                "file",
                _("This file is larger than %(mb)s MB.", mb=round(limit / (1024 * 1024))),
            )
        entries = read_entries(decode(content))
        result = suppressions.add_suppressions(
            session, actor=user, entries=entries, source="CSV import"
        )
    except InvalidInput as error:
        session.rollback()
        return _list_page(
            request, session, user, errors=errors_by_field(error.problems), status_code=422
        )
    session.commit()
    return _list_page(request, session, user, result=result)


@router.get("/suppressions/export.csv")
def export_page(user: User = Depends(managers)) -> Response:
    """Stream the whole list as CSV (read in a session of its own, as the response goes)."""
    suppressions.ensure_manager(user)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        with unit_of_work() as session:
            for row in suppressions.export_rows(session, actor=user):
                writer.writerow(row)
                if buffer.tell() > STREAM_CHUNK:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    name = f"suppressions-{utcnow():%Y%m%d}.csv"
    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/suppressions/{suppression_id:int}/remove")
def remove_confirm_page(
    request: Request,
    suppression_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(managers),
) -> Response:
    suppressions.ensure_manager(user)
    row = suppressions.get_suppression(session, suppression_id=suppression_id)
    context = {
        "row": row,
        "labels": reason_labels(),
        "removable": row.reason in suppressions.REMOVABLE,
    }
    return render(request, "delivery/suppression_remove.html", context)


@router.post("/suppressions/{suppression_id:int}/remove")
def remove_page(
    request: Request,
    suppression_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(managers),
) -> Response:
    row = suppressions.remove_suppression(session, actor=user, suppression_id=suppression_id)
    session.commit()
    flash(
        request,
        _(
            "%(address)s may receive e-mail again (with a consent).",
            address=row.email or row.email_hash[:12],
        ),
    )
    return redirect("/suppressions")
