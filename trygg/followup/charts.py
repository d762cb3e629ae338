"""The report card's chart: activities per status in each focus area, as a stacked bar SVG.

The page always shows the same numbers in a table beside the chart; the chart adds no information.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

# Colour-blind-safe colours (Okabe–Ito); statuses are also named in the legend and the table.
COLOURS = {
    "done": "#009E73",
    "on_track": "#56B4E9",
    "partly_done": "#F0E442",
    "not_started": "#BBBBBB",
    "delayed": "#E69F00",
    "not_done": "#D55E00",
    "not_assessed": "#FFFFFF",
    "not_finally_assessed": "#FFFFFF",
    "cancelled": "#000000",
}
HATCHES = {
    "not_assessed": "//",
    "not_finally_assessed": "++",
    "cancelled": "xx",
    "delayed": "..",
    "not_done": "\\\\",
}


def status_chart_svg(
    *,
    rows: Sequence[tuple[str, dict[str, int]]],
    statuses: Sequence[tuple[str, str]],
    title: str,
    x_label: str,
) -> bytes:
    """``rows`` = (focus area title, {status value: number}); ``statuses`` = (value, label) in order."""
    height = 1.2 + 0.45 * max(len(rows), 1)
    figure = Figure(figsize=(8, height), dpi=100)
    axes = figure.subplots()
    labels = [title_ for title_, _counts in rows][::-1]
    lefts = [0] * len(rows)
    for value, label in statuses:
        widths = [counts.get(value, 0) for _title, counts in rows][::-1]
        if not any(widths):
            continue
        axes.barh(
            labels,
            widths,
            left=lefts,
            label=label,
            color=COLOURS.get(value, "#999999"),
            edgecolor="#333333",
            hatch=HATCHES.get(value),
        )
        lefts = [left + width for left, width in zip(lefts, widths, strict=True)]
    axes.set_title(title)
    axes.set_xlabel(x_label)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.25 if len(rows) < 4 else -0.12), ncol=3, frameon=False
    )
    figure.tight_layout()
    buffer = io.BytesIO()
    # Text stays text in the SVG: searchable and readable by screen readers.
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "trygg"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()
