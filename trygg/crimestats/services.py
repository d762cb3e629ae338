import os
import tomllib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_changes, audit_record
from trygg.municipalities.models import Municipality
from trygg.problems.models import Problem

from . import importers, rules
from .models import ComparisonGroup, CrimeCategory, ImportRun, Population, ReportedCrime

CATEGORIES_PATH = Path(__file__).with_name("categories.toml")
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
        values = {"name": entry["name"], "aliases": list(entry.get("aliases", [])), "problem": problem}
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
    missing = frame.filter(~pl.col("kommun_code").is_in(list(ids))).unique("kommun_code", keep="first")
    if missing.height:
        taken = set(Municipality.objects.values_list("slug", flat=True))
        for code, name in missing.select("kommun_code", "kommun_name").iter_rows():
            display = name or code
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


def _read_bytes(source: str | os.PathLike[str] | bytes) -> bytes:
    if isinstance(source, bytes):
        return source
    with open(source, "rb") as handle:
        return handle.read()


def _cover_filter(municipality_ids: list[int], category_ids: list[int], periods: list[tuple[int, int]]) -> Q:
    by_year: dict[int, list[int]] = {}
    for year, month in periods:
        by_year.setdefault(year, []).append(month)
    periods_q = Q()
    for year, months in by_year.items():
        periods_q |= Q(year=year, month__in=months)
    return Q(municipality_id__in=municipality_ids, category_id__in=category_ids) & periods_q


def _existing(cover: Q) -> pl.DataFrame:
    rows = ReportedCrime.objects.filter(cover).values_list(
        "municipality_id", "category_id", "year", "month", "count"
    )
    return pl.DataFrame(
        list(rows),
        schema={
            "municipality_id": pl.Int64,
            "category_id": pl.Int64,
            "year": pl.Int64,
            "month": pl.Int64,
            "old": pl.Int64,
        },
        orient="row",
    )


def _batches(frame: pl.DataFrame, size: int) -> Iterator[pl.DataFrame]:
    for offset in range(0, frame.height, size):
        yield frame.slice(offset, size)


def _insert_figures(frame: pl.DataFrame, run_id: int, progress: Progress | None) -> None:
    """Bulk insert: COPY on PostgreSQL, batched executemany elsewhere (model instances would cost 10× more)."""
    table = ReportedCrime._meta.db_table
    columns = ["municipality_id", "category_id", "year", "month", "count", "import_run_id"]
    rows = frame.select(columns[:-1]).with_columns(pl.lit(run_id, dtype=pl.Int64).alias("import_run_id"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quoted = ", ".join(connection.ops.quote_name(name) for name in columns)
            sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(sql) as copy:
                for batch in _batches(rows, INSERT_BATCH):
                    copy.write(batch.write_csv(separator="\t", include_header=False))
                    if progress:
                        progress(batch.height)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        quoted = ", ".join(connection.ops.quote_name(name) for name in columns)
        # Table and column names come from the model, quoted; the values are parameters.
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"  # noqa: S608
        for batch in _batches(rows, INSERT_BATCH):
            cursor.executemany(sql, batch.rows())
            if progress:
                progress(batch.height)


@transaction.atomic
def crimestats_import(
    *,
    source: str | os.PathLike[str] | bytes,
    file_name: str,
    by: AnyUser | None,
    mapping: importers.ColumnMapping = importers.DEFAULT_MAPPING,
    create_municipalities: bool = False,
    example_data: bool = False,
    source_note: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Import a reported-crime file in one transaction; a file with any error imports nothing.

    The file covers the periods, municipalities and categories it contains. Within that cover the file's figures
    replace what was there (figures the file no longer has are removed); the run records how many it replaced.
    Importing a file whose figures are already in place changes nothing and records nothing.
    """
    if by is not None and not rules.can_import_statistics(by):
        raise PermissionDenied
    data = _read_bytes(source)
    checksum = importers.file_checksum(data)
    categories = crime_categories_sync()
    known = None if create_municipalities else set(Municipality.objects.values_list("scb_code", flat=True))
    table = importers.read_crime_file(
        data, categories=_spellings(categories), municipalities=known, mapping=mapping
    )
    municipality_ids = _municipalities_ensure(table.frame, create=create_municipalities)
    category_ids = {code: category.pk for code, category in categories.items()}
    frame = table.frame.with_columns(
        pl.col("kommun_code")
        .replace_strict(municipality_ids, return_dtype=pl.Int64)
        .alias("municipality_id"),
        pl.col("category").replace_strict(category_ids, return_dtype=pl.Int64).alias("category_id"),
        pl.col("year").cast(pl.Int64),
        pl.col("month").cast(pl.Int64),
    )
    periods = table.periods
    used_municipalities = frame.get_column("municipality_id").unique().to_list()
    used_categories = frame.get_column("category_id").unique().to_list()
    cover = _cover_filter(used_municipalities, used_categories, periods)
    existing = _existing(cover)
    keys = ["municipality_id", "category_id", "year", "month"]
    joined = frame.select(*keys, "count", "kommun_code", "category").join(
        existing, on=keys, how="full", coalesce=True
    )
    added = joined.filter(pl.col("old").is_null()).height
    removed = joined.filter(pl.col("count").is_null()).height
    changed = joined.filter(
        pl.col("old").is_not_null() & pl.col("count").is_not_null() & (pl.col("old") != pl.col("count"))
    )
    if added == 0 and removed == 0 and changed.height == 0:
        previous = ImportRun.objects.filter(checksum=checksum).first()
        return ImportResult(run=previous, unchanged=True, rows=table.rows)

    ReportedCrime.objects.filter(cover).delete()
    run = ImportRun.objects.create(
        kind=ImportRun.Kind.CRIME,
        file_name=file_name[:300],
        checksum=checksum,
        periods=importers.periods_summary(periods)[:500],
        municipality_count=len(used_municipalities),
        rows=table.rows,
        added=added,
        replaced=changed.height,
        removed=removed,
        replaced_examples=[
            {
                "kommun": code,
                "kategori": category,
                "period": importers.period_label(year, month),
                "före": old,
                "efter": new,
            }
            for code, category, year, month, old, new in changed.head(20)
            .select("kommun_code", "category", "year", "month", "old", "count")
            .iter_rows()
        ],
        source_note=source_note[:300],
        example_data=example_data,
        imported_by=by if by is not None and by.is_authenticated else None,  # type: ignore[misc]
    )
    _insert_figures(frame, run.pk, progress)
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=run,
        changes={"rows": [None, run.rows], "replaced": [None, run.replaced], "removed": [None, run.removed]},
        reason=_("Import av anmälda brott: %(periods)s") % {"periods": run.periods},
    )
    return ImportResult(
        run=run, unchanged=False, rows=table.rows, added=added, replaced=run.replaced, removed=removed
    )


@transaction.atomic
def population_import(
    *,
    source: str | os.PathLike[str] | bytes,
    file_name: str,
    by: AnyUser | None,
    create_municipalities: bool = False,
    example_data: bool = False,
) -> ImportResult:
    """Import population per municipality and year (SCB's layout); the file's figures replace older ones."""
    if by is not None and not rules.can_import_statistics(by):
        raise PermissionDenied
    data = _read_bytes(source)
    known = None if create_municipalities else set(Municipality.objects.values_list("scb_code", flat=True))
    table = importers.read_population_file(data, municipalities=known)
    ids = _municipalities_ensure(table.frame, create=create_municipalities)
    wanted = {
        (ids[code], int(year)): int(population)
        for code, year, population in table.frame.select("kommun_code", "year", "population").iter_rows()
    }
    existing = {
        (row.municipality_id, row.year): row
        for row in Population.objects.filter(
            municipality_id__in={key[0] for key in wanted}, year__in={key[1] for key in wanted}
        )
    }
    added = [key for key in wanted if key not in existing]
    changed = [key for key, value in wanted.items() if key in existing and existing[key].population != value]
    if not added and not changed:
        return ImportResult(
            run=ImportRun.objects.filter(checksum=importers.file_checksum(data)).first(),
            unchanged=True,
            rows=table.rows,
        )
    years = sorted({year for _id, year in wanted})
    run = ImportRun.objects.create(
        kind=ImportRun.Kind.POPULATION,
        file_name=file_name[:300],
        checksum=importers.file_checksum(data),
        periods=importers.periods_summary([(year, 0) for year in years]),
        municipality_count=len({key[0] for key in wanted}),
        rows=table.rows,
        added=len(added),
        replaced=len(changed),
        replaced_examples=[
            {"kommun_id": key[0], "år": key[1], "före": existing[key].population, "efter": wanted[key]}
            for key in changed[:20]
        ],
        example_data=example_data,
        imported_by=by if by is not None and by.is_authenticated else None,  # type: ignore[misc]
    )
    Population.objects.bulk_create(
        [
            Population(municipality_id=key[0], year=key[1], population=wanted[key], import_run=run)
            for key in added
        ],
        batch_size=5000,
    )
    for key in changed:
        existing[key].population = wanted[key]
        existing[key].import_run = run
    Population.objects.bulk_update(
        [existing[key] for key in changed], ["population", "import_run"], batch_size=5000
    )
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=run,
        changes={"rows": [None, run.rows], "replaced": [None, run.replaced]},
        reason=_("Import av folkmängd: %(periods)s") % {"periods": run.periods},
    )
    return ImportResult(run=run, unchanged=False, rows=table.rows, added=len(added), replaced=len(changed))


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
