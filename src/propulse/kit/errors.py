"""Domain errors: raised by services, rendered once per edge (HTML, problem+json, CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: where (a dotted path, a row or a line) and what is wrong."""

    field: str
    message: str


@dataclass
class DomainError(Exception):
    """A refusal the user can understand; ``message`` is already in the user's language."""

    message: str
    problems: list[FieldProblem] = field(default_factory=list)
    status_code: int = 400
    title: str = "Bad request"
    type_slug: str = "bad-request"

    def __str__(self) -> str:
        return self.message


class NotAuthenticated(DomainError):
    def __init__(self, message: str = "Sign in first.") -> None:
        super().__init__(message, status_code=401, title="Unauthorized", type_slug="unauthorized")


class Forbidden(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=403, title="Forbidden", type_slug="forbidden")


class NotFound(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=404, title="Not found", type_slug="not-found")


class Conflict(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=409, title="Conflict", type_slug="conflict")


class InvalidInput(DomainError):
    def __init__(self, message: str, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(
            message,
            problems=problems or [],
            status_code=422,
            title="Unprocessable content",
            type_slug="invalid-input",
        )

    @classmethod
    def on_field(cls, field_name: str, message: str) -> InvalidInput:
        """Return an error about a single field."""
        return cls(message, [FieldProblem(field_name, message)])


class TooManyRequests(DomainError):
    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message, status_code=429, title="Too many requests", type_slug="throttled")
        self.retry_after_seconds = retry_after_seconds
