import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trygg.audit.models import AuditEntry
from trygg.crimestats.models import ImportRun, Population, ReportedCrime
from trygg.crimestats.services import crimestats_import, population_import
from trygg.municipalities.models import Municipality
from trygg.municipalities.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

HEADER = "kommunkod,kommun,brottskategori,period,antal\n"
FILE = (
    HEADER
    + "0781,Ljungby,skadegorelse,2022,400\n0781,Ljungby,skadegorelse,2023,412\n0781,Ljungby,klotter,2023,17\n"
)


@pytest.fixture
def ljungby() -> Municipality:
    return MunicipalityFactory.create(
        name="Ljungby kommun", slug="ljungby", scb_code="0781", county="Kronobergs län"
    )


def _figures() -> set[tuple[str, str, int, int, int]]:
    return {figure[:5] for figure in ReportedCrime.objects.records()}


def test_an_import_writes_every_figure_and_records_the_run(ljungby: Municipality) -> None:
    result = crimestats_import(source=FILE.encode(), file_name="brott.csv", by=None)

    assert _figures() == {
        ("0781", "skadegorelse", 2022, 0, 400),
        ("0781", "skadegorelse", 2023, 0, 412),
        ("0781", "klotter", 2023, 0, 17),
    }
    assert result.run is not None and result.run.rows == 3 and result.run.added == 3
    assert result.run.periods == "2022–2023 (år)"
    assert AuditEntry.objects.filter(model="crimestats.importrun").count() == 1


def test_importing_the_same_file_again_changes_nothing(ljungby: Municipality) -> None:
    crimestats_import(source=FILE.encode(), file_name="brott.csv", by=None)
    before = list(ReportedCrime.objects.order_by("pk").values_list())

    result = crimestats_import(source=FILE.encode(), file_name="brott.csv", by=None)

    assert result.unchanged
    assert list(ReportedCrime.objects.order_by("pk").values_list()) == before
    assert ImportRun.objects.count() == 1


def test_a_corrected_file_replaces_the_figures_of_its_periods_and_records_it(ljungby: Municipality) -> None:
    crimestats_import(source=FILE.encode(), file_name="brott.csv", by=None)
    corrected = HEADER + "0781,Ljungby,skadegorelse,2023,420\n"

    result = crimestats_import(source=corrected.encode(), file_name="brott-rattad.csv", by=None)

    assert _figures() == {
        ("0781", "skadegorelse", 2022, 0, 400),  # another period: untouched
        ("0781", "skadegorelse", 2023, 0, 420),
        ("0781", "klotter", 2023, 0, 17),  # another category: untouched
    }
    assert result.run is not None and result.run.replaced == 1 and result.run.added == 0
    assert result.run.replaced_examples == [
        {"kommun": "0781", "kategori": "skadegorelse", "period": "2023", "före": 412, "efter": 420}
    ]


@pytest.mark.parametrize(
    ("row", "line", "column"),
    [
        ("781,Ljungby,skadegorelse,2021,1", "rad 3", "kommunkod"),
        ("0781,Ljungby,skadegorelse,2021,-1", "rad 3", "antal"),
        ("0781,Ljungby,mord,2021,1", "rad 3", "brottskategori"),
    ],
)
def test_a_file_with_an_error_imports_nothing_and_the_command_names_the_line(
    ljungby: Municipality,
    tmp_path,
    row: str,
    line: str,
    column: str,
) -> None:
    path = tmp_path / "brott.csv"
    path.write_text(HEADER + "0781,Ljungby,klotter,2021,5\n" + row + "\n", encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        call_command("import_crimestats", str(path))

    assert f"{line}, kolumn {column}" in str(raised.value)
    assert not ReportedCrime.objects.exists()
    assert not ImportRun.objects.exists()


def test_the_command_imports_through_a_mapping_file(ljungby: Municipality, tmp_path, capsys) -> None:
    mapping = tmp_path / "bra.toml"
    mapping.write_text(
        '[columns]\nkommun = "Region"\ncategory = "Brottstyp"\nperiod = "Månad"\ncount = "Antal"\n',
        encoding="utf-8",
    )
    data = tmp_path / "bra.csv"
    data.write_text(
        "Region;Brottstyp;Månad;Antal\n0781 Ljungby;Skadegörelsebrott;2023M04;9\n", encoding="utf-8"
    )

    call_command("import_crimestats", str(data), "--mapping", str(mapping))

    assert _figures() == {("0781", "skadegorelse", 2023, 4, 9)}


def test_municipalities_missing_from_trygg_can_be_created_with_their_county() -> None:
    crimestats_import(
        source=(HEADER + "0780,Växjö,klotter,2023,30\n").encode(),
        file_name="x.csv",
        by=None,
        create_municipalities=True,
    )

    created = Municipality.objects.get(scb_code="0780")
    assert (created.name, created.slug, created.county) == ("Växjö kommun", "vaxjo", "Kronobergs län")


def test_a_created_municipality_gets_its_official_name_in_the_genitive() -> None:
    crimestats_import(
        source=(HEADER + "0767,Markaryd,klotter,2023,3\n0765,Älmhult,klotter,2023,4\n").encode(),
        file_name="x.csv",
        by=None,
        create_municipalities=True,
    )

    names = dict(Municipality.objects.filter(scb_code__in=["0765", "0767"]).values_list("scb_code", "name"))
    assert names == {"0765": "Älmhults kommun", "0767": "Markaryds kommun"}


def test_population_import_is_idempotent_and_replaces_corrected_years(ljungby: Municipality) -> None:
    population_import(
        source="kommunkod,kommun,år,folkmängd\n0781,Ljungby,2023,28000\n".encode(), file_name="p.csv", by=None
    )
    again = population_import(
        source="kommunkod,kommun,år,folkmängd\n0781,Ljungby,2023,28000\n".encode(), file_name="p.csv", by=None
    )
    corrected = population_import(
        source="kommunkod,kommun,år,folkmängd\n0781,Ljungby,2023,28100\n".encode(),
        file_name="p2.csv",
        by=None,
    )

    assert again.unchanged
    assert corrected.replaced == 1
    assert Population.objects.get().population == 28100
