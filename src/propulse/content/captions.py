"""Read SRT and WebVTT captions into timed paragraphs, cleaned of markup and rolling repeats.

Automatic captions show each line twice (the previous line scrolls up above the new one) and
often carry no punctuation; both are repaired here so that the analysis sees speech only.
"""

from __future__ import annotations

import html
import re

from propulse.content.document import Block, Language
from propulse.kit.sentences import is_unpunctuated, split_unpunctuated
from propulse.kit.text import detect_language, normalise

__all__ = ["read_captions"]

_TIME = r"(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TIMING = re.compile(rf"({_TIME})\s*-->\s*({_TIME})")
_CAPTION_NOISE = re.compile(r"<[^>]*>|\{\\[^}]*\}|\[[^\]]*\]|♪|^\s*(?:-|>>)\s*")


def read_captions(text: str, language: Language | None = None) -> list[Block]:
    """Read SRT or WebVTT cues as timed paragraphs; unpunctuated captions become sentences.

    Tags, voice names, sound descriptions and rolling repeats are dropped; ``language``
    chooses the discourse markers used to cut captions without punctuation (detected when
    None).
    """
    # Lines outside a cue are the WebVTT header, NOTE, STYLE and REGION blocks, cue
    # identifiers and SRT numbers: none of them is speech.
    cues: list[tuple[list[str], float, float]] = []
    current: list[str] | None = None
    lines = [line.strip() for line in text.split("\n")]
    for index, line in enumerate(lines):
        timing = _TIMING.match(line)
        if not line:
            current = None
        elif timing:
            current = []
            cues.append((current, _seconds(timing.group(1)), _seconds(timing.group(2))))
        elif current is not None and not (
            line.isdigit() and index + 1 < len(lines) and _TIMING.match(lines[index + 1])
        ):
            current.append(line)
    blocks: list[Block] = []
    said: list[str] = []  # the last words already kept, to spot rolling repeats
    for cue_lines, start, end in cues:
        words = " ".join(html.unescape(_CAPTION_NOISE.sub(" ", line)) for line in cue_lines).split()
        keys = [normalise(word).strip(".,;:!?…\"'") for word in words]
        repeated = _repeated_prefix(said, keys)
        if repeated == len(words):
            if blocks and words and blocks[-1].end is not None:
                blocks[-1] = Block("paragraph", blocks[-1].text, start=blocks[-1].start, end=end)
            continue
        blocks.append(Block("paragraph", " ".join(words[repeated:]), start=start, end=end))
        said = (said + keys[repeated:])[-60:]
    spoken = " ".join(block.text for block in blocks)
    if not is_unpunctuated(spoken):
        return blocks
    sentences = split_unpunctuated(
        [(block.text, block.start, block.end) for block in blocks],
        language or detect_language(spoken),
    )
    return [
        Block("paragraph", sentence, start=start, end=end) for sentence, start, end in sentences
    ]


def _seconds(stamp: str) -> float:
    """Turn "01:02:03,500" or "02:03.5" into seconds."""
    total = 0.0
    for part in stamp.replace(",", ".").split(":"):
        total = total * 60 + float(part)
    return round(total, 3)


def _repeated_prefix(said: list[str], keys: list[str]) -> int:
    """Return how many leading words of a cue repeat the end of what was already said."""
    for size in range(min(len(said), len(keys)), 0, -1):
        # One shared word is a coincidence ("the … the"), unless the cue is only that word.
        if (size >= 2 or size == len(keys)) and said[-size:] == keys[:size]:
            return size
    return 0
