"""`propulse contacts export`: CSV and XLSX, neutralised formulas, segments, a lossless round trip."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from propulse.contacts.export import export_contacts
from propulse.contacts.importing import ImportOptions, import_file
from propulse.contacts.merge import UpdateRule
from propulse.contacts.models import Contact, CustomField
from propulse.kit.errors import Forbidden
from propulse.segments.models import Segment, SegmentMember

TRICKY = [
    ["email", "first_name", "last_name", "phone", "company", "country", "owner", "custom.budget", "custom.tier"],
    ["nina@client.fr", "Nina", "=HYPERLINK(\"http://evil.example\",\"clic\")", "+33 1 23 45 67 89",
     "Acme", "FR", "julien@alpinea.example", "-1500", "Gold"],
    ["omar@client.fr", "Omar", "@SUM(A1)", "-0612", "Acme", "", "", "12.5", ""],
    ["zoe@client.fr", "Zoë", "Müller; \"the\" boss\nsecond line", "", "", "DE", "", "", "Silver"],
]  # fmt: skip


@pytest.fixture
def base(session, cast, tmp_path):
    """Contacts with formula-looking values, a phone starting with +, custom fields."""
    session.add_all(
        [
            CustomField(key="budget", label="Budget", kind="number"),
            CustomField(key="tier", label="Tier", kind="choice", choices=["Gold", "Silver"]),
        ]
    )
    session.flush()
    source = tmp_path / "source.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(TRICKY)
    summary = import_file(session, actor=cast.manager, path=source)
    assert (summary.created, summary.rejected) == (3, 0)
    session.flush()
    return session


def snapshot(session) -> dict[str, tuple[object, ...]]:
    session.expire_all()
    return {
        c.email: (
            c.first_name,
            c.last_name,
            c.phone,
            c.company_id,
            c.country,
            c.owner_id,
            c.custom,
            c.version,
        )
        for c in session.scalars(select(Contact))
    }


def test_a_csv_export_neutralises_formulas(base, cast, tmp_path):
    out = tmp_path / "export.csv"
    result = export_contacts(base, actor=cast.manager, out=out)
    assert result.rows == 3
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the accents
    with out.open(encoding="utf-8-sig", newline="") as exported:
        rows = list(csv.DictReader(exported))
    nina = rows[0]
    assert nina["last_name"] == '\'=HYPERLINK("http://evil.example","clic")'
    assert nina["phone"] == "'+33 1 23 45 67 89"
    assert (nina["company"], nina["owner"], nina["custom.budget"], nina["custom.tier"]) == (
        "Acme", "julien@alpinea.example", "'-1500", "Gold",
    )  # fmt: skip
    assert rows[1]["last_name"] == "'@SUM(A1)" and rows[1]["custom.budget"] == "12.5"
    assert rows[2]["last_name"] == 'Müller; "the" boss\nsecond line'
    assert {"score", "grade", "email_consent", "created_at", "id"} <= set(nina)


@pytest.mark.parametrize("name", ["export.csv", "export.xlsx"])
def test_an_export_imported_again_is_lossless(base, cast, tmp_path, name):
    before = snapshot(base)
    out = tmp_path / name
    export_contacts(base, actor=cast.manager, out=out)
    for rule in UpdateRule:
        summary = import_file(base, actor=cast.manager, path=out, options=ImportOptions(rule=rule))
        assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (
            0,
            0,
            3,
            0,
        )
    after = snapshot(base)
    assert after == before
    assert after["nina@client.fr"][1:3] == (
        '=HYPERLINK("http://evil.example","clic")',
        "+33 1 23 45 67 89",
    )


def test_an_xlsx_export_holds_text_not_formulas(base, cast, tmp_path):
    out = tmp_path / "export.xlsx"
    export_contacts(base, actor=cast.manager, out=out)
    workbook = openpyxl.load_workbook(out)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    assert row["last_name"].data_type == "s" and row["last_name"].value.startswith("'=")
    assert row["email"].value == "nina@client.fr"


def test_a_segment_export_holds_its_members_only(base, cast, tmp_path, run):
    segment = Segment(name="VIP accounts", kind="static", definition=None)
    base.add(segment)
    base.flush()
    nina = base.scalar(select(Contact).where(Contact.email == "nina@client.fr"))
    assert nina is not None
    base.add(SegmentMember(segment_id=segment.id, contact_id=nina.id))
    base.commit()
    out = tmp_path / "vip.csv"
    code, stdout, err = run(
        "contacts", "export", "--segment", str(segment.id), "--out", str(out), "--json"
    )
    assert code == 0, err
    assert json.loads(stdout) == {"exported": 1, "file": str(out)}
    with out.open(encoding="utf-8-sig", newline="") as exported:
        assert [row["email"] for row in csv.DictReader(exported)] == ["nina@client.fr"]
    code, _stdout, err = run("contacts", "export", "--segment", "999999", "--out", str(out))
    assert code == 2 and "999999" in err


def test_export_cli_options_and_refusals(base, cast, tmp_path, run):
    out = tmp_path / "semi.csv"
    code, stdout, err = run("contacts", "export", "--out", str(out), "--delimiter", "semicolon")
    assert code == 0, err
    assert "3" in stdout and out.read_text(encoding="utf-8-sig").startswith("email;first_name;")
    code, _stdout, err = run(
        "contacts", "export", "--out", str(tmp_path / "no" / "such" / "dir.csv")
    )
    assert code == 2 and "does not exist" in err
    code, _stdout, err = run("--as", cast.intern.email, "contacts", "export", "--out", str(out))
    assert code == 2 and "export contacts" in err
    with pytest.raises(Forbidden):
        export_contacts(base, actor=cast.salesperson, out=tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def test_an_empty_base_exports_a_header(session, cast, tmp_path):
    out = tmp_path / "empty.csv"
    assert export_contacts(session, actor=cast.manager, out=out).rows == 0
    assert Path(out).read_text(encoding="utf-8-sig").startswith("email,first_name,last_name,")
