"""Settings every chart drawn with matplotlib shares.

Chart text comes from people (a walk's title, an activity's name, a survey question): a `$` in it must be drawn
as a dollar sign, never read as the start of mathtext (`$\\frac{$` in a walk's title made the route drawing fail
with a server error). Set whenever a chart is drawn (chart_style), so that matplotlib is imported only by the code that
draws, never when Django starts (issue 21).
"""

import textwrap
from contextlib import AbstractContextManager

from django.http import HttpRequest


def charts_draw_text_as_written() -> None:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["text.parse_math"] = False
    matplotlib.rcParams["text.usetex"] = False


# Every chart is drawn twice: wide for a computer's screen and narrow for a phone's, so that its text is never
# drawn smaller than 12 CSS px (issue 19). The page offers the narrow drawing through <picture> below this width
# (core/_chart.html); the chart's view draws it when asked with ?smal=1.
NARROW_MEDIA = "(max-width: 48em)"
NARROW_PARAMETER = "smal"
# 4 inches is 288 SVG units, shown 280–760 px wide below NARROW_MEDIA: 13 units are at least 12.6 px there.
NARROW_WIDTH = 4.0
NARROW_TEXT = 13.0
# A wide chart is shown 700–800 px wide from 7.5–8 inches (540–576 units): 11 units are 13–15 px.
WIDE_TEXT = 11.0


def chart_is_narrow(request: HttpRequest) -> bool:
    return request.GET.get(NARROW_PARAMETER) == "1"


def chart_style(*, narrow: bool) -> AbstractContextManager[None]:
    """matplotlib settings around a chart's whole drawing: one text size for every label, text kept as text."""
    import matplotlib

    charts_draw_text_as_written()
    size = NARROW_TEXT if narrow else WIDE_TEXT
    return matplotlib.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "trygg",
            "text.parse_math": False,
            "font.size": size,
            "axes.titlesize": size,
            "axes.labelsize": size,
            "xtick.labelsize": size,
            "ytick.labelsize": size,
            "legend.fontsize": size,
            "figure.titlesize": size,
        }
    )


def chart_width(wide: float, *, narrow: bool) -> float:
    return NARROW_WIDTH if narrow else wide


def chart_label(text: str, *, narrow: bool, width: int = 28) -> str:
    """A long label (a focus area, a survey question) over as many lines as the drawing's width needs."""
    return textwrap.fill(text, 16 if narrow else width, break_long_words=False)
