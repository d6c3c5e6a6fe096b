"""Optional rewriting of a drafted piece by a language model, then checked against the source.

Any server that speaks the OpenAI chat-completions API will do (Ollama, vLLM, a llama.cpp
server, OpenAI...): ``POST {base_url}/chat/completions``. Nothing is sent anywhere unless a
base URL and a model are configured. The answer is never trusted: ``check_rewrite`` lists
every number and quotation that is in neither the source nor the original draft, and an empty
or bloated answer; the caller refuses the rewrite when the list is not empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

# The quality report's own helpers, so a rewrite is judged exactly like the drafts.
from propulse.content.quality import _content, _number_key, _quote_key, quotations
from propulse.content.statistics import normalise_number_text
from propulse.kit.i18n import format_number
from propulse.kit.i18n import gettext as _

__all__ = [
    "REWRITE_TIMEOUT_SECONDS",
    "LlmError",
    "LlmSettings",
    "check_rewrite",
    "rewrite",
    "system_prompt",
]

REWRITE_TIMEOUT_SECONDS = 60.0
MAX_GROWTH = 3  # an answer more than three times longer than the draft is refused
TEMPERATURE = 0.3
_FENCE = re.compile(r"^```[\w-]*[ \t]*\n(?P<body>.*)\n```[ \t]*$", re.DOTALL)


@dataclass(frozen=True)
class LlmSettings:
    """Where the model is: an OpenAI-compatible base URL (with its /v1), a model, a key."""

    base_url: str
    model: str
    api_key: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.base_url.strip() and self.model.strip())

    @property
    def endpoint(self) -> str:
        return self.base_url.strip().rstrip("/") + "/chat/completions"


class LlmError(Exception):
    """The model could not give an answer; ``code`` names why, for the edge to translate.

    Codes: ``not_configured``, ``timeout``, ``unreachable``, ``status`` (details: status,
    body), ``malformed``.
    """

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


# The prompt


_KINDS = {
    "fr": {
        "article": "un article de blog",
        "linkedin": "un post LinkedIn",
        "email": "un e-mail",
        "ebook": "un extrait d'e-book",
    },
    "en": {
        "article": "a blog article",
        "linkedin": "a LinkedIn post",
        "email": "an e-mail",
        "ebook": "an e-book excerpt",
    },
}
_TONES = {
    "fr": {
        "formal": "professionnel et soigné ; vouvoyez le lecteur (« vous »), jamais de « tu »",
        "informal": "direct et chaleureux ; tutoyez le lecteur (« tu »), jamais de « vous »",
    },
    "en": {
        "formal": "professional and polished; no slang, no exclamation marks",
        "informal": "friendly and conversational; contractions are welcome",
    },
}
_PROMPTS = {
    "fr": (
        "Vous êtes rédacteur marketing B2B. Réécrivez le texte fourni, {kind}, en français, "
        "dans le ton de la marque : {tone}.\n"
        "Règles strictes :\n"
        "- Gardez la structure Markdown : titres, listes, paragraphes, liens (texte et "
        "adresse) et hashtags.\n"
        "- Gardez exactement chaque nombre et chaque statistique, tels qu'écrits.\n"
        "- Gardez chaque citation entre guillemets mot pour mot, avec ses guillemets.\n"
        "- N'ajoutez aucun fait, aucun nombre, aucune citation, aucun nom absent du texte.\n"
        "- Gardez une longueur proche de celle du texte.\n"
        "- Répondez uniquement par le texte réécrit, sans commentaire ni bloc de code."
    ),
    "en": (
        "You are a B2B marketing writer. Rewrite the text you are given, {kind}, in English, "
        "in the brand's tone: {tone}.\n"
        "Strict rules:\n"
        "- Keep the Markdown structure: headings, lists, paragraphs, links (text and address) "
        "and hashtags.\n"
        "- Keep every number and every statistic exactly as written.\n"
        "- Keep every quotation between quotation marks word for word, with its marks.\n"
        "- Add no fact, no number, no quotation and no name that is not in the text.\n"
        "- Keep the length close to the text's.\n"
        "- Answer with the rewritten text only, without comments or code fences."
    ),
}


def system_prompt(*, kind: str, language: str, tone: str) -> str:
    """Return the instructions, in the piece's language, with the brand's tone."""
    lang = language if language in _PROMPTS else "en"
    return _PROMPTS[lang].format(
        kind=_KINDS[lang].get(kind, _KINDS[lang]["article"]),
        tone=_TONES[lang].get(tone, _TONES[lang]["formal"]),
    )


# The call


def rewrite(
    piece_text: str,
    *,
    kind: str,
    language: str,
    tone: str,
    settings: LlmSettings,
    timeout: float = REWRITE_TIMEOUT_SECONDS,
) -> str:
    """Ask the model to rewrite ``piece_text`` in the brand's tone; return its answer.

    Raise ``LlmError`` when nothing is configured (nothing is sent then), on a network error
    or a timeout, on an answer other than 200, and on an answer that is not the expected JSON.
    """
    if not settings.configured:
        raise LlmError("not_configured", "No language model is configured.")
    payload = {
        "model": settings.model.strip(),
        "messages": [
            {
                "role": "system",
                "content": system_prompt(kind=kind, language=language, tone=tone),
            },
            {"role": "user", "content": piece_text},
        ],
        "temperature": TEMPERATURE,
    }
    headers = {"Accept": "application/json"}
    if settings.api_key:
        headers["Authorization"] = f"Bearer {settings.api_key}"
    endpoint = settings.endpoint
    try:
        # No redirects: the key is for this address only.
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.post(endpoint, json=payload, headers=headers)
    except httpx.TimeoutException as error:
        raise LlmError(
            "timeout",
            f"The language model at {endpoint} did not answer within {timeout:g} seconds.",
            seconds=timeout,
        ) from error
    except (httpx.HTTPError, ValueError) as error:  # ValueError: a URL httpx cannot use
        raise LlmError(
            "unreachable",
            f"The language model at {endpoint} cannot be reached: {error}",
            reason=str(error) or type(error).__name__,
        ) from error
    if response.status_code != 200:
        body = " ".join(response.text.split())[:200]
        raise LlmError(
            "status",
            f"The language model answered HTTP {response.status_code}: {body}",
            status=response.status_code,
            body=body,
        )
    try:
        data = response.json()
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise LlmError(
            "malformed", "The language model's answer is not a chat completion."
        ) from error
    if not isinstance(content, str):
        raise LlmError("malformed", "The language model's answer is not a chat completion.")
    return _unfenced(content.strip())


def _unfenced(text: str) -> str:
    """Remove the code fence some models wrap their whole answer in."""
    match = _FENCE.match(text)
    return match.group("body").strip() if match else text


# The checks


def _shown_number(value: float) -> str:
    decimals = f"{value:.6f}".rstrip("0").partition(".")[2]
    return format_number(value, len(decimals))


def _shown_quote(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return "« " + (flat if len(flat) <= limit else flat[: limit - 1] + "…") + " »"


def check_rewrite(original: str, rewritten: str, source_text: str) -> list[str]:
    """Return what is wrong with a rewrite (translated); an empty list means it may be kept.

    - every number of the rewrite must be in the source or the original draft, compared
      after normalising ("40 000" = "40000", "12,5 %" = "12.5%"; a range by its ends);
    - every quotation (« », “ ”, "...") must be in the source or the draft, word for word
      (spaces and apostrophes aside);
    - the answer must not be empty, nor more than three times longer than the draft.

    Links, hashtags, time codes and list numbering are not content, so not checked.
    """
    if not rewritten.strip():
        return [_("the answer is empty")]
    problems: list[str] = []
    if len(rewritten) > MAX_GROWTH * max(len(original), 1):
        problems.append(
            _(
                "the answer is %(times)s times longer than the draft",
                times=format_number(len(rewritten) / max(len(original), 1), 1),
            )
        )
    known_numbers = {
        _number_key(value)
        for text in (source_text, _content(original, []))
        for value in normalise_number_text(text)
    }
    known_quotes = (_quote_key(source_text), _quote_key(original))
    content = _content(rewritten, [])
    invented_numbers: list[float] = []
    for value in normalise_number_text(content):
        number = _number_key(value)
        if number not in known_numbers and number not in invented_numbers:
            invented_numbers.append(number)
    problems += [
        _("the rewrite invented the number %(number)s", number=_shown_number(value))
        for value in invented_numbers
    ]
    invented_quotes: list[str] = []
    for quote in quotations(content):
        key = _quote_key(quote)
        if all(key not in known for known in known_quotes) and quote not in invented_quotes:
            invented_quotes.append(quote)
    problems += [
        _("the rewrite invented the quotation %(quote)s", quote=_shown_quote(quote))
        for quote in invented_quotes
    ]
    return problems
