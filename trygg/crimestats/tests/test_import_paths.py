"""The crime import's two ways to the database (issue 21): COPY into a staging table and a set-based merge on
PostgreSQL, batched executemany on SQLite; and a file imported last with the same settings is skipped unread."""

import csv
import io

import polars as pl
import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.db.models import ProtectedError

from trygg.crimestats import formats, importers, services
from trygg.crimestats.models import CrimeCategory, ImportRun, ReportedCrime
from trygg.crimestats.services import crimestats_import
from trygg.municipalities.models import Municipality
from trygg.municipalities.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

HEADER = "kommunkod,kommun,brottskategori,period,antal\n"
FIRST = HEADER + (
    "0781,Ljungby,skadegorelse,2023-01,40\n"
    "0781,Ljungby,skadegorelse,2023-02 prel.,41\n"
    "0781,Ljungby,klotter,2023-01,7\n"
    "0781,Ljungby,klotter,2023-02,8\n"
    "0780,Växjö,skadegorelse,2023-01,90\n"
    "0780,Växjö,skadegorelse,2023-02,91\n"
    "0780,Växjö,klotter,2023-01,30\n"
    "0780,Växjö,klotter,2023-02 prel.,31\n"
    "07,Kronobergs län,klotter,2023-01,37\n"
)
# The same cover a month later: one figure corrected, two preliminary ones final, one gone, one period new.
SECOND = HEADER + (
    "0781,Ljungby,skadegorelse,2023-01,40\n"
    "0781,Ljungby,skadegorelse,2023-02,44\n"
    "0781,Ljungby,klotter,2023-01,7\n"
    "0780,Växjö,skadegorelse,2023-01,92\n"
    "0780,Växjö,skadegorelse,2023-02,91\n"
    "0780,Växjö,klotter,2023-01,30\n"
    "0780,Växjö,klotter,2023-02,31\n"
    "0780,Växjö,klotter,2023-03 prel.,12\n"
    "07,Kronobergs län,klotter,2023-01,37\n"
)


@pytest.fixture
def kommuner() -> list[Municipality]:
    return [
        MunicipalityFactory.create(name="Ljungby kommun", slug="ljungby", scb_code="0781"),
        MunicipalityFactory.create(name="Växjö kommun", slug="vaxjo", scb_code="0780"),
    ]


def _stored() -> set[tuple[str, str, int, int, int, bool]]:
    return set(
        ReportedCrime.objects.values_list(
            "municipality__scb_code", "category__code", "year", "month", "count", "preliminary"
        )
    )


def _expected(text: str) -> set[tuple[str, str, int, int, int, bool]]:
    """The kommun figures of a file as the documented layout describes them, read with the csv module."""
    figures = set()
    for row in csv.DictReader(io.StringIO(text)):
        if len(row["kommunkod"]) != 4:
            continue
        period, _space, mark = row["period"].partition(" ")
        year, _dash, month = period.partition("-")
        figures.add(
            (
                row["kommunkod"],
                row["brottskategori"],
                int(year),
                int(month or 0),
                int(row["antal"]),
                bool(mark),
            )
        )
    return figures


def test_the_figures_stored_are_those_of_the_file_after_a_first_import_and_a_corrected_one(
    kommuner: list[Municipality],
) -> None:
    first = crimestats_import(source=FIRST.encode(), file_name="januari.csv", by=None)
    assert _stored() == _expected(FIRST)
    assert (first.added, first.replaced, first.removed) == (9, 0, 0)

    second = crimestats_import(source=SECOND.encode(), file_name="februari.csv", by=None)

    assert _stored() == _expected(SECOND)
    assert not second.skipped
    assert (second.added, second.replaced, second.removed, second.finalised) == (1, 3, 1, 2)
    assert second.run is not None and first.run is not None
    # A changed or new figure carries the second run; one the second file left as it was keeps the first.
    runs = {
        (code, category, month): run
        for code, category, month, run in ReportedCrime.objects.values_list(
            "municipality__scb_code", "category__code", "month", "import_run_id"
        )
    }
    assert runs == {
        ("0781", "skadegorelse", 1): first.run.pk,
        ("0781", "skadegorelse", 2): second.run.pk,
        ("0781", "klotter", 1): first.run.pk,
        ("0780", "skadegorelse", 1): second.run.pk,
        ("0780", "skadegorelse", 2): first.run.pk,
        ("0780", "klotter", 1): first.run.pk,
        ("0780", "klotter", 2): second.run.pk,
        ("0780", "klotter", 3): second.run.pk,
    }
    assert second.run.replaced_examples == [
        {"kommun": "0781", "kategori": "skadegorelse", "period": "2023-02", "före": "41 prel.", "efter": 44},
        {"kommun": "0780", "kategori": "skadegorelse", "period": "2023-01", "före": 90, "efter": 92},
        {"kommun": "0780", "kategori": "klotter", "period": "2023-02", "före": "31 prel.", "efter": 31},
    ]


def test_the_staged_comparison_on_postgresql_agrees_with_the_comparison_in_memory(
    kommuner: list[Municipality],
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the staging table is PostgreSQL's way; run with tools/with_postgres.py")
    crimestats_import(source=FIRST.encode(), file_name="januari.csv", by=None)
    categories = services.crime_categories_sync()
    table = formats.read_crime_statistics(
        SECOND.encode(), file_name="februari.csv", categories=services._spellings(categories)
    )
    assert isinstance(table, importers.CrimeTable)
    ids = dict(Municipality.objects.values_list("scb_code", "pk"))
    local = table.frame.filter(pl.col("kommun_code").str.len_chars() == 4).with_columns(
        pl.col("kommun_code").replace_strict(ids, return_dtype=pl.Int64).alias("place"),
        pl.col("category")
        .replace_strict({code: item.pk for code, item in categories.items()}, return_dtype=pl.Int64)
        .alias("category_id"),
        pl.col("year").cast(pl.Int64),
        pl.col("month").cast(pl.Int64),
    )
    cover = services._cover_filter(
        local.get_column("place").unique().to_list(),
        local.get_column("category_id").unique().to_list(),
        table.periods,
        field="municipality_id",
    )

    in_memory = services._compare(local, services._existing(ReportedCrime, cover, "municipality_id"))
    services._stage_figures(local, None)
    staged = services._compare_staged(services._cover_params(local, table.periods))

    assert (staged.added, staged.replaced, staged.removed, staged.finalised) == (
        in_memory.added,
        in_memory.replaced,
        in_memory.removed,
        in_memory.finalised,
    )
    assert sorted(staged.examples) == sorted(in_memory.examples)


def test_the_same_file_again_is_skipped_without_being_read_and_the_command_says_so(
    kommuner: list[Municipality], tmp_path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "januari.csv"
    path.write_text(FIRST, encoding="utf-8")
    call_command("import_crimestats", str(path))
    before = list(ReportedCrime.objects.order_by("pk").values_list("pk", "count", "import_run_id"))
    capsys.readouterr()

    def not_to_be_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged file was parsed")

    monkeypatch.setattr(formats, "read_crime_statistics", not_to_be_read)
    call_command("import_crimestats", str(path))

    output = capsys.readouterr().out
    assert "hoppades över utan att läsas" in output and "ingenting ändrades" in output
    assert list(ReportedCrime.objects.order_by("pk").values_list("pk", "count", "import_run_id")) == before
    assert ImportRun.objects.count() == 1


def test_a_changed_file_under_the_same_name_is_imported(kommuner: list[Municipality], tmp_path) -> None:
    path = tmp_path / "brott.csv"
    path.write_text(FIRST, encoding="utf-8")
    call_command("import_crimestats", str(path))
    path.write_text(SECOND, encoding="utf-8")

    call_command("import_crimestats", str(path))

    assert _stored() == _expected(SECOND)
    assert ImportRun.objects.count() == 2


def test_a_file_imported_before_another_is_read_again_and_restores_its_figures(
    kommuner: list[Municipality],
) -> None:
    crimestats_import(source=FIRST.encode(), file_name="januari.csv", by=None)
    crimestats_import(source=SECOND.encode(), file_name="februari.csv", by=None)

    again = crimestats_import(source=FIRST.encode(), file_name="januari.csv", by=None)

    assert not again.skipped and not again.unchanged
    assert _stored() == _expected(FIRST) | {("0780", "klotter", 2023, 3, 12, True)}  # another period: kept


def test_the_same_file_is_read_and_compared_again_once_a_kommun_has_been_added(
    kommuner: list[Municipality],
) -> None:
    first = crimestats_import(source=FIRST.encode(), file_name="januari.csv", by=None)
    MunicipalityFactory.create(name="Alvesta kommun", slug="alvesta", scb_code="0764")

    again = crimestats_import(source=FIRST.encode(), file_name="januari.csv", by=None)

    # A kommun was added since: the settings differ, so the file is read and compared (and nothing changed).
    assert first.run is not None and not again.skipped and again.unchanged


def test_a_kommun_deleted_while_its_figures_are_imported_stops_the_import(
    kommuner: list[Municipality], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The foreign keys are checked once per import (no constraint per row): a kommun that vanishes between the
    # lookup of the ids and the writing must roll the whole import back, not leave figures without a kommun.
    ensure = services._municipalities_ensure

    def ensure_then_delete(frame: pl.DataFrame, *, create: bool) -> dict[str, int]:
        ids = ensure(frame, create=create)
        Municipality.objects.filter(scb_code="0780").delete()
        return ids

    monkeypatch.setattr(services, "_municipalities_ensure", ensure_then_delete)

    with pytest.raises(IntegrityError):
        crimestats_import(source=FIRST.encode(), file_name="januari.csv", by=None)

    assert not ReportedCrime.objects.exists()
    assert not ImportRun.objects.exists()


def test_deleting_a_kommun_still_deletes_its_figures_and_a_category_with_figures_is_still_protected(
    kommuner: list[Municipality],
) -> None:
    crimestats_import(source=FIRST.encode(), file_name="januari.csv", by=None)

    kommuner[1].delete()

    assert {code for code, *_rest in _stored()} == {"0781"}
    with pytest.raises(ProtectedError):
        CrimeCategory.objects.get(code="klotter").delete()


def test_the_merge_on_postgresql_rewrites_only_the_figures_that_changed(kommuner: list[Municipality]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the set-based merge is PostgreSQL's way; run with tools/with_postgres.py")

    def row_versions() -> dict[tuple[str, str, int], str]:
        # xmin names the (sub)transaction that wrote a row's current version; each import is its own savepoint.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT m.scb_code, c.code, r.month, r.xmin::text FROM crimestats_reportedcrime r "
                "JOIN municipalities_municipality m ON m.id = r.municipality_id "
                "JOIN crimestats_crimecategory c ON c.id = r.category_id"
            )
            return {(code, category, month): version for code, category, month, version in cursor.fetchall()}

    crimestats_import(source=FIRST.encode(), file_name="januari.csv", by=None)
    before = row_versions()
    crimestats_import(source=SECOND.encode(), file_name="februari.csv", by=None)
    after = row_versions()

    unchanged = {
        ("0781", "skadegorelse", 1),
        ("0781", "klotter", 1),
        ("0780", "skadegorelse", 2),
        ("0780", "klotter", 1),
    }
    assert {key: after[key] for key in unchanged} == {key: before[key] for key in unchanged}
    rewritten = {("0781", "skadegorelse", 2), ("0780", "skadegorelse", 1), ("0780", "klotter", 2)}
    assert all(after[key] != before[key] for key in rewritten)
    assert ("0781", "klotter", 2) not in after and ("0780", "klotter", 3) in after
