"""Optional rewriting of a piece by a language model (content/llm.py): off unless configured.

The rewrite goes through the same checks as the drafts; one that invents a number or a
quotation is refused and nothing changes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.content import llm, serialize
from propulse.content.models import (
    BrandSettings,
    PackageStatus,
    Piece,
)
from propulse.content.service import (
    brand_settings,
    document_of,
    edit_piece,
    get_piece,
)
from propulse.kit.errors import Conflict, DomainError, FieldProblem, InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

# Optional rewriting by a language model (content/llm.py): off unless configured here.

LLM_MESSAGES = {
    "not_configured": lazy_gettext(
        "No language model is configured: a manager can set one on the brand page."
    ),
    "timeout": lazy_gettext(
        "The language model did not answer within %(seconds)s seconds: nothing changed."
    ),
    "unreachable": lazy_gettext(
        "The language model cannot be reached (%(reason)s): nothing changed."
    ),
    "status": lazy_gettext(
        "The language model answered with an error (HTTP %(status)s): nothing changed."
    ),
    "malformed": lazy_gettext("The language model's answer cannot be read: nothing changed."),
}


class LanguageModelFailed(DomainError):
    """The configured language model did not give a usable answer (a bad gateway)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=502, title="Bad gateway", type_slug="llm-failed")


def llm_settings(session: Session) -> llm.LlmSettings:
    """Return the workspace's language model settings (empty when rewriting is off)."""
    row = session.scalar(select(BrandSettings).limit(1))  # read only: no row, no model
    if row is None:
        return llm.LlmSettings(base_url="", model="")
    return llm.LlmSettings(
        base_url=row.llm_base_url or "", model=row.llm_model or "", api_key=row.llm_api_key
    )


def llm_configured(session: Session) -> bool:
    return llm_settings(session).configured


def save_llm_settings(
    session: Session, *, actor: User, base_url: str, model: str, api_key: str | None
) -> BrandSettings:
    """Save where the language model is; empty base URL and model turn rewriting off.

    ``api_key`` None keeps the saved key, "" removes it; a key is stored as given (in the
    database, like the rest of the settings) and never shown back.
    """
    from urllib.parse import urlsplit

    ensure_role(actor, Role.manager, action=_("change the brand kit"))
    base_url, model = base_url.strip(), model.strip()
    problems: list[FieldProblem] = []
    if base_url:
        parts = urlsplit(base_url)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or any(char.isspace() for char in base_url)
            or len(base_url) > 500
        ):
            problems.append(
                FieldProblem(
                    "llm_base_url",
                    _("Enter an http:// or https:// address, e.g. http://localhost:11434/v1."),
                )
            )
    elif model:
        problems.append(FieldProblem("llm_base_url", _("Enter the server's address.")))
    if base_url and not model:
        problems.append(FieldProblem("llm_model", _("Enter the model's name.")))
    if len(model) > 120:
        problems.append(FieldProblem("llm_model", _("A model name has at most 120 characters.")))
    if api_key is not None and len(api_key.strip()) > 500:
        problems.append(FieldProblem("llm_api_key", _("A key has at most 500 characters.")))
    if problems:
        raise InvalidInput(_("Some fields need your attention."), problems)
    settings = brand_settings(session)
    settings.llm_base_url = base_url or None
    settings.llm_model = model or None
    if not base_url:
        settings.llm_api_key = None
    elif api_key is not None:
        settings.llm_api_key = api_key.strip() or None
    audit.record(
        session,
        actor=actor,
        action="changed",
        object_type="brand",
        object_id=settings.id,
        summary=f"language model: {model} at {base_url}" if base_url else "language model: off",
    )
    session.flush()
    return settings


def rewrite_piece(session: Session, *, actor: User, piece_id: int) -> Piece:
    """Have the language model rewrite a piece's text in the brand's tone, as a new revision.

    The answer goes through the faithfulness checks first: a number or a quotation that is
    not in the source, or an empty or bloated answer, and nothing changes (422 naming them).
    """
    ensure_role(actor, Role.member, action=_("edit content"))
    settings = llm_settings(session)
    if not settings.configured:
        raise Conflict(_(LLM_MESSAGES["not_configured"]))
    piece = get_piece(session, piece_id=piece_id)
    if piece.kind == "ebook":
        raise Conflict(_("The e-book is not rewritten: rewrite its articles, posts and e-mails."))
    package = piece.package
    if package.status != PackageStatus.ready:
        raise Conflict(_("The package is not ready yet."))
    source = document_of(package.source)
    tone = serialize.brand_from_json(package.brand).tone
    version = piece.version
    try:
        text = llm.rewrite(
            piece.body,
            kind=piece.kind,
            language=source.language,
            tone=tone,
            settings=settings,
            timeout=llm.REWRITE_TIMEOUT_SECONDS,
        )
    except llm.LlmError as error:
        template = LLM_MESSAGES.get(error.code)
        if error.code == "not_configured":
            raise Conflict(_(LLM_MESSAGES["not_configured"])) from error
        details = {
            key: f"{value:g}" if isinstance(value, float) else str(value)
            for key, value in error.details.items()
        }
        message = _(template, **details) if template else ""
        raise LanguageModelFailed(message or str(error)) from error
    problems = llm.check_rewrite(piece.body, text, source.text)
    if problems:
        raise InvalidInput(
            _("The rewrite was refused: %(problems)s.", problems="; ".join(problems)),
            [FieldProblem("rewrite", problem) for problem in problems],
        )
    rewritten = edit_piece(
        session,
        actor=actor,
        piece_id=piece.id,
        title=piece.title,
        body=text,
        version=version,
        reason="rewritten",
    )
    audit.record(
        session,
        actor=actor,
        action="changed",
        object_type="content_piece",
        object_id=piece.id,
        summary=f"{piece.kind} {piece.index} rewritten by {settings.model}",
    )
    return rewritten
