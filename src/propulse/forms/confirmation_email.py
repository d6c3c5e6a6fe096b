"""The double opt-in e-mail: written in the form's language, queued on the ``forms`` stream."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from propulse.delivery import service as delivery
from propulse.forms.models import FormSubmission, SignupForm
from propulse.forms.tokens import CONFIRM_MAX_AGE_SECONDS, confirm_token, confirm_url
from propulse.kit import i18n
from propulse.kit.errors import InvalidInput
from propulse.kit.i18n import gettext as _

STREAM = "forms"
EMAIL_DIR = Path(__file__).resolve().parent / "templates" / "forms" / "email"


@cache
def _environment() -> Environment:
    """Return the e-mail templates' environment (HTML escaped, the text part as it is)."""
    environment = Environment(
        loader=FileSystemLoader(str(EMAIL_DIR)),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install = environment.install_gettext_callables  # type: ignore[attr-defined]
    install(gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True)
    return environment


def queue_confirmation(session: Session, *, form: SignupForm, submission: FormSubmission) -> bool:
    """Queue the e-mail with the signed confirmation link; False when the address is refused."""
    link = confirm_url(confirm_token(submission_id=submission.id))
    context = {"form": form, "link": link, "days": CONFIRM_MAX_AGE_SECONDS // 86400}
    with i18n.use_locale(form.language):
        subject = _("Please confirm: %(title)s", title=form.title)
        html_body = _environment().get_template("confirm.html").render(context)
        text_body = _environment().get_template("confirm.txt").render(context)
    try:
        delivery.enqueue_message(
            session,
            to_address=submission.email,
            subject=subject[:300].replace("\n", " "),
            html_body=html_body,
            text_body=text_body,
            stream=STREAM,
        )
    except InvalidInput:
        # Suppressed between the check and now: the visitor is told nothing different.
        return False
    return True
