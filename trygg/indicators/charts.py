"""An indicator's chart as SVG. The page shows the same numbers in a table beside it."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from matplotlib import rc_context
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .models import Indicator
from .selectors import Series

# Colour-blind-safe (Okabe–Ito), with a distinct marker per line so colour is never the only cue.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]


def series_svg(series: Series) -> bytes:
    indicator = series.indicator
    figure = Figure(figsize=(8, 4.2), dpi=100)
    axes = figure.subplots()
    dates = [row.sampled_on for row in series.rows]
    if indicator.kind == Indicator.Kind.SCHOOL_DRUG_TESTS:
        positions = list(range(len(dates)))
        tested = [row.counts.tested or 0 if row.counts else 0 for row in series.rows]
        axes.bar(
            [p - 0.2 for p in positions],
            tested,
            width=0.4,
            color="#56B4E9",
            edgecolor="#333",
            label=_("testade"),
        )
        labelled = False
        for position, row in zip(positions, series.rows, strict=True):
            counts = row.counts
            if counts is None:
                continue
            if counts.suppressed:
                axes.annotate(
                    _("visas inte") if counts.all_alike else _("färre än 5"),
                    (position + 0.2, 0),
                    xytext=(0, 4),
                    textcoords="offset points",
                    ha="center",
                    rotation=90,
                    fontsize=8,
                )
            elif counts.positive is not None:
                axes.bar(
                    position + 0.2,
                    counts.positive,
                    width=0.4,
                    color="#D55E00",
                    edgecolor="#333",
                    hatch="//",
                    label=_("positiva") if not labelled else None,
                )
                labelled = True
        axes.set_xticks(positions, [day.isoformat() for day in dates], rotation=30, ha="right")
        axes.set_ylabel(_("antal"))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        for index, (substance, label) in enumerate(series.columns):
            points = [
                (float(date2num(row.sampled_on)), float(value))
                for row in series.rows
                if (value := row.values.get(substance)) is not None
            ]
            if not points:
                continue
            axes.plot(
                [day for day, _value in points],
                [value for _day, value in points],
                marker=MARKERS[index % len(MARKERS)],
                color=COLOURS[index % len(COLOURS)],
                label=label or indicator.name,
            )
        axes.xaxis_date()
        axes.set_ylabel(indicator.unit or _("värde"))
        figure.autofmt_xdate()
    if not series.rows:
        axes.text(0.5, 0.5, _("Inga mätningar ännu"), ha="center", va="center", transform=axes.transAxes)
    axes.set_title(indicator.name)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "trygg"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()
