"""Settings every chart drawn with matplotlib shares.

Chart text comes from people (a walk's title, an activity's name, a survey question): a `$` in it must be drawn
as a dollar sign, never read as the start of mathtext (`$\\frac{$` in a walk's title made the route drawing fail
with a server error). Set once for the process when Django starts (trygg.core.apps).
"""

import matplotlib


def charts_draw_text_as_written() -> None:
    matplotlib.use("Agg")
    matplotlib.rcParams["text.parse_math"] = False
    matplotlib.rcParams["text.usetex"] = False
