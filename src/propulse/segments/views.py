"""Pages of segments."""

from __future__ import annotations

from propulse.web import html_router

router = html_router()
