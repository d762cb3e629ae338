"""The crime import's two ways to the database (issue 21): COPY and a set-based merge from a staging table on
PostgreSQL, batched executemany on SQLite, both writing one row per kommun, category and year and only the rows
whose figures change; and a file imported last with the same settings is skipped unread."""

import csv
import io
import sqlite3

import polars as pl
import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.db.models import ProtectedError

from trygg.crimestats import formats, services
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
    "0781,Ljungby,bostadsinbrott,2023-01,3\n"
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
    "0781,Ljungby,bostadsinbrott,2023-01,3\n"
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
    return set(ReportedCrime.objects.records())


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
    assert (first.added, first.replaced, first.removed) == (10, 0, 0)

    second = crimestats_import(source=SECOND.encode(), file_name="februari.csv", by=None)

    assert _stored() == _expected(SECOND)
    assert not second.skipped
    assert (second.added, second.replaced, second.removed, second.finalised) == (1, 3, 1, 2)
    assert second.run is not None and first.run is not None
    # A year with a changed, new or removed figure carries the second run; one the second file left as it was
    # keeps the first.
    runs = dict(
        ((code, category, year), run)
        for code, category, year, run in ReportedCrime.objects.values_list(
            "municipality__scb_code", "category__code", "year", "import_run_id"
        )
    )
    assert runs == {
        ("0781", "skadegorelse", 2023): second.run.pk,
        ("0781", "klotter", 2023): second.run.pk,
        ("0781", "bostadsinbrott", 2023): first.run.pk,
        ("0780", "skadegorelse", 2023): second.run.pk,
        ("0780", "klotter", 2023): second.run.pk,
    }
    assert second.run.replaced_examples == [
        {"kommun": "0781", "kategori": "skadegorelse", "period": "2023-02", "före": "41 prel.", "efter": 44},
        {"kommun": "0780", "kategori": "skadegorelse", "period": "2023-01", "före": 90, "efter": 92},
        {"kommun": "0780", "kategori": "klotter", "period": "2023-02", "före": "31 prel.", "efter": 31},
    ]


def test_the_same_file_again_is_skipped_without_being_read_and_the_command_says_so(
    kommuner: list[Municipality], tmp_path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "januari.csv"
    path.write_text(FIRST, encoding="utf-8")
    call_command("import_crimestats", str(path))
    before = list(ReportedCrime.objects.order_by("pk").values_list())
    capsys.readouterr()

    def not_to_be_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged file was parsed")

    monkeypatch.setattr(formats, "read_crime_statistics", not_to_be_read)
    call_command("import_crimestats", str(path))

    output = capsys.readouterr().out
    assert "hoppades över utan att läsas" in output and "ingenting ändrades" in output
    assert list(ReportedCrime.objects.order_by("pk").values_list()) == before
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


def test_the_merge_on_postgresql_rewrites_only_the_years_whose_figures_changed(
    kommuner: list[Municipality],
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the set-based merge is PostgreSQL's way; run with tools/with_postgres.py")

    def row_versions() -> dict[tuple[str, str, int], str]:
        # xmin names the (sub)transaction that wrote a row's current version; each import is its own savepoint.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT m.scb_code, c.code, r.year, r.xmin::text FROM crimestats_reportedcrime r "
                "JOIN municipalities_municipality m ON m.id = r.municipality_id "
                "JOIN crimestats_crimecategory c ON c.id = r.category_id"
            )
            return {(code, category, year): version for code, category, year, version in cursor.fetchall()}

    crimestats_import(source=FIRST.encode(), file_name="januari.csv", by=None)
    before = row_versions()
    crimestats_import(source=SECOND.encode(), file_name="februari.csv", by=None)
    after = row_versions()

    assert after[("0781", "bostadsinbrott", 2023)] == before[("0781", "bostadsinbrott", 2023)]
    rewritten = set(before) - {("0781", "bostadsinbrott", 2023)}
    assert rewritten and all(after[key] != before[key] for key in rewritten)


@pytest.mark.parametrize("parameters", [999, 32_000])
def test_a_file_of_more_year_rows_than_one_statement_takes_is_stored_figure_for_figure(
    kommuner: list[Municipality], monkeypatch: pytest.MonkeyPatch, parameters: int
) -> None:
    # 999 parameters (Django's figure for SQLite) take 58 rows a statement: the 80 rows need two statements.
    monkeypatch.setattr(services, "SQLITE_STATEMENT_PARAMETERS", parameters)
    categories = ["skadegorelse", "klotter", "bostadsinbrott", "inbrott-fritidshus"]
    lines = [
        f"{code},{name},{category},{year}-{month:02d}{' prel.' if (year, month) == (2024, 12) else ''},"
        f"{(year * 7 + month * 3 + index) % 50}\n"
        for code, name in (("0781", "Ljungby"), ("0780", "Växjö"))
        for index, category in enumerate(categories)
        for year in range(2015, 2025)
        for month in range(1, 13)
    ]
    text = HEADER + "".join(lines)

    result = crimestats_import(source=text.encode(), file_name="tio-ar.csv", by=None)

    assert result.added == len(lines) == 960
    assert ReportedCrime.objects.count() == 2 * len(categories) * 10
    assert _stored() == _expected(text)


def test_a_year_whose_every_figure_a_later_file_removes_is_deleted_and_one_that_keeps_some_is_updated(
    kommuner: list[Municipality],
) -> None:
    crimestats_import(source=FIRST.encode(), file_name="januari.csv", by=None)
    # Covers January of skadegörelse and bostadsinbrott in both kommuner: Ljungby's bostadsinbrott (January only)
    # and Växjö's skadegörelse in January are no longer in it.
    third = HEADER + "0781,Ljungby,skadegorelse,2023-01,40\n0780,Växjö,bostadsinbrott,2023-01,6\n"

    result = crimestats_import(source=third.encode(), file_name="mars.csv", by=None)

    assert (result.added, result.replaced, result.removed) == (1, 0, 2)
    assert not ReportedCrime.objects.filter(
        municipality__scb_code="0781", category__code="bostadsinbrott"
    ).exists()
    expected = (
        _expected(FIRST)
        - {("0781", "bostadsinbrott", 2023, 1, 3, False), ("0780", "skadegorelse", 2023, 1, 90, False)}
    ) | {("0780", "bostadsinbrott", 2023, 1, 6, False)}
    assert _stored() == expected


def test_new_rows_with_whole_years_beside_months_keep_every_figure_in_its_own_period(
    kommuner: list[Municipality],
) -> None:
    # The columns no new row has a figure for (here the quarters) are left out of the insert; a column only some
    # rows have a figure for (the whole year, two months) is written with the others empty.
    text = HEADER + (
        "0781,Ljungby,skadegorelse,2022,400\n"
        "0781,Ljungby,skadegorelse,2023-01,40\n"
        "0781,Ljungby,klotter,2023-02 prel.,8\n"
        "0780,Växjö,klotter,2023,300\n"
        "0780,Växjö,skadegorelse,2023-01,90\n"
        "0780,Växjö,skadegorelse,2023,1000\n"
    )

    crimestats_import(source=text.encode(), file_name="blandat.csv", by=None)

    assert _stored() == _expected(text)
    row = ReportedCrime.objects.get(municipality__scb_code="0780", category__code="skadegorelse", year=2023)
    assert (row.whole_year, row.m01, row.m02, row.q1) == (1000, 90, None, None)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's limit of parameters per statement")
def test_an_insert_on_sqlite_binds_as_many_parameters_as_sqlite_allows_up_to_the_chosen_bound() -> None:
    connection.ensure_connection()
    limit = services._sqlite_parameter_limit()
    assert 999 <= limit <= services.SQLITE_STATEMENT_PARAMETERS
    assert limit == min(
        connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER),
        services.SQLITE_STATEMENT_PARAMETERS,
    )
