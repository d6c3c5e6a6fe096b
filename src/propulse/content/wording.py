"""The engine's own words: greetings, calls to action, labels, in French (vous or tu) and English.

These connective phrases are all the engine writes itself; everything else in a piece is the
source's own sentences. They hold no digit and no quotation mark (a test checks it), so a
number or a quotation in a piece can only come from the source. They are chosen by the
source's language, not the reader's interface language, so they are not gettext messages.
"""

from __future__ import annotations

from typing import Literal

from propulse.content.document import BrandKit, Language

__all__ = ["PHRASES", "Voice", "cta_text", "phrase", "voice"]

Voice = Literal["fr-formal", "fr-informal", "en"]

# One entry per voice; French phrases put a no-break space before ":", "?" and "!".
PHRASES: dict[Voice, dict[str, str]] = {
    "fr-formal": {
        "cta_default": "Téléchargez l’e-book",
        "and": " et ",
        "ebook_subtitle": "L’essentiel\u00a0: {topics}",
        "conclusion_lead": "Pour conclure, voici l’idée forte de chaque chapitre\u00a0:",
        "article_cta": (
            "Pour aller plus loin, retrouvez toute la méthode dans notre e-book *{title}*\u00a0:"
            " {link}"
        ),
        "continued": "(suite)",
        "label_quote": "Citation",
        "label_statistic": "Chiffre clé",
        "label_insight": "Idée clé",
        "label_list": "L’essentiel",
        "label_video": "Extrait vidéo",
        "quote_hook": "💬 Une phrase à retenir de notre webinar\u00a0:",
        "question": "Et vous, qu’en pensez-vous\u00a0?",
        "statistic_hook": "📊 {figure}\u00a0: un chiffre à garder en tête.",
        "list_hook": "{title}\u00a0: l’essentiel en quelques points 👇",
        "video_hook": "🎬 Extrait vidéo de notre webinar\u00a0: {title}",
        "video_note": "Regardez l’extrait, puis retrouvez tout le contenu dans l’e-book.",
        "post_cta": "👉 {cta}\u00a0: {url}",
        "greeting": "Bonjour,",
        "sign_off": "À très bientôt,",
        "welcome_subject": "Votre e-book\u00a0: {title}",
        "welcome_preheader": "L’essentiel de notre webinar, à lire quand vous le souhaitez.",
        "welcome_intro": (
            "Merci pour votre intérêt\u00a0! Voici votre e-book *{title}*, qui rassemble"
            " l’essentiel de notre webinar."
        ),
        "welcome_programme": "Au programme\u00a0:",
        "lesson_intro": (
            "Aujourd’hui, nous vous proposons une idée clé tirée du chapitre *{title}* de"
            " votre e-book."
        ),
        "lesson_cta_lead": "Le chapitre complet vous attend dans l’e-book\u00a0:",
    },
    "fr-informal": {
        "cta_default": "Télécharge l’e-book",
        "and": " et ",
        "ebook_subtitle": "L’essentiel\u00a0: {topics}",
        "conclusion_lead": "Pour conclure, voici l’idée forte de chaque chapitre\u00a0:",
        "article_cta": (
            "Pour aller plus loin, retrouve toute la méthode dans notre e-book *{title}*\u00a0:"
            " {link}"
        ),
        "continued": "(suite)",
        "label_quote": "Citation",
        "label_statistic": "Chiffre clé",
        "label_insight": "Idée clé",
        "label_list": "L’essentiel",
        "label_video": "Extrait vidéo",
        "quote_hook": "💬 Une phrase à retenir de notre webinar\u00a0:",
        "question": "Et toi, qu’en penses-tu\u00a0?",
        "statistic_hook": "📊 {figure}\u00a0: un chiffre à garder en tête.",
        "list_hook": "{title}\u00a0: l’essentiel en quelques points 👇",
        "video_hook": "🎬 Extrait vidéo de notre webinar\u00a0: {title}",
        "video_note": "Regarde l’extrait, puis retrouve tout le contenu dans l’e-book.",
        "post_cta": "👉 {cta}\u00a0: {url}",
        "greeting": "Salut,",
        "sign_off": "À très vite,",
        "welcome_subject": "Ton e-book\u00a0: {title}",
        "welcome_preheader": "L’essentiel de notre webinar, à lire quand tu veux.",
        "welcome_intro": (
            "Merci pour ton intérêt\u00a0! Voici ton e-book *{title}*, qui rassemble"
            " l’essentiel de notre webinar."
        ),
        "welcome_programme": "Au programme\u00a0:",
        "lesson_intro": (
            "Aujourd’hui, on te propose une idée clé tirée du chapitre *{title}* de ton e-book."
        ),
        "lesson_cta_lead": "Le chapitre complet t’attend dans l’e-book\u00a0:",
    },
    "en": {
        "cta_default": "Download the e-book",
        "and": " and ",
        "ebook_subtitle": "The essentials: {topics}",
        "conclusion_lead": "To conclude, here is the key idea of each chapter:",
        "article_cta": "To go further, get the whole method in our e-book *{title}*: {link}",
        "continued": "(continued)",
        "label_quote": "Quote",
        "label_statistic": "Key figure",
        "label_insight": "Key idea",
        "label_list": "Key points",
        "label_video": "Video excerpt",
        "quote_hook": "💬 A line worth remembering from our webinar:",
        "question": "What do you think?",
        "statistic_hook": "📊 {figure}: a figure worth remembering.",
        "list_hook": "{title}: the key points 👇",
        "video_hook": "🎬 Video excerpt from our webinar: {title}",
        "video_note": "Watch the excerpt, then find the whole content in the e-book.",
        "post_cta": "👉 {cta}: {url}",
        "greeting": "Hello,",
        "sign_off": "Talk soon,",
        "welcome_subject": "Your e-book: {title}",
        "welcome_preheader": "The essentials of our webinar, to read whenever you like.",
        "welcome_intro": (
            "Thank you for your interest! Here is your e-book *{title}*, with the essentials"
            " of our webinar."
        ),
        "welcome_programme": "Inside:",
        "lesson_intro": "Today, one key idea from the chapter *{title}* of your e-book.",
        "lesson_cta_lead": "The full chapter is waiting for you in the e-book:",
    },
}


def voice(language: Language, brand: BrandKit) -> Voice:
    """Return the wording to use: English, or French with "vous" or "tu" per the brand's tone."""
    if language == "en":
        return "en"
    return "fr-informal" if brand.tone == "informal" else "fr-formal"


def phrase(which: Voice, key: str, **values: str) -> str:
    """Return one of the engine's connective phrases, filled in."""
    return PHRASES[which][key].format(**values)


def cta_text(which: Voice, brand: BrandKit) -> str:
    """Return the brand's call-to-action text, else the engine's default in the voice."""
    return brand.cta_text.strip() or phrase(which, "cta_default")
