"""Migration 0005: stored figures (one row each) are folded into one row per kommun, category and year, and unfolded
again on the way back."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("crimestats", "0004_reported_crime_keys_checked_by_the_import_and_only_the_unique_index")
AFTER = ("crimestats", "0005_reported_crime_one_row_per_year_with_its_months")

# (category, year, month, count, preliminary, run): month 0 is the whole year, 15 the third quarter.
FIGURES = [
    ("skadegorelse", 2023, 1, 40, False, "januari"),
    ("skadegorelse", 2023, 2, 41, True, "februari"),
    ("skadegorelse", 2023, 12, 0, False, "januari"),
    ("klotter", 2022, 0, 17, False, "januari"),
    ("klotter", 2024, 15, 5, True, "februari"),
]


def _migrate(target: tuple[str, str]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.fixture
def migrated_forward_afterwards() -> Iterator[None]:
    yield
    call_command("migrate", verbosity=0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_forward_afterwards")
def test_figures_are_folded_into_year_rows_and_unfolded_again_on_the_way_back() -> None:
    apps = _migrate(BEFORE)
    municipality = apps.get_model("municipalities", "Municipality").objects.create(
        name="Ljungby kommun", slug="ljungby", scb_code="0781", county="Kronobergs län"
    )
    category_model = apps.get_model("crimestats", "CrimeCategory")
    categories = {
        code: category_model.objects.create(code=code, name=code) for code in ("skadegorelse", "klotter")
    }
    run_model = apps.get_model("crimestats", "ImportRun")
    runs = {
        name: run_model.objects.create(file_name=f"{name}.csv", checksum=name)
        for name in ("januari", "februari")
    }
    for category, year, month, count, preliminary, run in FIGURES:
        apps.get_model("crimestats", "ReportedCrime").objects.create(
            municipality=municipality,
            category=categories[category],
            year=year,
            month=month,
            count=count,
            preliminary=preliminary,
            import_run=runs[run],
        )

    apps = _migrate(AFTER)

    rows = {
        (row.category.code, row.year): row
        for row in apps.get_model("crimestats", "ReportedCrime").objects.all()
    }
    assert set(rows) == {("skadegorelse", 2023), ("klotter", 2022), ("klotter", 2024)}
    year = rows[("skadegorelse", 2023)]
    assert (year.whole_year, year.m01, year.m02, year.m03, year.m12, year.q1) == (None, 40, 41, None, 0, None)
    assert year.preliminary_periods == 1 << 2
    assert year.import_run_id == runs["februari"].pk  # the newest run among the year's figures
    assert rows[("klotter", 2022)].whole_year == 17 and rows[("klotter", 2022)].m01 is None
    assert rows[("klotter", 2024)].q3 == 5 and rows[("klotter", 2024)].preliminary_periods == 1 << 15

    apps = _migrate(BEFORE)

    figures = {
        (row.category.code, row.year, row.month, row.count, row.preliminary, row.import_run.file_name)
        for row in apps.get_model("crimestats", "ReportedCrime").objects.all()
    }
    assert figures == {
        ("skadegorelse", 2023, 1, 40, False, "februari.csv"),
        ("skadegorelse", 2023, 2, 41, True, "februari.csv"),
        ("skadegorelse", 2023, 12, 0, False, "februari.csv"),
        ("klotter", 2022, 0, 17, False, "januari.csv"),
        ("klotter", 2024, 15, 5, True, "februari.csv"),
    }
