import pytest

from trygg.municipalities.names import genitive


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
