"""Errors of delivery that reach people (the CLI, the pages)."""

from __future__ import annotations

from propulse.kit.errors import DomainError


class NotConfigured(DomainError):
    """Sending is not set up, or set up wrongly (no server, an unreadable DKIM key...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=400, title="Bad request", type_slug="not-configured")
