"""Actors named in a promise text matched to the municipality's parties and the police, or to nobody."""

import pytest

from trygg.promises.actors import Candidate, match_actor, normalise

KOMMUN = Candidate(1, "Granby kommun", "municipality")
POLICE = Candidate(2, "Polisen", "police", police_area="Lokalpolisområde Granby")
HOUSING = Candidate(3, "AB Granbybostäder", "other")
CANDIDATES = [KOMMUN, POLICE, HOUSING]


@pytest.mark.parametrize(
    "written",
    [
        "Polisen",
        "polisen",
        "Polismyndigheten",
        "kommunpolisen",
        "lokalpolisområde Granby",
        "Lokalpolisområde Granby",
        "LPO Granby",
        "Polisen i Granby",
    ],
)
def test_every_way_of_naming_the_police_is_the_police(written: str) -> None:
    assert match_actor(written, candidates=CANDIDATES, municipality_name="Granby kommun") == POLICE


@pytest.mark.parametrize(
    "written",
    [
        "Kommunen",
        "kommunen",
        "Granby kommun",
        "granby kommun",
        "Granby kommuns socialtjänstlots",
        "socialtjänsten i Granby kommun",
        "kommunens fritidsförvaltning",
    ],
)
def test_the_municipality_and_its_units_are_the_municipality(written: str) -> None:
    assert match_actor(written, candidates=CANDIDATES, municipality_name="Granby kommun") == KOMMUN


@pytest.mark.parametrize(
    "written",
    [
        "civilsamhället",
        "föreningar",
        "företrädare för Länsstyrelsen",
        "intresseorganisationer",
        "Norrby kommun",
    ],
)
def test_an_actor_that_is_no_party_matches_nobody(written: str) -> None:
    assert match_actor(written, candidates=CANDIDATES, municipality_name="Granby kommun") is None


def test_an_existing_party_is_found_without_case_company_form_or_genitive() -> None:
    for written in ["Granbybostäder", "granbybostäder AB", "Granbybostäders"]:
        assert match_actor(written, candidates=CANDIDATES, municipality_name="Granby kommun") == HOUSING


def test_of_several_police_areas_the_named_one_is_chosen() -> None:
    north = Candidate(4, "Polisen", "police", police_area="Lokalpolisområde Norrby")

    found = match_actor(
        "lokalpolisområde Norrby", candidates=[KOMMUN, POLICE, north], municipality_name="Granby kommun"
    )

    assert found == north


def test_names_are_normalised_for_comparison() -> None:
    assert normalise("  AB  ”Granbybostäder”. ") == "granbybostäder"
