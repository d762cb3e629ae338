import pytest

from trygg.municipalities.names import genitive, official_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ljungby kommun", "Ljungby kommuns"),
        ("Malmö stad", "Malmö stads"),
        ("Region Gotland", "Region Gotlands"),
        ("Vännäs", "Vännäs"),
        ("Halmstads kommun ", "Halmstads kommuns"),
        ("", ""),
    ],
)
def test_the_genitive_adds_an_s_unless_the_name_already_ends_in_s_x_or_z(name: str, expected: str) -> None:
    assert genitive(name) == expected


@pytest.mark.parametrize(
    ("short", "expected"),
    [
        ("Markaryd", "Markaryds kommun"),
        ("Älmhult", "Älmhults kommun"),
        ("Ljungby", "Ljungby kommun"),
        ("Umeå", "Umeå kommun"),
        ("Vännäs", "Vännäs kommun"),
        ("Kalix", "Kalix kommun"),
        ("Upplands Väsby", "Upplands Väsby kommun"),
        ("Dals-Ed", "Dals-Eds kommun"),
        ("Gotland", "Region Gotland"),
        ("Falun", "Falu kommun"),
    ],
)
def test_a_kommuns_official_name_is_its_short_name_in_the_genitive_and_kommun(
    short: str, expected: str
) -> None:
    assert official_name(short) == expected


def test_every_kommun_in_scbs_list_gets_an_official_name_ending_in_kommun_or_naming_the_region() -> None:
    from trygg.crimestats import kommuner

    names = {code: official_name(short) for code, short in kommuner.kommuner().items()}

    assert len(names) == 290
    assert all(name.endswith(" kommun") or name == "Region Gotland" for name in names.values())
    assert names["0767"] == "Markaryds kommun" and names["0980"] == "Region Gotland"
