"""The proposed mapping (HubSpot, English and French headers, custom fields) and value conversions."""

from __future__ import annotations

import pytest

from propulse.contacts.importing import values
from propulse.contacts.importing.mapping import (
    CustomDefinition,
    apply_overrides,
    check_targets,
    header_key,
    ignored_columns,
    propose,
)
from propulse.contacts.importing.rows import Rejected, RowConverter, owner_index
from propulse.kit.errors import InvalidInput

HUBSPOT = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
    "Job Title", "Company Name", "Industry", "Number of Employees", "Country/Region",
    "Preferred language", "Time Zone", "Lifecycle Stage", "Contact owner", "Original Source",
    "Create Date",
]  # fmt: skip
FRENCH = [
    "Adresse e-mail", "Prénom", "Nom de famille", "Téléphone", "Portable", "Fonction",
    "Société", "Secteur d'activité", "Effectif", "Maturité", "Pays", "Langue",
    "Fuseau horaire", "Cycle de vie", "Propriétaire", "Origine",
]  # fmt: skip
BUDGET = CustomDefinition("budget_eur", "Budget (€)", "number")
TIER = CustomDefinition("tier", "Tier", "choice", ("Gold", "Silver"))
RENEWAL = CustomDefinition("renewal", "Renouvellement", "date")


def test_a_hubspot_export_is_mapped_and_its_extra_columns_listed():
    targets = propose(HUBSPOT)
    assert dict(zip(HUBSPOT, targets, strict=True)) == {
        "Record ID": None,
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
        "Phone Number": "phone",
        "Mobile Phone Number": "phone",
        "Job Title": "job_title",
        "Company Name": "company",
        "Industry": "sector",
        "Number of Employees": "company_size",
        "Country/Region": "country",
        "Preferred language": "language",
        "Time Zone": "timezone",
        "Lifecycle Stage": "lifecycle_stage",
        "Contact owner": "owner",
        "Original Source": "source",
        "Create Date": None,
    }
    assert ignored_columns(HUBSPOT, targets) == ["Record ID", "Create Date"]


def test_french_headers_are_mapped_without_regard_to_accents_or_case():
    targets = propose(FRENCH)
    assert targets == [
        "email", "first_name", "last_name", "phone", "phone", "job_title", "company", "sector",
        "company_size", "maturity", "country", "language", "timezone", "lifecycle_stage",
        "owner", "source",
    ]  # fmt: skip
    assert propose(["E-MAIL", "courriel", "NOM", "poste", "Entreprise", "Statut"]) == [
        "email", "email", "last_name", "job_title", "company", "lifecycle_stage",
    ]  # fmt: skip
    assert header_key("  Secteur d’activité ") == "secteur d activite"


def test_custom_fields_are_recognised_by_key_label_or_export_name():
    headers = ["email", "custom.budget_eur", "Tier", "renouvellement", "custom.unknown"]
    assert propose(headers, [BUDGET, TIER, RENEWAL]) == [
        "email", "custom.budget_eur", "custom.tier", "custom.renewal", None,
    ]  # fmt: skip


def test_overrides_change_the_proposal():
    headers = ["Courriel", "Notes", "Record ID"]
    targets = apply_overrides(headers, propose(headers), ["notes=source", "Courriel=ignore"])
    assert targets == [None, "source", None]
    with pytest.raises(InvalidInput) as refused:
        apply_overrides(headers, targets, ["Missing=email"])
    assert "Missing" in refused.value.message and "Courriel" in refused.value.message
    with pytest.raises(InvalidInput) as refused:
        apply_overrides(headers, targets, ["Notes=nickname"])
    assert "nickname" in refused.value.message and "first_name" in refused.value.message
    with pytest.raises(InvalidInput):
        apply_overrides(headers, targets, ["Notes"])


def test_a_mapping_without_an_email_column_is_refused():
    with pytest.raises(InvalidInput) as refused:
        check_targets(["first_name", None], [])
    assert "e-mail" in refused.value.message


@pytest.mark.parametrize(
    ("given", "code"),
    [("France", "FR"), ("fr", "FR"), ("Allemagne", "DE"), ("royaume-uni", "GB"), ("UK", "GB"),
     ("United States", "US"), ("États-Unis", "US"), ("Belgique", "BE"), ("Suisse", "CH")],
)  # fmt: skip
def test_countries_by_code_or_english_or_french_name(given, code):
    assert values.country(given) == code


def test_an_unknown_country_says_so():
    with pytest.raises(ValueError, match="Atlantis"):
        values.country("Atlantis")


@pytest.mark.parametrize(
    ("given", "stage"),
    [("Marketing Qualified Lead", "mql"), ("marketingqualifiedlead", "mql"), ("SQL", "sql"),
     ("Sales Qualified Lead", "sql"), ("Lead", "lead"), ("Subscriber", "subscriber"),
     ("Opportunity", "opportunity"), ("Customer", "customer"), ("Evangelist", "customer"),
     ("Abonné", "subscriber"), ("Opportunité", "opportunity"), ("Client", "customer"),
     ("Lead qualifié marketing", "mql"), ("Other", None), ("Autre", None)],
)  # fmt: skip
def test_lifecycle_labels(given, stage):
    assert values.lifecycle_stage(given) == stage


def test_other_values():
    assert values.language("Français") == "fr"
    assert values.language("en-GB") == "en"
    assert values.timezone("europe_slash_paris") == "Europe/Paris"
    assert values.timezone("(GMT+01:00) Paris") == "Europe/Paris"
    assert values.timezone("europe/berlin") == "Europe/Berlin"
    assert values.maturity("3,0") == "3"
    assert values.custom_value(BUDGET, "1 234,5") == 1234.5
    assert values.custom_value(RENEWAL, "31/12/2026") == "2026-12-31"
    assert values.custom_value(RENEWAL, "2026-12-31T00:00:00") == "2026-12-31"
    assert values.custom_value(TIER, "gold") == "Gold"
    for definition, text in ((BUDGET, "lots"), (RENEWAL, "31/02/2026"), (TIER, "Bronze")):
        with pytest.raises(ValueError, match=text):
            values.custom_value(definition, text)


def converter(headers, custom=(), owners=None):
    return RowConverter(
        headers=headers,
        targets=propose(headers, custom),
        custom_fields=list(custom),
        owners=owner_index(owners or [(7, "Julien@Alpinea.example", "Julien Martin")]),
    )


def test_a_row_becomes_a_record_after_restoring_neutralised_cells():
    headers = [
        "Email",
        "Téléphone",
        "Mobile",
        "Société",
        "Pays",
        "Cycle de vie",
        "Owner",
        "Budget (€)",
    ]
    record = converter(headers, [BUDGET]).convert(
        [" Anne@Client.FR ", "", "'+33 6 12 34 56 78", "  ACME   Industries ", "France",
         "Lead", "julien martin", "'-15"]
    )  # fmt: skip
    assert record.email == "anne@client.fr"
    assert record.fields["phone"] == "+33 6 12 34 56 78"
    assert record.fields["company"] == "acme industries"
    assert record.company_name == "ACME   Industries"
    assert (record.fields["country"], record.fields["lifecycle_stage"]) == ("FR", "lead")
    assert record.fields["owner_id"] == 7
    assert record.fields["custom"] == {"budget_eur": -15.0}


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["", "France", "", ""], "No e-mail address."),
        (
            ["not-an-address", "France", "", ""],
            "Email: not-an-address is not a valid e-mail address.",
        ),
        (["a@client.fr", "Atlantis", "", ""], "Pays: Atlantis is not an ISO 3166 country code"),
        (["a@client.fr", "", "nobody@else.example", ""], "Owner: No Propulse user has"),
        (["a@client.fr", "", "", "lots"], "Budget (€): lots is not a number."),
    ],
)
def test_a_bad_row_is_rejected_naming_the_column(row, reason):
    with pytest.raises(Rejected) as rejected:
        converter(["Email", "Pays", "Owner", "Budget (€)"], [BUDGET]).convert(row)
    assert rejected.value.reason.startswith(reason)


def test_contact_in_problems_name_the_column():
    with pytest.raises(Rejected) as rejected:
        converter(["Email", "Maturité"]).convert(["a@client.fr", "7"])
    assert rejected.value.reason.startswith("Maturité: ")
    with pytest.raises(Rejected) as rejected:
        converter(["Email", "Prénom"]).convert(["a@client.fr", "x" * 101])
    assert rejected.value.reason == "Prénom: Use at most 100 characters."
