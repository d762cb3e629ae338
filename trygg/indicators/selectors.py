"""Reads of indicators: the public series as table rows, with small counts suppressed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from trygg.municipalities.models import Municipality
from trygg.promises.models import Activity, Promise

from . import rules
from .disclosure import PublicCounts, drug_tests_public
from .models import Indicator, Measurement


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
