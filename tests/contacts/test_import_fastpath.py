"""The importer's fast path gives exactly what ContactIn gives, or leaves the row to it."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from propulse.contacts.importing.fastpath import FastFields
from propulse.contacts.importing.mapping import CustomDefinition, propose
from propulse.contacts.importing.rows import Record, Rejected, RowConverter, owner_index

HEADERS = [
    "Email", "First Name", "Last Name", "Phone", "Job Title", "Company", "Sector",
    "Company size", "Maturity", "Country", "Language", "Time zone", "Lifecycle stage",
    "Owner", "Source", "Tier",
]  # fmt: skip
TIER = CustomDefinition("tier", "Tier", "choice", ("Gold", "Silver"))
CELLS: dict[str, list[str]] = {
    "Email": ["anne@client.fr", " Anne@Client.FR ", "<bob@x.example>", "mailto:c@d.example",
              "bad", "a..b@x.example", "é@exemple.fr", "x@-bad.example", "", "a" * 70 + "@x.fr"],
    "Maturity": ["", "3", "3.0", "3,0", "0", "6", "two", " 5 ", "05", "1.5"],
    "Country": ["", "FR", "fr", "France", "Allemagne", "UK", "XX", "Narnia"],
    "Language": ["", "fr", "FR", "fr-FR", "French", "Français", "english", "xyz", "éé"],
    "Time zone": ["", "Europe/Paris", "europe/paris", "europe_slash_paris", "Paris", "Mars/Base",
                  "(GMT+01:00) Paris"],
    "Lifecycle stage": ["", "lead", "Lead", "MQL", "Marketing Qualified Lead", "Other", "client",
                        "nope"],
    "Owner": ["", "julien@alpinea.example", "Julien Martin", "nobody"],
    "Tier": ["", "gold", "Silver", "bronze"],
}  # fmt: skip
TEXT = ["", "Anne", " Marie ", "'=1+1", "x" * 21, "y" * 41, "z" * 81, "w" * 101, "v" * 201]


def converter() -> RowConverter:
    return RowConverter(
        headers=HEADERS,
        targets=propose(HEADERS, [TIER]),
        custom_fields=[TIER],
        owners=owner_index([(7, "Julien@Alpinea.example", "Julien Martin")]),
    )


def outcome(conv: RowConverter, row: list[str]) -> Any:
    try:
        return conv.convert(row)
    except Rejected as rejected:
        return rejected.reason


rows = st.tuples(*(st.sampled_from(CELLS.get(header, TEXT)) for header in HEADERS)).map(list)


@settings(max_examples=400, deadline=None)
@given(rows)
def test_the_fast_path_agrees_with_contact_in(row: list[str]) -> None:
    fast = converter()
    slow = converter()
    slow._fast.fields = lambda data, owner_id: None  # type: ignore[method-assign]
    assert outcome(fast, row) == outcome(slow, row)


def test_plain_rows_take_the_fast_path_and_odd_ones_do_not() -> None:
    fast = FastFields()
    data = {"email": "Anne@Client.FR", "company": "ACME  Industries", "maturity": "3",
            "country": "FR", "custom": {}}  # fmt: skip
    found = fast.fields(data, 7)
    assert found is not None
    email, fields = found
    assert email == "anne@client.fr"
    assert fields["company"] == "acme industries"
    assert fields["maturity"] == 3
    assert fields["owner_id"] == 7
    assert fast.fields({**data, "maturity": "6"}, None) is None
    assert fast.fields({**data, "email": "bad"}, None) is None
    assert fast.fields({**data, "phone": "1" * 41}, None) is None
    record = converter().convert(["anne@client.fr"] + [""] * (len(HEADERS) - 1))
    assert isinstance(record, Record)
    assert record.fields["lifecycle_stage"] is None


def test_a_batch_crossing_processes_keeps_every_rows_values() -> None:
    from propulse.contacts.importing.pipeline import Batch, _from_wire, _to_wire
    from propulse.contacts.importing.reader import Row

    conv = converter()
    good = ["Anne@Client.FR", "Anne", "", "'+33 1 23", "", "Acme, \"Inc\"", "", "", "3", "FR",
            "fr", "Europe/Paris", "lead", "", "", "gold"]  # fmt: skip
    bad = ["bad"] + [""] * (len(HEADERS) - 1)
    rows = [Row(2, good), Row(3, bad)]
    batch = Batch([(rows[0], conv.convert(good)), (rows[1], outcome(conv, bad))], 99)
    received = _from_wire(_to_wire(batch))
    assert received.position == 99
    assert [received.values_of(i) for i in range(2)] == [good, bad]
    assert [entry for _row, entry in received.entries] == [entry for _row, entry in batch.entries]
    assert [row.number for row, _entry in received.entries] == [2, 3]
