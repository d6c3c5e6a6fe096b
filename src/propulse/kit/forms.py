"""Turn pydantic validation errors into translated, field-level problems."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from propulse.kit.errors import FieldProblem, InvalidInput
from propulse.kit.i18n import gettext as _

ModelT = TypeVar("ModelT", bound=BaseModel)


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "value_error":
        # Our validators raise messages already translated; pydantic prefixes them.
        return str(context.get("error", error.get("msg", "")))
    if kind == "string_too_short":
        if context.get("min_length") == 1:
            return _("This field is required.")
        return _("Use at least %(n)s characters.", n=context.get("min_length"))
    if kind == "string_too_long":
        return _("Use at most %(n)s characters.", n=context.get("max_length"))
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("float_parsing", "float_type", "decimal_parsing"):
        return _("Enter a number.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("Enter a number of at least %(n)s.", n=context.get("ge", context.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return _("Enter a number of at most %(n)s.", n=context.get("le", context.get("lt")))
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_type"):
        return _("Enter a date as YYYY-MM-DD.")
    if kind == "enum":
        return _("Choose one of: %(choices)s.", choices=context.get("expected", ""))
    if kind in ("bool_parsing", "bool_type"):
        return _("Answer yes or no.")
    return str(error.get("msg", _("This value is not valid.")))


REQUEST_PARTS = ("body", "query", "path", "header", "cookie", "form")


def problems_from(exc: ValidationError | Any, prefix: str = "") -> list[FieldProblem]:
    """Return one problem per invalid field, named by its dotted path (request part dropped)."""
    problems = []
    for error in exc.errors():
        parts = list(error.get("loc", ()))
        if parts and parts[0] in REQUEST_PARTS:
            parts = parts[1:]
        location = ".".join(str(part) for part in parts)
        message = _message(error)
        if location.endswith("email") and error.get("type") == "value_error":
            message = _("Enter a valid e-mail address.")
        problems.append(FieldProblem(prefix + location if location else prefix, message))
    return problems


def validate(model: type[ModelT], data: Mapping[str, Any]) -> ModelT:
    """Validate input against a schema, raising ``InvalidInput`` with field-level problems."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(_("Some fields need your attention."), problems_from(exc)) from exc


def errors_by_field(problems: list[FieldProblem]) -> dict[str, str]:
    """Map field names to their first problem, for templates that show errors beside fields."""
    by_field: dict[str, str] = {}
    for problem in problems:
        by_field.setdefault(problem.field, problem.message)
    return by_field
