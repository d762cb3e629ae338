"""The report card (uppföljningsrapport): a promise's state as of one date, as HTML, PDF, SVG and exports."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trygg.core.pdf import pdf_from_html
from trygg.promises.models import Promise
from trygg.promises.text import activity_commitment

from .charts import status_chart_svg
from .models import StatusChoice
from .promise_page import FocusAreaView, PromisePage
from .selectors import ActivityProgress, ProgressSummary, executions_in_period

# The order in which the lättläst summary mentions the statuses.
_EASY_READ_ORDER = (
    "done",
    "on_track",
    "not_started",
    "delayed",
    "partly_done",
    "not_done",
    "cancelled",
    "not_assessed",
    "not_finally_assessed",
)


def _sentence(value: str, count: int) -> str:
    # Spelled out per status so that makemessages finds every sentence.
    if value == "done":
        text = ngettext("%(count)s aktivitet är klar.", "%(count)s aktiviteter är klara.", count)
    elif value == "on_track":
        text = ngettext(
            "%(count)s aktivitet pågår som planerat.", "%(count)s aktiviteter pågår som planerat.", count
        )
    elif value == "not_started":
        text = ngettext(
            "%(count)s aktivitet har inte börjat än.", "%(count)s aktiviteter har inte börjat än.", count
        )
    elif value == "delayed":
        text = ngettext("%(count)s aktivitet är försenad.", "%(count)s aktiviteter är försenade.", count)
    elif value == "partly_done":
        text = ngettext(
            "%(count)s aktivitet blev bara delvis gjord.",
            "%(count)s aktiviteter blev bara delvis gjorda.",
            count,
        )
    elif value == "not_done":
        text = ngettext(
            "%(count)s aktivitet blev inte gjord.", "%(count)s aktiviteter blev inte gjorda.", count
        )
    elif value == "cancelled":
        text = ngettext("%(count)s aktivitet är inställd.", "%(count)s aktiviteter är inställda.", count)
    elif value == "not_finally_assessed":
        text = ngettext(
            "%(count)s aktivitet har ingen slutbedömning än.",
            "%(count)s aktiviteter har ingen slutbedömning än.",
            count,
        )
    else:
        text = ngettext(
            "%(count)s aktivitet har ingen bedömning än.",
            "%(count)s aktiviteter har ingen bedömning än.",
            count,
        )
    return text % {"count": count}


def easy_read_summary(
    *, promise: Promise, summary: ProgressSummary, as_of: dt.date, closing: bool = False
) -> list[str]:
    """A few short sentences in lättläst Swedish: what the state was on the date."""
    if closing:
        first = _("Det här är läget när löftets tid tog slut den %(date)s.") % {
            "date": date_format(as_of, "j F Y")
        }
    else:
        first = _("Det här är läget den %(date)s.") % {"date": date_format(as_of, "j F Y")}
    sentences = [
        first,
        ngettext(
            "Kommunen och polisen lovade att göra %(count)s sak.",
            "Kommunen och polisen lovade att göra %(count)s saker.",
            summary.total,
        )
        % {"count": summary.total},
    ]
    for value in _EASY_READ_ORDER:
        count = summary.number(value)
        if count:
            sentences.append(_sentence(value, count))
    return sentences


@dataclass(frozen=True)
class ReportDate:
    """The date a report card shows, or why there is none: a report exists only for a day with data."""

    as_of: dt.date | None
    #: The state at the close of the day: the period's last day of an ended promise ("vid periodens slut").
    closing: bool = False
    #: "" when there is a report; else "before_start", "future" or "coming".
    problem: str = ""


def report_date_choose(
    *, requested: dt.date | None, valid_from: dt.date, valid_until: dt.date, today: dt.date
) -> ReportDate:
    """Which day a report card shows: the asked date when the promise had begun by then and it is not in the
    future; without one, today while the promise runs and its last day once it has ended."""
    if requested is None:
        if today < valid_from:
            return ReportDate(None, problem="coming")
        requested = valid_until if today > valid_until else today
    if requested < valid_from:
        return ReportDate(None, problem="before_start")
    if requested > today:
        return ReportDate(None, problem="future")
    return ReportDate(requested, closing=requested == valid_until < today)


def report_date_message(*, choice: ReportDate, valid_from: dt.date, today: dt.date) -> str:
    if choice.problem == "coming":
        return _("Löftet börjar gälla %(start)s. Det finns ingen uppföljning förrän då.") % {
            "start": date_format(valid_from, "j F Y")
        }
    if choice.problem == "before_start":
        return _("Löftet började gälla %(start)s. Välj ett datum från och med den dagen.") % {
            "start": date_format(valid_from, "j F Y")
        }
    return _("Det datumet har inte kommit än. Välj ett datum till och med i dag, %(today)s.") % {
        "today": date_format(today, "j F Y")
    }


@dataclass(frozen=True)
class ReportCard:
    page: PromisePage
    easy_read: list[str]

    @property
    def promise(self) -> Promise:
        return self.page.promise

    @property
    def as_of(self) -> dt.date:
        return self.page.as_of

    @property
    def closing(self) -> bool:
        return self.page.closing

    @property
    def summary(self) -> ProgressSummary:
        return self.page.summary

    @property
    def focus_areas(self) -> tuple[FocusAreaView, ...]:
        return self.page.focus_areas

    @property
    def heading(self) -> str:
        """ "Läget vid periodens slut, 31 december 2023" or "Läget den 6 december 2026"."""
        if self.closing:
            return _("Läget vid periodens slut, %(date)s") % {"date": date_format(self.as_of, "j F Y")}
        return _("Läget den %(date)s") % {"date": date_format(self.as_of, "j F Y")}

    def chart_rows(self) -> list[tuple[str, dict[str, int]]]:
        return [
            (
                focus_area.title,
                {value: number for value, _label, number in focus_area.summary.counts},
            )
            for focus_area in self.focus_areas
        ]

    def table_statuses(self) -> list[tuple[str, str]]:
        """The statuses that occur, in the fixed order: the columns of the chart's table."""
        present = {value for value, _label, _number in self.summary.counts}
        return [(value, str(label)) for value, label in StatusChoice.choices if value in present]

    def table_rows(self) -> list[tuple[str, list[int], int]]:
        statuses = self.table_statuses()
        rows = []
        for title, counts in self.chart_rows():
            rows.append((title, [counts.get(value, 0) for value, _label in statuses], sum(counts.values())))
        return rows

    def table_totals(self) -> list[int]:
        return [self.summary.number(value) for value, _label in self.table_statuses()]


def report_card_build(*, page: PromisePage) -> ReportCard:
    """The report card reads the promise page's read model as of the report's date."""
    return ReportCard(
        page=page,
        easy_read=easy_read_summary(
            promise=page.promise, summary=page.summary, as_of=page.as_of, closing=page.closing
        ),
    )


def report_chart_svg(report: ReportCard, *, narrow: bool = False) -> bytes:
    return status_chart_svg(
        narrow=narrow,
        rows=report.chart_rows(),
        statuses=report.table_statuses(),
        title=_("Aktiviteter per status den %(date)s") % {"date": date_format(report.as_of, "j F Y")},
        x_label=_("Antal aktiviteter"),
    )


def report_pdf(report: ReportCard) -> bytes:
    chart = base64.b64encode(report_chart_svg(report)).decode()
    html = render_to_string(
        "followup/report_card_pdf.html",
        {
            "report": report,
            "promise": report.promise,
            "standing": report.page.standing,
            "chart_data_uri": f"data:image/svg+xml;base64,{chart}",
        },
    )
    stylesheets: list[str] = []
    for name in ("followup/status.css", "followup/report_pdf.css"):
        path = finders.find(name)
        assert isinstance(path, str)
        stylesheets.append(path)
    return pdf_from_html(html, stylesheets=stylesheets)


# ------------------------------------------------------------------------------------------- exports


def _activity_row(promise: Promise, focus_area: FocusAreaView, progress: ActivityProgress) -> dict[str, Any]:
    activity = progress.activity
    return {
        "activity_id": activity.pk,
        "focus_area": focus_area.title,
        "activity": activity.text,
        "responsible": ", ".join(party.name for party in activity.responsible_parties.all()),
        "commitment": activity_commitment(activity=activity, promise=promise),
        "period_start": progress.period[0].isoformat(),
        "period_end": progress.period[1].isoformat(),
        "target": progress.result.target,
        "done": progress.result.done,
        "status": progress.status_value,
        "status_label": progress.label,
        "assessment_reason": progress.assessment.reason if progress.assessment else "",
        "cancellation_reason": progress.cancellation.reason if progress.cancellation else "",
    }


def export_activities(report: ReportCard) -> list[dict[str, Any]]:
    return [
        _activity_row(report.promise, focus_area, view.progress)
        for focus_area in report.focus_areas
        for view in focus_area.activities
    ]


def export_executions(*, promise: Promise, as_of: dt.date) -> list[dict[str, Any]]:
    from .models import Execution

    executions = (
        Execution.objects.counted()
        .filter(executions_in_period(), activity__focus_area__promise=promise, done_on__lte=as_of)
        .select_related("area", "activity")
        .order_by("done_on", "pk")
    )
    return [
        {
            "execution_id": execution.pk,
            "activity_id": execution.activity_id,
            "activity": execution.activity.text,
            "done_on": execution.done_on.isoformat(),
            "description": execution.description,
            "count": execution.count,
            "participants": execution.participants,
            "place": execution.place,
            "area": execution.area.name if execution.area else "",
            "example_data": execution.is_example,
        }
        for execution in executions
    ]


def as_table(rows: list[dict[str, Any]], columns: list[str]) -> list[list[object]]:
    """The header and one list per row, in the columns' order, for `trygg.core.csvexport`."""
    return [list(columns), *([row.get(column) for column in columns] for row in rows)]
