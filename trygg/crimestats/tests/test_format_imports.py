import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trygg.crimestats.importers import CrimeFileError
from trygg.crimestats.models import AreaCrime, AreaPopulation, ImportRun, KpiValue, Population, ReportedCrime
from trygg.crimestats.services import crimestats_import, population_import
from trygg.municipalities.models import Municipality

from . import samples

pytestmark = pytest.mark.django_db


def _stored() -> set[tuple]:
    local = ReportedCrime.objects.records()
    areas = AreaCrime.objects.values_list(
        "area_code", "category__code", "year", "month", "count", "preliminary"
    )
    return set(local) | set(areas)


def _stored_after(data: bytes, file_name: str) -> set[tuple]:
    ReportedCrime.objects.all().delete()
    AreaCrime.objects.all().delete()
    crimestats_import(source=data, file_name=file_name, by=None, create_municipalities=True)
    return _stored()


@pytest.mark.parametrize(
    ("data", "file_name", "equivalent"),
    [
        pytest.param(samples.SOL, "Databasfil.txt", samples.SOL_AS_TRYGG_CSV, id="sol"),
        pytest.param(
            samples.KOMMUN_CSV, "kommuner-2025.csv", samples.KOMMUN_CSV_AS_TRYGG_CSV, id="kommun-csv"
        ),
        pytest.param(samples.workbook(), "kronoberg.xlsx", samples.WORKBOOK_AS_TRYGG_CSV, id="workbook"),
        pytest.param(
            samples.PX_CRIME.encode("cp1252"), "brott.px", samples.PX_CRIME_AS_TRYGG_CSV, id="pc-axis"
        ),
    ],
)
def test_a_published_file_stores_the_same_figures_as_the_equivalent_trygg_csv(
    data: bytes, file_name: str, equivalent: bytes
) -> None:
    from_file = _stored_after(data, file_name)
    from_csv = _stored_after(equivalent, "trygg.csv")

    assert from_file == from_csv and from_file


def test_municipalities_created_from_a_brå_file_take_the_official_names() -> None:
    crimestats_import(source=samples.SOL, file_name="Databasfil.txt", by=None, create_municipalities=True)

    names = dict(Municipality.objects.values_list("scb_code", "name"))
    # The official names, with the genitive where the name takes one.
    assert names == {"0781": "Ljungby kommun", "0780": "Växjö kommun", "2506": "Arjeplogs kommun"}


def test_the_run_records_the_format_and_what_was_left_out() -> None:
    result = crimestats_import(
        source=samples.SOL, file_name="Databasfil.txt", by=None, create_municipalities=True
    )

    assert result.run is not None
    assert result.run.file_format == "Brås statistikdatabas (SOL), textexport"
    assert result.run.report["okända brottstyper"] == {"Mord och dråp": 1}
    assert result.run.report["regioner som inte är kommuner"] == {"Okänd kommun": 1}
    assert result.run.report["saknade värden"] == 1


def test_a_final_figure_replaces_the_preliminary_one_and_the_history_says_so() -> None:
    crimestats_import(source=samples.SOL, file_name="Databasfil.txt", by=None, create_municipalities=True)

    result = crimestats_import(source=samples.SOL_FINAL, file_name="Databasfil-2027.txt", by=None)

    figures = {
        (code, month): (count, preliminary)
        for code, _category, _year, month, count, preliminary in ReportedCrime.objects.filter(
            year=2026
        ).records()
    }
    assert figures == {("0780", 10): (131, False), ("0781", 5): (2, False)}
    assert result.finalised == 2 and result.run is not None and result.run.finalised == 2
    assert {
        "kommun": "0780",
        "kategori": "bedrageri",
        "period": "2026-10",
        "före": "120 prel.",
        "efter": 131,
    } in (result.run.replaced_examples)


def test_a_missing_figure_is_never_stored_as_zero() -> None:
    crimestats_import(source=samples.SOL, file_name="Databasfil.txt", by=None, create_municipalities=True)

    assert not ReportedCrime.objects.filter(
        municipality__scb_code="2506", category__code="skadegorelse"
    ).exists()


def test_nothing_is_stored_from_a_file_with_an_error() -> None:
    broken = samples.SOL.replace(b"Ljungby;Klotter;2025;Kvartal 3;5;", b"Ljungby;Klotter;2025;Kvartal 5;5;")

    with pytest.raises(CrimeFileError):
        crimestats_import(source=broken, file_name="Databasfil.txt", by=None, create_municipalities=True)

    assert not ReportedCrime.objects.exists() and not Municipality.objects.exists()
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(samples.PX_POPULATION.encode("latin-1"), id="pc-axis"),
        pytest.param(samples.PX_POPULATION_KEYS.encode("latin-1"), id="sparse-keys"),
        pytest.param(samples.jsonstat_population(), id="json-stat"),
    ],
)
def test_a_population_table_stores_kommun_lan_and_country_populations(data: bytes) -> None:
    result = population_import(source=data, file_name="BE0101N1", by=None, create_municipalities=True)

    assert set(Population.objects.values_list("municipality__scb_code", "year", "population")) == {
        ("0781", 2024, 28400),
        ("0781", 2025, 28510),
        ("2506", 2024, 2950),
    }
    assert set(AreaPopulation.objects.values_list("area_code", "year", "population")) == {
        ("00", 2024, 10590000),
        ("00", 2025, 10630000),
        ("07", 2024, 201500),
        ("07", 2025, 202500),
    }
    assert result.run is not None and result.run.report["saknade värden"] == 1


def test_kolada_pages_are_stored_as_a_comparison_series() -> None:
    first, second = samples.kolada_pages()

    result = crimestats_import(source=first, file_name="N07403.json", by=None, more_pages=[second])

    assert set(KpiValue.objects.values_list("kpi", "area_code", "year", "gender", "value")) == {
        ("N07403", "0781", 2024, "T", 1012.4),
        ("N07403", "00", 2024, "T", 1105.0),
        ("N07403", "2506", 2024, "T", None),
    }
    assert result.run is not None and result.run.kind == ImportRun.Kind.COMPARISON


def test_the_command_says_which_format_it_read_and_what_it_left_out(tmp_path, capsys) -> None:
    path = tmp_path / "Databasfil.txt"
    path.write_bytes(samples.SOL)

    call_command("import_crimestats", str(path), "--create-municipalities")

    out = capsys.readouterr().out
    assert "läst som Brås statistikdatabas (SOL), textexport" in out
    assert "Mord och dråp (1)" in out and "Okänd kommun (1)" in out


def test_the_command_names_every_bad_cell_and_stores_nothing(tmp_path) -> None:
    path = tmp_path / "be0101n1.px"
    path.write_bytes(samples.PX_POPULATION.replace("14100 14160", "14100 1416O").encode("latin-1"))

    with pytest.raises(CommandError, match=r"rad \d+, kolumn DATA: Värdet ”1416O” är inte ett tal"):
        call_command("import_population", str(path), "--create-municipalities")

    assert not Population.objects.exists()
