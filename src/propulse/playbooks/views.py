"""Pages of playbooks: the library, a playbook with its steps, editing, versions and diffs."""

from __future__ import annotations

from propulse.web import html_router

router = html_router()
