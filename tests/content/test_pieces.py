"""Drafting a content package from an analysis: counts, formats, tone, extractive wording."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from propulse.content.document import Analysis, BrandKit, ContentPackage, Section
from propulse.content.drafting import hashtag, shorten, slugify
from propulse.content.pieces import build_package
from propulse.content.wording import PHRASES
from tests.content.handmade import Handmade, english, french

START = date(2027, 7, 12)
FRENCH_MARKS = re.compile(r"«\u00a0(.+?)\u00a0»")
ENGLISH_MARKS = re.compile(r"“(.+?)”")
TIMECODE = re.compile(r"\d{2}:\d{2}:\d{2}")
MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def brand(**changes: object) -> BrandKit:
    kit = BrandKit(
        name="Orbiteo",
        cta_url="https://orbiteo.example/ebook-nurturing",
        cta_text="",
        hashtags=["#Orbiteo", "#B2BMarketing"],
        tone="formal",
    )
    return replace(kit, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def fr() -> Handmade:
    return french()


@pytest.fixture(scope="module")
def en() -> Handmade:
    return english()


@pytest.fixture(scope="module")
def fr_package(fr: Handmade) -> ContentPackage:
    return build_package(fr.analysis, brand(), start=START)


@pytest.fixture(scope="module")
def en_package(en: Handmade) -> ContentPackage:
    return build_package(en.analysis, brand(), start=START, country="GB")


def packages(fr_package: ContentPackage, en_package: ContentPackage) -> list[ContentPackage]:
    return [fr_package, en_package]


def flat(text: str) -> str:
    return " ".join(text.split())


# Counts and the e-book


def test_a_french_script_gives_every_piece_in_the_announced_counts(
    fr_package: ContentPackage,
) -> None:
    assert 5 <= len(fr_package.articles) <= 6
    assert 8 <= len(fr_package.posts) <= 12
    assert 4 <= len(fr_package.emails) <= 6
    assert fr_package.language == "fr"
    assert len(fr_package.calendar) == 1 + len(fr_package.pieces())


def test_an_english_transcript_with_four_themes_still_gives_five_articles(
    en: Handmade, en_package: ContentPackage
) -> None:
    assert len(en.analysis.sections) == 4
    assert 5 <= len(en_package.articles) <= 6
    assert 8 <= len(en_package.posts) <= 12
    assert 4 <= len(en_package.emails) <= 6
    # The split section gives two articles on distinct parts of it, with distinct titles.
    sections = [article.section for article in en_package.articles]
    assert len(set(sections)) == 4
    titles = [article.title for article in en_package.articles]
    assert len(set(titles)) == len(titles)
    split = [article for article in en_package.articles if sections.count(article.section) == 2]
    first, second = (set(flat(article.body).split(". ")) for article in split)
    assert len(first & second) <= 1  # at most the shared call to action


def test_the_ebook_has_a_chapter_per_theme_built_from_the_whole_material(
    fr: Handmade, fr_package: ContentPackage
) -> None:
    ebook = fr_package.ebook
    sections = fr.analysis.sections
    # The short opening section introduces, the last one (a conclusion) concludes.
    assert [chapter.title for chapter in ebook.chapters] == [s.title for s in sections[1:-1]]
    assert flat(" ".join(ebook.introduction)).startswith("Pendant les quarante-cinq")
    assert "discipline" in ebook.conclusion[0]
    assert ebook.title == fr.analysis.title
    assert ebook.cta_url == "https://orbiteo.example/ebook-nurturing"
    assert ebook.cta_text == "Téléchargez l’e-book"
    words = sum(len(p.split()) for c in ebook.chapters for p in c.paragraphs)
    themes = sum(section.word_count for section in sections[1:-1])
    assert words == themes  # every sentence of every theme, once
    for index, chapter in enumerate(ebook.chapters, start=1):
        assert len(chapter.pull_quotes) <= 2
        assert len(chapter.statistics) <= 3
        assert all(quote.section == index for quote in chapter.pull_quotes)
        assert all(statistic.section == index for statistic in chapter.statistics)
        for paragraph in chapter.paragraphs:
            sentences = [s for s in sections[index].sentences if s.text in paragraph]
            assert 3 <= len(sentences) <= 5 or len(sections[index].sentences) < 3


def test_a_long_chapter_gets_subheadings_from_its_keyphrases(fr: Handmade) -> None:
    sections = fr.analysis.sections
    merged = Section(
        title="Le programme de nurturing",
        sentences=[s for section in sections[1:6] for s in section.sentences],
        keyphrases=[k for section in sections[1:6] for k in section.keyphrases],
    )
    analysis = replace(fr.analysis, sections=[sections[0], merged, sections[-1]])
    ebook = build_package(analysis, brand(), start=START).ebook
    (chapter,) = ebook.chapters
    headings = [p for p in chapter.paragraphs if p.startswith("## ")]
    assert len(headings) >= 2
    assert len(set(headings)) == len(headings)
    text = flat(" ".join(p for p in chapter.paragraphs if not p.startswith("## "))).lower()
    for heading in headings:
        assert heading[3:].lower() in text


def test_without_a_conclusion_section_the_ebook_ends_on_each_chapter_s_key_idea(
    en: Handmade, en_package: ContentPackage
) -> None:
    lead, bullets = en_package.ebook.conclusion
    assert lead == "To conclude, here is the key idea of each chapter:"
    source = flat(en.source_text)
    lines = bullets.splitlines()
    assert len(lines) == len(en_package.ebook.chapters)
    assert all(line.startswith("- ") and line[2:] in source for line in lines)


# Articles


def test_articles_follow_the_format_rules(
    fr_package: ContentPackage, en_package: ContentPackage
) -> None:
    for package in packages(fr_package, en_package):
        slugs = [article.meta["slug"] for article in package.articles]
        assert len(set(slugs)) == len(slugs)
        for article in package.articles:
            assert 0 < len(article.title) <= 60
            description = article.meta["meta_description"]
            assert 0 < len(description) <= 155
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", article.meta["slug"])
            assert len(article.meta["slug"]) <= 60
            headings = [line[3:] for line in article.body.splitlines() if line.startswith("## ")]
            assert headings == article.meta["h2"]
            assert 2 <= len(headings) <= 4
            links = MARKDOWN_LINK.findall(article.body)
            assert links == [(package.ebook.cta_text, package.ebook.cta_url)]
            assert article.body.rstrip().endswith(f"({package.ebook.cta_url})")
            assert "<h2>" in article.meta["html"]
            assert 'rel="noopener noreferrer"' in article.meta["html"]


def test_each_article_deepens_one_section_with_its_own_sentences(
    fr: Handmade, fr_package: ContentPackage
) -> None:
    for article in fr_package.articles:
        assert article.section is not None
        section = fr.analysis.sections[article.section]
        assert article.title == section.title
        blocks = article.body.split("\n\n")
        introduction, cta = blocks[0], blocks[-1]
        assert introduction.startswith(section.sentences[0].text)
        assert cta.startswith("Pour aller plus loin, retrouvez toute la méthode")
        body = flat(" ".join(b for b in blocks[:-1] if not b.startswith("## ")))
        assert body == flat(section.text)
        assert article.meta["meta_description"].rstrip("…") in flat(section.text)


def test_a_long_section_title_is_shortened_on_a_word_boundary(fr: Handmade) -> None:
    sections = list(fr.analysis.sections)
    long_title = (
        "Segmenter sa base de contacts par secteur d'activité et par niveau de maturité"
        " pour des messages pertinents"
    )
    sections[2] = replace(sections[2], title=long_title)
    package = build_package(replace(fr.analysis, sections=sections), brand(), start=START)
    article = next(a for a in package.articles if a.section == 2)
    assert len(article.title) <= 60
    assert long_title.startswith(article.title)
    assert long_title[len(article.title)] == " "
    assert article.title.split()[-1] not in ("de", "par", "et", "pour")


# LinkedIn posts


def test_posts_follow_the_format_rules(
    fr_package: ContentPackage, en_package: ContentPackage
) -> None:
    for package in packages(fr_package, en_package):
        for post in package.posts:
            assert len(post.body) <= 3000
            hook = post.body.split("\n", 1)[0]
            assert hook == post.meta["hook"]
            assert 0 < len(hook) <= 210
            tags = post.meta["hashtags"]
            assert 3 <= len(tags) <= 5
            assert tags[:2] == ["#Orbiteo", "#B2BMarketing"]  # the brand's first
            assert post.body.rstrip().endswith(" ".join(tags))
            for tag in tags:
                assert re.fullmatch(r"#[A-Za-z0-9]+", tag), tag
            assert package.ebook.cta_url in post.body


def test_posts_mix_quotes_statistics_and_insights_and_never_reuse_one(
    fr: Handmade, fr_package: ContentPackage
) -> None:
    kinds = [post.meta["post_kind"] for post in fr_package.posts]
    assert {"quote", "statistic", "insight"} <= set(kinds)
    assert "video" not in kinds  # no time codes in this source
    assert kinds[:3] != [kinds[0]] * 3  # formats alternate
    quotes = [post.meta["quote"] for post in fr_package.posts if post.meta["quote"]]
    statistics = [post.meta["statistic"] for post in fr_package.posts if post.meta["statistic"]]
    assert len(quotes) == len(set(quotes)) >= 2
    assert len(statistics) == len(set(statistics)) >= 2
    source = flat(fr.source_text)
    for post in fr_package.posts:
        if post.meta["post_kind"] == "quote":
            (marked,) = FRENCH_MARKS.findall(post.body.split("\n", 1)[0])
            assert marked == post.meta["quote"]
            assert marked in source
        if post.meta["post_kind"] == "statistic":
            assert post.meta["statistic"] in post.meta["hook"]
            assert post.meta["statistic_sentence"] in post.body


def test_english_quotations_keep_their_words_between_curly_quotes(
    en: Handmade, en_package: ContentPackage
) -> None:
    source = flat(en.source_text)
    quoted = [
        text for post in en_package.posts for text in ENGLISH_MARKS.findall(post.meta["hook"])
    ]
    assert quoted
    for text in quoted:
        assert text in source
        assert not text.endswith(",")  # "…a content team," says Maya: the comma is hers


def test_video_posts_carry_the_time_codes_of_the_best_excerpts(
    en: Handmade, en_package: ContentPackage
) -> None:
    videos = [post for post in en_package.posts if post.meta["post_kind"] == "video"]
    assert 1 <= len(videos) <= 3
    excerpts = {excerpt.section: excerpt for excerpt in en.analysis.excerpts}
    for post in videos:
        assert TIMECODE.fullmatch(post.meta["start"])
        assert TIMECODE.fullmatch(post.meta["end"])
        assert post.meta["start"] < post.meta["end"]
        assert post.section is not None
        excerpt = excerpts[post.section]
        hours, minutes, seconds = (int(part) for part in post.meta["start"].split(":"))
        assert hours * 3600 + minutes * 60 + seconds == int(excerpt.start)
        assert excerpt.text.split(". ")[0] in post.body
        assert not TIMECODE.search(post.body)  # time codes are for the editor, in meta


def test_no_sentence_of_the_source_is_repeated_by_two_posts_or_a_post_and_an_email(
    fr: Handmade, en: Handmade, fr_package: ContentPackage, en_package: ContentPackage
) -> None:
    for handmade, package in ((fr, fr_package), (en, en_package)):
        sentences = [s.text for section in handmade.analysis.sections for s in section.sentences]
        for sentence in sentences:
            posts = [post.index for post in package.posts if sentence in flat(post.body)]
            emails = [email.index for email in package.emails if sentence in flat(email.body)]
            assert len(posts) <= 1, (sentence, posts)
            assert not (posts and emails), (sentence, posts, emails)


# E-mails


def test_emails_follow_the_format_rules(
    fr_package: ContentPackage, en_package: ContentPackage
) -> None:
    for package in packages(fr_package, en_package):
        delays = [email.meta["delay_days"] for email in package.emails]
        assert delays == [0, 3, 7, 14, 21, 28][: len(delays)]
        for email in package.emails:
            assert 0 < len(email.meta["subject"]) <= 60
            assert 0 < len(email.meta["preheader"]) <= 100
            assert email.title == email.meta["subject"]
            links = MARKDOWN_LINK.findall(email.body)
            assert links == [(email.meta["cta_text"], email.meta["cta_url"])]
            assert email.meta["cta_url"] == package.ebook.cta_url


def test_the_first_email_delivers_the_ebook_and_the_others_one_lesson_each(
    fr: Handmade, fr_package: ContentPackage
) -> None:
    welcome, *lessons = fr_package.emails
    assert welcome.meta["subject"].startswith("Votre e-book")
    assert f"*{fr.analysis.title}*" in welcome.body
    for chapter in fr_package.ebook.chapters:
        assert f"- {chapter.title}" in welcome.body
    sent: set[str] = set()
    for email in lessons:
        assert email.section is not None
        section = fr.analysis.sections[email.section]
        lesson = email.body.split("\n\n")[2]
        sentences = [s.text for s in section.sentences if s.text in lesson]
        assert flat(lesson) == flat(" ".join(sentences))  # consecutive source sentences
        assert len(sentences) == 3
        assert not sent & set(sentences)  # each e-mail teaches something new
        sent |= set(sentences)


# Tone


def test_the_formal_tone_says_vous_and_the_informal_one_says_tu(fr: Handmade) -> None:
    formal = build_package(fr.analysis, brand(tone="formal"), start=START)
    informal = build_package(fr.analysis, brand(tone="informal"), start=START)
    assert formal.emails[0].meta["subject"].startswith("Votre e-book")
    assert informal.emails[0].meta["subject"].startswith("Ton e-book")
    assert "Merci pour votre intérêt" in formal.emails[0].body
    assert "Merci pour ton intérêt" in informal.emails[0].body
    assert "nous vous proposons" in formal.emails[1].body
    assert "on te propose" in informal.emails[1].body
    assert "retrouvez toute la méthode" in formal.articles[0].body
    assert "retrouve toute la méthode" in informal.articles[0].body
    assert formal.ebook.cta_text == "Téléchargez l’e-book"
    assert informal.ebook.cta_text == "Télécharge l’e-book"
    questions = {post.body for post in informal.posts if "qu’en" in post.body}
    assert questions
    assert all("Et toi, qu’en penses-tu" in body for body in questions)
    for piece in informal.pieces():
        written = piece.body.replace(piece.meta.get("cta_text") or "", "")
        for phrase in ("vous attend", "votre e-book", "retrouvez", "Et vous,"):
            assert phrase not in written


def test_english_has_one_voice_whatever_the_tone(en: Handmade) -> None:
    formal = build_package(en.analysis, brand(tone="formal"), start=START, country="GB")
    informal = build_package(en.analysis, brand(tone="informal"), start=START, country="GB")
    assert [p.body for p in formal.pieces()] == [p.body for p in informal.pieces()]


def test_the_brand_cta_text_is_used_when_given(fr: Handmade) -> None:
    package = build_package(fr.analysis, brand(cta_text="Recevoir le guide"), start=START)
    assert package.ebook.cta_text == "Recevoir le guide"
    assert "[Recevoir le guide](https://orbiteo.example/ebook-nurturing)" in package.emails[2].body


# Determinism and extractive wording


def test_the_same_analysis_always_gives_the_same_package(fr: Handmade) -> None:
    first = build_package(fr.analysis, brand(), start=START)
    second = build_package(french().analysis, brand(), start=START)
    assert first == second


def test_the_engine_s_own_phrases_hold_no_digit_and_no_quotation_mark() -> None:
    for voice, phrases in PHRASES.items():
        for name, text in phrases.items():
            assert not re.search(r"\d", text), (voice, name)
            assert not re.search(r"[«»“”\"]", text), (voice, name)


def test_every_number_in_the_pieces_comes_from_the_source(
    fr: Handmade, fr_package: ContentPackage
) -> None:
    source_numbers = set(re.findall(r"\d+", fr.source_text))
    for piece in fr_package.pieces():
        text = re.sub(r"https?://\S+|#\w+", "", piece.body + piece.title)
        assert set(re.findall(r"\d+", text)) <= source_numbers, piece.title


def test_an_analysis_with_little_material_still_gives_valid_pieces() -> None:
    handmade = french()
    sections = handmade.analysis.sections[1:3]
    small = Analysis(
        language="fr",
        title="Segmentation et scoring",
        sections=[
            replace(s, sentences=[replace(x, section=i) for x in s.sentences])
            for i, s in enumerate(sections)
        ],
        keyphrases=["segmentation", "scoring"],
        quotes=[],
        statistics=[],
        excerpts=[],
        word_count=sum(s.word_count for s in sections),
    )
    package = build_package(small, brand(), start=START)
    assert len(package.ebook.chapters) >= 1
    assert package.articles
    for post in package.posts:
        assert post.meta["post_kind"] == "insight"
        assert 3 <= len(post.meta["hashtags"]) <= 5


# Helpers


def test_shorten_cuts_on_a_word_boundary_without_breaking_numbers_or_quotes() -> None:
    text = "Notre base comptait de 30 000 à 40 000 contacts, et presque personne ne leur écrivait."
    assert shorten(text, 200, language="fr") == text
    assert shorten(text, 40, language="fr", ellipsis=True) == (
        "Notre base comptait de 30 000 à 40 000…"
    )
    # Never "30 000 à" nor "30 000 à 40" out of "30 000 à 40 000": the range goes whole.
    assert shorten(text, 36, language="fr", ellipsis=True) == "Notre base comptait…"
    assert shorten("Le seuil de 20 à 400 salariés est atteint", 16, language="fr") == "Le seuil"
    quoting = "Claire Martin résume « il faut écrire le script » ensuite"
    assert shorten(quoting, 40, language="fr") == "Claire Martin résume"
    assert shorten("The rules of the game", 13, language="en") == "The rules"


def test_slugs_are_ascii_and_cut_on_a_hyphen() -> None:
    assert (
        slugify("Stratégie : l’œuvre d’un été à Orléans") == "strategie-l-oeuvre-d-un-ete-a-orleans"
    )
    slug = slugify("a" * 30 + " " + "b" * 40)
    assert slug == "a" * 30


def test_hashtags_are_camel_case_without_accents() -> None:
    assert hashtag("niveau de maturité") == "#NiveauDeMaturite"
    assert hashtag("e-mail") == "#Email"
    assert hashtag("coût d'acquisition") == "#CoutDAcquisition"
    assert hashtag("40 000 contacts") is None
    assert hashtag("a very long phrase of words") is None
