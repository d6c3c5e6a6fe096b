"""The template form of the pages: its fields, read into a ``TemplateIn``, errors beside fields.

A language section left empty (no subject, no body) is no variant. Form fields of a variant
are named ``<language>-<field>`` (``fr-subject``); problems named ``variants.fr.subject``.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from propulse.email_templates.models import BodyFormat, EmailTemplate
from propulse.email_templates.schemas import TemplateIn, VariantIn
from propulse.kit.errors import FieldProblem, InvalidInput
from propulse.kit.forms import errors_by_field, problems_from
from propulse.kit.i18n import SUPPORTED_LANGUAGES
from propulse.kit.i18n import gettext as _

VARIANT_FIELDS = ("subject", "preheader", "body_format", "body")


def empty_values(default_language: str = "en") -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "",
        "description": "",
        "default_language": default_language,
        "version": "",
    }
    for language in SUPPORTED_LANGUAGES:
        values.update({f"{language}-{key}": "" for key in VARIANT_FIELDS})
        values[f"{language}-body_format"] = BodyFormat.markdown.value
    return values


def values_from_template(template: EmailTemplate) -> dict[str, Any]:
    values = empty_values(template.default_language)
    values.update(
        name=template.name,
        description=template.description,
        version=str(template.version),
    )
    for variant in template.variants:
        for key in VARIANT_FIELDS:
            values[f"{variant.language}-{key}"] = getattr(variant, key)
    return values


def values_from_form(form: FormData) -> dict[str, Any]:
    values = empty_values()
    for key in values:
        raw = form.get(key)
        if isinstance(raw, str):
            values[key] = raw.replace("\r\n", "\n")
    values["preview_language"] = str(form.get("preview_language") or "")
    values["preview_contact"] = str(form.get("preview_contact") or "").strip()
    return values


def filled_languages(values: dict[str, Any]) -> list[str]:
    return [
        language
        for language in SUPPORTED_LANGUAGES
        if str(values.get(f"{language}-subject", "")).strip()
        or str(values.get(f"{language}-body", "")).strip()
    ]


def variant_from_values(values: dict[str, Any], language: str) -> VariantIn:
    """Read one language's fields; problems are named ``variants.<language>.<field>``."""
    raw = {key: values.get(f"{language}-{key}", "") for key in VARIANT_FIELDS}
    raw["language"] = language
    try:
        return VariantIn.model_validate(raw)
    except Exception as error:  # pydantic's ValidationError, in words per field
        problems = problems_from(error, prefix=f"variants.{language}.")
        raise InvalidInput(_("Some fields need your attention."), problems) from None


def data_from_values(values: dict[str, Any]) -> TemplateIn:
    """Read the whole form into a ``TemplateIn``, every problem named after its field."""
    problems: list[FieldProblem] = []
    variants: list[VariantIn] = []
    for language in filled_languages(values):
        try:
            variants.append(variant_from_values(values, language))
        except InvalidInput as error:
            problems += error.problems
    if not filled_languages(values):
        problems.append(
            FieldProblem("variants", _("Write the subject and body in at least one language."))
        )
    version = str(values.get("version") or "")
    try:
        data = TemplateIn.model_validate(
            {
                "name": values.get("name", ""),
                "description": values.get("description", ""),
                "default_language": values.get("default_language") or "en",
                "variants": [variant.model_dump() for variant in variants] or [None],
                "version": int(version) if version.isdigit() else None,
            }
        )
    except Exception as error:
        problems += [
            problem for problem in problems_from(error) if not problem.field.startswith("variants")
        ]
        data = None
    if problems or data is None:
        raise InvalidInput(_("Some fields need your attention."), problems)
    return data


def form_errors(error: InvalidInput) -> dict[str, str]:
    """Map problems to the form's field names (``variants.fr.body`` becomes ``fr-body``)."""
    renamed = []
    for problem in error.problems:
        name = problem.field
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "variants":
            name = f"{parts[1]}-{parts[2]}"
        renamed.append(FieldProblem(name, problem.message))
    found = errors_by_field(renamed)
    if not found:
        found = {"form": error.message}
    return found
