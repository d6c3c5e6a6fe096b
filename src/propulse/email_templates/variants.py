"""A template's variants: which one a contact gets, what makes one valid, how they are saved."""

from __future__ import annotations

from propulse.config import get_settings
from propulse.email_templates.context import sample_contact_values, template_context
from propulse.email_templates.models import EmailTemplate, EmailTemplateVariant
from propulse.email_templates.rendering import VariantSource, render_variant
from propulse.email_templates.schemas import TemplateIn, VariantIn
from propulse.kit.errors import FieldProblem, InvalidInput, NotFound
from propulse.kit.i18n import SUPPORTED_LANGUAGES
from propulse.kit.i18n import gettext as _


def source_of(variant: EmailTemplateVariant | VariantIn) -> VariantSource:
    return VariantSource(
        language=variant.language,
        subject=variant.subject,
        preheader=variant.preheader,
        body_format=str(variant.body_format),
        body=variant.body,
    )


def pick_variant(template: EmailTemplate, language: str | None) -> EmailTemplateVariant:
    """Return the variant in ``language``, else in the default language, else the first."""
    by_language = {variant.language: variant for variant in template.variants}
    for wanted in (language, template.default_language):
        if wanted and wanted in by_language:
            return by_language[wanted]
    if not template.variants:
        raise NotFound(_("The template %(name)s has no variant to send.", name=template.name))
    return template.variants[0]


def variant_problems(data: TemplateIn) -> list[FieldProblem]:
    """Check the languages, the subjects and that every variant renders for a sample contact."""
    problems: list[FieldProblem] = []
    if data.default_language not in SUPPORTED_LANGUAGES:
        problems.append(
            FieldProblem(
                "default_language",
                _("Choose one of: %(choices)s.", choices=", ".join(SUPPORTED_LANGUAGES)),
            )
        )
    seen: set[str] = set()
    for variant in data.variants:
        where = f"variants.{variant.language}"
        if variant.language not in SUPPORTED_LANGUAGES:
            problems.append(
                FieldProblem(
                    f"{where}.language",
                    _("Choose one of: %(choices)s.", choices=", ".join(SUPPORTED_LANGUAGES)),
                )
            )
            continue
        if variant.language in seen:
            problems.append(FieldProblem(f"{where}.language", _("Write one variant per language.")))
            continue
        seen.add(variant.language)
        if "\n" in variant.subject or "\r" in variant.subject:
            problems.append(FieldProblem(f"{where}.subject", _("Keep the subject to one line.")))
            continue
        try:
            context = template_context(
                contact=sample_contact_values(variant.language),
                workspace_name="Workspace",
                mail_from=get_settings().mail_from,
            )
            render_variant(source_of(variant), context)
        except InvalidInput as error:
            problems += [
                FieldProblem(f"{where}.{problem.field}", problem.message)
                for problem in error.problems
            ]
    variants_ok = not any(problem.field.startswith("variants.") for problem in problems)
    default = data.default_language
    if variants_ok and default in SUPPORTED_LANGUAGES and default not in seen:
        problems.append(
            FieldProblem(
                "default_language",
                _("Write a variant in the default language, or choose another one."),
            )
        )
    return problems


def checked(data: TemplateIn) -> None:
    problems = variant_problems(data)
    if problems:
        raise InvalidInput(problems[0].message, problems)


def apply_variants(template: EmailTemplate, data: TemplateIn) -> bool:
    """Make the template's variants those of ``data``; return whether anything changed."""
    existing = {variant.language: variant for variant in template.variants}
    changed = False
    for wanted in data.variants:
        variant = existing.pop(wanted.language, None)
        values = {
            "subject": wanted.subject,
            "preheader": wanted.preheader,
            "body_format": wanted.body_format.value,
            "body": wanted.body,
        }
        if variant is None:
            template.variants.append(EmailTemplateVariant(language=wanted.language, **values))
            changed = True
            continue
        for key, value in values.items():
            if getattr(variant, key) != value:
                setattr(variant, key, value)
                changed = True
    for variant in existing.values():
        template.variants.remove(variant)
        changed = True
    return changed
