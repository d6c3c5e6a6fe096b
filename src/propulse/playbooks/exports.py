"""A project's tasks as CSV or XLSX, with the columns Asana and monday.com imports accept.

Columns, in the order Asana asks for: ``Name``, ``Description``, ``Section``,
``Assignee Email``, ``Start Date``, ``Due Date``, ``Dependencies``.

- **Section is the task's status** (To do, Doing, Done, Skipped): Asana turns sections into
  the columns of a board and monday.com into groups, so the import looks like the board here.
- Dates are ISO 8601 (``YYYY-MM-DD``): text in the CSV, date cells shown as ``yyyy-mm-dd``
  in the XLSX.
- The description is the first paragraph of the step's tutorial, then the checklist
  (``[x]`` ticked, ``[ ]`` not); dependencies are the names of the tasks a task follows.

Text that a spreadsheet would run as a formula (a cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) gets a leading apostrophe (OWASP, "CSV injection"): a
task called ``=HYPERLINK(...)`` stays text in Excel, LibreOffice and Google Sheets.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from propulse.kit.i18n import gettext as _
from propulse.kit.spreadsheets import neutralise
from propulse.playbooks.models import Project, Task, TaskStatus

# Asana maps columns by name but wants this order (Name, Description, Section, Assignee...).
COLUMNS = (
    "Name",
    "Description",
    "Section",
    "Assignee Email",
    "Start Date",
    "Due Date",
    "Dependencies",
)
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_COLUMNS = ("Start Date", "Due Date")


def status_label(status: str) -> str:
    return {
        TaskStatus.todo: _("To do"),
        TaskStatus.doing: _("Doing"),
        TaskStatus.done: _("Done"),
        TaskStatus.skipped: _("Skipped"),
    }[TaskStatus(status)]


def first_paragraph(markdown: str) -> str:
    """Return the first paragraph of Markdown text that is not a heading, on one line."""
    for block in markdown.strip().split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines()]
        if lines and not lines[0].startswith("#"):
            return " ".join(line for line in lines if line)
    return ""


def description(task: Task) -> str:
    parts = []
    intro = first_paragraph(task.tutorial)
    if intro:
        parts.append(intro)
    if task.checklist:
        parts.append(
            "\n".join(
                ("[x] " if item.get("done") else "[ ] ") + str(item.get("text", ""))
                for item in task.checklist
            )
        )
    return "\n\n".join(parts)


def rows(project: Project) -> list[dict[str, Any]]:
    """Return one row per task, in the project's order, with typed dates."""
    titles = {task.step_key: task.title for task in project.tasks}
    ordered = sorted(project.tasks, key=lambda task: (task.start_on, task.position))
    return [
        {
            "Name": task.title,
            "Section": status_label(task.status),
            "Assignee Email": task.assignee.email if task.assignee else "",
            "Start Date": task.start_on,
            "Due Date": task.due_on,
            "Description": description(task),
            "Dependencies": titles.get(task.after_key, "") if task.after_key else "",
        }
        for task in ordered
    ]


def _cell(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def to_csv(project: Project) -> str:
    """Return the tasks as CSV (comma-separated, quoted where needed, dates in ISO 8601)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows(project):
        writer.writerow(
            {
                column: value.isoformat() if column in DATE_COLUMNS else _cell(value)
                for column, value in row.items()
            }
        )
    return buffer.getvalue()


def to_xlsx(project: Project) -> bytes:
    """Return the tasks as an Excel workbook: one sheet, a bold header, date cells."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "Tasks"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(project):
        sheet.append([_cell(row[column]) for column in COLUMNS])
        for column in DATE_COLUMNS:
            sheet.cell(
                row=sheet.max_row, column=COLUMNS.index(column) + 1
            ).number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEFG", (40, 60, 12, 30, 12, 12, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(project: Project, extension: str) -> str:
    """Return a file name safe in a Content-Disposition header."""
    slug = "".join(c if c.isalnum() else "-" for c in project.name.lower()).strip("-")
    slug = "-".join(part for part in slug.split("-") if part)[:60] or "project"
    ascii_slug = slug.encode("ascii", "ignore").decode() or "project"
    return f"{ascii_slug}-{project.id}.{extension}"
