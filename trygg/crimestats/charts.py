"""SVG charts of rates over the years (matplotlib, text kept as text so screen readers and search see it)."""

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from trygg.core.charts import chart_label, chart_style, chart_width

# Distinguishable without colour too: each line has its own marker and dash pattern.
STYLES = [("#005a8c", "o", "-"), ("#8c3b00", "s", "--"), ("#3b6e1f", "^", "-."), ("#555555", "D", ":")]


def line_chart_svg(
    *,
    title: str,
    years: Sequence[int],
    lines: Sequence[tuple[str, Sequence[float | None]]],
    y_label: str,
    narrow: bool = False,
) -> bytes:
    with chart_style(narrow=narrow):
        figure, axes = plt.subplots(figsize=(chart_width(7.5, narrow=narrow), 5.2 if narrow else 3.8))
        for (label, values), (colour, marker, dash) in zip(lines, STYLES, strict=False):
            points = [(year, value) for year, value in zip(years, values, strict=True) if value is not None]
            if not points:
                continue
            axes.plot(
                [year for year, _value in points],
                [value for _year, value in points],
                label=label,
                color=colour,
                marker=marker,
                linestyle=dash,
                linewidth=2,
            )
        axes.set_title(chart_label(title, narrow=narrow, width=70))
        axes.set_ylabel(y_label)
        axes.set_xticks(list(years), [f"’{year % 100:02d}" if narrow else str(year) for year in years])
        axes.set_ylim(bottom=0)
        axes.grid(axis="y", alpha=0.3)
        axes.spines[["top", "right"]].set_visible(False)
        if narrow:
            # Below the drawing, one line per series: inside it the legend would hide the lines.
            axes.legend(loc="upper left", bbox_to_anchor=(0, -0.18), frameon=False, ncol=1)
        else:
            axes.legend(loc="lower left", frameon=False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
        plt.close(figure)
    return buffer.getvalue()
