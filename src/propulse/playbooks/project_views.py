"""Pages of projects: launch, board, timeline, my tasks, overdue and due this week, tasks."""

from __future__ import annotations

from propulse.web import html_router

router = html_router()
