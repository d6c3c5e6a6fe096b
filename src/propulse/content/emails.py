"""A nurturing sequence: the e-book delivered first, then one key lesson per e-mail.

Each e-mail has one call to action (the brand's, to the e-book), a subject of at most 60
characters, a preheader of at most 100 and its delay in days after the first one. Lessons come
from the richest units, in source order: in each, the strongest run of consecutive sentences
(they read as a passage), none already sent by an earlier e-mail or posted on LinkedIn.
"""

from __future__ import annotations

from propulse.content.document import BrandKit, Ebook, Piece
from propulse.content.drafting import (
    Material,
    Unit,
    key,
    paragraph,
    shorten,
)
from propulse.content.wording import Voice, cta_text, phrase

__all__ = ["DELAYS", "PREHEADER_MAX", "SUBJECT_MAX", "draft_emails"]

DELAYS = (0, 3, 7, 14, 21, 28)
SUBJECT_MAX = 60
PREHEADER_MAX = 100
LESSONS_MAX = len(DELAYS) - 1
MIN_LESSONS = 3  # with the welcome e-mail, the four e-mails of the shortest sequence
LESSON_SENTENCES = 3
WELCOME_SENTENCES = 2


def draft_emails(
    material: Material,
    units: list[Unit],
    brand: BrandKit,
    which: Voice,
    *,
    ebook: Ebook,
    avoid: set[str] | None = None,
) -> list[Piece]:
    """Draft the welcome e-mail and up to five lessons, spaced by ``DELAYS``.

    ``avoid`` holds the keys of sentences other pieces (the posts) already repeat.
    """
    # Sentences already sent or posted: each e-mail teaches something new.
    used: set[str] = set(avoid or ())
    link_text = cta_text(which, brand)
    link = f"[{link_text}]({brand.cta_url})"
    emails = [_welcome(material, which, ebook, link, used)]
    subjects = {key(emails[0].title)}
    # Lessons point to a chapter: units the e-book treats as its introduction come last.
    chapters = {key(chapter.title) for chapter in ebook.chapters}
    ranked = sorted(
        units,
        key=lambda unit: (
            key(material.sections[unit.section].title) not in chapters,
            -unit.words,
            unit.section,
            unit.part,
        ),
    )
    in_chapters = [u for u in ranked if key(material.sections[u.section].title) in chapters]
    chosen = in_chapters if len(in_chapters) >= MIN_LESSONS else ranked
    lessons = sorted(chosen[:LESSONS_MAX], key=lambda unit: (unit.section, unit.part))
    for unit in lessons:
        emails.append(_lesson(material, which, unit, link, used, subjects))
    for number, email in enumerate(emails, start=1):
        email.index = number
        email.meta.update(
            {"cta_text": link_text, "cta_url": brand.cta_url, "delay_days": DELAYS[number - 1]}
        )
    return emails


def _welcome(material: Material, which: Voice, ebook: Ebook, link: str, used: set[str]) -> Piece:
    """Deliver the e-book: what it is, a taste of the introduction, the chapters, the link."""
    prefix = len(phrase(which, "welcome_subject", title=""))
    title = shorten(ebook.title, SUBJECT_MAX - prefix, language=material.language)
    subject = phrase(which, "welcome_subject", title=title)
    sections = material.sections
    # The opening's first sentence is usually the speaker's greeting: not a taste of the book.
    opening = sections[0].sentences[1:] if sections else []
    keyphrases = sections[0].keyphrases if sections else []
    fresh = [sentence for sentence in opening if key(sentence.text) not in used]
    taste = material.strongest(fresh, WELCOME_SENTENCES, keyphrases, max_chars=300)
    used.update(key(sentence.text) for sentence in taste)
    blocks = [phrase(which, "greeting"), phrase(which, "welcome_intro", title=ebook.title)]
    if taste:
        blocks.append(paragraph(taste))
    if ebook.chapters:
        chapters = "\n".join(f"- {chapter.title}" for chapter in ebook.chapters)
        blocks.append(f"{phrase(which, 'welcome_programme')}\n\n{chapters}")
    blocks.extend([f"**{link}**", phrase(which, "sign_off")])
    preheader = shorten(
        phrase(which, "welcome_preheader"), PREHEADER_MAX, language=material.language, ellipsis=True
    )
    return Piece(
        kind="email",
        index=1,
        title=subject,
        body="\n\n".join(blocks),
        meta={"subject": subject, "preheader": preheader},
    )


def _lesson(
    material: Material, which: Voice, unit: Unit, link: str, used: set[str], subjects: set[str]
) -> Piece:
    """Distil one unit: its strongest sentences, then the way to the full chapter."""
    subject = shorten(unit.title, SUBJECT_MAX, language=material.language)
    for phrase_text in unit.keyphrases:
        if key(subject) not in subjects:
            break
        subject = shorten(f"{unit.title} · {phrase_text}", SUBJECT_MAX, language=material.language)
    subjects.add(key(subject))
    window = material.best_window(unit.sentences, LESSON_SENTENCES, unit.keyphrases, avoid=used)
    # A sentence already sent or posted is left out; when that leaves too little, the
    # strongest fresh sentences of the unit make the lesson instead.
    lesson = [sentence for sentence in window if key(sentence.text) not in used]
    if len(lesson) < LESSON_SENTENCES - 1:
        fresh = [sentence for sentence in unit.sentences if key(sentence.text) not in used]
        lesson = material.strongest(fresh, LESSON_SENTENCES, unit.keyphrases) or window
    used.update(key(sentence.text) for sentence in lesson)
    best = material.strongest(lesson, 1, unit.keyphrases)
    preheader = shorten(
        best[0].text if best else unit.title,
        PREHEADER_MAX,
        language=material.language,
        ellipsis=True,
    )
    chapter = material.sections[unit.section].title
    blocks = [
        phrase(which, "greeting"),
        phrase(which, "lesson_intro", title=chapter),
        paragraph(lesson),
        f"{phrase(which, 'lesson_cta_lead')} **{link}**",
        phrase(which, "sign_off"),
    ]
    return Piece(
        kind="email",
        index=0,
        title=subject,
        body="\n\n".join(blocks),
        section=unit.section,
        meta={"subject": subject, "preheader": preheader},
    )
