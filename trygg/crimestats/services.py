from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tomllib
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_changes, audit_record
from trygg.municipalities.models import Municipality
from trygg.municipalities.names import official_name
from trygg.problems.models import Problem

from . import formats, importers, kolada, kommuner, rules
from .models import (
    EXAMPLES_REMOVED,
    PERIOD_FIELDS,
    REAL_KEPT,
    AreaCrime,
    AreaPopulation,
    ComparisonGroup,
    CrimeCategory,
    ImportRun,
    KpiValue,
    Population,
    ReportedCrime,
)

CATEGORIES_PATH = formats.CATEGORIES_PATH
INSERT_BATCH = 50_000
Progress = Callable[[int], None]
AnyUser = AbstractBaseUser | AnonymousUser


@transaction.atomic
def crime_categories_sync(*, path: Path = CATEGORIES_PATH) -> dict[str, CrimeCategory]:
    """Create and update the categories of the mapping file; never deletes one (figures may refer to it)."""
    with open(path, "rb") as handle:
        entries = tomllib.load(handle).get("category", [])
    problems = {problem.slug: problem for problem in Problem.objects.all()}
    existing = {category.code: category for category in CrimeCategory.objects.all()}
    for entry in entries:
        problem = problems.get(entry.get("problem", ""))
        # The police's crime codes are spellings too: "0950 - Befogenhetsbedrägeri" matches by its code.
        aliases = [*entry.get("aliases", []), *entry.get("bra_codes", [])]
        values = {"name": entry["name"], "aliases": aliases, "problem": problem}
        category = existing.get(entry["code"])
        if category is None:
            existing[entry["code"]] = CrimeCategory.objects.create(code=entry["code"], **values)
        elif any(getattr(category, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(category, name, value)
            category.save()
    return existing


def _spellings(categories: dict[str, CrimeCategory]) -> dict[str, list[str]]:
    return {code: [category.name, *category.aliases] for code, category in categories.items()}


def _unique_slug(name: str, code: str, taken: set[str]) -> str:
    from django.conf import settings

    base = slugify(name.removesuffix(" kommun")) or code
    slug = base if base not in taken and base not in settings.RESERVED_SLUGS else f"{base}-{code}"
    taken.add(slug)
    return slug


def _municipalities_ensure(frame: pl.DataFrame, *, create: bool) -> dict[str, int]:
    """kommun code → id; with `create`, municipalities missing from Trygg are added from the file's names."""
    ids = dict(Municipality.objects.values_list("scb_code", "pk"))
    if not create:
        return ids
    missing = frame.filter(
        (pl.col("kommun_code").str.len_chars() == 4) & ~pl.col("kommun_code").is_in(list(ids))
    ).unique("kommun_code", keep="first")
    if missing.height:
        taken = set(Municipality.objects.values_list("slug", flat=True))
        for code, name in missing.select("kommun_code", "kommun_name").iter_rows():
            display = kommuner.kommuner().get(code) or name or code
            official = kommuner.kommuner().get(code)
            if official:
                full_name = official_name(official)
            else:
                full_name = display if "kommun" in display.lower() else f"{display} kommun"
            created = Municipality.objects.create(
                scb_code=code,
                name=full_name,
                slug=_unique_slug(display, code, taken),
                county=importers.COUNTIES.get(code[:2], ""),
            )
            ids[code] = created.pk
    return ids


@dataclass(frozen=True)
class ImportResult:
    run: ImportRun | None
    unchanged: bool
    rows: int
    added: int = 0
    replaced: int = 0
    removed: int = 0
    finalised: int = 0
    format_name: str = ""
    skipped: bool = False  # the same file was imported last with the same settings: not even read
    # Example figures a real file's figures superseded (outside its cover, in the year rows it gave figures to).
    examples_removed: int = 0
    # Figures of an example-data file left out because their year rows hold real figures.
    real_kept: int = 0


def _read_bytes(source: str | os.PathLike[str] | bytes) -> bytes:
    if isinstance(source, bytes):
        return source
    with open(source, "rb") as handle:
        return handle.read()


def _cover_filter(
    municipality_ids: list[int], category_ids: list[int], periods: list[tuple[int, int]], *, field: str
) -> Q:
    by_year: dict[int, list[int]] = {}
    for year, month in periods:
        by_year.setdefault(year, []).append(month)
    periods_q = Q()
    for year, months in by_year.items():
        periods_q |= Q(year=year, month__in=months)
    return Q(**{f"{field}__in": municipality_ids}, category_id__in=category_ids) & periods_q


def _existing(cover: Q) -> pl.DataFrame:
    """The stored län and country totals of a file's cover, as _compare reads them."""
    rows = AreaCrime.objects.filter(cover).values_list(
        "area_code", "category_id", "year", "month", "count", "preliminary", "id"
    )
    return pl.DataFrame(
        list(rows),
        schema={
            "place": pl.String,
            "category_id": pl.Int64,
            "year": pl.Int64,
            "month": pl.Int64,
            "old": pl.Int64,
            "old_preliminary": pl.Boolean,
            "id": pl.Int64,
        },
        orient="row",
    )


def _batches(frame: pl.DataFrame, size: int) -> Iterator[pl.DataFrame]:
    for offset in range(0, frame.height, size):
        yield frame.slice(offset, size)


# Crime imports take turns on PostgreSQL (pg_advisory_xact_lock on this key, shared by every crime import): each
# compares the file with what is stored and writes only the difference, which another import must not change
# meanwhile.
IMPORT_LOCK = 0x7472_7967  # "tryg"
SQLITE_IMPORT_CACHE_KIB = 256 * 1024
# Parameters of one INSERT of many rows on SQLite, when its build allows that many (Django assumes 999, the limit
# of SQLite before 3.32): a statement of two thousand rows binds them a quarter faster than one of fifty-eight.
SQLITE_STATEMENT_PARAMETERS = 32000
YEAR_KEYS = ["place", "category_id", "year"]
SLOTS = list(PERIOD_FIELDS.values())
# The columns of a ReportedCrime row an import writes, in the order of the frames below.
YEAR_COLUMNS = ["municipality_id", "category_id", "year", *SLOTS, "preliminary_periods", "import_run_id"]
_SLOT_DTYPES = {name: pl.Int64 for name in SLOTS}


def _years_of(frame: pl.DataFrame) -> pl.DataFrame:
    """The file's kommun figures folded into one row per kommun, category and year (ReportedCrime's shape), in the
    unique index's order: a column per period, empty where the file has no figure, and the bits of the
    preliminary ones. Each figure is scattered into its row's column by numpy; the rows are found by one integer
    key per figure, without a sort when the file is already in that order (a national series usually is)."""
    import numpy as np

    place, category, year, month, count = (
        frame.get_column(name).to_numpy() for name in ("place", "category_id", "year", "month", "count")
    )
    first_year = int(year.min())
    years = int(year.max()) - first_year + 1
    categories = int(category.max()) + 1
    key = (place.astype(np.int64) * categories + category) * years + (year - first_year)
    steps = np.diff(key)
    if (steps >= 0).all():
        starts = np.concatenate(([True], steps != 0))
        row = np.cumsum(starts) - 1
        keys = key[starts]
    else:
        keys, row = np.unique(key, return_inverse=True)
    counts = np.full((keys.size, len(PERIOD_FIELDS)), -1, dtype=np.int64)
    counts[row, month] = count
    bits = np.zeros(keys.size, dtype=np.int64)
    marked = frame.get_column("preliminary").to_numpy()
    if marked.any():
        np.bitwise_or.at(bits, row[marked], np.left_shift(1, month[marked].astype(np.int64)))
    columns: dict[str, object] = {
        "place": keys // years // categories,
        "category_id": keys // years % categories,
        "year": keys % years + first_year,
    }
    for index, name in enumerate(SLOTS):
        columns[name] = counts[:, index]
    columns["preliminary_periods"] = bits
    return pl.DataFrame(columns).with_columns(
        pl.when(pl.col(name) >= 0).then(pl.col(name)).alias(name) for name in SLOTS
    )


_BITS = {month: 1 << month for month in PERIOD_FIELDS}


def _stored_years(
    *, municipality_ids: list[int], category_ids: list[int], periods: list[tuple[int, int]]
) -> pl.DataFrame:
    """The stored rows the file's cover touches (its kommuner, categories and years), with their ids and runs."""
    rows = ReportedCrime.objects.filter(
        municipality_id__in=municipality_ids,
        category_id__in=category_ids,
        year__in=sorted({year for year, _month in periods}),
    ).values_list(
        "id", "municipality_id", "category_id", "year", *SLOTS, "preliminary_periods", "import_run_id"
    )
    return pl.DataFrame(
        list(rows),
        schema={
            "id": pl.Int64,
            "place": pl.Int64,
            "category_id": pl.Int64,
            "year": pl.Int64,
            **_SLOT_DTYPES,
            "preliminary_periods": pl.Int64,
            "import_run_id": pl.Int64,
        },
        orient="row",
    )


def _covered_figures(stored: pl.DataFrame, periods: list[tuple[int, int]]) -> pl.DataFrame:
    """The stored figures within the file's cover, one per row as _compare reads them."""
    by_field = {name: month for month, name in PERIOD_FIELDS.items()}
    covered = pl.DataFrame(
        {"year": [year for year, _month in periods], "month": [month for _year, month in periods]},
        schema={"year": pl.Int64, "month": pl.Int64},
    )
    return (
        stored.unpivot(on=SLOTS, index=[*YEAR_KEYS, "preliminary_periods", "id"], variable_name="slot")
        .drop_nulls("value")
        .with_columns(pl.col("slot").replace_strict(by_field, return_dtype=pl.Int64).alias("month"))
        .join(covered, on=["year", "month"], how="semi")
        .select(
            *YEAR_KEYS,
            "month",
            pl.col("value").alias("old"),
            (
                (pl.col("preliminary_periods") & pl.col("month").replace_strict(_BITS, return_dtype=pl.Int64))
                != 0
            ).alias("old_preliminary"),
            "id",
        )
    )


@dataclass(frozen=True)
class _YearWrites:
    inserted: pl.DataFrame  # YEAR_COLUMNS
    updated: pl.DataFrame  # "id", then YEAR_COLUMNS[3:]
    deleted: list[int]


def _cover_bits(periods: list[tuple[int, int]]) -> dict[int, int]:
    """year → the bits (as in preliminary_periods) of the periods the file covers in it."""
    bits: dict[int, int] = {}
    for year, month in periods:
        bits[year] = bits.get(year, 0) | _BITS[month]
    return bits


def _example_rows(examples: list[int]) -> pl.Expr:
    """Stored rows set by an example-data run (a row without a run counts as real)."""
    return pl.col("import_run_id").is_in(examples).fill_null(False) if examples else pl.lit(False)


def _examples_superseded(
    incoming: pl.DataFrame, stored: pl.DataFrame, periods: list[tuple[int, int]], *, examples: list[int]
) -> tuple[int, int]:
    """A real file's figures supersede invented ones: the stored example-data rows that get a figure of the file
    (they become wholly real), and how many of their example figures outside the file's cover are removed so that
    no invented figure is left under a real run. Returns (rows, figures)."""
    if not examples or not stored.height:
        return 0, 0
    rows = stored.filter(_example_rows(examples)).join(incoming.select(YEAR_KEYS), on=YEAR_KEYS, how="semi")
    if not rows.height:
        return 0, 0
    cover = pl.col("year").replace_strict(_cover_bits(periods), default=0, return_dtype=pl.Int64)
    outside = rows.select(
        pl.sum_horizontal(
            *(
                ((cover & _BITS[month]) == 0) & pl.col(name).is_not_null()
                for month, name in PERIOD_FIELDS.items()
            )
        ).sum()
    ).item()
    return rows.height, int(outside or 0)


def _year_writes(
    incoming: pl.DataFrame,
    stored: pl.DataFrame,
    periods: list[tuple[int, int]],
    *,
    run: ImportRun,
    examples: list[int],
) -> _YearWrites:
    """What to write so that every row holds the file's figures within its cover and keeps the rest: new rows are
    inserted, rows whose figures or preliminary marks change are updated (and carry the run), rows left with no
    figure are deleted; a row the file leaves as it was is not written and keeps the run that set it.

    A row's run says whether its figures are example data, so a row never mixes real and invented figures: a row of
    an example-data run that gets a figure of a real file loses its example figures outside the file's cover and
    carries the real run (one that only loses covered figures stays the example's); an example-data import never
    gets rows that hold real figures (crime_table_store leaves them out of it)."""
    fresh = incoming.with_columns(pl.lit(run.pk, dtype=pl.Int64).alias("import_run_id"))
    if not stored.height:
        return _YearWrites(
            inserted=fresh.rename({"place": "municipality_id"}).select(YEAR_COLUMNS),
            updated=pl.DataFrame(),
            deleted=[],
        )
    joined = stored.join(
        incoming.with_columns(pl.lit(True).alias("in_file")),
        on=YEAR_KEYS,
        how="full",
        coalesce=True,
        suffix="_new",
    ).with_columns(
        pl.col("year").replace_strict(_cover_bits(periods), default=0, return_dtype=pl.Int64).alias("cover"),
        pl.col("in_file").fill_null(False),
    )
    superseded = pl.lit(not run.example_data) & _example_rows(examples) & pl.col("in_file")
    joined = joined.with_columns(
        pl.col("preliminary_periods").fill_null(0),
        pl.col("preliminary_periods_new").fill_null(0),
        # Example figures a real file supersedes count as outside nothing: the row keeps only the file's.
        pl.when(superseded).then(pl.lit(-1, dtype=pl.Int64)).otherwise(pl.col("cover")).alias("replaces"),
        superseded.alias("superseded"),
    )
    covered = {name: (pl.col("replaces") & _BITS[month]) != 0 for month, name in PERIOD_FIELDS.items()}
    merged = joined.with_columns(
        *(
            pl.when(covered[name]).then(pl.col(f"{name}_new")).otherwise(pl.col(name)).alias(f"{name}_merged")
            for name in SLOTS
        ),
        ((pl.col("preliminary_periods") & ~pl.col("replaces")) | pl.col("preliminary_periods_new")).alias(
            "preliminary_periods_merged"
        ),
    )
    changed = pl.any_horizontal(
        *(pl.col(f"{name}_merged").ne_missing(pl.col(name)) for name in SLOTS),
        pl.col("preliminary_periods_merged") != pl.col("preliminary_periods"),
        pl.col("superseded"),
    )
    empty = pl.all_horizontal(*(pl.col(f"{name}_merged").is_null() for name in SLOTS))
    # A row of example figures the real file only took covered figures from holds example figures alone.
    keeps_example = pl.lit(not run.example_data) & _example_rows(examples) & ~pl.col("in_file")
    merged = merged.with_columns(
        pl.when(keeps_example).then(pl.col("import_run_id")).otherwise(pl.lit(run.pk)).alias("run_merged")
    )
    result = [pl.col(f"{name}_merged").alias(name) for name in SLOTS]
    result += [
        pl.col("preliminary_periods_merged").alias("preliminary_periods"),
        pl.col("run_merged").alias("import_run_id"),
    ]
    inserted = merged.filter(pl.col("id").is_null()).select(
        pl.col("place").alias("municipality_id"), "category_id", "year", *result
    )
    updated = merged.filter(pl.col("id").is_not_null() & changed & ~empty).select("id", *result)
    deleted = merged.filter(pl.col("id").is_not_null() & empty).get_column("id").to_list()
    return _YearWrites(inserted=inserted.sort(YEAR_COLUMNS[:3]), updated=updated, deleted=deleted)


def _figures_in(rows: pl.DataFrame) -> int:
    slots = [name for name in SLOTS if name in rows.columns]
    return int(rows.select(pl.sum_horizontal(*(pl.col(name).is_not_null() for name in slots)).sum()).item())


def _write_years(writes: _YearWrites, progress: Progress | None) -> None:
    if connection.vendor == "postgresql":
        _write_years_postgresql(writes, progress)
    else:
        _write_years_sqlite(writes, progress)


def _columns_with_figures(rows: pl.DataFrame) -> list[str]:
    """The columns of new rows worth writing: a period no row has a figure for (a monthly series has no whole years
    or quarters) is left out, since the column is empty by default; the database then binds or parses fewer values
    (on SQLite, binding a monthly series' five empty columns for every row doubled the time of its insert)."""
    height = rows.height
    return [name for name in YEAR_COLUMNS if name not in SLOTS or rows.get_column(name).null_count() < height]


def _flat_values(rows: pl.DataFrame) -> list[object]:
    """The rows' values one after another, row by row, as a statement of many rows binds them: each column is
    turned into Python values once and laid into its places by a slice, with no tuple made per row."""
    width = rows.width
    values: list[object] = [None] * (rows.height * width)
    for index, name in enumerate(rows.columns):
        values[index::width] = rows.get_column(name).to_list()
    return values


def _write_years_sqlite(writes: _YearWrites, progress: Progress | None) -> None:
    """SQLite: batched executemany in the import's transaction (model instances would cost 10× more); new rows go
    in as many to a statement as its parameters allow, which spends less per row than one statement each, and
    only with the periods they have figures for. The page cache is made large enough for the table's indexes to be
    updated in memory and set back afterwards."""
    table = connection.ops.quote_name(ReportedCrime._meta.db_table)
    values = [*SLOTS, "preliminary_periods", "import_run_id"]
    assignments = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in values)
    inserted = (
        writes.inserted.select(_columns_with_figures(writes.inserted)) if writes.inserted.height else None
    )
    # The table and column names come from the model, quoted; the values are parameters.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
        try:
            cursor.executemany(f"DELETE FROM {table} WHERE id = %s", [(pk,) for pk in writes.deleted])  # noqa: S608
            if writes.updated.height:
                for batch in _batches(writes.updated.select(*values, "id"), INSERT_BATCH):
                    cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", batch.rows())  # noqa: S608
                    if progress:
                        progress(_figures_in(batch))
            if inserted is not None:
                _insert_sqlite(cursor, table, inserted, progress)
        finally:
            cursor.execute(f"PRAGMA cache_size = {cache_size}")


def _sqlite_parameter_limit() -> int:
    """How many parameters one statement may bind: SQLite's own limit (`SQLITE_LIMIT_VARIABLE_NUMBER`, 32,766 by
    default since 3.32) up to `SQLITE_STATEMENT_PARAMETERS`, or Django's 999 where the limit cannot be read."""
    raw = connection.connection
    if raw is None or not hasattr(raw, "getlimit"):
        return connection.features.max_query_params or 999
    return min(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), SQLITE_STATEMENT_PARAMETERS)


def _insert_sqlite(cursor: Any, table: str, inserted: pl.DataFrame, progress: Progress | None) -> None:
    width = inserted.width
    columns = ", ".join(connection.ops.quote_name(name) for name in inserted.columns)
    row = f"({', '.join(['%s'] * width)})"
    per_statement = max(1, _sqlite_parameter_limit() // width)
    step = per_statement * width
    for batch in _batches(inserted, INSERT_BATCH):
        flat = _flat_values(batch)
        whole = batch.height - batch.height % per_statement
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * per_statement)}",  # noqa: S608
            [flat[start : start + step] for start in range(0, whole * width, step)],
        )
        if whole < batch.height:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * (batch.height - whole))}",  # noqa: S608
                flat[whole * width :],
            )
        if progress:
            progress(_figures_in(batch))


# PostgreSQL: the changed rows are copied (COPY) into this temporary table and merged in one UPDATE.
STAGING = "trygg_crime_staging"


def _write_years_postgresql(writes: _YearWrites, progress: Progress | None) -> None:
    """PostgreSQL: rows left empty deleted by id, changed rows copied into a staging table and updated from it in
    one statement, new rows copied (COPY, psycopg 3's cursor.copy, text written by polars) straight into the table
    in the unique index's order."""
    table = connection.ops.quote_name(ReportedCrime._meta.db_table)
    values = [*SLOTS, "preliminary_periods", "import_run_id"]
    # Table and column names come from the model, quoted; the values are parameters.
    with connection.cursor() as cursor:
        if writes.deleted:
            cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [writes.deleted])  # noqa: S608
        if writes.updated.height:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
            slot_columns = ", ".join(f"{connection.ops.quote_name(name)} integer" for name in SLOTS)
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STAGING} (id bigint, {slot_columns}, preliminary_periods integer, "
                "import_run_id bigint) ON COMMIT DROP"
            )
            quoted = ", ".join(connection.ops.quote_name(name) for name in ["id", *values])
            _copy(
                cursor,
                f"COPY {STAGING} ({quoted}) FROM STDIN",
                writes.updated.select("id", *values),
                progress,
            )
            cursor.execute(f"ANALYZE {STAGING}")  # the join's plan needs its size
            assignments = ", ".join(
                f"{connection.ops.quote_name(name)} = s.{connection.ops.quote_name(name)}" for name in values
            )
            cursor.execute(f"UPDATE {table} r SET {assignments} FROM {STAGING} s WHERE r.id = s.id")  # noqa: S608
            cursor.execute(f"DROP TABLE {STAGING}")
        if writes.inserted.height:
            columns = _columns_with_figures(writes.inserted)
            quoted = ", ".join(connection.ops.quote_name(name) for name in columns)
            _copy(cursor, f"COPY {table} ({quoted}) FROM STDIN", writes.inserted.select(columns), progress)


def _copy(cursor: Any, sql: str, rows: pl.DataFrame, progress: Progress | None) -> None:
    raw = cursor.cursor  # the psycopg cursor under Django's wrapper
    with raw.copy(sql) as copy:
        for batch in _batches(rows, INSERT_BATCH):
            copy.write(batch.write_csv(separator="\t", include_header=False, null_value="\\N"))
            if progress:
                progress(_figures_in(batch))


def _references_hold(*, municipality_ids: list[int], category_ids: list[int]) -> None:
    """What the foreign-key constraints would check for every row, checked once for the set: every kommun and
    category the figures name exists, and (PostgreSQL: FOR KEY SHARE, the lock a constraint's check takes; SQLite:
    the import already holds the database's write lock) none can be deleted before the import commits."""
    for model, ids in ((Municipality, municipality_ids), (CrimeCategory, category_ids)):
        if not ids:
            continue
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(model._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE id = ANY(%s) FOR KEY SHARE) AS kept",  # noqa: S608
                    [ids],
                )
                found = int(cursor.fetchone()[0])
        else:
            found = model.objects.filter(pk__in=ids).count()
        if found != len(ids):
            raise IntegrityError(f"{len(ids) - found} {model._meta.db_table} rows vanished during the import")


@dataclass(frozen=True)
class _Changes:
    added: int
    removed: int
    finalised: int
    replaced: int  # figures whose count or preliminary mark changed
    # Up to 20 of those: kommun_code, category, year, month, old, old_preliminary, count, preliminary
    examples: list[tuple[Any, ...]]


def _compare(frame: pl.DataFrame, existing: pl.DataFrame) -> _Changes:
    keys = ["place", "category_id", "year", "month"]
    joined = (
        frame.select(*keys, "count", "preliminary", "kommun_code", "category")
        .with_row_index("_order")
        .join(existing, on=keys, how="full", coalesce=True)
    )
    both = pl.col("old").is_not_null() & pl.col("count").is_not_null()
    changed = joined.filter(
        both & ((pl.col("old") != pl.col("count")) | (pl.col("old_preliminary") != pl.col("preliminary")))
    ).sort("_order")  # the examples in the file's order, as the staged comparison gives them
    return _Changes(
        added=joined.filter(pl.col("old").is_null()).height,
        removed=joined.filter(pl.col("count").is_null()).height,
        finalised=joined.filter(both & pl.col("old_preliminary") & ~pl.col("preliminary")).height,
        replaced=changed.height,
        examples=list(
            changed.head(20)
            .select(
                "kommun_code", "category", "year", "month", "old", "old_preliminary", "count", "preliminary"
            )
            .iter_rows()
        ),
    )


def _table_report(
    table: importers.CrimeTable | importers.PopulationTable | kolada.KoladaSeries,
    *,
    examples_removed: int = 0,
    real_kept: int = 0,
) -> dict[str, object]:
    report: dict[str, object] = {}
    unknown = getattr(table, "unknown_categories", {})
    if unknown:
        report["okända brottstyper"] = dict(unknown)
    if table.unresolved_regions:
        report["regioner som inte är kommuner"] = dict(table.unresolved_regions)
    skipped = getattr(table, "skipped", 0)
    if skipped:
        report["saknade värden"] = skipped
    combined = getattr(table, "combined", {})
    if combined:
        report["sammanslagna brottstyper"] = {key: list(value) for key, value in combined.items()}
    notes = getattr(table, "notes", ())
    if notes:
        report["anteckningar"] = list(notes)[:20]
    if examples_removed:
        report[EXAMPLES_REMOVED] = examples_removed
    if real_kept:
        report[REAL_KEPT] = real_kept
    return report


def crimestats_read(
    *,
    source: str | os.PathLike[str] | bytes,
    file_name: str,
    mapping: importers.ColumnMapping | None = None,
    year: int | None = None,
    category: str | None = None,
    more_pages: Sequence[bytes] = (),
) -> importers.CrimeTable | kolada.KoladaSeries:
    """Read and validate a statistics file without storing anything: what the upload page previews."""
    return formats.read_crime_statistics(
        _read_bytes(source),
        file_name=file_name,
        categories=formats.category_spellings(),
        mapping=mapping,
        year=year,
        category=category,
        more_pages=more_pages,
    )


def population_read(*, source: str | os.PathLike[str] | bytes) -> importers.PopulationTable:
    """Read and validate a population file without storing anything."""
    return formats.read_population_statistics(_read_bytes(source))


def upload_dir() -> Path:
    """Where an uploaded file waits between its preview and the import."""
    from django.conf import settings

    path = Path(settings.MEDIA_ROOT) / "crimestats" / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _fingerprint(*, checksum: str, settings: dict[str, object]) -> str:
    text = json.dumps(settings, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{checksum}\n{text}".encode()).hexdigest()


def _imported_last(fingerprint: str) -> ImportRun | None:
    """The run that imported this very file with these settings, if no later import of its kind has been made
    since (a later one may have replaced some of its figures)."""
    run = ImportRun.objects.filter(fingerprint=fingerprint).order_by("-pk").first()
    if run is None or ImportRun.objects.filter(kind=run.kind, pk__gt=run.pk).exists():
        return None
    return run


@transaction.atomic
def crimestats_import(
    *,
    source: str | os.PathLike[str] | bytes,
    file_name: str,
    by: AnyUser | None,
    mapping: importers.ColumnMapping | None = None,
    create_municipalities: bool = False,
    example_data: bool = False,
    source_note: str = "",
    progress: Progress | None = None,
    year: int | None = None,
    category: str | None = None,
    more_pages: Sequence[bytes] = (),
) -> ImportResult:
    """Import a file of reported crime (or a Kolada key figure) in one transaction; a file with any error imports
    nothing. The format is recognised from the content (see formats.py)."""
    if by is not None and not rules.can_import_statistics(by):
        raise PermissionDenied
    data = _read_bytes(source)
    # The file's SHA-256 is taken in a thread (hashlib lets go of the GIL) while the categories and kommuner are
    # read from the database. Joining would copy a large file; only Kolada's pages come in several parts.
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = pool.submit(importers.file_checksum, b"".join([data, *more_pages]) if more_pages else data)
        categories = crime_categories_sync()
        known = (
            None if create_municipalities else set(Municipality.objects.values_list("scb_code", flat=True))
        )
        checksum = hashing.result()
    fingerprint = _fingerprint(
        checksum=checksum,
        settings={
            "mapping": repr(mapping),
            "year": year,
            "category": category,
            "create_municipalities": create_municipalities,
            "categories": sorted((code, spellings) for code, spellings in _spellings(categories).items()),
            "municipalities": sorted(Municipality.objects.values_list("scb_code", "pk")),
        },
    )
    previous = _imported_last(fingerprint)
    if previous is not None:
        if progress:
            progress(previous.rows)
        return ImportResult(
            run=previous, unchanged=True, rows=previous.rows, format_name=previous.file_format, skipped=True
        )
    table = formats.read_crime_statistics(
        data,
        file_name=file_name,
        categories=_spellings(categories),
        municipalities=known,
        mapping=mapping,
        year=year,
        category=category,
        more_pages=more_pages,
    )
    if isinstance(table, kolada.KoladaSeries):
        return kpi_series_store(
            series=table,
            file_name=file_name,
            checksum=checksum,
            fingerprint=fingerprint,
            by=by,
            example_data=example_data,
            source_note=source_note,
            progress=progress,
        )
    return crime_table_store(
        table=table,
        categories=categories,
        file_name=file_name,
        checksum=checksum,
        fingerprint=fingerprint,
        by=by,
        create_municipalities=create_municipalities,
        example_data=example_data,
        source_note=source_note,
        progress=progress,
    )


def crime_table_store(
    *,
    table: importers.CrimeTable,
    categories: dict[str, CrimeCategory],
    file_name: str,
    checksum: str,
    by: AnyUser | None,
    fingerprint: str = "",
    create_municipalities: bool = False,
    example_data: bool = False,
    source_note: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Store a validated table (the one write step of a crime import; called inside crimestats_import's
    transaction).

    The table covers the periods, places (kommuner, and län/country totals the source gives) and categories it
    contains. Within that cover its figures replace what was there, and figures it no longer has are removed; a
    preliminary figure replaced by a final one is counted as finalised. A table whose figures are already in place
    changes nothing and records nothing."""
    municipality_ids = _municipalities_ensure(table.frame, create=create_municipalities)
    category_ids = {code: category.pk for code, category in categories.items()}
    base = table.frame.with_columns(
        pl.col("category").replace_strict(category_ids, return_dtype=pl.Int64).alias("category_id"),
        pl.col("year").cast(pl.Int64),
        pl.col("month").cast(pl.Int64),
    )
    is_kommun = pl.col("kommun_code").str.len_chars() == 4
    local = base.filter(is_kommun).with_columns(
        pl.col("kommun_code").replace_strict(municipality_ids, return_dtype=pl.Int64).alias("place")
    )
    areas = base.filter(~is_kommun).with_columns(pl.col("kommun_code").alias("place"))
    periods = table.periods

    area_cover = _cover_filter(
        areas.get_column("place").unique().to_list(),
        areas.get_column("category_id").unique().to_list(),
        periods,
        field="area_code",
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
    # The file's kommuner and categories: what the figures refer to, and with its periods the rows it covers.
    used = {
        "municipality_ids": local.get_column("place").unique().to_list(),
        "category_ids": local.get_column("category_id").unique().to_list(),
    }
    stored = _stored_years(**used, periods=periods)
    example_runs = list(ImportRun.objects.filter(example_data=True).values_list("pk", flat=True))
    real_kept = 0
    if example_data and stored.height:
        # Invented figures never go into a row that holds real ones (the row's run labels all its figures), and
        # never replace or remove a real figure: an example-data import leaves such rows out.
        real = stored.filter(~_example_rows(example_runs)).select(YEAR_KEYS)
        real_kept = local.join(real, on=YEAR_KEYS, how="semi").height
        local = local.join(real, on=YEAR_KEYS, how="anti")
        stored = stored.join(real, on=YEAR_KEYS, how="anti")
    incoming = _years_of(local) if local.height else None
    superseded_rows, examples_removed = (
        _examples_superseded(incoming, stored, periods, examples=example_runs)
        if incoming is not None and not example_data
        else (0, 0)
    )
    if stored.height:
        local_changes = _compare(local, _covered_figures(stored, periods))
    else:
        local_changes = _Changes(added=local.height, removed=0, finalised=0, replaced=0, examples=[])
    if example_data:
        # Likewise a län's or the country's real total is never replaced or removed by an invented one.
        area_cover &= Q(import_run__example_data=True)
        real_areas = _existing(
            _cover_filter(
                areas.get_column("place").unique().to_list(),
                areas.get_column("category_id").unique().to_list(),
                periods,
                field="area_code",
            )
            & ~Q(import_run__example_data=True)
        ).select("place", "category_id", "year", "month")
        if real_areas.height:
            real_kept += areas.join(
                real_areas, on=["place", "category_id", "year", "month"], how="semi"
            ).height
            areas = areas.join(real_areas, on=["place", "category_id", "year", "month"], how="anti")
    area_changes = _compare(areas, _existing(area_cover))
    added = local_changes.added + area_changes.added
    removed = local_changes.removed + area_changes.removed
    replaced = local_changes.replaced + area_changes.replaced
    examples = [*local_changes.examples, *area_changes.examples][:20]
    finalised = local_changes.finalised + area_changes.finalised
    if added == 0 and removed == 0 and replaced == 0 and superseded_rows == 0:
        previous = ImportRun.objects.filter(checksum=checksum).first()
        return ImportResult(run=previous, unchanged=True, rows=table.rows, format_name=table.format_name)

    AreaCrime.objects.filter(area_cover).delete()
    run = ImportRun.objects.create(
        kind=ImportRun.Kind.CRIME,
        file_name=file_name[:300],
        file_format=table.format_name[:300],
        checksum=checksum,
        fingerprint=fingerprint,
        periods=importers.periods_summary(periods)[:500],
        municipality_count=len(used["municipality_ids"]),
        rows=table.rows,
        added=added,
        replaced=replaced,
        removed=removed,
        finalised=finalised,
        report=_table_report(table, examples_removed=examples_removed, real_kept=real_kept),
        replaced_examples=[
            {
                "kommun": code,
                "kategori": category,
                "period": importers.period_label(year, month),
                "före": f"{old} prel." if old_preliminary else old,
                "efter": f"{new} prel." if preliminary else new,
            }
            for code, category, year, month, old, old_preliminary, new, preliminary in examples
        ],
        source_note=source_note[:300],
        example_data=example_data,
        imported_by=by if by is not None and by.is_authenticated else None,  # type: ignore[misc]
    )
    _references_hold(**used)
    if incoming is not None:
        _write_years(_year_writes(incoming, stored, periods, run=run, examples=example_runs), progress)
    AreaCrime.objects.bulk_create(
        [
            AreaCrime(
                area_code=place,
                category_id=category_id,
                year=year,
                month=month,
                count=count,
                preliminary=preliminary,
                import_run=run,
            )
            for place, category_id, year, month, count, preliminary in areas.select(
                "place", "category_id", "year", "month", "count", "preliminary"
            ).iter_rows()
        ],
        batch_size=5000,
    )
    reason = _("Import av anmälda brott: %(periods)s") % {"periods": run.periods}
    if finalised:
        reason += " " + _("(%(count)s preliminära uppgifter ersattes av slutliga)") % {"count": finalised}
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=run,
        changes={
            "rows": [None, run.rows],
            "replaced": [None, run.replaced],
            "removed": [None, run.removed],
            "finalised": [None, run.finalised],
        },
        reason=reason,
    )
    return ImportResult(
        run=run,
        unchanged=False,
        rows=table.rows,
        added=added,
        replaced=run.replaced,
        removed=removed,
        finalised=finalised,
        format_name=table.format_name,
        examples_removed=examples_removed,
        real_kept=real_kept,
    )


def kpi_series_store(
    *,
    series: kolada.KoladaSeries,
    file_name: str,
    checksum: str,
    by: AnyUser | None,
    fingerprint: str = "",
    example_data: bool = False,
    source_note: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Store a Kolada key figure's values; the series' (kpi, area, year, gender) values replace stored ones."""
    wanted = {
        (kpi, area, int(year), gender): (name, value, count, status)
        for kpi, area, name, year, gender, value, count, status in series.frame.iter_rows()
    }
    existing = {
        (item.kpi, item.area_code, item.year, item.gender): item
        for item in KpiValue.objects.filter(kpi__in=series.kpis, year__in=series.years)
    }
    added = [key for key in wanted if key not in existing]
    changed = [
        key
        for key, (_name, value, count, status) in wanted.items()
        if key in existing
        and (existing[key].value, existing[key].count, existing[key].status) != (value, count, status)
    ]
    format_name = importers.FORMAT_NAMES[series.format]
    if not added and not changed:
        return ImportResult(
            run=ImportRun.objects.filter(checksum=checksum).first(),
            unchanged=True,
            rows=series.rows,
            format_name=format_name,
        )
    report = _table_report(series)
    if series.next_url:
        report["nästa sida"] = series.next_url
    run = ImportRun.objects.create(
        kind=ImportRun.Kind.COMPARISON,
        file_name=file_name[:300],
        file_format=f"{format_name} ({', '.join(series.kpis)})"[:300],
        checksum=checksum,
        fingerprint=fingerprint,
        periods=importers.periods_summary([(year, 0) for year in series.years]),
        municipality_count=series.frame.filter(pl.col("area_code").str.len_chars() == 4)
        .get_column("area_code")
        .n_unique(),
        rows=series.rows,
        added=len(added),
        replaced=len(changed),
        report=report,
        source_note=source_note[:300],
        example_data=example_data,
        imported_by=by if by is not None and by.is_authenticated else None,  # type: ignore[misc]
    )
    KpiValue.objects.bulk_create(
        [
            KpiValue(
                kpi=key[0],
                area_code=key[1],
                year=key[2],
                gender=key[3],
                area_name=wanted[key][0],
                value=wanted[key][1],
                count=wanted[key][2],
                status=wanted[key][3],
                import_run=run,
            )
            for key in added
        ],
        batch_size=5000,
    )
    for key in changed:
        item = existing[key]
        _name, item.value, item.count, item.status = wanted[key]
        item.import_run = run
    KpiValue.objects.bulk_update(
        [existing[key] for key in changed], ["value", "count", "status", "import_run"], batch_size=5000
    )
    if progress:
        progress(series.rows)
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=run,
        changes={"rows": [None, run.rows], "replaced": [None, run.replaced]},
        reason=_("Import av jämförelsetal: %(periods)s") % {"periods": run.periods},
    )
    return ImportResult(
        run=run,
        unchanged=False,
        rows=series.rows,
        added=len(added),
        replaced=len(changed),
        format_name=format_name,
    )


@transaction.atomic
def population_import(
    *,
    source: str | os.PathLike[str] | bytes,
    file_name: str,
    by: AnyUser | None,
    create_municipalities: bool = False,
    example_data: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import population per kommun (and län or country) and year from SCB's JSON-stat or PC-Axis table or
    Trygg's CSV; the file's figures replace older ones for the same place and year."""
    if by is not None and not rules.can_import_statistics(by):
        raise PermissionDenied
    data = _read_bytes(source)
    known = None if create_municipalities else set(Municipality.objects.values_list("scb_code", flat=True))
    table = formats.read_population_statistics(data, municipalities=known)
    ids = _municipalities_ensure(table.frame, create=create_municipalities)
    wanted: dict[tuple[str, int | str, int], int] = {}
    for code, year, population in table.frame.select("kommun_code", "year", "population").iter_rows():
        place = ("kommun", ids[code]) if len(code) == 4 else ("area", code)
        wanted[(place[0], place[1], int(year))] = int(population)
    existing: dict[tuple[str, int | str, int], Population | AreaPopulation] = {}
    years = sorted({key[2] for key in wanted})
    for row in Population.objects.filter(
        municipality_id__in={key[1] for key in wanted if key[0] == "kommun"}, year__in=years
    ):
        existing[("kommun", row.municipality_id, row.year)] = row
    for area in AreaPopulation.objects.filter(
        area_code__in={key[1] for key in wanted if key[0] == "area"}, year__in=years
    ):
        existing[("area", area.area_code, area.year)] = area
    added = [key for key in wanted if key not in existing]
    changed = [key for key, value in wanted.items() if key in existing and existing[key].population != value]
    checksum = importers.file_checksum(data)
    if not added and not changed:
        return ImportResult(
            run=ImportRun.objects.filter(checksum=checksum).first(),
            unchanged=True,
            rows=table.rows,
            format_name=table.format_name,
        )
    codes = {pk: code for code, pk in ids.items()}
    run = ImportRun.objects.create(
        kind=ImportRun.Kind.POPULATION,
        file_name=file_name[:300],
        file_format=table.format_name[:300],
        checksum=checksum,
        periods=importers.periods_summary([(year, 0) for year in years]),
        municipality_count=len({key[1] for key in wanted if key[0] == "kommun"}),
        rows=table.rows,
        added=len(added),
        replaced=len(changed),
        report=_table_report(table),
        replaced_examples=[
            {
                "kommun": codes.get(int(key[1]), str(key[1])) if key[0] == "kommun" else key[1],
                "år": key[2],
                "före": existing[key].population,
                "efter": wanted[key],
            }
            for key in changed[:20]
        ],
        example_data=example_data,
        imported_by=by if by is not None and by.is_authenticated else None,  # type: ignore[misc]
    )
    Population.objects.bulk_create(
        [
            Population(municipality_id=key[1], year=key[2], population=wanted[key], import_run=run)
            for key in added
            if key[0] == "kommun"
        ],
        batch_size=5000,
    )
    AreaPopulation.objects.bulk_create(
        [
            AreaPopulation(area_code=key[1], year=key[2], population=wanted[key], import_run=run)
            for key in added
            if key[0] == "area"
        ],
        batch_size=5000,
    )
    for key in changed:
        existing[key].population = wanted[key]
        existing[key].import_run = run
    Population.objects.bulk_update(
        [item for key in changed if isinstance(item := existing[key], Population)],
        ["population", "import_run"],
        batch_size=5000,
    )
    AreaPopulation.objects.bulk_update(
        [item for key in changed if isinstance(item := existing[key], AreaPopulation)],
        ["population", "import_run"],
        batch_size=5000,
    )
    if progress:
        progress(table.rows)
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=run,
        changes={"rows": [None, run.rows], "replaced": [None, run.replaced]},
        reason=_("Import av folkmängd: %(periods)s") % {"periods": run.periods},
    )
    return ImportResult(
        run=run,
        unchanged=False,
        rows=table.rows,
        added=len(added),
        replaced=len(changed),
        format_name=table.format_name,
    )


@transaction.atomic
def comparison_group_save(
    *, municipality: Municipality, name: str, members: Collection[Municipality], note: str, by: AnyUser
) -> ComparisonGroup:
    if not rules.can_edit_comparison_group(by, municipality):
        raise PermissionDenied
    if any(member.pk == municipality.pk for member in members):
        raise ValidationError(_("Kommunen kan inte jämföras med sig själv."))
    group, created = ComparisonGroup.objects.get_or_create(municipality=municipality, defaults={"name": name})
    before = {"name": group.name, "note": group.note, "members": list(group.members.all())}
    group.name = name
    group.note = note
    group.save()
    group.members.set(members)
    after = {"name": name, "note": note, "members": list(members)}
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        instance=group,
        changes=audit_changes(
            before={} if created else before, after=after, fields=["name", "note", "members"]
        ),
    )
    return group
