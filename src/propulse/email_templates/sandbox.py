"""The sandboxed Jinja2 environments user-written templates run in, and their errors in words.

A missing value falls back politely (it prints nothing and ``default()`` replaces it); an
attribute the sandbox refuses (``''.__class__``...) stays an error, so it is shown to the
author instead of being silently emptied. The ``safe`` filter is removed: every value a
template prints is escaped, whatever a contact typed into a form.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from types import TracebackType
from typing import Any, NoReturn

from jinja2 import ChainableUndefined, TemplateError, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from propulse.kit.errors import InvalidInput
from propulse.kit.i18n import gettext as _

# The file name Jinja gives a template made from a string; its frames carry the line.
TEMPLATE_NAME = "<template>"


class PoliteUndefined(ChainableUndefined):
    """Print nothing for a missing value, but refuse what the sandbox refused."""

    __slots__ = ()

    def _refused(self) -> bool:
        return self._undefined_exception is SecurityError

    def __str__(self) -> str:
        if self._refused():
            self._fail_with_undefined_error()
        return ""

    def __html__(self) -> str:
        return str(self)

    def __iter__(self) -> Iterator[Any]:
        if self._refused():
            self._fail_with_undefined_error()
        return iter(())

    def __bool__(self) -> bool:
        if self._refused():
            self._fail_with_undefined_error()
        return False

    def __getattr__(self, name: str) -> Any:
        if self._refused():
            self._fail_with_undefined_error()
        if name[:2] == "__":
            raise AttributeError(name)
        return self

    __getitem__ = __getattr__


def _environment(*, autoescape: bool) -> SandboxedEnvironment:
    # No autoescape: the renderer escapes each printed value where it lands (HTML or text).
    environment = SandboxedEnvironment(
        undefined=PoliteUndefined, autoescape=autoescape, keep_trailing_newline=True
    )
    environment.filters.pop("safe", None)
    return environment


text_environment = _environment(autoescape=False)


def _template_line(traceback: TracebackType | None) -> int | None:
    """Return the template line of the innermost frame Jinja attributed to the template."""
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == TEMPLATE_NAME:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def field_label(field: str) -> str:
    labels = {"subject": _("subject"), "preheader": _("preheader"), "body": _("body")}
    return labels.get(field, field)


def raise_template_error(field: str, error: Exception) -> NoReturn:
    """Turn a template's failure into ``InvalidInput`` naming the field and the line."""
    if isinstance(error, TemplateSyntaxError):
        line: int | None = error.lineno
        problem = error.message or str(error)
    else:
        line = _template_line(sys.exc_info()[2] or error.__traceback__)
        problem = str(error) or type(error).__name__
    if isinstance(error, SecurityError):
        problem = _("the sandbox refuses this: %(detail)s", detail=problem)
    elif not isinstance(error, TemplateError):
        problem = f"{type(error).__name__}: {problem}"
    if line is not None:
        message = _(
            "The %(field)s cannot be rendered (line %(line)s): %(problem)s",
            field=field_label(field),
            line=line,
            problem=problem,
        )
    else:
        message = _(
            "The %(field)s cannot be rendered: %(problem)s",
            field=field_label(field),
            problem=problem,
        )
    raise InvalidInput.on_field(field, message) from None
