"""The introduction, background and signatories around the activities, read from texts written for these tests."""

import datetime as dt

from trygg.promises.sections import SignatoryText, find_signatories, promise_sections

POLICE_TEMPLATE = """# Medborgarlöfte för Granby 2025

Polisen och Granby kommun har kommit överens om vad vi ska göra tillsammans i år.

## Situationen idag

Många upplever centrum som otryggt på kvällarna. Mätningen visar att oron har ökat.

- Narkotikaförsäljning vid stationen
- Buskörning med mopeder

## Det här ska vi göra

- Polisen ska genomföra 20 kvällspatruller i centrum under året.
- Kommunen ska hålla 2 trygghetsvandringar under året.

## Följ med i hur det går

Vi redovisar på webbplatsen varje kvartal.
"""

SIGNED = """Medborgarlöfte 2026 i Norrvik

Kommunen och lokalpolisområdet lovar invånarna att arbeta tillsammans.

Trafik

- Polisen ska göra 12 hastighetskontroller under året.

Bakgrund

Samverkan har funnits sedan 2012 och följs upp varje år.

Norrvik den 14 februari 2026

Karin Lund
Kommunstyrelsens ordförande, Norrviks kommun

Johan Berg-Ahlström
Lokalpolisområdeschef
Lokalpolisområde Norrvik
"""


def test_a_police_page_keeps_its_situation_as_background_and_the_lead_as_introduction() -> None:
    sections = promise_sections(POLICE_TEMPLATE, area_titles=["Det här ska vi göra"])

    assert (
        sections.introduction
        == "Polisen och Granby kommun har kommit överens om vad vi ska göra tillsammans i år."
    )
    assert sections.background.startswith("Många upplever centrum som otryggt")
    assert "- Buskörning med mopeder" in sections.background
    assert "kvällspatruller" not in sections.background
    assert "redovisar" not in sections.background


def test_a_signature_block_gives_each_signatory_a_title_an_organisation_and_the_signing_date() -> None:
    sections = promise_sections(SIGNED, area_titles=["Trafik"])

    assert sections.introduction == "Kommunen och lokalpolisområdet lovar invånarna att arbeta tillsammans."
    assert sections.background == "Samverkan har funnits sedan 2012 och följs upp varje år."
    assert sections.signatories == (
        SignatoryText(
            name="Karin Lund",
            role="Kommunstyrelsens ordförande",
            organisation="Norrviks kommun",
            side="municipality",
            signed_on=dt.date(2026, 2, 14),
        ),
        SignatoryText(
            name="Johan Berg-Ahlström",
            role="Lokalpolisområdeschef",
            organisation="Lokalpolisområde Norrvik",
            side="police",
            signed_on=dt.date(2026, 2, 14),
        ),
    )


def test_people_named_with_a_signing_role_inside_quotes_are_signatories() -> None:
    text = (
        "– Vi vill att fler ska känna sig trygga, säger Anna Svensson, kommunalråd i Granby, och pekar på mätningen.\n"
        "Polisen har mer att göra, menar Per Ek, chef för lokalpolisområde Granby.\n"
        "Lisa Holm, som leder en förening, var också med.\n"
    )

    found = find_signatories(text)

    assert [(item.name, item.role, item.side) for item in found] == [
        ("Anna Svensson", "kommunalråd i Granby", "municipality"),
        ("Per Ek", "chef för lokalpolisområde Granby", "police"),
    ]


def test_a_text_without_introduction_background_or_signatories_gives_empty_parts() -> None:
    sections = promise_sections(
        "Klotter\n\n- Kommunen ska sanera klotter inom 48 timmar.\n", area_titles=["Klotter"]
    )

    assert (sections.introduction, sections.background, sections.signatories) == ("", "", ())


def test_page_debris_and_the_lead_in_to_the_list_are_left_out() -> None:
    text = (
        "Medborgarlöfte 2025\n\nDela\n\nKommunen och polisen samarbetar.\n\n"
        "Detta ska göras genom följande aktiviteter:\n\n- Polisen ska patrullera 5 gånger per vecka.\n\n"
        "Kommentera\n"
    )

    sections = promise_sections(text, area_titles=[])

    assert sections.introduction == "Kommunen och polisen samarbetar."


def test_a_surname_that_contains_an_organisation_word_is_still_a_name() -> None:
    found = find_signatories("Jan Oländer\nKommunstyrelsens ordförande\n")

    assert [(item.name, item.side) for item in found] == [("Jan Oländer", "municipality")]
