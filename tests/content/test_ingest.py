"""Reading webinar scripts and transcripts: each format, and each bad input with its code."""

from __future__ import annotations

import io
import random
from pathlib import Path

import docx
import pytest
import typst
from docx.enum.style import WD_STYLE_TYPE

from propulse.content.document import MAX_WORDS, MIN_WORDS, SourceError
from propulse.content.ingest import ACCEPTED_EXTENSIONS, read_source

FRENCH = [
    "Un webinaire n'est pas un produit fini : c'est une matière première.",
    "Nous écrivons un script de huit à dix pages en plus des diapositives.",
    "Ce script devient ensuite un livre blanc de quinze à vingt pages.",
    "Chaque article de blog approfondit un sous-thème du webinaire.",
    "Notre base compte entre 30 000 et 40 000 contacts en France.",
    "Le taux d'ouverture des e-mails a progressé de 12,5 % en un an.",
    "Les posts LinkedIn mêlent citations, chiffres clés et extraits vidéo.",
]
ENGLISH = [
    "A webinar is not a finished product: it is raw material for the whole team.",
    "We write a script of eight to ten pages on top of the slides.",
    "That script then becomes an e-book of fifteen to twenty pages.",
    "Each blog article deepens one sub-theme of the webinar.",
    "Our base holds between 30,000 and 40,000 contacts in France.",
    "The e-mail open rate grew by 12.5% in one year.",
    "LinkedIn posts mix quotes, key statistics and short video excerpts.",
]


def paragraph(sentences: list[str], words: int, seed: int = 0) -> str:
    """Return a paragraph of about ``words`` words drawn from the given sentences."""
    chosen: list[str] = []
    rng = random.Random(seed)
    while sum(len(s.split()) for s in chosen) < words:
        chosen.append(rng.choice(sentences))
    return " ".join(chosen)


def words_of(document) -> list[str]:
    return [block.text for block in document.blocks]


# --- Word -------------------------------------------------------------------------------


def docx_bytes(build) -> bytes:
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_keeps_headings_with_levels_drops_empty_paragraphs_and_reads_tables():
    def build(document):
        document.add_paragraph("Recycler un webinaire", style="Title")
        document.add_paragraph(paragraph(FRENCH, 150, 1))
        document.add_paragraph("   ")
        document.add_heading("Les canaux", level=1)
        document.add_paragraph(paragraph(FRENCH, 150, 2))
        document.add_heading("Le nurturing", level=2)
        document.add_paragraph(paragraph(FRENCH, 150, 3))
        table = document.add_table(rows=3, cols=2)
        table.cell(0, 0).text = "Canal"
        table.cell(0, 1).text = "Contacts"
        table.cell(1, 0).text = "Webinaires sectoriels"
        table.cell(1, 1).text = "40 000 contacts"
        table.cell(2, 0).merge(table.cell(2, 1)).text = "Source : CRM, 2024"
        document.add_paragraph(paragraph(FRENCH, 150, 4))

    source = read_source(docx_bytes(build), "Script webinaire.docx")
    headings = [(b.text, b.level) for b in source.blocks if b.kind == "heading"]
    # "Title" is level 1, so Word's "Heading 1" becomes a section (2), "Heading 2" a 3.
    assert headings == [("Recycler un webinaire", 1), ("Les canaux", 2), ("Le nurturing", 3)]
    assert source.title == "Recycler un webinaire"
    assert source.format == "docx"
    assert source.language == source.detected_language == "fr"
    assert all(block.text.strip() for block in source.blocks)
    texts = words_of(source)
    # Cells in reading order; a merged cell is read once.
    cells = ["Canal", "Contacts", "Webinaires sectoriels", "40 000 contacts", "Source : CRM, 2024"]
    assert texts[texts.index("Canal") : texts.index("Canal") + 5] == cells
    assert texts.count("Source : CRM, 2024") == 1
    assert not source.has_timecodes
    # Words have a letter or a digit: French spaced punctuation (" : ") is not a word.
    assert source.word_count == sum(
        1 for text in texts for word in text.split() if any(c.isalnum() for c in word)
    )


def test_docx_heading_1_is_the_title_without_a_title_style_and_french_style_names_count():
    def build(document):
        document.styles.add_style("Titre 2", WD_STYLE_TYPE.PARAGRAPH)
        document.add_heading("Webinar script", level=1)
        document.add_paragraph(paragraph(ENGLISH, 300, 1))
        document.add_paragraph("Why recycle", style="Titre 2")
        document.add_paragraph(paragraph(ENGLISH, 300, 2))

    source = read_source(docx_bytes(build), "script.DOCX")
    assert [(b.kind, b.level) for b in source.blocks] == [
        ("heading", 1),
        ("paragraph", 0),
        ("heading", 2),
        ("paragraph", 0),
    ]
    assert source.title == "Webinar script"
    assert source.language == "en"


# --- Markdown ---------------------------------------------------------------------------


def test_markdown_headings_lists_and_inline_markup():
    text = f"""---
title: ignored front matter
tags: [webinar]
---
# Recycling a webinar

{paragraph(ENGLISH, 200, 1)} It is **really** _that_ simple, see [the guide](https://example.com).

Channels and reach
------------------

- First item with `code` and *emphasis*
- Second item

```python
print("code is not content")
```

## Nurturing ##

{paragraph(ENGLISH, 200, 2)}

| Channel | Contacts |
|---------|----------|
| Webinars | 40,000 |

{paragraph(ENGLISH, 150, 3)}
"""
    source = read_source(text.encode(), "script.md")
    headings = [(b.text, b.level) for b in source.blocks if b.kind == "heading"]
    assert headings == [("Recycling a webinar", 1), ("Channels and reach", 2), ("Nurturing", 2)]
    texts = words_of(source)
    assert "First item with code and emphasis" in texts
    assert "Second item" in texts
    assert "Webinars" in texts and "40,000" in texts
    assert any(t.endswith("It is really that simple, see the guide.") for t in texts)
    joined = "\n".join(texts)
    assert "print(" not in joined and "front matter" not in joined
    assert "*" not in joined and "`" not in joined and "#" not in joined
    assert source.title == "Recycling a webinar"


# --- Plain text -------------------------------------------------------------------------


def wrapped(text: str, width: int = 72) -> str:
    """Hard-wrap text like an e-mail client or an old editor."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


def test_txt_recognises_short_title_lines_numbered_and_worded_headings():
    text = "\n".join(
        [
            "Recycler un webinaire",
            "",
            wrapped(paragraph(FRENCH, 120, 1)),
            "",
            "1. Pourquoi recycler",
            wrapped(paragraph(FRENCH, 120, 2)),
            "",
            "Les étapes sont simples :",
            "- écrire le script",
            "- publier les articles",
            "",
            "Partie 2 – Le nurturing",
            "",
            wrapped(paragraph(FRENCH, 120, 3)),
            "",
            "Les chiffres clés",
            "",
            wrapped(paragraph(FRENCH, 120, 4)),
        ]
    )
    source = read_source(text.encode(), "recyclage.txt")
    headings = [(b.text, b.level) for b in source.blocks if b.kind == "heading"]
    assert headings == [
        ("Recycler un webinaire", 1),
        ("Pourquoi recycler", 2),
        ("Partie 2 – Le nurturing", 2),
        ("Les chiffres clés", 2),
    ]
    texts = words_of(source)
    assert "écrire le script" in texts and "publier les articles" in texts
    # Wrapped lines are joined back into one paragraph.
    assert all("\n" not in t for t in texts)
    assert source.blocks[1].text == paragraph(FRENCH, 120, 1)


def test_txt_mends_hyphenated_words_keeps_real_hyphens_and_drops_speaker_labels():
    body = paragraph(ENGLISH, 520)
    text = (
        "Marie Dupont\nWe call it content recy-\ncling, a sub-\ntheme of our plan.\n"
        "Paul Martin\nRecycling works.\nMarie Dupont\nIt does.\nPaul Martin\n" + body
    )
    source = read_source(text.encode(), "interview.txt")
    texts = words_of(source)
    assert texts[:3] == [
        "We call it content recycling, a sub-theme of our plan.",
        "Recycling works.",
        "It does.",
    ]
    assert "Marie" not in source.text and "Paul" not in source.text


def test_txt_with_one_line_per_paragraph_and_no_blank_line():
    lines = ["Recycling a webinar", paragraph(ENGLISH, 200, 1), paragraph(ENGLISH, 200, 2)]
    lines += ["Nurturing", paragraph(ENGLISH, 200, 3)]
    source = read_source("\n".join(lines).encode(), "script.txt")
    assert [(b.kind, b.level) for b in source.blocks] == [
        ("heading", 1),
        ("paragraph", 0),
        ("paragraph", 0),
        ("heading", 2),
        ("paragraph", 0),
    ]


def test_txt_without_heading_takes_the_file_name_as_title():
    text = "\n\n".join(paragraph(ENGLISH, 120, seed) for seed in range(5))
    source = read_source(text.encode(), "my_webinar-script v2.txt")
    assert source.title == "My webinar script v2"
    assert all(block.kind == "paragraph" for block in source.blocks)


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: text.encode("utf-8-sig"),
        lambda text: text.encode("cp1252"),
        lambda text: text.encode("utf-16"),
        lambda text: text.encode("utf-16-le"),
        lambda text: text.encode("utf-8").replace(b"Nous", b"N\xffous", 1),
    ],
    ids=[
        "utf-8",
        "utf-8 with BOM",
        "windows-1252",
        "utf-16 with BOM",
        "utf-16 without BOM",
        "utf-8 with a damaged byte",
    ],
)
def test_txt_encodings(encode):
    text = "Stratégie éditoriale\n\n" + paragraph(FRENCH, 600).replace("30 000", "30 000 €")
    source = read_source(encode(text), "script.txt")
    assert source.title == "Stratégie éditoriale"
    assert "30 000 €" in source.text


def test_binary_bytes_named_txt_are_an_encoding_error():
    data = random.Random(7).randbytes(5000)
    with pytest.raises(SourceError) as raised:
        read_source(data, "script.txt")
    assert raised.value.code == "encoding"


# --- PDF --------------------------------------------------------------------------------


def pdf_bytes(tmp_path: Path, body: str) -> bytes:
    source = tmp_path / "document.typ"
    source.write_text(body, encoding="utf-8")
    return typst.compile(str(source), format="pdf")


def test_pdf_text_layer_headings_without_running_headers_and_page_numbers(tmp_path):
    body = f"""#set page(header: [Propulse — Livre blanc], footer: context [Page #counter(page).display()])
#set text(lang: "fr")
= Recycler un webinaire

{paragraph(FRENCH, 200, 1)}

== Les canaux

{paragraph(FRENCH, 200, 2)}

#pagebreak()

== Le nurturing

{paragraph(FRENCH, 200, 3)}
"""
    source = read_source(pdf_bytes(tmp_path, body), "livre-blanc.pdf")
    assert source.format == "pdf"
    headings = [(b.text, b.level) for b in source.blocks if b.kind == "heading"]
    assert headings == [("Recycler un webinaire", 1), ("Les canaux", 2), ("Le nurturing", 2)]
    assert "Propulse — Livre blanc" not in source.text
    assert "Page 1" not in source.text and "Page 2" not in source.text
    # Typst sets typographic apostrophes; the words are the same.
    paragraphs = [b.text.replace("’", "'") for b in source.blocks if b.kind == "paragraph"]
    assert paragraphs == [paragraph(FRENCH, 200, seed) for seed in (1, 2, 3)]
    assert source.language == "fr"


def test_scanned_pdf_without_text_layer_is_refused(tmp_path):
    body = "#rect(width: 100%, height: 60%, fill: gray)\n#pagebreak()\n#circle(radius: 3cm)\n"
    with pytest.raises(SourceError) as raised:
        read_source(pdf_bytes(tmp_path, body), "scan.pdf")
    assert raised.value.code == "no_text_layer"
    assert "OCR" in raised.value.message
    assert raised.value.details == {"pages": 2}


# --- Bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["script.txt", "script.docx", "script.pdf", "script.vtt"])
@pytest.mark.parametrize("data", [b"", b"  \n\t\n"])
def test_an_empty_file_is_refused(data, filename):
    with pytest.raises(SourceError) as raised:
        read_source(data, filename)
    assert raised.value.code == "empty"


@pytest.mark.parametrize("filename", ["slides.pptx", "script", "script.docx.exe", "notes.rtf"])
def test_a_wrong_extension_is_refused_with_the_accepted_ones(filename):
    with pytest.raises(SourceError) as raised:
        read_source(b"some text", filename)
    error = raised.value
    assert error.code == "unsupported_format"
    assert error.details["accepted"] == list(ACCEPTED_EXTENSIONS)
    assert ".docx" in error.message and ".vtt" in error.message


@pytest.mark.parametrize("filename", ["script.docx", "script.pdf"])
def test_random_bytes_in_a_binary_format_are_corrupt(filename):
    data = random.Random(3).randbytes(4000)
    with pytest.raises(SourceError) as raised:
        read_source(data, filename)
    assert raised.value.code == "corrupt"


def test_a_zip_that_is_not_a_word_document_is_corrupt():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a Word document")
    with pytest.raises(SourceError) as raised:
        read_source(buffer.getvalue(), "script.docx")
    assert raised.value.code == "corrupt"


def test_a_text_too_short_is_refused_with_its_count():
    with pytest.raises(SourceError) as raised:
        read_source(paragraph(ENGLISH, 300).encode(), "short.txt")
    error = raised.value
    assert error.code == "too_short"
    assert error.details["minimum"] == MIN_WORDS
    assert 300 <= error.details["words"] < MIN_WORDS


def test_a_text_over_sixty_thousand_words_is_refused_with_its_count():
    text = "\n\n".join(paragraph(ENGLISH, 1000, seed) for seed in range(61))
    with pytest.raises(SourceError) as raised:
        read_source(text.encode(), "huge.md")
    error = raised.value
    assert error.code == "too_long"
    assert error.details["maximum"] == MAX_WORDS
    assert error.details["words"] > MAX_WORDS


# --- Language ---------------------------------------------------------------------------


def test_language_is_detected_and_can_be_overridden():
    french = ("Stratégie\n\n" + paragraph(FRENCH, 600)).encode()
    english = ("Strategy\n\n" + paragraph(ENGLISH, 600)).encode()
    assert read_source(french, "a.txt").language == "fr"
    assert read_source(english, "a.txt").language == "en"
    overridden = read_source(french, "a.txt", language="en")
    assert (overridden.language, overridden.detected_language) == ("en", "fr")
    assert read_source(english, "a.txt", language="FR-fr").language == "fr"
    with pytest.raises(ValueError, match="'fr' or 'en'"):
        read_source(english, "a.txt", language="de")
