"""What the hosted page and the embed code show: the inputs of a form, in its language."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from babel import Locale
from sqlalchemy.orm import Session

from propulse.forms.askable import askable_by_key
from propulse.forms.models import SignupForm
from propulse.kit import i18n
from propulse.workspace.schemas import country_codes


@dataclass(frozen=True)
class Input:
    """One input of the public form besides the e-mail and the consent box."""

    key: str
    label: str
    kind: str  # text, tel, country, number, date, choice
    required: bool
    options: list[tuple[str, str]] = field(default_factory=list)

    @property
    def html_type(self) -> str:
        return {"tel": "tel", "number": "text", "date": "date"}.get(self.kind, "text")

    @property
    def is_select(self) -> bool:
        return self.kind in ("country", "choice")


@cache
def countries(language: str) -> list[tuple[str, str]]:
    """Return (code, name) of every country, sorted by name in ``language``."""
    names = Locale.parse(language).territories
    found = [(code, str(names.get(code, code))) for code in country_codes()]
    return sorted(found, key=lambda item: item[1].casefold())


def inputs(session: Session, form: SignupForm) -> list[Input]:
    """Return the form's inputs in order; a field whose definition was deleted is skipped."""
    with i18n.use_locale(form.language, i18n.current_timezone()):
        known = askable_by_key(session)
    found: list[Input] = []
    for spec in form.fields:
        key = str(spec.get("key"))
        askable = known.get(key)
        if askable is None:
            continue
        options: list[tuple[str, str]] = []
        if askable.kind == "country":
            options = countries(form.language)
        elif askable.kind == "choice":
            options = [(choice, choice) for choice in askable.choices]
        found.append(
            Input(
                key=key,
                label=str(spec.get("label") or askable.default_label),
                kind=askable.kind,
                required=bool(spec.get("required")),
                options=options,
            )
        )
    return found
