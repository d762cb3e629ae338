"""Reads of indicators: the public series as table rows, with small counts suppressed, and the staff page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from trygg.followup.status import clock
from trygg.municipalities.models import Municipality
from trygg.promises.models import Activity, Promise

from . import rules
from .disclosure import PublicCounts, drug_tests_public
from .models import Indicator, Measurement, SamplingExecution


def indicators_public(*, municipality: Municipality) -> list[Indicator]:
    return list(
        Indicator.objects.filter(municipality=municipality, is_public=True)
        .annotate(measurement_count=Count("measurements"))
        .order_by("name")
    )


def indicator_get_public(*, municipality_slug: str, slug: str) -> Indicator:
    return get_object_or_404(
        Indicator.objects.filter(municipality__slug=municipality_slug, is_public=True)
        .select_related("municipality")
        .prefetch_related(
            # Only activities of public promises: a draft is never named on a public page.
            Prefetch(
                "activities",
                queryset=Activity.objects.filter(
                    focus_area__promise__status__in=Promise.Status.public()
                ).select_related("focus_area__promise__municipality"),
            ),
            Prefetch("measurements", queryset=Measurement.objects.order_by("sampled_on", "substance", "pk")),
        ),
        slug=slug,
    )


@dataclass
class SeriesRow:
    sampled_on: dt.date
    values: dict[str, Decimal | None] = field(default_factory=dict)  # substance (or "") -> value
    counts: PublicCounts | None = None
    labs: set[str] = field(default_factory=set)
    is_example: bool = False
    cells: list[Decimal | None] = field(default_factory=list)  # values in the order of Series.columns


@dataclass
class Series:
    indicator: Indicator
    columns: list[tuple[str, str]]  # (substance value, label)
    rows: list[SeriesRow]

    @property
    def has_example(self) -> bool:
        return any(row.is_example for row in self.rows)


def _plain(value: Decimal | None) -> Decimal | None:
    """9.800 → 9.8 and 30.000 → 30 (not 3E+1): the stored scale is not the measurement's precision."""
    return None if value is None else Decimal(format(value.normalize(), "f"))


def indicator_series(indicator: Indicator) -> Series:
    """The measurements by sampling date (from the prefetched rows): one column per substance for wastewater,
    the public counts for drug tests, one value for other indicators."""
    labels = dict(Measurement.Substance.choices)
    by_date: dict[dt.date, SeriesRow] = {}
    substances: list[str] = []
    for measurement in indicator.measurements.all():
        row = by_date.setdefault(measurement.sampled_on, SeriesRow(sampled_on=measurement.sampled_on))
        row.is_example = row.is_example or measurement.is_example
        if measurement.lab:
            row.labs.add(measurement.lab)
        if indicator.kind == Indicator.Kind.SCHOOL_DRUG_TESTS:
            row.counts = drug_tests_public(tested=measurement.tested, positive=measurement.positive)
            continue
        row.values[measurement.substance] = _plain(measurement.value)
        if measurement.substance not in substances:
            substances.append(measurement.substance)
    order = {value: index for index, value in enumerate(Measurement.Substance.values)}
    substances.sort(key=lambda value: order.get(value, -1))
    columns = [(value, str(labels.get(value, "")) if value else indicator.unit) for value in substances]
    rows = [by_date[day] for day in sorted(by_date)]
    for row in rows:
        row.cells = [row.values.get(value) for value, _label in columns]
    return Series(indicator=indicator, columns=columns, rows=rows)


def staff_indicator_list(*, user: object) -> QuerySet[Indicator]:
    return (
        rules.staff_indicators(user)  # type: ignore[arg-type]
        .select_related("municipality")
        .annotate(measurement_count=Count("measurements"))
        .order_by("municipality__name", "name")
    )


def staff_indicator_get(*, user: object, pk: int) -> Indicator:
    return get_object_or_404(
        rules.staff_indicators(user)  # type: ignore[arg-type]
        .select_related("municipality")
        .prefetch_related(
            "activities__focus_area__promise",
            Prefetch("measurements", queryset=Measurement.objects.order_by("-sampled_on", "substance")),
        ),
        pk=pk,
    )


def _period(activity: Activity) -> tuple[dt.date, dt.date]:
    promise = activity.focus_area.promise
    return clock(
        own_start=activity.start_date,
        own_end=activity.end_date,
        promise_start=promise.valid_from,
        promise_end=promise.valid_until,
    )


@dataclass(frozen=True)
class LinkedActivity:
    activity: Activity
    promise: Promise
    starts_on: dt.date
    ends_on: dt.date
    samples_counted: int


@dataclass(frozen=True)
class CountedSample:
    """A sampling occasion as counted toward one activity: what the staff page offers to move."""

    sampled_on: dt.date
    activity: Activity
    withdrawn: bool
    # Outside the activity's period it should count toward another activity (or none): say so beside it.
    in_period: bool
    still_linked: bool


@dataclass(frozen=True)
class StaffIndicatorPage:
    indicator: Indicator
    measurements: list[Measurement]
    linked: list[LinkedActivity]
    samples: list[CountedSample]  # the newest sample first


def staff_indicator_page(*, user: object, pk: int) -> StaffIndicatorPage:
    """The staff page of one indicator in a fixed number of queries, however many samples and links."""
    indicator = get_object_or_404(
        rules.staff_indicators(user)  # type: ignore[arg-type]
        .select_related("municipality")
        .prefetch_related(
            Prefetch(
                "activities",
                queryset=Activity.objects.select_related("focus_area__promise").order_by(
                    "-focus_area__promise__valid_from", "focus_area__order", "order", "pk"
                ),
            ),
            Prefetch("measurements", queryset=Measurement.objects.order_by("-sampled_on", "substance", "pk")),
            Prefetch(
                "sampling_executions",
                queryset=SamplingExecution.objects.select_related(
                    "execution", "activity__focus_area__promise"
                ).order_by("-sampled_on", "activity__focus_area__promise__valid_from", "activity_id"),
            ),
        ),
        pk=pk,
    )
    rows = list(indicator.sampling_executions.all())
    linked_ids = {activity.pk for activity in indicator.activities.all()}
    samples = []
    counted: dict[int, int] = {}
    for row in rows:
        starts_on, ends_on = _period(row.activity)
        withdrawn = row.execution is None or row.execution.withdrawn
        if not withdrawn:
            counted[row.activity_id] = counted.get(row.activity_id, 0) + 1
        samples.append(
            CountedSample(
                sampled_on=row.sampled_on,
                activity=row.activity,
                withdrawn=withdrawn,
                in_period=starts_on <= row.sampled_on <= ends_on,
                still_linked=row.activity_id in linked_ids,
            )
        )
    linked = []
    for activity in indicator.activities.all():
        starts_on, ends_on = _period(activity)
        linked.append(
            LinkedActivity(
                activity=activity,
                promise=activity.focus_area.promise,
                starts_on=starts_on,
                ends_on=ends_on,
                samples_counted=counted.get(activity.pk, 0),
            )
        )
    return StaffIndicatorPage(
        indicator=indicator, measurements=list(indicator.measurements.all()), linked=linked, samples=samples
    )
