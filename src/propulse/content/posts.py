"""LinkedIn posts: quotations, key figures, insights or lists, and video excerpts, mixed.

About ten posts: up to three quotation posts, three statistic posts and two video posts (when
the source has time codes), the rest insight and list posts from the richest units. No two
posts are built on the same quotation or statistic, and the sentences a post uses are
remembered so that later posts and the e-mails prefer others (no near copies).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from propulse.content.document import BrandKit, Excerpt, Piece, PostKind, Quote, Sentence, Statistic
from propulse.content.drafting import (
    Material,
    Unit,
    hashtag,
    key,
    looks_like_name,
    shorten,
    word_key,
)
from propulse.content.wording import Voice, cta_text, phrase

__all__ = ["HOOK_MAX", "POST_MAX", "draft_posts", "quoted", "statistic_figure", "timecode"]

POST_MAX = 3000
HOOK_MAX = 210
POSTS_TARGET, POSTS_MIN = 10, 8
VIDEOS_MAX, QUOTES_MAX, STATISTICS_MAX = 2, 3, 3
HASHTAGS_TARGET, HASHTAGS_MAX = 4, 5
EXCERPT_MAX_CHARS = 1200
BULLET_MAX_CHARS = 240
# The order in which kinds take turns, so that the feed alternates formats.
ROTATION = ("quote", "idea", "statistic", "video")


@dataclass
class _Draft:
    kind: PostKind
    section: int | None
    hook: str
    blocks: list[str]  # after the hook; dropped from the end when the post is too long
    meta: dict[str, object] = field(default_factory=dict)


def quoted(text: str, language: str) -> str:
    """Put a quotation between the language's quotation marks, reproduced exactly.

    A comma the source kept inside the marks ("..., says Maya") ends nothing here: it goes.
    """
    text = text.strip().rstrip(",;")
    return f"«\u00a0{text}\u00a0»" if language == "fr" else f"“{text}”"


def timecode(seconds: float, *, up: bool = False) -> str:
    """Format seconds as HH:MM:SS (rounded down, or ``up`` for the end of a clip)."""
    whole = math.ceil(seconds) if up else math.floor(seconds)
    hours, rest = divmod(max(0, whole), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def statistic_figure(statistic: Statistic) -> str:
    """Return the figure as written in its sentence, unit included ("40 %", "12,5 M€")."""
    expression = re.escape(statistic.expression)
    if statistic.unit:
        found = re.search(
            expression + r"[\s\u00a0\u202f]?" + re.escape(statistic.unit), statistic.sentence
        )
        if found:
            return found.group()
    return statistic.expression


def draft_posts(
    material: Material, units: list[Unit], brand: BrandKit, which: Voice
) -> tuple[list[Piece], set[str]]:
    """Draft 8-12 posts (about ten), alternating their kinds; return the sentences used too.

    The e-mails avoid those sentences: a lesson that repeats a post word for word is a
    duplicate for the reader who follows both channels.
    """
    drafter = _PostDrafter(material, brand, which)
    analysis = material.analysis
    # Videos first: the quotations and figures they already show are left to other posts.
    excerpts = [e for e in analysis.excerpts if not material.is_furniture(e.text)]
    videos = [drafter.video(excerpt) for excerpt in _pick_excerpts(excerpts)]
    quotes = drafter.pick_quotes(analysis.quotes, QUOTES_MAX)
    statistics = drafter.pick_statistics(analysis.statistics, STATISTICS_MAX, quotes)
    drafter.reserve(quotes, statistics)  # no post's context repeats another post's sentence
    quote_posts = [drafter.quote(quote) for quote in quotes]
    statistic_posts = [drafter.statistic(statistic) for statistic in statistics]
    needed = POSTS_TARGET - len(videos) - len(quote_posts) - len(statistic_posts)
    ideas = drafter.ideas(units, needed)
    short = POSTS_MIN - len(videos) - len(quote_posts) - len(statistic_posts) - len(ideas)
    if short > 0:  # little material: more quotations and figures, if the source has them
        more_quotes = drafter.pick_quotes(analysis.quotes, short, taken=quotes)
        quote_posts += [drafter.quote(quote) for quote in more_quotes]
        short -= len(more_quotes)
        more_statistics = drafter.pick_statistics(
            analysis.statistics, short, [*quotes, *more_quotes], taken=statistics
        )
        drafter.reserve(more_quotes, more_statistics)
        statistic_posts += [drafter.statistic(statistic) for statistic in more_statistics]
    queues: dict[str, list[_Draft]] = {
        "quote": quote_posts,
        "statistic": statistic_posts,
        "video": videos,
        "idea": ideas,
    }
    ordered: list[_Draft] = []
    while any(queues.values()):
        for kind in ROTATION:
            if queues[kind]:
                ordered.append(queues[kind].pop(0))
    posts = [drafter.piece(number, draft) for number, draft in enumerate(ordered, start=1)]
    return posts, drafter.used


def _pick_excerpts(excerpts: Sequence[Excerpt]) -> list[Excerpt]:
    """Pick the best excerpts that do not overlap, from distinct sections first."""
    chosen: list[Excerpt] = []
    for distinct_sections in (True, False):
        for excerpt in excerpts:
            if len(chosen) == VIDEOS_MAX:
                return sorted(chosen, key=lambda item: item.start)
            if excerpt in chosen:
                continue
            if distinct_sections and any(item.section == excerpt.section for item in chosen):
                continue
            if any(excerpt.start < item.end and item.start < excerpt.end for item in chosen):
                continue
            chosen.append(excerpt)
    return sorted(chosen, key=lambda item: item.start)


class _PostDrafter:
    def __init__(self, material: Material, brand: BrandKit, which: Voice) -> None:
        self.material = material
        self.brand = brand
        self.which = which
        self.language = material.language
        self.used: set[str] = set()
        self.videos: list[str] = []  # keys of the excerpts shown

    # Choosing what posts are built on

    def pick_quotes(
        self, quotes: Sequence[Quote], count: int, *, taken: Sequence[Quote] = ()
    ) -> list[Quote]:
        """Pick distinct quotations whose post hook fits, spread over sections first."""
        chosen: list[Quote] = []
        seen = {key(quote.text) for quote in taken}
        for distinct_sections in (True, False):
            for quote in quotes:
                if len(chosen) == count:
                    return chosen
                quote_key = key(quote.text)
                if quote_key in seen or len(quote.text) > POST_MAX // 3:
                    continue
                if self.material.is_furniture(quote.text) or self._in_video(quote.text):
                    continue
                if distinct_sections and any(q.section == quote.section for q in chosen):
                    continue
                seen.add(quote_key)
                chosen.append(quote)
        return chosen

    def pick_statistics(
        self,
        statistics: Sequence[Statistic],
        count: int,
        quotes: Sequence[Quote],
        *,
        taken: Sequence[Statistic] = (),
    ) -> list[Statistic]:
        """Pick statistics with distinct values and sentences, none a chosen quotation."""
        quote_keys = [key(quote.text) for quote in quotes]
        ranked = sorted(statistics, key=lambda statistic: (not statistic.unit,))
        chosen: list[Statistic] = []
        taken_values = {statistic.values for statistic in taken}
        taken_sentences = {key(statistic.sentence) for statistic in taken}
        for distinct_sections in (True, False):
            for statistic in ranked:
                if len(chosen) == count:
                    return chosen
                sentence_key = key(statistic.sentence)
                if statistic.values in taken_values or sentence_key in taken_sentences:
                    continue
                if self.material.is_furniture(statistic.sentence):
                    continue
                if self._in_video(statistic.sentence):
                    continue
                if any(q in sentence_key or sentence_key in q for q in quote_keys):
                    continue
                if distinct_sections and any(s.section == statistic.section for s in chosen):
                    continue
                taken_values.add(statistic.values)
                taken_sentences.add(sentence_key)
                chosen.append(statistic)
        return chosen

    # Drafting each kind

    def quote(self, quote: Quote) -> _Draft:
        marked = quoted(quote.text, self.language)
        if quote.speaker:
            marked += f" — {quote.speaker}"
        self._use(quote.text)
        self._use_sentences_holding(quote.section, quote.text)
        blocks: list[str] = []
        if len(marked) <= HOOK_MAX:
            hook = marked
        else:
            hook = phrase(self.which, "quote_hook")
            blocks.append(marked)
        blocks.extend(self._context(quote.section, quote.text))
        blocks.append(phrase(self.which, "question"))
        return _Draft("quote", quote.section, hook, blocks, {"quote": quote.text})

    def statistic(self, statistic: Statistic) -> _Draft:
        figure = statistic_figure(statistic)
        self._use(statistic.sentence)
        hook = phrase(self.which, "statistic_hook", figure=figure)
        blocks = [statistic.sentence.strip(), *self._context(statistic.section, statistic.sentence)]
        blocks.append(phrase(self.which, "question"))
        return _Draft(
            "statistic",
            statistic.section,
            hook,
            blocks,
            {"statistic": figure, "statistic_sentence": statistic.sentence},
        )

    def video(self, excerpt: Excerpt) -> _Draft:
        title = self._section_title(excerpt.section)
        hook = shorten(
            phrase(self.which, "video_hook", title=title), HOOK_MAX, language=self.language
        )
        text = shorten(excerpt.text, EXCERPT_MAX_CHARS, language=self.language, ellipsis=True)
        blocks = [text, phrase(self.which, "video_note")]
        self.videos.append(key(excerpt.text))
        sections = self.material.sections
        if 0 <= excerpt.section < len(sections):
            for sentence in sections[excerpt.section].sentences:
                if self._in_video(sentence.text):
                    self._use(sentence.text)
        meta: dict[str, object] = {
            "start": timecode(excerpt.start),
            "end": timecode(excerpt.end, up=True),
        }
        return _Draft("video", excerpt.section, hook, blocks, meta)

    def ideas(self, units: Sequence[Unit], count: int) -> list[_Draft]:
        """Alternate insight and list posts over the richest units, twice round if needed."""
        ranked = sorted(units, key=lambda unit: (-unit.words, unit.section, unit.part))
        drafts: list[_Draft] = []
        for _ in range(2):
            for unit in ranked:
                if len(drafts) >= count:
                    return drafts
                draft = self.insight(unit) if len(drafts) % 2 == 0 else self.listing(unit)
                if draft is not None:
                    drafts.append(draft)
        return drafts

    def insight(self, unit: Unit) -> _Draft | None:
        fresh = self._fresh(unit.sentences)
        if len(fresh) < 2:
            return None
        best = self.material.strongest(fresh, 3, unit.keyphrases, max_chars=HOOK_MAX - 10)
        hook_sentence = max(
            best,
            key=lambda sentence: (
                self.material.strength(sentence, unit.keyphrases),
                -best.index(sentence),
            ),
        )
        if len(hook_sentence.text) <= HOOK_MAX:
            hook = hook_sentence.text.strip()
        else:
            hook = shorten(unit.title, HOOK_MAX - 10, language=self.language)
        rest = [sentence for sentence in best if sentence is not hook_sentence]
        for sentence in best:
            self._use(sentence.text)
        blocks = [sentence.text.strip() for sentence in rest]
        blocks.append(phrase(self.which, "question"))
        return _Draft("insight", unit.section, hook, blocks, {"format": "insight"})

    def listing(self, unit: Unit) -> _Draft | None:
        fresh = self._fresh(unit.sentences)
        if len(fresh) < 3:
            return None
        best = self.material.strongest(fresh, 3, unit.keyphrases, max_chars=BULLET_MAX_CHARS)
        for sentence in best:
            self._use(sentence.text)
        title = shorten(unit.title, HOOK_MAX - 60, language=self.language)
        hook = phrase(self.which, "list_hook", title=title)
        bullets = "\n".join(f"→ {sentence.text.strip()}" for sentence in best)
        return _Draft("insight", unit.section, hook, [bullets], {"format": "list"})

    # Shared parts

    def piece(self, number: int, draft: _Draft) -> Piece:
        draft.hook = re.sub(r"\s*\n\s*", " ", draft.hook)  # one line, keeping no-break spaces
        tags = self._hashtags(draft.section)
        link = phrase(
            self.which, "post_cta", cta=cta_text(self.which, self.brand), url=self.brand.cta_url
        )
        tail = [link, " ".join(tags)]
        blocks = list(draft.blocks)
        body = "\n\n".join([draft.hook, *blocks, *tail])
        while len(body) > POST_MAX and len(blocks) > 1:
            blocks.pop(-2 if len(blocks) > 2 else -1)
            body = "\n\n".join([draft.hook, *blocks, *tail])
        label = phrase(self.which, f"label_{draft.meta.get('format', draft.kind)}")
        # The title names the post in lists; without quotation marks, a cut cannot misquote.
        plain_hook = re.sub(r"[«»“”\"]", "", draft.hook).lstrip("💬📊🎬 ")
        plain_hook = re.sub(r"[ \t]+", " ", plain_hook).strip()
        title = f"{label} · {shorten(plain_hook, 60, language=self.language, ellipsis=True)}"
        meta: dict[str, object] = {
            "post_kind": draft.kind,
            "hook": draft.hook,
            "hashtags": tags,
            "quote": None,
            "statistic": None,
            **draft.meta,
        }
        return Piece(
            kind="linkedin", index=number, title=title, body=body, section=draft.section, meta=meta
        )

    def _hashtags(self, section: int | None) -> list[str]:
        """Brand hashtags first, then the section's and the source's keyphrases, 3-5 in all."""
        tags: list[str] = []
        seen: set[str] = set()

        def add(tag: str | None) -> None:
            if tag and tag.lower() not in seen and len(tags) < HASHTAGS_MAX:
                seen.add(tag.lower())
                tags.append(tag)

        for tag in self.brand.hashtags:
            add(tag)
        sections = self.material.sections
        phrases: list[str] = []
        if section is not None and 0 <= section < len(sections):
            phrases.extend(sections[section].keyphrases)
        phrases.extend(self.material.analysis.keyphrases)
        for phrase_text in phrases:
            if looks_like_name(phrase_text):
                continue
            if len(tags) >= max(HASHTAGS_TARGET, len(self.brand.hashtags[:HASHTAGS_MAX])):
                break
            add(hashtag(phrase_text))
        fallback = (
            "#Marketing",
            "#Webinar",
            "#ContentMarketing" if self.language == "en" else "#Contenu",
        )
        for tag in fallback:
            if len(tags) >= 3:
                break
            add(tag)
        return tags

    def _section_title(self, section: int) -> str:
        sections = self.material.sections
        return sections[section].title if 0 <= section < len(sections) else ""

    def _use(self, text: str) -> None:
        self.used.add(key(text))

    def reserve(self, quotes: Sequence[Quote], statistics: Sequence[Statistic]) -> None:
        """Mark the sentences chosen posts are built on, before any post takes context."""
        for quote in quotes:
            self._use(quote.text)
            self._use_sentences_holding(quote.section, quote.text)
        for statistic in statistics:
            self._use(statistic.sentence)

    def _in_video(self, text: str) -> bool:
        text_key = key(text)
        return any(text_key in video for video in self.videos)

    def _use_sentences_holding(self, section: int, text: str) -> None:
        sections = self.material.sections
        if 0 <= section < len(sections):
            target = key(text)
            for sentence in sections[section].sentences:
                if target in key(sentence.text):
                    self._use(sentence.text)

    def _fresh(self, sentences: Sequence[Sentence]) -> list[Sentence]:
        return [sentence for sentence in sentences if key(sentence.text) not in self.used]

    def _context(self, section: int, text: str) -> list[str]:
        """Return the unused sentence that follows ``text`` in its section (else precedes it)."""
        sections = self.material.sections
        if not 0 <= section < len(sections):
            return []
        sentences = sections[section].sentences
        target = word_key(text)
        position = next(
            (
                index
                for index, sentence in enumerate(sentences)
                if target in word_key(sentence.text) or word_key(sentence.text) in target
            ),
            None,
        )
        if position is None:
            return []
        for candidate in (position + 1, position - 1):
            if 0 <= candidate < len(sentences):
                sentence = sentences[candidate]
                if key(sentence.text) not in self.used and len(sentence.text) <= POST_MAX // 4:
                    self._use(sentence.text)
                    return [sentence.text.strip()]
        return []
