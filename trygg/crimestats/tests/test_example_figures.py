"""A year row's import run labels all its figures, so a row never mixes real figures with the demo's invented
ones: real figures supersede example figures of the same year row (those outside the real file's cover are
removed), and an example-data import leaves rows holding real figures alone."""

import pytest
from django.core.management import call_command
from django.test import Client

from trygg.crimestats import selectors
from trygg.crimestats.models import EXAMPLES_REMOVED, REAL_KEPT, ImportRun, ReportedCrime
from trygg.crimestats.services import crimestats_import
from trygg.municipalities.models import Municipality
from trygg.municipalities.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

HEADER = "kommunkod,kommun,brottskategori,period,antal\n"


def _months(code: str, name: str, category: str, year: int, months: range, base: int) -> str:
    return "".join(f"{code},{name},{category},{year}-{month:02d},{base + month}\n" for month in months)


# The demo's kind of file: twelve invented months of 2023 for Ljungby.
EXAMPLE = HEADER + _months("0781", "Ljungby", "skadegorelse", 2023, range(1, 13), 10)
# A real file: January to June of the same year.
REAL = HEADER + _months("0781", "Ljungby", "skadegorelse", 2023, range(1, 7), 50)


@pytest.fixture
def ljungby() -> Municipality:
    return MunicipalityFactory.create(name="Ljungby kommun", slug="ljungby", scb_code="0781")


@pytest.fixture
def vaxjo() -> Municipality:
    return MunicipalityFactory.create(name="Växjö kommun", slug="vaxjo", scb_code="0780")


def _figures(code: str = "0781", category: str = "skadegorelse") -> dict[int, int]:
    return {
        month: count
        for kommun, kategori, _year, month, count, _preliminary in ReportedCrime.objects.records()
        if (kommun, kategori) == (code, category)
    }


def _run_of(code: str = "0781", category: str = "skadegorelse", year: int = 2023) -> int | None:
    return ReportedCrime.objects.get(
        municipality__scb_code=code, category__code=category, year=year
    ).import_run_id


def test_real_months_of_a_year_the_example_figures_filled_remove_the_rest_and_are_not_labelled_example(
    ljungby: Municipality,
) -> None:
    example = crimestats_import(source=EXAMPLE.encode(), file_name="exempel.csv", by=None, example_data=True)
    assert selectors.crime_picture(municipality=ljungby, years=[2023]).example_data

    real = crimestats_import(source=REAL.encode(), file_name="verklig.csv", by=None)

    assert example.run is not None and real.run is not None
    assert _figures() == {
        month: 50 + month for month in range(1, 7)
    }  # July–December's invented ones are gone
    assert _run_of() == real.run.pk
    assert (real.added, real.replaced, real.removed) == (0, 6, 0)
    assert real.examples_removed == 6
    assert real.run.report[EXAMPLES_REMOVED] == 6 and real.run.examples_removed == 6
    assert EXAMPLES_REMOVED not in real.run.left_out
    picture = selectors.crime_picture(municipality=ljungby, years=[2023])
    assert not picture.example_data
    assert picture.latest_import == real.run
    shown = picture.series["skadegorelse"].year(2023)
    assert shown is not None and shown.local.count == sum(50 + month for month in range(1, 7))


def test_real_figures_equal_to_the_invented_ones_still_make_the_year_real(ljungby: Municipality) -> None:
    crimestats_import(source=EXAMPLE.encode(), file_name="exempel.csv", by=None, example_data=True)
    same = HEADER + _months("0781", "Ljungby", "skadegorelse", 2023, range(1, 7), 10)

    real = crimestats_import(source=same.encode(), file_name="verklig.csv", by=None)

    assert not real.unchanged and real.run is not None
    assert (real.added, real.replaced, real.removed, real.examples_removed) == (0, 0, 0, 6)
    assert _figures() == {month: 10 + month for month in range(1, 7)}
    assert _run_of() == real.run.pk
    assert not selectors.crime_picture(municipality=ljungby, years=[2023]).example_data


def test_a_row_of_example_figures_a_real_file_only_removes_covered_figures_from_stays_example(
    ljungby: Municipality, vaxjo: Municipality
) -> None:
    example_file = EXAMPLE + _months("0781", "Ljungby", "klotter", 2023, range(1, 3), 0)
    example = crimestats_import(
        source=example_file.encode(), file_name="exempel.csv", by=None, example_data=True
    )
    # Covers January of both categories in Ljungby and Växjö, with no figure for Ljungby's skadegörelse: its
    # January goes, its other eleven invented months stay, and so does their label.
    real_file = HEADER + "0781,Ljungby,klotter,2023-01,5\n0780,Växjö,skadegorelse,2023-01,90\n"

    real = crimestats_import(source=real_file.encode(), file_name="verklig.csv", by=None)

    assert example.run is not None and real.run is not None
    assert _figures() == {month: 10 + month for month in range(2, 13)}
    assert _run_of() == example.run.pk
    assert _figures(category="klotter") == {1: 5}  # klotter's invented February went with the label
    assert _run_of(category="klotter") == real.run.pk
    assert (real.removed, real.examples_removed) == (1, 1)
    assert selectors.crime_picture(municipality=ljungby, years=[2023]).example_data


def test_an_example_import_leaves_the_rows_of_real_figures_as_they_are(
    ljungby: Municipality, vaxjo: Municipality
) -> None:
    real_file = REAL + "0781,Ljungby,klotter,2023-01,7\n"
    real = crimestats_import(source=real_file.encode(), file_name="verklig.csv", by=None)
    # Twelve invented months of Ljungby's skadegörelse and Växjö's klotter: the file's cover takes in Ljungby's
    # klotter of January too, which it has no figure for.
    example_file = EXAMPLE + _months("0780", "Växjö", "klotter", 2023, range(1, 13), 20)

    example = crimestats_import(
        source=example_file.encode(), file_name="exempel.csv", by=None, example_data=True
    )

    assert real.run is not None and example.run is not None
    assert _figures() == {month: 50 + month for month in range(1, 7)}
    assert _figures(category="klotter") == {1: 7}
    assert _run_of() == real.run.pk and _run_of(category="klotter") == real.run.pk
    assert _run_of("0780", "klotter") == example.run.pk
    assert (example.added, example.replaced, example.removed) == (12, 0, 0)
    assert example.real_kept == 12 and example.run.report[REAL_KEPT] == 12
    assert not ImportRun.objects.get(pk=real.run.pk).example_data


def test_an_example_county_total_puts_the_label_on_real_kommun_figures_compared_with_it(
    ljungby: Municipality,
) -> None:
    crimestats_import(source=REAL.encode(), file_name="verklig.csv", by=None)
    assert not selectors.crime_picture(municipality=ljungby, years=[2023]).example_data
    county = HEADER + "07,Kronobergs län,skadegorelse,2023-01,300\n"

    crimestats_import(source=county.encode(), file_name="exempel-lan.csv", by=None, example_data=True)

    assert selectors.crime_picture(municipality=ljungby, years=[2023]).example_data


def test_the_statistics_page_of_real_figures_that_superseded_example_ones_has_no_example_label(
    client: Client, ljungby: Municipality
) -> None:
    crimestats_import(source=EXAMPLE.encode(), file_name="exempel.csv", by=None, example_data=True)
    assert "Exempeldata" in client.get("/ljungby/brottsstatistik/").content.decode()

    crimestats_import(source=REAL.encode(), file_name="verklig.csv", by=None)

    page = client.get("/ljungby/brottsstatistik/").content.decode()
    assert "Exempeldata" not in page and "verklig.csv" in page


def test_the_command_says_how_many_example_figures_the_real_file_superseded(
    ljungby: Municipality, tmp_path, capsys
) -> None:
    crimestats_import(source=EXAMPLE.encode(), file_name="exempel.csv", by=None, example_data=True)
    path = tmp_path / "verklig.csv"
    path.write_text(REAL, encoding="utf-8")

    call_command("import_crimestats", str(path))

    out = capsys.readouterr().out
    assert "6 uppgifter exempeldata togs bort" in out
    assert "Inte importerat" not in out


def test_an_example_import_leaves_a_real_county_total_as_it_is(ljungby: Municipality) -> None:
    from trygg.crimestats.models import AreaCrime

    real_file = (
        HEADER + "07,Kronobergs län,skadegorelse,2023-01,300\n07,Kronobergs län,skadegorelse,2023-02,310\n"
    )
    real = crimestats_import(source=real_file.encode(), file_name="verklig-lan.csv", by=None)
    # The invented file covers January and February of the county's skadegörelse, with a figure for January only.
    example_file = (
        HEADER + "07,Kronobergs län,skadegorelse,2023-01,999\n0781,Ljungby,skadegorelse,2023-02,5\n"
    )

    example = crimestats_import(
        source=example_file.encode(), file_name="exempel.csv", by=None, example_data=True
    )

    assert real.run is not None and example.run is not None
    assert set(AreaCrime.objects.values_list("month", "count", "import_run_id")) == {
        (1, 300, real.run.pk),
        (2, 310, real.run.pk),
    }
    assert example.real_kept == 1 and example.run.report[REAL_KEPT] == 1
