"""Reading contact files: encodings, delimiters, quoted newlines, XLSX cells, unreadable files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from propulse.contacts.importing.reader import (
    cell_text,
    detect_encoding,
    open_table,
    sniff_delimiter,
)
from propulse.kit.errors import InvalidInput

ACCENTED = "Prénom,Nom,Email\nRené,Lefèvre,rene@exemple.fr\nZoë,Müller,zoe@exemple.de\n"


def read(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    with open_table(path) as table:
        return table.header, [(row.number, row.values) for row in table.rows]


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("utf-16", "utf-16")],
)
def test_each_encoding_is_read_with_its_accents(tmp_path, encoding, expected):
    path = tmp_path / "contacts.csv"
    path.write_bytes(ACCENTED.encode(encoding))
    assert detect_encoding(path.read_bytes()[:4096]) == expected
    header, rows = read(path)
    assert header == ["Prénom", "Nom", "Email"]
    assert rows == [
        (2, ["René", "Lefèvre", "rene@exemple.fr"]),
        (3, ["Zoë", "Müller", "zoe@exemple.de"]),
    ]


def test_latin1_is_recognised_even_when_utf8_looks_plausible_at_first(tmp_path):
    lines = (
        ["Email,Ville"] + [f"p{i}@exemple.fr,Paris" for i in range(50)] + ["x@exemple.fr,Orléans"]
    )
    path = tmp_path / "latin.csv"
    path.write_bytes("\n".join(lines).encode("latin-1"))
    _header, rows = read(path)
    # The sample covers the whole small file: the é decides for cp1252.
    assert rows[-1][1] == ["x@exemple.fr", "Orléans"]


def test_a_utf8_file_with_a_bad_byte_late_rejects_that_row_only(tmp_path):
    good = "".join(f"p{i}@exemple.fr,Ville {i}\n" for i in range(5000))
    path = tmp_path / "late.csv"
    path.write_bytes(
        b"Email,Ville\n" + good.encode() + b"bad@exemple.fr,Orl\xe9ans\nlast@exemple.fr,Nice\n"
    )
    with open_table(path) as table:
        rows = list(table.rows)
    assert rows[-2].problem is not None and "not valid text" in rows[-2].problem
    assert rows[-1].problem is None and rows[-1].values == ["last@exemple.fr", "Nice"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_delimiter_is_sniffed(tmp_path, delimiter):
    text = delimiter.join(["Email", "Société", "Ville"]) + "\n"
    text += delimiter.join(["a@exemple.fr", '"Dupont, Fils & Cie"', "Paris"]) + "\n"
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    with open_table(path) as table:
        assert table.delimiter == delimiter
        assert [row.values for row in table.rows] == [
            ["a@exemple.fr", "Dupont, Fils & Cie", "Paris"]
        ]


def test_commas_inside_semicolon_files_do_not_fool_the_sniffer():
    sample = "Nom;Email;Fonction\nDupont, Jean;j@exemple.fr;Directeur, marketing\n"
    assert sniff_delimiter(sample) == ";"


def test_quoted_newlines_stay_in_one_row_and_row_numbers_follow_the_spreadsheet(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text(
        'Email,Notes\na@exemple.fr,"line one\nline two"\n\nb@exemple.fr,plain\n', encoding="utf-8"
    )
    _header, rows = read(path)
    assert rows == [
        (2, ["a@exemple.fr", "line one\nline two"]),
        (3, []),
        (4, ["b@exemple.fr", "plain"]),
    ]


def test_xlsx_cells_become_the_text_a_person_reads(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Email", "Phone", "Since", "Meeting", "Budget", "Ratio"])
    sheet.append(
        ["a@exemple.fr", 33123456789, date(2024, 3, 1), datetime(2024, 3, 1, 14, 30), 1200.0, 0.25]
    )
    sheet.append([])
    sheet.append(["b@exemple.fr", None, None, None, None, None])
    path = tmp_path / "contacts.xlsx"
    workbook.save(path)
    header, rows = read(path)
    assert header == ["Email", "Phone", "Since", "Meeting", "Budget", "Ratio"]
    assert rows[0] == (
        2,
        ["a@exemple.fr", "33123456789", "2024-03-01", "2024-03-01 14:30:00", "1200", "0.25"],
    )
    assert rows[1][0] == 3 and not any(rows[1][1])
    assert rows[2] == (4, ["b@exemple.fr", "", "", "", "", ""])


def test_cell_text():
    assert cell_text(None) == ""
    assert cell_text(3.0) == "3"
    assert cell_text(3.5) == "3.5"
    assert cell_text(True) == "true"
    assert cell_text(date(2025, 1, 2)) == "2025-01-02"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a CSV or XLSX"),
        (b"PK\x03\x04broken zip", "not a valid XLSX"),
    ],
)
def test_an_unreadable_file_is_refused_with_the_reason(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as refused, open_table(path):
        pass
    assert message in refused.value.message and "bad.csv" in refused.value.message


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(InvalidInput) as refused, open_table(tmp_path / "nowhere.csv"):
        pass
    assert "nowhere.csv" in refused.value.message
