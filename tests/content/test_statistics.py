"""Statistics: French and English number formats, units, ranges, idioms, and what is not one."""

from __future__ import annotations

import pytest

from propulse.content.statistics import find_statistics, normalise_number_text

NBSP = "\u00a0"
NNBSP = "\u202f"


def found(text: str) -> list[tuple[str, tuple[float, ...], str]]:
    return [(figure.expression, figure.values, figure.unit) for figure in find_statistics(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Percentages, French and English.
        ("Le taux d'ouverture atteint 40 % cette année.", [("40 %", (40.0,), "%")]),
        (f"Le taux de clic est de 12,5{NBSP}% en moyenne.", [(f"12,5{NBSP}%", (12.5,), "%")]),
        ("Organic search brings 40% of our demos.", [("40%", (40.0,), "%")]),
        ("Conversion rose to 12.5% on the best sessions.", [("12.5%", (12.5,), "%")]),
        ("About 80 percent of requests came from webinars.", [("80 percent", (80.0,), "%")]),
        ("Environ 40 pour cent des demandes.", [("40 pour cent", (40.0,), "%")]),
        # Amounts.
        ("Un budget de 2 M€ pour l'année.", [("2 M€", (2_000_000.0,), "EUR")]),
        ("Un chiffre d'affaires de 20 M EUR.", [("20 M EUR", (20_000_000.0,), "EUR")]),
        ("We raised $1.2M last spring.", [("$1.2M", (1_200_000.0,), "USD")]),
        ("Comptez 800 à 1 000 euros par mois.", [("800 à 1 000", (800.0, 1000.0), "EUR")]),
        (
            "Le pipeline a atteint 1,2 million d'euros.",
            [("1,2 million", (1_200_000.0,), "EUR")],
        ),
        ("A budget of 50 k€ per quarter.", [("50 k€", (50_000.0,), "EUR")]),
        ("It influenced EUR 1.2 million of pipeline.", [("1.2 million", (1_200_000.0,), "EUR")]),
        ("Revenue grew from 2 to 20 million euros.", [("2 to 20 million", (2e6, 2e7), "EUR")]),
        # Counts with units, French spaces as thousands separators.
        ("Une base de 30 000 contacts.", [("30 000", (30_000.0,), "contacts")]),
        (f"Une base de 30{NNBSP}000 contacts.", [(f"30{NNBSP}000", (30_000.0,), "contacts")]),
        ("A base of 30,000 contacts.", [("30,000", (30_000.0,), "contacts")]),
        ("Une entreprise de 400 salariés.", [("400", (400.0,), "people")]),
        ("About 10 LinkedIn posts per webinar.", [("10", (10.0,), "posts")]),
        # Ranges and the French idiom.
        ("Il faut 8 à 10 pages de script.", [("8 à 10", (8.0, 10.0), "pages")]),
        ("Puis 5 à 6 articles de blog.", [("5 à 6", (5.0, 6.0), "articles")]),
        ("Nous sommes passés de 20 à 400 salariés.", [("20 à 400", (20.0, 400.0), "people")]),
        ("Une base de 30 à 40 000 contacts.", [("30 à 40 000", (30_000.0, 40_000.0), "contacts")]),
        ("A base of 30 to 40,000 contacts.", [("30 to 40,000", (30_000.0, 40_000.0), "contacts")]),
        ("An e-book of 15-20 pages.", [("15-20", (15.0, 20.0), "pages")]),
        ("Between 8 and 10 pages.", [("Between 8 and 10", (8.0, 10.0), "pages")]),
        ("J'avais 7 ou 8 collaborateurs.", [("7 ou 8", (7.0, 8.0), "people")]),
        ("De 20 % à 30 % de hausse.", [("20 % à 30 %", (20.0, 30.0), "%")]),
        # Multipliers and durations.
        ("The sector sessions brought 2x more registrations.", [("2x", (2.0,), "x")]),
        ("Les inscriptions ont été multipliées ×3.", [("×3", (3.0,), "x")]),
        ("Nous avons obtenu 3 fois plus de rendez-vous.", [("3 fois", (3.0,), "x")]),
        ("Les cycles durent de 3 à 12 mois.", [("3 à 12", (3.0, 12.0), "months")]),
        ("After 6 months, nobody used it.", [("6", (6.0,), "months")]),
        # Ratios.
        ("1 client sur 3 renouvelle.", [("1 client sur 3", (1.0, 3.0), "ratio")]),
        ("9 out of 10 hires stayed.", [("9 out of 10", (9.0, 10.0), "ratio")]),
    ],
)
def test_statistics_are_read_with_their_unit_and_normalised_values(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "En 2019, nous avons lancé le plan, puis en 2026 la refonte.",
        "From 2019 to 2021 the team doubled its budget plans.",
        "1. Définir la cible avant tout le reste.",
        "2) Write the script before the slides.",
        "Étape 3 consiste à écrire le script.",
        "The second thing is the 3rd step of the plan.",
        "Le 1er point concerne les juniors.",
        "Rendez-vous à 00:12:30 dans l'enregistrement, ou à 14h30 en direct.",
        "The webinar takes place on March 12, 2026, at 3 pm.",
        "Le webinar aura lieu le 12 mars 2026.",
        "Our B2B buyers read the Q3 report and the COVID-19 study.",
        "Version 2.3.1 of the tool shipped with page 12 updated.",
    ],
)
def test_years_numbering_time_codes_dates_and_ordinals_are_not_statistics(text):
    assert found(text) == []


def test_statistics_keep_source_order_and_span():
    text = "Nous avons 30 000 contacts, dont 40 % ouvrent la newsletter, pour 2 M€ de pipeline."
    figures = find_statistics(text)
    assert [figure.expression for figure in figures] == ["30 000", "40 %", "2 M€"]
    assert all(text[figure.start : figure.end] == figure.expression for figure in figures)


def test_labelled_number_counts_when_it_has_a_unit():
    # "semaine" labels "semaine 3", but here it only precedes a count.
    assert found("Chaque semaine 3 posts.") == [("3", (3.0,), "posts")]


@pytest.mark.parametrize(
    ("source", "rewritten"),
    [
        ("40 000", "40000"),
        ("12,5 %", "12.5%"),
        ("30 à 40 000 contacts", "30 000 à 40 000 contacts"),
        ("2 M€", "2 millions d'euros"),
        ("$1.2M", "1,2 million de dollars"),
        ("1,200 leads", "1 200 leads"),
    ],
)
def test_normalise_number_text_meets_across_formats(source, rewritten):
    assert normalise_number_text(source) == normalise_number_text(rewritten)


def test_normalise_number_text_lists_every_content_number():
    text = (
        "1. En 2019, nous avions 30 à 40 000 contacts et 12,5 % de conversion, "
        "soit 2 M€, le 12 mars à 14h30 (00:12:30), étape 3."
    )
    assert normalise_number_text(text) == [2019.0, 30_000.0, 40_000.0, 12.5, 2_000_000.0]
