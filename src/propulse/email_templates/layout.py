"""The responsive e-mail layout every body is wrapped in, and the unsubscribe footer.

The footer's words travel with the e-mail in the variant's language (like the body itself),
not in the reader-interface catalog: a missing UI translation must never send English
unsubscribe words to a French contact.
"""

from __future__ import annotations

from html import escape

from propulse.delivery.placeholders import PREFERENCES_URL, UNSUBSCRIBE_URL

# No "{{", "{%" or "{#" in here: bodies are split on placeholders, never re-parsed by Jinja,
# but keeping the layout free of Jinja syntax avoids any surprise.
STYLE = """
body { margin: 0; padding: 0; background: #f4f5f7; }
.email-wrapper { width: 100%; background: #f4f5f7; padding: 24px 0; }
.email-content { max-width: 600px; margin: 0 auto; background: #ffffff; padding: 32px;
  color: #1f2933; font-family: Arial, Helvetica, sans-serif; font-size: 16px; line-height: 1.5; }
.email-footer { max-width: 600px; margin: 0 auto; padding: 16px 32px; color: #6b7280;
  font-family: Arial, Helvetica, sans-serif; font-size: 12px; line-height: 1.5;
  text-align: center; }
.email-footer a { color: #6b7280; }
h1 { font-size: 24px; line-height: 1.25; margin: 0 0 16px; }
h2 { font-size: 20px; line-height: 1.3; margin: 24px 0 12px; }
h3 { font-size: 17px; margin: 20px 0 8px; }
p { margin: 0 0 16px; }
a { color: #1d4ed8; }
ul, ol { margin: 0 0 16px; padding-left: 24px; }
li { margin: 0 0 4px; }
blockquote { margin: 0 0 16px; padding: 4px 0 4px 12px; border-left: 4px solid #d1d5db;
  color: #4b5563; }
img { max-width: 100%; height: auto; border: 0; }
table { border-collapse: collapse; }
th, td { padding: 6px 8px; border: 1px solid #e5e7eb; text-align: left; }
hr { border: 0; border-top: 1px solid #e5e7eb; margin: 24px 0; }
pre, code { font-family: Menlo, Consolas, monospace; font-size: 14px; }
@media only screen and (max-width: 620px) {
  .email-wrapper { padding: 0 !important; }
  .email-content { padding: 20px !important; }
}
"""

FOOTER_WORDS = {
    "en": ("Unsubscribe", "Manage preferences"),
    "fr": ("Se désinscrire", "Gérer mes préférences"),
}

# Written with its styles inline: it is added after CSS inlining, only when needed.
_FOOTER_HTML = (
    '<div class="email-footer" style="max-width: 600px;margin: 0 auto;padding: 16px 32px;'
    "color: #6b7280;font-family: Arial, Helvetica, sans-serif;font-size: 12px;"
    'line-height: 1.5;text-align: center;">'
    '<a href="{unsubscribe}" style="color: #6b7280;">{unsubscribe_words}</a> · '
    '<a href="{preferences}" style="color: #6b7280;">{preferences_words}</a></div>'
)


def footer_words(language: str) -> tuple[str, str]:
    return FOOTER_WORDS.get(language, FOOTER_WORDS["en"])


def footer_html(language: str) -> str:
    unsubscribe, preferences = footer_words(language)
    return _FOOTER_HTML.format(
        unsubscribe=UNSUBSCRIBE_URL,
        preferences=PREFERENCES_URL,
        unsubscribe_words=escape(unsubscribe),
        preferences_words=escape(preferences),
    )


def footer_text(language: str) -> str:
    unsubscribe, preferences = footer_words(language)
    return f"\n\n--\n{unsubscribe}: {UNSUBSCRIBE_URL}\n{preferences}: {PREFERENCES_URL}\n"


def wrap(body_html: str, *, language: str, footer: bool) -> str:
    """Return a whole HTML document around a sanitised body fragment (CSS not inlined yet)."""
    return (
        f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{STYLE}</style></head>"
        '<body><div class="email-wrapper"><div class="email-content">'
        f"{body_html}</div>{footer_html(language) if footer else ''}</div></body></html>"
    )


def with_footer(html: str, language: str) -> str:
    """Add the unsubscribe footer at the end of a document that lacks the link (safety net)."""
    footer = footer_html(language)
    position = html.rfind("</body>")
    if position == -1:
        return html + footer
    return html[:position] + footer + html[position:]
