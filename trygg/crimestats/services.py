import os
import tomllib
from collections.abc import Callable, Collection, Iterator, Sequence
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
        field, "category_id", "year", "month", "count", "preliminary"
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
        },
        orient="row",
    )


def _batches(frame: pl.DataFrame, size: int) -> Iterator[pl.DataFrame]:
    for offset in range(0, frame.height, size):
        yield frame.slice(offset, size)


def _insert_figures(frame: pl.DataFrame, run_id: int, progress: Progress | None) -> None:
    """Bulk insert: COPY on PostgreSQL, batched executemany elsewhere (model instances would cost 10× more)."""
    table = ReportedCrime._meta.db_table
    columns = ["municipality_id", "category_id", "year", "month", "count", "preliminary", "import_run_id"]
    rows = frame.select(pl.col("place").alias("municipality_id"), *columns[1:-1]).with_columns(
        pl.lit(run_id, dtype=pl.Int64).alias("import_run_id")
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quoted = ", ".join(connection.ops.quote_name(name) for name in columns)
            sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(sql) as copy:
                for batch in _batches(rows, INSERT_BATCH):
                    text = batch.with_columns(
                        pl.when(pl.col("preliminary"))
                        .then(pl.lit("t"))
                        .otherwise(pl.lit("f"))
                        .alias("preliminary")
                    ).write_csv(separator="\t", include_header=False)
                    copy.write(text)
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


@dataclass(frozen=True)
class _Changes:
    added: int
    removed: int
    finalised: int
    changed: pl.DataFrame  # rows whose count changed: kommun_code, category, year, month, old, count


def _compare(frame: pl.DataFrame, existing: pl.DataFrame) -> _Changes:
    keys = ["place", "category_id", "year", "month"]
    joined = frame.select(*keys, "count", "preliminary", "kommun_code", "category").join(
        existing, on=keys, how="full", coalesce=True
    )
    both = pl.col("old").is_not_null() & pl.col("count").is_not_null()
    return _Changes(
        added=joined.filter(pl.col("old").is_null()).height,
        removed=joined.filter(pl.col("count").is_null()).height,
        finalised=joined.filter(both & pl.col("old_preliminary") & ~pl.col("preliminary")).height,
        changed=joined.filter(
            both & ((pl.col("old") != pl.col("count")) | (pl.col("old_preliminary") != pl.col("preliminary")))
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
    # Joining would copy a large file; only Kolada's pages come in several parts.
    checksum = importers.file_checksum(b"".join([data, *more_pages]) if more_pages else data)
    if isinstance(table, kolada.KoladaSeries):
        return kpi_series_store(
            series=table,
            file_name=file_name,
            checksum=checksum,
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
    local_changes = _compare(local, _existing(ReportedCrime, local_cover, "municipality_id"))
    area_changes = _compare(areas, _existing(AreaCrime, area_cover, "area_code"))
    added = local_changes.added + area_changes.added
    removed = local_changes.removed + area_changes.removed
    changed = pl.concat(
        [local_changes.changed.drop("place"), area_changes.changed.drop("place")], how="vertical_relaxed"
    )
    finalised = local_changes.finalised + area_changes.finalised
    if added == 0 and removed == 0 and changed.height == 0:
        previous = ImportRun.objects.filter(checksum=checksum).first()
        return ImportResult(run=previous, unchanged=True, rows=table.rows, format_name=table.format_name)

    ReportedCrime.objects.filter(local_cover).delete()
    AreaCrime.objects.filter(area_cover).delete()
    run = ImportRun.objects.create(
        kind=ImportRun.Kind.CRIME,
        file_name=file_name[:300],
        file_format=table.format_name[:300],
        checksum=checksum,
        periods=importers.periods_summary(periods)[:500],
        municipality_count=local.get_column("place").n_unique(),
        rows=table.rows,
        added=added,
        replaced=changed.height,
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
            for code, category, year, month, old, old_preliminary, new, preliminary in changed.head(20)
            .select(
                "kommun_code", "category", "year", "month", "old", "old_preliminary", "count", "preliminary"
            )
            .iter_rows()
        ],
        source_note=source_note[:300],
        example_data=example_data,
        imported_by=by if by is not None and by.is_authenticated else None,  # type: ignore[misc]
    )
    _insert_figures(local, run.pk, progress)
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
