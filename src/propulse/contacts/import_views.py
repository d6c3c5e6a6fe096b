"""Pages of contact imports: upload, mapping, progress, rejects."""

from __future__ import annotations

from propulse.web import html_router

router = html_router()
