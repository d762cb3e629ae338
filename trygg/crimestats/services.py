from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Callable, Collection, Iterator, Sequence
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


def _existing(model: type[ReportedCrime] | type[AreaCrime], cover: Q, field: str) -> pl.DataFrame:
    rows = model.objects.filter(cover).values_list(
        field, "category_id", "year", "month", "count", "preliminary", "id"
    )
    return pl.DataFrame(
        list(rows),
        schema={
            "place": pl.Int64 if field == "municipality_id" else pl.String,
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


def _figure_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("place").alias("municipality_id"), "category_id", "year", "month", "count", "preliminary"
    )


def _write_figures(
    frame: pl.DataFrame, existing: pl.DataFrame, run_id: int, progress: Progress | None
) -> None:
    """SQLite: only what differs is written, with batched executemany in the import's transaction (model
    instances would cost 10× more): stored figures of the cover the file no longer has are deleted, changed ones
    updated (and carry this run), new ones inserted in the unique index's order. The page cache is made large
    enough for the table's indexes to be updated in memory during the import and set back afterwards."""
    table = connection.ops.quote_name(ReportedCrime._meta.db_table)
    keys = ["place", "category_id", "year", "month"]
    figures = frame.select(*keys, "count", "preliminary")
    if existing.height:
        joined = figures.join(existing, on=keys, how="full", coalesce=True)
        removed = joined.filter(pl.col("count").is_null()).select("id")
        changed = joined.filter(
            pl.col("old").is_not_null()
            & pl.col("count").is_not_null()
            & ((pl.col("old") != pl.col("count")) | (pl.col("old_preliminary") != pl.col("preliminary")))
        ).select("count", "preliminary", pl.lit(run_id, dtype=pl.Int64).alias("run"), "id")
        added = joined.filter(pl.col("old").is_null()).select(*keys, "count", "preliminary")
    else:
        removed, changed, added = existing.select("id"), existing.clear(), figures
    added = added.sort(keys).with_columns(pl.lit(run_id, dtype=pl.Int64).alias("import_run_id"))
    columns = ", ".join(connection.ops.quote_name(name) for name in [*FIGURE_COLUMNS, "import_run_id"])
    # The table and column names come from the model, quoted; the values are parameters.
    statements = [
        (f"DELETE FROM {table} WHERE id = %s", removed),  # noqa: S608
        (
            f"UPDATE {table} SET count = %s, preliminary = %s, import_run_id = %s WHERE id = %s",  # noqa: S608
            changed,
        ),
        (f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 7)})", added),  # noqa: S608
    ]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
        try:
            for sql, rows in statements:
                for batch in _batches(rows, INSERT_BATCH):
                    cursor.executemany(sql, batch.rows())
                    if progress and rows is not removed:
                        progress(batch.height)
        finally:
            cursor.execute(f"PRAGMA cache_size = {cache_size}")


def _references_hold(frame: pl.DataFrame) -> None:
    """What the foreign-key constraints would check for every row, checked once for the set: every kommun and
    category the figures name exists, and (PostgreSQL: FOR KEY SHARE, the lock a constraint's check takes; SQLite:
    the import already holds the database's write lock) none can be deleted before the import commits."""
    for model, column in ((Municipality, "place"), (CrimeCategory, "category_id")):
        ids = frame.get_column(column).unique().to_list()
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


# PostgreSQL: the file's figures are copied (COPY) into a temporary staging table, compared with what is stored
# and merged in set-based statements; no stored row travels to Python.
STAGING = "trygg_crime_staging"
CHANGES = "trygg_crime_changes"
# Any constant key shared by every crime import: they take it in turn (pg_advisory_xact_lock).
IMPORT_LOCK = 0x7472_7967  # "tryg"
FIGURE_COLUMNS = ["municipality_id", "category_id", "year", "month", "count", "preliminary"]
SQLITE_IMPORT_CACHE_KIB = 256 * 1024
_MATCH = " AND ".join(f"r.{name} = s.{name}" for name in ("municipality_id", "category_id", "year", "month"))
# Within the file's cover: its kommuner, categories and periods (the periods as two parallel arrays).
_COVER = (
    "r.municipality_id = ANY(%s) AND r.category_id = ANY(%s) "
    "AND (r.year, r.month) IN (SELECT * FROM unnest(%s::integer[], %s::integer[]))"
)


def _cover_params(frame: pl.DataFrame, periods: list[tuple[int, int]]) -> list[list[int]]:
    return [
        frame.get_column("place").unique().to_list(),
        frame.get_column("category_id").unique().to_list(),
        [year for year, _month in periods],
        [month for _year, month in periods],
    ]


def _stage_figures(frame: pl.DataFrame, progress: Progress | None) -> None:
    """COPY the file's kommun figures into the staging table (psycopg 3's cursor.copy) in the unique index's order,
    each with its place in the file (`line`), as text written by polars."""
    quoted = ", ".join(connection.ops.quote_name(name) for name in ["line", *FIGURE_COLUMNS])
    rows = _figure_rows(frame).with_columns(
        pl.when(pl.col("preliminary")).then(pl.lit("t")).otherwise(pl.lit("f")).alias("preliminary")
    )
    rows = rows.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("line"), *FIGURE_COLUMNS).sort(
        FIGURE_COLUMNS[:4]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING} (line bigint, municipality_id bigint, category_id bigint, "
            "year integer, month integer, count integer, preliminary boolean) ON COMMIT DROP"
        )
        _copy(cursor, f"COPY {STAGING} ({quoted}) FROM STDIN", rows, progress)


def _copy(cursor: Any, sql: str, rows: pl.DataFrame, progress: Progress | None) -> None:
    raw = cursor.cursor  # the psycopg cursor under Django's wrapper
    with raw.copy(sql) as copy:
        for batch in _batches(rows, INSERT_BATCH):
            copy.write(batch.write_csv(separator="\t", include_header=False))
            if progress:
                progress(batch.height)


def _cover_is_empty(cover: list[list[int]]) -> bool:
    table = connection.ops.quote_name(ReportedCrime._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table} r WHERE {_COVER})", cover)  # noqa: S608
        return bool(cursor.fetchone()[0])


def _copy_figures(frame: pl.DataFrame, run_id: int, progress: Progress | None) -> None:
    """A first import of its cover (nothing stored there yet): COPY the figures straight into the table, in the
    unique index's order, without a staging table or a comparison."""
    columns = [*FIGURE_COLUMNS, "import_run_id"]
    rows = (
        _figure_rows(frame)
        .with_columns(
            pl.when(pl.col("preliminary")).then(pl.lit("t")).otherwise(pl.lit("f")).alias("preliminary"),
            pl.lit(run_id, dtype=pl.Int64).alias("import_run_id"),
        )
        .select(columns)
        .sort(FIGURE_COLUMNS[:4])
    )
    table = connection.ops.quote_name(ReportedCrime._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(name) for name in columns)
    with connection.cursor() as cursor:
        _copy(cursor, f"COPY {table} ({quoted}) FROM STDIN", rows, progress)


def _compare_staged(cover: list[list[int]]) -> _Changes:
    """Compare the staged figures with the stored ones in SQL. When the file's cover holds no figures yet (a first
    import), every staged figure is new and nothing is joined; otherwise the figures the file adds or changes are
    kept in a second temporary table (with the id of the row a change replaces), so that the merge writes only
    those and finds each replaced row by its primary key."""
    table = connection.ops.quote_name(ReportedCrime._meta.db_table)
    municipalities = connection.ops.quote_name(Municipality._meta.db_table)
    categories = connection.ops.quote_name(CrimeCategory._meta.db_table)
    # Table names come from the models, quoted; the values are parameters.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} r WHERE {_COVER}", cover)  # noqa: S608
        (covered,) = cursor.fetchone()
        cursor.execute(f"SELECT count(*) FROM {STAGING}")  # noqa: S608
        (staged,) = cursor.fetchone()
        if not covered:
            return _Changes(added=staged, removed=0, finalised=0, replaced=0, examples=[], fresh=True)
        cursor.execute(f"ANALYZE {STAGING}")  # the join's plan needs its size
        cursor.execute(f"DROP TABLE IF EXISTS {CHANGES}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {CHANGES} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT s.*, r.id AS replaces, r.count AS old, r.preliminary AS old_preliminary "
            f"FROM {STAGING} s LEFT JOIN {table} r ON {_MATCH} "
            f"WHERE r.id IS NULL OR r.count <> s.count OR r.preliminary <> s.preliminary"
        )
        cursor.execute(
            f"SELECT count(*) FILTER (WHERE replaces IS NULL), count(*) FILTER (WHERE replaces IS NOT NULL), "  # noqa: S608
            f"count(*) FILTER (WHERE old_preliminary AND NOT preliminary) FROM {CHANGES}"
        )
        added, replaced, finalised = cursor.fetchone()
        # Every stored figure the file matches lies in its cover; the rest of the cover is what it no longer has.
        removed = covered - (staged - added)
        examples: list[tuple[Any, ...]] = []
        if replaced:
            cursor.execute(
                f"SELECT m.scb_code, c.code, s.year, s.month, s.old, s.old_preliminary, s.count, s.preliminary "  # noqa: S608
                f"FROM {CHANGES} s JOIN {municipalities} m ON m.id = s.municipality_id "
                f"JOIN {categories} c ON c.id = s.category_id "
                f"WHERE s.replaces IS NOT NULL ORDER BY s.line LIMIT 20"
            )
            examples = [tuple(row) for row in cursor.fetchall()]
    return _Changes(added=added, removed=removed, finalised=finalised, replaced=replaced, examples=examples)


def _merge_staged(cover: list[list[int]], run_id: int, *, changes: _Changes) -> None:
    """Figures of the cover the file no longer has are removed (when there are any), changed figures updated by
    primary key and new ones inserted with plain INSERT … SELECT in the unique index's order; a figure the file
    left as it was is not rewritten (it keeps the run that set it). Crime imports run one at a time (a
    transaction-level advisory lock), so no other import inserts the same figures meanwhile."""
    table = connection.ops.quote_name(ReportedCrime._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in [*FIGURE_COLUMNS, "import_run_id"])
    source = STAGING if changes.fresh else CHANGES
    # Table and column names come from the model, quoted; the values are parameters.
    with connection.cursor() as cursor:
        if changes.removed:
            cursor.execute(
                f"DELETE FROM {table} r WHERE {_COVER} "  # noqa: S608
                f"AND NOT EXISTS (SELECT 1 FROM {STAGING} s WHERE {_MATCH})",
                cover,
            )
        if changes.replaced:
            cursor.execute(
                f"UPDATE {table} r SET count = s.count, preliminary = s.preliminary, import_run_id = %s "  # noqa: S608
                f"FROM {CHANGES} s WHERE r.id = s.replaces",
                [run_id],
            )
        if changes.added:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608
                f"SELECT municipality_id, category_id, year, month, count, preliminary, %s FROM {source} "
                + (
                    ""
                    if changes.fresh
                    else "WHERE replaces IS NULL ORDER BY municipality_id, category_id, year, month"
                ),
                [run_id],
            )
        cursor.execute(f"DROP TABLE {STAGING}")
        if not changes.fresh:
            cursor.execute(f"DROP TABLE {CHANGES}")


@dataclass(frozen=True)
class _Changes:
    added: int
    removed: int
    finalised: int
    replaced: int  # figures whose count or preliminary mark changed
    # Up to 20 of those: kommun_code, category, year, month, old, old_preliminary, count, preliminary
    examples: list[tuple[Any, ...]]
    fresh: bool = False  # PostgreSQL: the cover held no figures, so every figure of the file is new


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
    categories = crime_categories_sync()
    known = None if create_municipalities else set(Municipality.objects.values_list("scb_code", flat=True))
    # Joining would copy a large file; only Kolada's pages come in several parts.
    checksum = importers.file_checksum(b"".join([data, *more_pages]) if more_pages else data)
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

    local_cover = _cover_filter(
        local.get_column("place").unique().to_list(),
        local.get_column("category_id").unique().to_list(),
        periods,
        field="municipality_id",
    )
    area_cover = _cover_filter(
        areas.get_column("place").unique().to_list(),
        areas.get_column("category_id").unique().to_list(),
        periods,
        field="area_code",
    )
    staged = connection.vendor == "postgresql"
    if staged:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        cover = _cover_params(local, periods)
        if _cover_is_empty(cover):
            local_changes = _Changes(
                added=local.height, removed=0, finalised=0, replaced=0, examples=[], fresh=True
            )
        else:
            _stage_figures(local, progress)
            local_changes = _compare_staged(cover)
    else:
        stored = _existing(ReportedCrime, local_cover, "municipality_id")
        local_changes = _compare(local, stored)
    area_changes = _compare(areas, _existing(AreaCrime, area_cover, "area_code"))
    added = local_changes.added + area_changes.added
    removed = local_changes.removed + area_changes.removed
    replaced = local_changes.replaced + area_changes.replaced
    examples = [*local_changes.examples, *area_changes.examples][:20]
    finalised = local_changes.finalised + area_changes.finalised
    if added == 0 and removed == 0 and replaced == 0:
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
        municipality_count=local.get_column("place").n_unique(),
        rows=table.rows,
        added=added,
        replaced=replaced,
        removed=removed,
        finalised=finalised,
        report=_table_report(table),
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
    _references_hold(local)
    if staged:
        if local_changes.fresh:
            _copy_figures(local, run.pk, progress)
        else:
            _merge_staged(cover, run.pk, changes=local_changes)
    else:
        _write_figures(local, stored, run.pk, progress)
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
