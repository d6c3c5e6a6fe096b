"""The embed code: a plain HTML form, to paste on another site, posting to the hosted page.

It carries the honeypot field but no time stamp (a stamp would go stale in a page's HTML);
the rate limit and the double opt-in cover embeds. Labels are in the form's language.
"""

from __future__ import annotations

from markupsafe import escape

from propulse.forms.models import SignupForm
from propulse.forms.page import Input
from propulse.forms.submit import CONSENT_FIELD, HONEYPOT_FIELD
from propulse.kit import i18n
from propulse.kit.i18n import gettext as _


def _input(item: Input, slug: str) -> str:
    identifier = f"{slug}-{item.key}"
    required = " required" if item.required else ""
    label = f'  <label for="{escape(identifier)}">{escape(item.label)}</label>\n'
    if item.is_select:
        options = "".join(
            f'\n    <option value="{escape(value)}">{escape(text)}</option>'
            for value, text in item.options
        )
        return (
            label + f'  <select id="{escape(identifier)}" name="{escape(item.key)}"{required}>'
            f'\n    <option value=""></option>{options}\n  </select>\n'
        )
    return (
        label + f'  <input id="{escape(identifier)}" name="{escape(item.key)}" '
        f'type="{item.html_type}"{required}>\n'
    )


def embed_code(form: SignupForm, *, action: str, inputs: list[Input]) -> str:
    """Return the HTML to paste on another site (escaped: labels are user-written)."""
    slug = str(escape(form.slug))
    with i18n.use_locale(form.language):
        email_label = _("E-mail")
        hidden_label = _("Leave this field empty")
        submit = _("Sign up")
    parts = [
        f'<form method="post" action="{escape(action)}" accept-charset="utf-8" '
        f'class="propulse-form">\n',
        f'  <label for="{slug}-email">{escape(email_label)}</label>\n',
        f'  <input id="{slug}-email" name="email" type="email" required autocomplete="email">\n',
        *(_input(item, slug) for item in inputs),
        f'  <label><input name="{CONSENT_FIELD}" type="checkbox" value="yes" required> '
        f"{escape(form.consent_wording)}</label>\n",
        # Hidden from people (off-screen, not display:none, which some robots detect).
        '  <div style="position:absolute;left:-10000px;top:auto;width:1px;height:1px;'
        'overflow:hidden" aria-hidden="true">\n'
        f'    <label>{escape(hidden_label)} <input name="{HONEYPOT_FIELD}" type="text" '
        'tabindex="-1" autocomplete="off"></label>\n  </div>\n',
        f'  <button type="submit">{escape(submit)}</button>\n',
        "</form>\n",
    ]
    return "".join(parts)
