"""Benchmark: importing reported-crime statistics, against a plain polars read of the same file.

Standalone: ``python bench/bench_import_crimestats.py [--rows N] [--database-url URL] [--repeat N]``.

Generates the size of a full national monthly series: 10 years × 290 kommuner × 300 categories × 12 months
(10 440 000 rows; ``--rows`` keeps the first N for a quicker run), writes it as the documented CSV and times,
in the same run:

* baseline — ``pl.read_csv`` of the file, every column as text (the least any import must do);
* read_crime_file — parsing and validating the file (trygg.crimestats.importers, no database);
* crimestats_import — the whole import: validation, the comparison with what is stored, and the bulk insert
  (batched executemany on SQLite, COPY on PostgreSQL) in one transaction, into a fresh database;
* re-import — the same file again, which must change nothing.

Prints rows per second and the ratios to the baseline, with a description of the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchresults import emit

COUNTY_CODES = [
    "01",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "12",
    "13",
    "14",
    "17",
    "18",
    "19",
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
]
YEARS = 10
KOMMUNER = 290
CATEGORIES = 300
MONTHS = 12


def kommun_codes() -> list[str]:
    codes = []
    number = 0
    while len(codes) < KOMMUNER:
        county = COUNTY_CODES[number % len(COUNTY_CODES)]
        codes.append(f"{county}{number // len(COUNTY_CODES) + 10:02d}")
        number += 1
    return codes


def category_codes() -> list[str]:
    return [f"kategori-{number:03d}" for number in range(1, CATEGORIES + 1)]


def generate(path: Path, rows: int, seed: int = 20240601) -> int:
    codes = kommun_codes()
    categories = category_codes()
    periods = [f"{2014 + year}-{month:02d}" for year in range(YEARS) for month in range(1, MONTHS + 1)]
    per_kommun = len(categories) * len(periods)
    total = min(rows, len(codes) * per_kommun)
    index = np.arange(total)
    rng = np.random.default_rng(seed)
    frame = pl.DataFrame(
        {
            "kommunkod": np.array(codes)[index // per_kommun],
            "kommun": np.array([f"Kommun {code}" for code in codes])[index // per_kommun],
            "brottskategori": np.array(categories)[(index // len(periods)) % len(categories)],
            "period": np.array(periods)[index % len(periods)],
            "antal": rng.poisson(12, total),
        }
    )
    frame.write_csv(path)
    return total


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def ensure_database(url: str) -> None:
    """Creates the PostgreSQL database the URL names when it is not there yet: `tools/with_postgres.py` starts a
    cluster whose only database is the maintenance one, and its URL names `trygg`."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg
    from psycopg import sql

    base, _slash, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=YEARS * KOMMUNER * CATEGORIES * MONTHS)
    parser.add_argument(
        "--database-url", default="", help="default: a fresh SQLite file in a temporary directory"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="time each step this many times (the import into an emptied table) and keep the fastest: on a "
        "shared machine the fastest run is the one least disturbed by other work",
    )
    arguments = parser.parse_args()
    ensure_database(arguments.database_url)
    load_before = " ".join(f"{value:.2f}" for value in os.getloadavg())

    with tempfile.TemporaryDirectory() as directory:
        os.environ["DATABASE_URL"] = arguments.database_url or f"sqlite:///{directory}/bench.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trygg.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.db.models import Count

        from trygg.crimestats import importers
        from trygg.crimestats.models import PERIOD_FIELDS, AreaCrime, CrimeCategory, ImportRun, ReportedCrime
        from trygg.crimestats.services import crimestats_import
        from trygg.municipalities.models import Municipality

        call_command("migrate", verbosity=0)
        ReportedCrime.objects.all().delete()
        Municipality.objects.bulk_create(
            [
                Municipality(
                    scb_code=code,
                    name=f"Kommun {code}",
                    slug=f"kommun-{code}",
                    county=importers.COUNTIES[code[:2]],
                )
                for code in kommun_codes()
            ],
            ignore_conflicts=True,
        )
        CrimeCategory.objects.bulk_create(
            [CrimeCategory(code=code, name=code) for code in category_codes()], ignore_conflicts=True
        )

        path = Path(directory) / "anmalda-brott.csv"
        started = time.perf_counter()
        rows = generate(path, arguments.rows)
        generated = time.perf_counter() - started
        size_mib = path.stat().st_size / 2**20

        categories = {
            category.code: [category.name, *category.aliases] for category in CrimeCategory.objects.all()
        }
        polars_read = parse = full = reimport = float("inf")
        for _round in range(max(1, arguments.repeat)):
            # Each round starts from an empty table, so that every import is a first one.
            ReportedCrime.objects.all().delete()
            AreaCrime.objects.all().delete()
            ImportRun.objects.all().delete()

            started = time.perf_counter()
            pl.read_csv(path, infer_schema=False)
            polars_read = min(polars_read, time.perf_counter() - started)

            started = time.perf_counter()
            importers.read_crime_file(path, categories=categories, municipalities=set(kommun_codes()))
            parse = min(parse, time.perf_counter() - started)

            started = time.perf_counter()
            result = crimestats_import(source=path, file_name=path.name, by=None)
            full = min(full, time.perf_counter() - started)
            assert result.rows == rows and not result.unchanged
            # One row per kommun, category and year; a column per period.
            counted = ReportedCrime.objects.aggregate(
                **{name: Count(name) for name in PERIOD_FIELDS.values()}
            )
            stored = sum(counted.values())
            assert stored == rows, (stored, rows)

            started = time.perf_counter()
            again = crimestats_import(source=path, file_name=path.name, by=None)
            reimport = min(reimport, time.perf_counter() - started)
            assert again.unchanged

    print(f"machine: {platform.platform()}, {cpu_model()}, {os.cpu_count()} CPUs")
    print(f"Python {platform.python_version()}, polars {pl.__version__}, database {connection.vendor}")
    print(f"file: {rows:,} rows, {size_mib:.1f} MiB (generated in {generated:.1f} s)")
    print(f"fastest of {max(1, arguments.repeat)} rounds; load average before the run: {load_before}")
    print(f"plain polars read (all text):  {polars_read:8.2f} s  {rows / polars_read:12,.0f} rows/s")
    print(
        f"read_crime_file (validated):   {parse:8.2f} s  {rows / parse:12,.0f} rows/s   ratio {parse / polars_read:6.1f}"
    )
    print(
        f"crimestats_import (to the DB): {full:8.2f} s  {rows / full:12,.0f} rows/s   ratio {full / polars_read:6.1f}"
    )
    print(
        f"re-import, nothing changes:    {reimport:8.2f} s  {rows / reimport:12,.0f} rows/s   ratio {reimport / polars_read:6.1f}"
    )
    size = f"{rows:,} rows".replace(",", " ")
    for figure, seconds in [
        ("read_crime_file (validated)", parse),
        ("crimestats_import (to the database)", full),
        ("re-import, nothing changes", reimport),
    ]:
        emit(
            "bench_import_crimestats",
            f"{figure}, {size}, {connection.vendor}",
            seconds,
            "s",
            baseline=polars_read,
            baseline_name="polars read",
        )


if __name__ == "__main__":
    main()
