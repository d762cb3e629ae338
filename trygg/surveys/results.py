"""The rows a results page shows, its CSV and its charts: one source, so the three always agree."""

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from matplotlib import pyplot as plt

from . import analysis, selectors
from .dataset import AREA_COLUMN
from .models import Survey

TOO_FEW = "för få svar"
NOT_SHOWN = "–"

matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["svg.hashsalt"] = "trygg"


@dataclass(frozen=True)
class ResultRow:
    indicator: str
    label: str
    is_index: bool
    n: int
    suppressed: bool
    value: float | None
    low: float | None
    high: float | None
    value_text: str
    interval_text: str
    change_text: str
    change_flag_text: str

    @property
    def n_text(self) -> str:
        # A hidden cell's number of answers is hidden too: it would tell how many a derived share was of.
        return NOT_SHOWN if self.suppressed else str(self.n)

    def cells(self) -> list[str]:
        return [
            self.label,
            self.n_text,
            self.value_text,
            self.interval_text,
            self.change_text,
            self.change_flag_text,
        ]


def headers() -> list[str]:
    return [
        _("Indikator"),
        _("Antal svar"),
        _("Värde"),
        _("95 % konfidensintervall"),
        _("Förändring mot förra mätningen"),
        _("Säker förändring?"),
    ]


def _number(value: float, decimals: int) -> str:
    return number_format(round(value, decimals), decimal_pos=decimals)


def display_value(value: float, is_index: bool) -> str:
    return _number(value, 1) if is_index else f"{_number(100 * value, 0)} %"


def _difference(value: float, is_index: bool) -> str:
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    if is_index:
        return f"{sign}{_number(abs(value), 1)}"
    return _("%(sign)s%(value)s procentenheter") % {"sign": sign, "value": _number(100 * abs(value), 0)}


def indicator_label(indicator: str, labels: dict[str, str]) -> str:
    if indicator == "otrygghet_kvall":
        return _("Otrygga ute ensamma en kväll (andel)")
    if indicator == "f_polis_bryr_sig":
        return _("Anser att polisen bryr sig om lokala problem (andel)")
    text = labels.get(indicator, indicator)
    if indicator.startswith("p_"):
        return _("Problemindex: %(item)s") % {"item": text}
    if indicator.startswith("u_"):
        return _("Utsatta för brott: %(question)s (andel)") % {"question": text}
    return text


def _scope_group(result: analysis.SurveyIndices, area: str | None) -> analysis.Group | None:
    if area is None:
        return result["groups"][0]
    for group in result["groups"][1:]:
        if group["by"].get(AREA_COLUMN) == area:
            return group
    return None


@dataclass(frozen=True)
class ScopeResults:
    survey: Survey
    area: str | None
    respondents: int
    rows: list[ResultRow]
    previous: Survey | None
    notes: list[str]

    @property
    def respondents_shown(self) -> int | None:
        """How many answered, unless that is fewer than k (then the page says so without the number)."""
        return self.respondents if self.respondents >= self.survey.k else None

    @property
    def index_rows(self) -> list[ResultRow]:
        return [row for row in self.rows if row.is_index]

    @property
    def share_rows(self) -> list[ResultRow]:
        return [row for row in self.rows if not row.is_index]


def scope_results(*, survey: Survey, area: str | None) -> ScopeResults | None:
    """The whole municipality (area None) or one area; None if the area has no answers."""
    by = () if area is None else (AREA_COLUMN,)
    group = _scope_group(selectors.survey_indices(survey=survey, by=by), area)
    if group is None:
        return None
    previous = selectors.survey_previous(survey=survey)
    previous_group = None
    if previous is not None:
        previous_group = _scope_group(selectors.survey_indices(survey=previous, by=by), area)
    labels = selectors.question_labels(survey=survey)
    rows = []
    for indicator, cell in group["indicators"].items():
        is_index = indicator.startswith("p_")
        change_text, flag_text = "–", "–"
        previous_cell = previous_group["indicators"].get(indicator) if previous_group else None
        if previous_cell is not None:
            change = analysis.indicator_trend(previous=previous_cell, current=cell)
            if change is None:
                change_text = flag_text = TOO_FEW
            else:
                change_text = _difference(change["difference"], is_index)
                flag_text = _("Ja") if change["flagged"] else _("Nej")
        if cell["suppressed"]:
            value_text = interval_text = TOO_FEW
            value = low = high = None
        else:
            assert cell["value"] is not None and cell["ci95"] is not None
            value, (low, high) = cell["value"], cell["ci95"]
            value_text = display_value(value, is_index)
            interval_text = f"{display_value(low, is_index)} – {display_value(high, is_index)}"
        rows.append(
            ResultRow(
                indicator=indicator,
                label=indicator_label(indicator, labels),
                is_index=is_index,
                n=cell["n"],
                suppressed=cell["suppressed"],
                value=value,
                low=low,
                high=high,
                value_text=value_text,
                interval_text=interval_text,
                change_text=change_text,
                change_flag_text=flag_text,
            )
        )
    rows.sort(
        key=lambda row: (not row.is_index, row.indicator.startswith("u_"), row.indicator.startswith("f_"))
    )
    notes = []
    if survey.is_example:
        notes.append(_("Exempeldata: svaren är påhittade och visar bara hur sidan fungerar."))
    if survey.is_self_selected:
        notes.append(
            _(
                "Självselekterat urval: vem som helst kunde svara, så resultaten gäller de som svarade och "
                "inte nödvändigtvis alla invånare."
            )
        )
    if previous is not None:
        notes.append(_("Förändringen jämförs med %(title)s.") % {"title": previous.title})
    return ScopeResults(
        survey=survey, area=area, respondents=group["respondents"], rows=rows, previous=previous, notes=notes
    )


def results_table(results: ScopeResults) -> list[list[object]]:
    """Exactly the table on the page: the same header, rows and notes, for `trygg.core.csvexport`."""
    table: list[list[object]] = [list(headers())]
    table += [list(row.cells()) for row in results.rows]
    table += [[_("Anmärkning"), note] for note in results.notes]
    return table


def _chart(rows: list[ResultRow], *, is_index: bool) -> str:
    labels = [row.label for row in rows]
    height = 0.5 + 0.45 * max(len(rows), 1)
    figure, axes = plt.subplots(figsize=(7.5, height))
    try:
        scale = 1 if is_index else 100
        positions = list(range(len(rows)))
        for position, row in zip(positions, rows, strict=True):
            if row.suppressed or row.value is None or row.low is None or row.high is None:
                axes.text(0.05 * (6 if is_index else 100), position, TOO_FEW, va="center", fontsize=9)
                continue
            axes.barh(position, row.value * scale, color="#005a8c", height=0.6)
            axes.errorbar(
                row.value * scale,
                position,
                xerr=[[(row.value - row.low) * scale], [(row.high - row.value) * scale]],
                fmt="none",
                ecolor="#222222",
                capsize=3,
            )
        axes.set_yticks(positions, labels, fontsize=9)
        axes.invert_yaxis()
        axes.set_xlim(0, 6 if is_index else 100)
        axes.set_xlabel(_("Problemindex 0–6") if is_index else _("Procent"))
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        output = io.StringIO()
        figure.savefig(output, format="svg", metadata={"Date": None})
        return output.getvalue()
    finally:
        plt.close(figure)


def results_chart(results: ScopeResults, *, kind: str) -> str:
    if kind == "problem":
        return _chart(results.index_rows, is_index=True)
    return _chart(results.share_rows, is_index=False)
