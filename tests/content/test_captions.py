"""Captions: SRT and WebVTT cues with their times, cleaned of markup and rolling repeats."""

from __future__ import annotations

import pytest

from propulse.content.document import SourceError
from propulse.content.ingest import read_source
from tests.content.test_ingest import ENGLISH, FRENCH, words_of


def srt_time(seconds: float) -> str:
    whole = int(seconds)
    return (
        f"{whole // 3600:02}:{whole // 60 % 60:02}:{whole % 60:02},{round(seconds % 1 * 1000):03}"
    )


def test_srt_cues_keep_their_time_codes_and_lose_their_tags():
    sentences = [ENGLISH[index % len(ENGLISH)] for index in range(60)]
    cues = [
        f"{n + 1}\n{srt_time(n * 4.5)} --> {srt_time(n * 4.5 + 4.2)}\n<i>{s}</i>\n"
        for n, s in enumerate(sentences)
    ]
    source = read_source("\n".join(cues).encode(), "webinar.srt")
    assert source.format == "srt"
    assert source.has_timecodes
    assert [b.text for b in source.blocks] == sentences
    assert (source.blocks[0].start, source.blocks[0].end) == (0.0, 4.2)
    assert (source.blocks[59].start, source.blocks[59].end) == (265.5, 269.7)
    assert source.title == "Webinar"


def test_vtt_drops_header_notes_styles_voice_tags_and_rolling_repeats():
    lines = [
        "WEBVTT - Webinaire recyclage",
        "Kind: captions",
        "",
        "NOTE Ce commentaire n'est pas du contenu",
        "",
        "STYLE",
        "::cue { color: yellow }",
        "",
    ]
    for n in range(70):
        sentence = FRENCH[n % len(FRENCH)]
        start = n * 5.0
        lines += [
            f"cue-{n}",
            f"00:{int(start) // 60:02}:{int(start) % 60:02}.000 --> "
            f"00:{int(start + 4.5) // 60:02}:{int(start + 4.5) % 60:02}.500 align:start position:0%",
            f"<v Marie Dupont><00:00:0{n % 10}.100><c>{sentence}</c></v>",
            "",
        ]
        if n % 3 == 0:  # a rolling caption repeats the line it scrolls up
            lines += [f"00:{int(start + 4.5) // 60:02}:{int(start + 4.5) % 60:02}.500 --> "
                      f"00:{int(start + 4.5) // 60:02}:{int(start + 4.5) % 60:02}.900",
                      sentence, ""]  # fmt: skip
    source = read_source("\n".join(lines).encode(), "webinaire.vtt")
    texts = words_of(source)
    assert texts == [FRENCH[n % len(FRENCH)] for n in range(70)]
    joined = source.text
    for noise in ("WEBVTT", "NOTE", "commentaire", "cue", "Marie", "<", "align:", "color"):
        assert noise not in joined
    assert (source.blocks[0].start, source.blocks[0].end) == (0.0, 4.9)
    assert (source.blocks[1].start, source.blocks[1].end) == (5.0, 9.5)
    assert source.language == "fr"


def test_unpunctuated_captions_are_recut_into_sentences_that_keep_their_times():
    speech = (
        "so today we are going to talk about content recycling and why it matters for b2b "
        "teams the first thing is that every webinar is raw material not a finished product "
        "okay so the second thing is the script we write eight to ten pages and then we turn "
        "it into an ebook of fifteen to twenty pages but the real value comes from the posts "
    ) * 8
    words = speech.split()
    cues, rolling = [], ""
    lines = ["WEBVTT", ""]
    for index in range(0, len(words), 7):
        line = " ".join(words[index : index + 7])
        start = index / 7 * 2.0
        cues.append((start, start + 2.0))
        # Automatic captions show the previous line above the new one.
        lines += [f"{srt_time(start).replace(',', '.')} --> {srt_time(start + 2.0).replace(',', '.')}",
                  f"{rolling}\n{line}".strip(), ""]  # fmt: skip
        rolling = line
    source = read_source("\n".join(lines).encode(), "auto-captions.vtt")
    sentences = [block.text for block in source.blocks]
    assert len(sentences) > len(words) / 35
    assert all(s[0].isupper() and s.endswith(".") for s in sentences)
    assert all(len(s.split()) <= 35 for s in sentences)
    # Every word once, in order: the rolling repeats are gone.
    assert " ".join(sentences).lower().replace(".", "").split() == words
    assert source.blocks[0].start == 0.0
    assert source.blocks[-1].end == cues[-1][1]
    starts = [block.start for block in source.blocks]
    assert starts == sorted(starts) and None not in starts
    assert source.word_count == len(words)


def test_captions_without_any_cue_are_empty():
    with pytest.raises(SourceError) as raised:
        read_source(b"WEBVTT\n\nNOTE nothing here\n", "captions.vtt")
    assert raised.value.code == "empty"
