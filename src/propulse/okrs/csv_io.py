"""CSV export and import of a period's OKRs: one row per key result, validated before writing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy.orm import Session

from propulse.kit.errors import FieldProblem, InvalidInput
from propulse.kit.forms import problems_from
from propulse.kit.i18n import gettext as _
from propulse.kit.spreadsheets import neutralise, restore
from propulse.okrs import service
from propulse.okrs.models import ObjectiveStatus
from propulse.okrs.schemas import KeyResultCreate, ObjectiveCreate
from propulse.workspace import service as workspace
from propulse.workspace.models import User

COLUMNS = (
    "objective",
    "objective_description",
    "key_result",
    "unit",
    "direction",
    "commitment",
    "start",
    "target",
    "current",
    "weight",
    "owner_email",
)
REQUIRED_COLUMNS = ("objective", "key_result", "start", "target")
MAX_IMPORT_BYTES = 1024 * 1024


def export_period(session: Session, *, period_id: int) -> str:
    """Return the period's active objectives and key results as CSV text."""
    service.get_period(session, period_id=period_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for objective in service.active_objectives(session, period_id=period_id):
        key_results = [kr for kr in objective.key_results if not kr.is_archived]
        if not key_results:
            writer.writerow(
                [neutralise(objective.title), neutralise(objective.description)] + [""] * 9
            )
        for kr in key_results:
            writer.writerow(
                [
                    neutralise(objective.title),
                    neutralise(objective.description),
                    neutralise(kr.title),
                    neutralise(kr.unit),
                    kr.direction,
                    kr.commitment,
                    f"{kr.start_value:g}",
                    f"{kr.target_value:g}",
                    f"{kr.current_value:g}",
                    f"{kr.weight:g}",
                    kr.owner.email if kr.owner else "",
                ]
            )
    return buffer.getvalue()


@dataclass
class _PlannedObjective:
    line: int
    data: ObjectiveCreate
    key_results: list[tuple[int, KeyResultCreate]] = field(default_factory=list)


def _number(value: str) -> str:
    """Accept a decimal comma (French spreadsheets) as well as a point."""
    return value.strip().replace("\u202f", "").replace(" ", "").replace(",", ".")


def _read_rows(content: bytes) -> tuple[list[str], Iterable[dict[str, str]]]:
    if len(content) > MAX_IMPORT_BYTES:
        raise InvalidInput.on_field("file", _("This file is larger than 1 MB."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")
    if not text.strip():
        raise InvalidInput.on_field("file", _("This file is empty."))
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    headers = [name.strip().lower() for name in (reader.fieldnames or [])]
    reader.fieldnames = headers
    return headers, reader


def plan_import(session: Session, content: bytes) -> list[_PlannedObjective]:
    """Validate every row, naming the line and field of each problem; write nothing."""
    headers, rows = _read_rows(content)
    missing = [column for column in REQUIRED_COLUMNS if column not in headers]
    if missing:
        raise InvalidInput.on_field(
            "file", _("Columns missing: %(columns)s.", columns=", ".join(missing))
        )
    problems: list[FieldProblem] = []
    planned: dict[str, _PlannedObjective] = {}
    for line, row in enumerate(rows, start=2):
        cells = {key: restore((value or "").strip()) for key, value in row.items() if key}
        if not any(cells.values()):
            continue
        title = cells.get("objective", "")
        try:
            objective = planned.get(title.lower())
            if objective is None:
                data = ObjectiveCreate(
                    title=title, description=cells.get("objective_description", "")
                )
                objective = planned.setdefault(title.lower(), _PlannedObjective(line, data))
            if cells.get("key_result"):
                owner_id = _owner_id(session, cells.get("owner_email", ""), line)
                values = {
                    "title": cells["key_result"],
                    "unit": cells.get("unit", ""),
                    "direction": cells.get("direction") or "increase",
                    "commitment": cells.get("commitment") or "committed",
                    "start_value": _number(cells.get("start", "")),
                    "target_value": _number(cells.get("target", "")),
                    "current_value": _number(cells.get("current", "")) or None,
                    "weight": _number(cells.get("weight", "")) or 1,
                    "owner_id": owner_id,
                }
                objective.key_results.append((line, KeyResultCreate.model_validate(values)))
        except ValidationError as exc:
            problems += problems_from(exc, prefix=f"line {line}: ")
        except InvalidInput as exc:
            problems += exc.problems
    if problems:
        raise InvalidInput(_("Nothing was imported: correct these lines and try again."), problems)
    return list(planned.values())


def _owner_id(session: Session, email: str, line: int) -> int | None:
    if not email:
        return None
    user = workspace.find_user_by_email(session, email)
    if user is None:
        raise InvalidInput.on_field(
            f"line {line}: owner_email", _("Nobody with the e-mail %(email)s.", email=email)
        )
    return user.id


def import_period(session: Session, *, actor: User, period_id: int, content: bytes) -> int:
    """Create the file's objectives and key results through the service (limits apply)."""
    planned = plan_import(session, content)
    existing = {
        objective.title.lower(): objective
        for objective in service.active_objectives(session, period_id=period_id)
        if objective.status == ObjectiveStatus.active
    }
    created = 0
    for item in planned:
        objective = existing.get(item.data.title.lower())
        if objective is None:
            objective = service.create_objective(
                session, actor=actor, period_id=period_id, data=item.data
            )
        known = {kr.title.lower() for kr in objective.key_results if not kr.is_archived}
        for _line, kr_data in item.key_results:
            if kr_data.title.lower() in known:
                continue
            service.add_key_result(session, actor=actor, objective_id=objective.id, data=kr_data)
            known.add(kr_data.title.lower())
            created += 1
    return created
