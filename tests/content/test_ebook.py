"""The e-book PDF: a designed, self-contained document whose length follows the material."""

from __future__ import annotations

import io
import random
import re
import struct
import zlib
from typing import Any, cast

import pypdf
import pytest
from pypdf.generic import ArrayObject, DictionaryObject

from propulse.content.document import BrandKit, Ebook, EbookChapter, Quote, Statistic
from propulse.content.ebook import (
    DEFAULT_COLORS,
    EbookError,
    brand_theme,
    ebook_typst_source,
    escape_markup,
    markdown_blocks,
    render_pdf,
)

FRENCH_SENTENCES = [
    "Les équipes marketing qui réussissent ne produisent pas plus de contenu, elles en tirent davantage de valeur.",
    "Un webinar de quarante-cinq minutes contient la matière de plusieurs articles et d’une dizaine de publications.",
    "Le premier réflexe consiste à repérer les idées fortes, celles que votre audience retient et partage.",
    "Chaque chiffre cité doit rester fidèle à la source, sans arrondi ni extrapolation hasardeuse.",
    "La régularité compte davantage que le volume : mieux vaut trois posts par semaine pendant trois mois qu’une rafale suivie d’un long silence.",
    "Nos clients constatent que leurs prospects lisent l’e-book avant même le premier rendez-vous commercial.",
    "Il faut adapter le ton à chaque canal, car un lecteur de LinkedIn n’attend pas la même chose qu’un abonné à la newsletter.",
    "Cette approche demande moins de temps qu’on ne l’imagine, à condition d’outiller le processus dès le départ.",
    "Les **directeurs marketing** interrogés citent le manque de temps comme premier frein, loin devant le budget.",
    "Une *bibliothèque de contenus* bien rangée devient un actif durable pour toute l’entreprise.",
    "Le cycle de vente B2B s’étend souvent sur plusieurs mois et implique de nombreux décideurs.",
    "Chaque pièce de contenu répond à une question précise que se pose l’un de ces décideurs.",
    "Les commerciaux réutilisent volontiers un extrait vidéo bien choisi dans leurs relances.",
    "Mesurer l’engagement par canal permet de savoir quels thèmes méritent un approfondissement.",
]
ENGLISH_SENTENCES = [
    "Marketing teams that succeed do not produce more content, they get more value out of it.",
    "A forty-five minute webinar holds the material of several articles and a dozen posts.",
    "Every number you quote must stay faithful to the source, without rounding.",
    "Consistency beats volume: three posts a week for three months beat a burst followed by silence.",
    "Sales teams happily reuse a well-chosen video excerpt in their follow-ups.",
    "Each piece of content answers one precise question that one of those buyers asks.",
]


def paragraph(rng: random.Random, words: int, sentences: list[str]) -> str:
    chosen: list[str] = []
    while sum(len(s.split()) for s in chosen) < words:
        chosen.append(rng.choice(sentences))
    return " ".join(chosen)


def chapter(rng: random.Random, number: int, words: int, sentences: list[str]) -> EbookChapter:
    """A chapter as the content stage makes it: ~100-word paragraphs, a list, a subheading."""
    paragraphs: list[str] = []
    total = 0
    while total < words:
        if len(paragraphs) == 2:
            paragraphs.append(
                "## Les points clés\n- Repérer les idées fortes\n- Garder chaque chiffre fidèle\n"
                "- Adapter le ton au canal"
            )
            total += 15
        text = paragraph(rng, min(rng.randint(80, 120), max(20, words - total)), sentences)
        paragraphs.append(text)
        total += len(text.split())
    return EbookChapter(
        title=f"Thème {number} : du webinar à la campagne",
        paragraphs=paragraphs,
        pull_quotes=[
            Quote(
                text="Le contenu le plus rentable est celui que vous avez déjà produit.",
                section=number,
                explicit=True,
                score=0.9,
                speaker="Claire Martin",
            )
        ],
        statistics=[
            Statistic(
                expression="30 à 40 000",
                values=(30_000.0, 40_000.0),
                unit="contacts",
                sentence="Une base de 30 à 40 000 contacts suffit pour lancer une séquence.",
                section=number,
            )
        ],
    )


def make_ebook(
    chapter_count: int, words: int, *, seed: int = 7, language: str = "fr", **changes: Any
) -> Ebook:
    rng = random.Random(seed)
    sentences = FRENCH_SENTENCES if language == "fr" else ENGLISH_SENTENCES
    ebook = Ebook(
        title="Recycler un webinar : le guide complet",
        subtitle="De la présentation à une campagne de trois mois",
        language="fr" if language == "fr" else "en",
        introduction=[paragraph(rng, 100, sentences), paragraph(rng, 80, sentences)],
        chapters=[chapter(rng, n + 1, words, sentences) for n in range(chapter_count)],
        conclusion=[paragraph(rng, 100, sentences), paragraph(rng, 60, sentences)],
        cta_text="Téléchargez notre modèle de calendrier éditorial.",
        cta_url="https://propulse.example/modele",
    )
    for name, value in changes.items():
        setattr(ebook, name, value)
    return ebook


def read(pdf: bytes) -> pypdf.PdfReader:
    assert pdf.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page, its white space collapsed."""
    return [" ".join(page.extract_text().split()) for page in read(pdf).pages]


def page_resources(page: pypdf.PageObject, kind: str) -> list[DictionaryObject]:
    """The resolved resources of one kind (/Font, /XObject) of a page."""
    resources = cast(DictionaryObject, page["/Resources"].get_object())
    entries = cast(DictionaryObject, resources.get(kind, DictionaryObject()).get_object())
    return [cast(DictionaryObject, value.get_object()) for value in entries.values()]


def content(page: pypdf.PageObject) -> bytes:
    stream = page.get_contents()
    assert stream is not None
    return stream.get_data()


def unspaced(text: str) -> str:
    """Letter-spaced labels ("C H A P I T R E 1") come out of the PDF with spaces."""
    return "".join(text.split())


def tiny_png() -> bytes:
    """A 2×2 red PNG, built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


GREEN_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
    b'<circle cx="20" cy="20" r="18" fill="#00ff00"/></svg>'
)


@pytest.fixture(scope="module")
def webinar_pdf() -> bytes:
    """The e-book of an 8-10 page script: six chapters of about 750 words."""
    return render_pdf(make_ebook(6, 750), BrandKit(name="Acme Analytics"))


@pytest.mark.parametrize("words", [600, 900])
def test_a_webinar_script_gives_15_to_20_pages(words: int) -> None:
    pdf = render_pdf(make_ebook(6, words), BrandKit(name="Acme Analytics"))
    assert 15 <= len(read(pdf).pages) <= 20


def test_the_page_count_scales_with_the_material(webinar_pdf: bytes) -> None:
    small = render_pdf(make_ebook(2, 250), BrandKit())
    big = render_pdf(make_ebook(10, 900), BrandKit())
    assert len(read(small).pages) < len(read(webinar_pdf).pages) < len(read(big).pages)


def test_cover_contents_chapters_and_closing_page(webinar_pdf: bytes) -> None:
    flat = page_texts(webinar_pdf)
    ebook = make_ebook(6, 750)

    assert "Recycler un webinar : le guide complet" in flat[0]
    assert "De la présentation à une campagne de trois mois" in flat[0]
    assert "ACMEANALYTICS" in unspaced(flat[0])  # the brand on the band
    assert "Sommaire" in flat[1]
    for number, chapter in enumerate(ebook.chapters, start=1):
        assert chapter.title in flat[1]  # in the table of contents
        # Each chapter opens its own page with its number and title.
        kicker, title = f"CHAPITRE{number}", unspaced(chapter.title)
        opening = next(i for i, text in enumerate(flat) if kicker in unspaced(text))
        assert unspaced(flat[opening]).index(kicker) < unspaced(flat[opening]).index(title)
    assert "Introduction" in flat[1]
    assert "Conclusion" in flat[1]
    assert "Téléchargez notre modèle de calendrier éditorial." in flat[-1]
    assert "https://propulse.example/modele" in flat[-1]


def test_running_header_and_numbered_footer(webinar_pdf: bytes) -> None:
    pages = page_texts(webinar_pdf)
    assert not re.search(r"\d", pages[0])  # no page number on the cover
    for number, text in enumerate(pages[1:], start=1):  # the contents page is page 1
        assert text.endswith(f"Acme Analytics {number}")
    chapters = [text for text in pages if "CHAPITRE" in unspaced(text)]
    openings = [*chapters, pages[2], next(t for t in pages if t.startswith("Conclusion"))]
    continued = [text for text in pages[2:-1] if text not in openings]
    assert len(chapters) == 6
    assert pages[2].startswith("Introduction")
    assert continued
    for text in continued:
        assert text.startswith("Recycler un webinar : le guide complet")
    for text in openings:
        assert not text.startswith("Recycler un webinar")


def test_the_closing_link_points_to_the_call_to_action(webinar_pdf: bytes) -> None:
    last = read(webinar_pdf).pages[-1]
    uris = [
        annotation.get_object()["/A"]["/URI"]
        for annotation in last.get("/Annots", [])
        if "/A" in annotation.get_object()
    ]
    assert "https://propulse.example/modele" in uris


def test_typst_syntax_and_markdown_in_the_text_appear_literally() -> None:
    hostile = (
        '#set page(fill: red) #panic("boom") $x^2$ @ref <label> back\\slash `code` '
        "[link] ]odd[ a_b_c 50 * 2 = 100 // not a comment /* nor this */ ~tilde {braces} "
        '#import "x.typ": * -- --- ... \\u{41}'
    )
    chapter = EbookChapter(
        title="Chapitre #1 : [test] $5 @home <ok>",
        paragraphs=[
            hostile,
            "= Not a heading",
            "2024. Not a numbered item",
            "**Gras** et *italique* et **gras *imbriqué***",
            "## Un sous-titre #2\n- premier *point*\n- second point\n\nSuite du texte.",
        ],
        pull_quotes=[
            Quote(text='Il a dit "#eval(1)" $', section=0, explicit=True, score=1, speaker="@moi")
        ],
        statistics=[
            Statistic(
                expression="40 %",
                values=(40.0,),
                unit="%",
                sentence="40 % des leads <viennent> du webinar #stat.",
                section=0,
            )
        ],
    )
    ebook = make_ebook(0, 0, chapters=[chapter], title='Titre "dangereux" \\ #{x} ) ]')
    text = " ".join(page_texts(render_pdf(ebook, BrandKit(name='Brand "#1" \\'))))

    for literal in [
        "#set page(fill: red)",
        "#panic(« boom »)",  # straight quotes become typographic ones, as in all the text
        "$x^2$",
        "@ref <label>",
        "back\\slash",
        "`code`",
        "[link] ]odd[",
        "a_b_c",
        "50 * 2 = 100",
        "// not a comment /* nor this */",
        "~tilde {braces}",
        "\\u{41}",
        "= Not a heading",
        "2024. Not a numbered item",
        "Chapitre #1 : [test] $5 @home <ok>",
        "Un sous-titre #2",
        "40 % des leads <viennent> du webinar #stat.",
        "@moi",
        'Titre "dangereux" \\ #{x} ) ]',
        'Brand "#1" \\',
    ]:
        assert literal in text, literal
    # Markdown was translated, not shown.
    assert "**" not in text
    assert "Gras et italique et gras imbriqué" in text
    assert "premier point" in text


def test_markdown_becomes_typst_markup() -> None:
    blocks = markdown_blocks("## Étapes\n- **Repérer** les idées\n- *Adapter* le ton\nSuite")
    assert blocks == [
        "== Étapes",
        "- #strong[Repérer]; les idées\n- #emph[Adapter]; le ton Suite",
    ]
    assert markdown_blocks("1. un\n2. deux\n\nTexte **fort**.") == [
        "1. un\n2. deux",
        "Texte #strong[fort];.",
    ]
    assert markdown_blocks("Voir [le site](https://example.com/a?b=1).") == [
        'Voir #link("https://example.com/a?b=1")[le site];.'
    ]
    assert escape_markup("#$*_@<>`[]\\=-+/~") == "\\" + "\\".join("#$*_@<>`[]\\=-+/~")


def test_every_font_is_embedded(webinar_pdf: bytes) -> None:
    seen = set()
    for page in read(webinar_pdf).pages:
        for font in page_resources(page, "/Font"):
            if "/DescendantFonts" in font:  # a composite font: its glyphs are in its descendant
                descendants = cast(ArrayObject, font["/DescendantFonts"].get_object())
                font = cast(DictionaryObject, descendants[0].get_object())
            descriptor = cast(DictionaryObject, font["/FontDescriptor"].get_object())
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
            seen.add(str(font["/BaseFont"]).split("+")[-1])
    assert any(name.startswith("LibertinusSerif") for name in seen)


def test_the_brand_font_is_used_and_an_unknown_one_falls_back() -> None:
    def fonts(brand_font: str) -> set[str]:
        pdf = render_pdf(make_ebook(1, 150), BrandKit(font=brand_font))
        return {
            str(font["/BaseFont"]).split("+")[-1]
            for page in read(pdf).pages
            for font in page_resources(page, "/Font")
        }

    assert all(name.startswith("NewCM") for name in fonts("new computer modern"))
    assert all(name.startswith("LibertinusSerif") for name in fonts("Comic Sans MS"))
    assert brand_theme(BrandKit(font="Comic Sans MS")).font == "Libertinus Serif"


def test_french_accents_and_typography_are_extracted(webinar_pdf: bytes) -> None:
    text = " ".join(page_texts(webinar_pdf))
    for word in ["équipes", "réflexe", "fidèle", "à la source", "Thème", "présentation"]:
        assert word in text
    assert "« Le contenu le plus rentable est celui que vous avez déjà produit. »" in text
    assert "30 à 40 000 contacts" in text
    assert "— Claire Martin" in text


def test_an_english_ebook_uses_english_labels() -> None:
    pdf = render_pdf(make_ebook(2, 200, language="en"), BrandKit())
    text = " ".join(page_texts(pdf))
    assert "Contents" in text
    assert "CHAPTER1" in unspaced(text)
    assert "“Le contenu le plus rentable" in text
    assert 'lang: "en"' in ebook_typst_source(make_ebook(1, 100, language="en"), BrandKit())


def test_an_svg_logo_is_drawn_on_the_cover() -> None:
    ebook = make_ebook(1, 150)
    with_logo = read(render_pdf(ebook, BrandKit(), logo_bytes=GREEN_SVG)).pages[0]
    without = read(render_pdf(ebook, BrandKit())).pages[0]
    assert b"0 1 0 scn" in content(with_logo)  # the logo's green circle
    assert b"0 1 0 scn" not in content(without)


def test_a_png_logo_is_an_image_on_the_cover() -> None:
    cover = read(render_pdf(make_ebook(1, 150), BrandKit(), logo_bytes=tiny_png())).pages[0]
    assert any(str(x["/Subtype"]) == "/Image" for x in page_resources(cover, "/XObject"))


@pytest.mark.parametrize(
    ("logo", "message"),
    [
        (b"\x89PNG\r\n\x1a\ntruncated", "failed to decode image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'", "SVG"),
        (b"plain text, not an image", "SVG, PNG, JPEG or GIF"),
    ],
)
def test_a_broken_logo_is_a_clear_error(logo: bytes, message: str) -> None:
    with pytest.raises(EbookError, match=message) as caught:
        render_pdf(make_ebook(1, 100), BrandKit(), logo_bytes=logo)
    assert isinstance(caught.value, ValueError)
    assert "\n" not in str(caught.value)


def test_invalid_brand_colors_fall_back_to_the_defaults() -> None:
    brand = BrandKit(colors=["red", "#12345"])
    theme = brand_theme(brand)
    assert (theme.primary, theme.secondary) == DEFAULT_COLORS
    assert brand_theme(BrandKit(colors=["#FF6600"])).primary == "#ff6600"
    assert brand_theme(BrandKit(colors=[])).primary == DEFAULT_COLORS[0]

    source = ebook_typst_source(make_ebook(1, 100), brand)
    assert f'primary: rgb("{DEFAULT_COLORS[0]}")' in source
    cover = content(read(render_pdf(make_ebook(1, 100), brand)).pages[0])
    assert b"0.2627451 0.21960784 0.7921569 scn" in cover  # #4338ca, the default band


def test_a_light_brand_color_stays_legible() -> None:
    source = ebook_typst_source(make_ebook(1, 100), BrandKit(colors=["#ffe600", "#222222"]))
    assert 'on-primary: rgb("#111111")' in source
    assert 'ink: rgb("#ffe600").darken(45%)' in source  # for text on white
    source = ebook_typst_source(make_ebook(1, 100), BrandKit(colors=["#0f172a"]))
    assert 'on-primary: rgb("#ffffff")' in source
    assert 'ink: rgb("#0f172a"),' in source


def test_the_same_ebook_gives_the_same_bytes() -> None:
    ebook = make_ebook(2, 200)
    assert render_pdf(ebook, BrandKit()) == render_pdf(ebook, BrandKit())


def test_an_ebook_without_introduction_or_conclusion_still_renders() -> None:
    ebook = make_ebook(1, 100, introduction=[], conclusion=[], cta_text="", cta_url="")
    pages = page_texts(render_pdf(ebook, BrandKit(cta_text="Parlons-en", cta_url="")))
    text = " ".join(pages)
    assert "Introduction" not in text
    assert "Parlons-en" in pages[-1]
