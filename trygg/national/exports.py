"""Open data: every public promise with its activities, executions and statuses as CSV, JSON and Parquet.

Two scopes: "installation" is what this installation publishes itself (its own promises and those it read from
documents), "national" adds the promises harvested from other installations (only in national mode). The files
are written by `trygg export_open_data` (a daily job) under OPEN_DATA_DIR and served from /oppna-data/.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db.models import Q, QuerySet

from trygg.core.csvexport import FORMULA_START
from trygg.followup.models import Execution
from trygg.followup.selectors import activities_progress, status_label, with_followup
from trygg.promises.models import Activity, Promise

from .models import PromiseCoverage, PromiseSource

INSTALLATION = "installation"
NATIONAL = "national"
TABLES = ("promises", "activities", "executions", "statuses")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "json": "application/json",
}
# A cell that a spreadsheet would read as a formula is written with a leading apostrophe: core.csvexport's rule,
# applied to whole columns at once.
FORMULA_PATTERN = "^[" + "".join(re.escape(start) for start in FORMULA_START) + "]"
CHUNK = 20_000

SCHEMAS: dict[str, dict[str, Any]] = {
    "promises": {
        "kommunkod": pl.String,
        "kommun": pl.String,
        "promise_id": pl.Int64,
        "slug": pl.String,
        "title": pl.String,
        "valid_from": pl.Date,
        "valid_until": pl.Date,
        "status": pl.String,
        "published_on": pl.Date,
        "url": pl.String,
        "source_kind": pl.String,
        "source_url": pl.String,
        "fetched_at": pl.String,
        "verified": pl.Boolean,
        "shared_kommunkoder": pl.String,
    },
    "activities": {
        "kommunkod": pl.String,
        "promise_id": pl.Int64,
        "activity_id": pl.Int64,
        "focus_area": pl.String,
        "text": pl.String,
        "quantity": pl.Int64,
        "quantity_max": pl.Int64,
        "at_least": pl.Boolean,
        "unit": pl.String,
        "per": pl.String,
        "start_date": pl.Date,
        "end_date": pl.Date,
        "responsible": pl.String,
    },
    "executions": {
        "kommunkod": pl.String,
        "promise_id": pl.Int64,
        "activity_id": pl.Int64,
        "execution_id": pl.Int64,
        "done_on": pl.Date,
        "description": pl.String,
        "count": pl.Int64,
        "participants": pl.Int64,
        "place": pl.String,
        "example_data": pl.Boolean,
    },
    "statuses": {
        "kommunkod": pl.String,
        "promise_id": pl.Int64,
        "activity_id": pl.Int64,
        "as_of": pl.Date,
        "status": pl.String,
        "status_label": pl.String,
        "target": pl.Int64,
        "done": pl.Int64,
        "period_start": pl.Date,
        "period_end": pl.Date,
        "counts_as_followup": pl.Boolean,
    },
}


def scope_promises(scope: str) -> QuerySet[Promise]:
    promises = Promise.objects.public()
    if scope == INSTALLATION:
        promises = promises.exclude(provenance__kind=PromiseSource.Kind.HARVESTED)
    return promises


def _frame(table: str, rows: Iterator[tuple[Any, ...]]) -> pl.DataFrame:
    schema = SCHEMAS[table]
    frames = []
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            frames.append(pl.DataFrame(batch, schema=schema, orient="row"))
            batch = []
    frames.append(pl.DataFrame(batch, schema=schema, orient="row"))
    return pl.concat(frames)


def _promise_rows(promises: QuerySet[Promise]) -> Iterator[tuple[Any, ...]]:
    shared: dict[int, list[str]] = {}
    for promise_id, code in PromiseCoverage.objects.filter(promise__in=promises).values_list(
        "promise_id", "kommun_code"
    ):
        shared.setdefault(promise_id, []).append(code)
    base = getattr(settings, "SITE_URL", "")
    for promise in promises.select_related("municipality", "provenance").order_by(
        "municipality__scb_code", "pk"
    ):
        source: PromiseSource | None = (
            getattr(promise, "provenance", None) if hasattr(promise, "provenance") else None
        )
        yield (
            promise.municipality.scb_code,
            promise.municipality.name,
            promise.pk,
            promise.slug,
            promise.title,
            promise.valid_from,
            promise.valid_until,
            promise.status,
            promise.published_on,
            base + promise.get_absolute_url(),
            source.kind if source else "local",
            source.source_url if source else "",
            source.fetched_at.isoformat() if source else "",
            source.is_verified if source else True,
            " ".join(sorted(shared.get(promise.pk, []))),
        )


def _activity_rows(promises: QuerySet[Promise]) -> Iterator[tuple[Any, ...]]:
    activities = (
        Activity.objects.filter(focus_area__promise__in=promises)
        .select_related("focus_area__promise__municipality")
        .prefetch_related("responsible_parties")
        .order_by("focus_area__promise_id", "focus_area__order", "order", "pk")
    )
    for activity in activities.iterator(chunk_size=2000):
        promise = activity.focus_area.promise
        yield (
            promise.municipality.scb_code,
            promise.pk,
            activity.pk,
            activity.focus_area.title,
            activity.text,
            activity.quantity,
            activity.quantity_max,
            activity.at_least,
            activity.unit,
            activity.per,
            activity.start_date,
            activity.end_date,
            "; ".join(party.name for party in activity.responsible_parties.all()),
        )


def _execution_rows(promises: QuerySet[Promise]) -> Iterator[tuple[Any, ...]]:
    executions = (
        Execution.objects.counted()
        .filter(activity__focus_area__promise__in=promises)
        .order_by("activity__focus_area__promise_id", "activity_id", "done_on", "pk")
        .values_list(
            "activity__focus_area__promise__municipality__scb_code",
            "activity__focus_area__promise_id",
            "activity_id",
            "pk",
            "done_on",
            "description",
            "count",
            "participants",
            "place",
            "is_example",
        )
    )
    yield from executions.iterator(chunk_size=CHUNK)


def _status_rows(promises: QuerySet[Promise], today: dt.date) -> Iterator[tuple[Any, ...]]:
    unverified = set(
        PromiseSource.objects.filter(
            promise__in=promises, kind=PromiseSource.Kind.DOCUMENT, verified_at__isnull=True
        ).values_list("promise_id", flat=True)
    )
    promise_ids = list(promises.values_list("pk", flat=True))
    for start in range(0, len(promise_ids), 200):
        chunk = promise_ids[start : start + 200]
        activities = list(
            with_followup(
                Activity.objects.filter(focus_area__promise_id__in=chunk).select_related(
                    "focus_area__promise__municipality"
                ),
                today,
            ).order_by("focus_area__promise_id", "pk")
        )
        progresses = activities_progress(
            activities=activities, scope=Q(activity__focus_area__promise_id__in=chunk), as_of=today, latest=0
        )
        for activity in activities:
            progress = progresses[activity.pk]
            promise = activity.focus_area.promise
            counted = promise.pk not in unverified
            yield (
                promise.municipality.scb_code,
                promise.pk,
                activity.pk,
                today,
                progress.status_value if counted else "",
                status_label(progress.status) if counted else "",
                progress.result.target,
                progress.result.done,
                progress.period[0],
                progress.period[1],
                counted,
            )


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    rows: dict[str, int]


def _neutralised(frame: pl.DataFrame) -> pl.DataFrame:
    text_columns = [name for name, kind in frame.schema.items() if kind == pl.String]
    if not text_columns:
        return frame
    return frame.with_columns(
        [
            pl.when(pl.col(name).str.contains(FORMULA_PATTERN))
            .then(pl.lit("'") + pl.col(name))
            .otherwise(pl.col(name))
            .alias(name)
            for name in text_columns
        ]
    )


def export_write(*, scope: str, today: dt.date, now: dt.datetime, root: Path | None = None) -> ExportResult:
    """Write the scope's four tables as CSV and Parquet and all of them as one JSON file; the files of the
    previous export stay in place until the new ones are complete, then are replaced at once."""
    directory = (root or Path(settings.OPEN_DATA_DIR)) / scope
    directory.mkdir(parents=True, exist_ok=True)
    promises = scope_promises(scope)
    frames = {
        "promises": _frame("promises", _promise_rows(promises)),
        "activities": _frame("activities", _activity_rows(promises)),
        "executions": _frame("executions", _execution_rows(promises)),
        "statuses": _frame("statuses", _status_rows(promises, today)),
    }
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=directory))
    for table, frame in frames.items():
        _neutralised(frame).write_csv(staging / f"{table}.csv")
        frame.write_parquet(staging / f"{table}.parquet")
    document = {
        "generated_at": now.isoformat(),
        "scope": scope,
        "licence": "https://creativecommons.org/publicdomain/zero/1.0/",
        **{table: frame.to_dicts() for table, frame in frames.items()},
    }
    (staging / "all.json").write_text(
        json.dumps(document, ensure_ascii=False, default=str, separators=(",", ":")), encoding="utf-8"
    )
    (staging / "meta.json").write_text(
        json.dumps({"generated_at": now.isoformat(), "rows": {t: f.height for t, f in frames.items()}}),
        encoding="utf-8",
    )
    for path in staging.iterdir():
        os.replace(path, directory / path.name)
    staging.rmdir()
    return ExportResult(directory, {table: frame.height for table, frame in frames.items()})


def export_meta(scope: str) -> dict[str, Any] | None:
    try:
        return json.loads((Path(settings.OPEN_DATA_DIR) / scope / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def export_path(scope: str, name: str) -> Path:
    return Path(settings.OPEN_DATA_DIR) / scope / name


def scopes() -> tuple[str, ...]:
    return (INSTALLATION, NATIONAL) if settings.NATIONAL else (INSTALLATION,)
