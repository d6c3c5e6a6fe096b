"""E-mail templates: write them per language, check they render, preview and test-send them.

Nurture renders a template for each contact with :func:`render_for_contact`.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from propulse.audit import service as audit
from propulse.config import get_settings
from propulse.contacts import service as contacts
from propulse.contacts.models import Contact
from propulse.db import utcnow
from propulse.delivery import service as delivery
from propulse.delivery.models import DeliveryMessage
from propulse.email_templates.context import (
    contact_values,
    sample_contact_values,
    template_context,
)
from propulse.email_templates.models import EmailTemplate
from propulse.email_templates.rendering import RenderedEmail, VariantSource, render_variant
from propulse.email_templates.schemas import TemplateIn, VariantIn
from propulse.email_templates.variants import apply_variants, checked, pick_variant, source_of
from propulse.kit.changes import apply_changes
from propulse.kit.errors import Conflict, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import SortKey, paginate
from propulse.nurture.models import Sequence, SequenceStep, StepKind
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

__all__ = [
    "RenderedEmail",
    "create_template",
    "delete_template",
    "get_template",
    "list_templates",
    "list_templates_page",
    "preview",
    "preview_template",
    "render_for_contact",
    "send_test",
    "sequences_using",
    "update_template",
]

TEST_STREAM = "test"
_WORKSPACE_NAME_KEY = "email_templates.workspace_name"


def edit_action() -> str:
    return _("edit e-mail templates")


def ensure_editor(user: User) -> None:
    """Refuse a viewer the editing of templates (members and above write them)."""
    ensure_role(user, Role.member, action=edit_action())


def list_templates(session: Session) -> list[EmailTemplate]:
    """Return every template with its variants, by name."""
    statement = (
        select(EmailTemplate)
        .options(selectinload(EmailTemplate.variants))
        .order_by(EmailTemplate.name, EmailTemplate.id)
    )
    return list(session.scalars(statement))


def list_templates_page(
    session: Session, *, cursor: str | None = None, limit: int | None = None
) -> tuple[list[EmailTemplate], str | None]:
    """Return templates by id, one page at a time (the API)."""
    statement = select(EmailTemplate).options(selectinload(EmailTemplate.variants))
    return paginate(
        session, statement, keys=[SortKey(EmailTemplate.id)], cursor=cursor, limit=limit
    )


def get_template(session: Session, *, template_id: int) -> EmailTemplate:
    found = session.get(EmailTemplate, template_id)
    if found is None:
        raise NotFound(_("This e-mail template does not exist."))
    return found


def _workspace_name(session: Session) -> str:
    """Return the workspace's name, read once per session (nurture renders thousands)."""
    name = session.info.get(_WORKSPACE_NAME_KEY)
    if name is None:
        try:
            name = workspace.get_workspace(session).name
        except NotFound:
            name = ""
        session.info[_WORKSPACE_NAME_KEY] = name
    return str(name)


def _render(session: Session, source: VariantSource, contact: dict[str, object]) -> RenderedEmail:
    context = template_context(
        contact=contact, workspace_name=_workspace_name(session), mail_from=get_settings().mail_from
    )
    return render_variant(source, context)


def render_for_contact(
    session: Session, *, template_id: int, contact: Contact | None, language: str | None = None
) -> RenderedEmail:
    """Render a template for a contact, in ``language`` or the contact's, else the default.

    Without a contact every personal value falls back (what ``default()`` says, else nothing).
    """
    template = get_template(session, template_id=template_id)
    wanted = language or (contact.language if contact is not None else None)
    variant = pick_variant(template, wanted)
    values = contact_values(contact) if contact is not None else {}
    return _render(session, source_of(variant), values)


def preview_template(
    session: Session, *, template_id: int, contact: Contact | None, language: str | None = None
) -> RenderedEmail:
    """Render a saved template for a contact, or for a sample contact when none is given."""
    if contact is not None:
        return render_for_contact(
            session, template_id=template_id, contact=contact, language=language
        )
    variant = pick_variant(get_template(session, template_id=template_id), language)
    return _render(session, source_of(variant), sample_contact_values(variant.language))


def preview(
    session: Session, *, template_id: int | None, variant_data: VariantIn, contact_id: int | None
) -> RenderedEmail:
    """Render unsaved text for a chosen contact, or for a sample contact."""
    if template_id is not None:
        get_template(session, template_id=template_id)
    if contact_id is not None:
        values = contact_values(contacts.get_contact(session, contact_id=contact_id))
    else:
        values = sample_contact_values(variant_data.language)
    return _render(session, source_of(variant_data), values)


def send_test(
    session: Session, *, actor: User, template_id: int, language: str | None
) -> DeliveryMessage:
    """Queue the template to the actor's own address (the composer fills in the links)."""
    ensure_editor(actor)
    template = get_template(session, template_id=template_id)
    variant = pick_variant(template, language)
    own = contacts.find_by_email(session, email=actor.email)
    if own is not None:
        values = contact_values(own)
    else:
        values = sample_contact_values(variant.language)
        first, _space, last = actor.name.partition(" ")
        values.update(first_name=first, last_name=last, name=actor.name, email=actor.email)
    rendered = _render(session, source_of(variant), values)
    message = delivery.enqueue_message(
        session,
        to_address=actor.email,
        subject=f"[Test] {rendered.subject}"[:300],
        preheader=rendered.preheader,
        html_body=rendered.html_body,
        text_body=rendered.text_body,
        stream=TEST_STREAM,
    )
    audit.record(
        session,
        actor=actor,
        action="test_sent",
        object_type="email_template",
        object_id=template.id,
        summary=f"template {template.name!r} ({variant.language}) sent to {actor.email}",
    )
    return message


# Writing templates


def _check_name(session: Session, name: str, *, template_id: int | None = None) -> None:
    statement = select(EmailTemplate.id).where(func.lower(EmailTemplate.name) == name.lower())
    if template_id is not None:
        statement = statement.where(EmailTemplate.id != template_id)
    if session.scalar(statement) is not None:
        raise InvalidInput.on_field(
            "name",
            _("A template named %(name)s already exists: choose another name.", name=name),
        )


def create_template(session: Session, *, actor: User, data: TemplateIn) -> EmailTemplate:
    """Create a template after checking that each variant renders."""
    ensure_editor(actor)
    _check_name(session, data.name)
    checked(data)
    template = EmailTemplate(
        name=data.name,
        description=data.description,
        default_language=data.default_language,
        created_by_id=actor.id,
    )
    apply_variants(template, data)
    session.add(template)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="email_template",
        object_id=template.id,
        summary=f"e-mail template {template.name!r} ({_languages(template)})",
    )
    return template


def _languages(template: EmailTemplate) -> str:
    return ", ".join(variant.language for variant in template.variants)


def update_template(
    session: Session, *, actor: User, template_id: int, data: TemplateIn
) -> EmailTemplate:
    """Replace a template's name, description and variants; ``version`` refuses a stale edit."""
    ensure_editor(actor)
    template = get_template(session, template_id=template_id)
    workspace.check_version(template, data.version)
    _check_name(session, data.name, template_id=template.id)
    checked(data)
    changed = apply_changes(
        template, {key: getattr(data, key) for key in ("name", "description", "default_language")}
    )
    if apply_variants(template, data):
        changed.append("variants")
        template.updated_at = utcnow()  # a new version: a stale edit of the variants is refused
    session.flush()
    if changed:
        audit.record(
            session,
            actor=actor,
            action="updated",
            object_type="email_template",
            object_id=template.id,
            summary=f"e-mail template {template.name!r}: {', '.join(changed)}",
        )
    return template


def sequences_using(session: Session, *, template_id: int) -> list[str]:
    """Name the sequences with a step sending this template (the steps table is small)."""
    rows = session.execute(
        select(SequenceStep.config, Sequence.name)
        .join(Sequence, Sequence.id == SequenceStep.sequence_id)
        .where(SequenceStep.kind == StepKind.send_email.value)
    )
    names: set[str] = set()
    for config, name in rows:
        value = (config or {}).get("template_id") if isinstance(config, dict) else None
        try:
            if value is not None and int(value) == template_id:
                names.add(name)
        except (TypeError, ValueError):
            continue
    return sorted(names)


def delete_template(session: Session, *, actor: User, template_id: int) -> None:
    """Delete a template, unless a sequence step sends it."""
    ensure_editor(actor)
    template = get_template(session, template_id=template_id)
    users = sequences_using(session, template_id=template.id)
    if users:
        raise Conflict(
            _(
                "The template %(name)s is sent by the sequences %(sequences)s: "
                "change their steps first.",
                name=template.name,
                sequences=", ".join(users),
            )
        )
    audit.record(
        session,
        actor=actor,
        action="deleted",
        object_type="email_template",
        object_id=template.id,
        summary=f"e-mail template {template.name!r} ({_languages(template)})",
    )
    session.delete(template)
    session.flush()
