"""Public follow-up pages: how status is derived, the timeline and its feeds, the report card, exports."""

from __future__ import annotations

import datetime as dt
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from trygg.core.charts import chart_is_narrow
from trygg.core.csvexport import csv_response, csv_wants_excel
from trygg.core.site import site_host, site_url
from trygg.promises import selectors as promise_selectors
from trygg.promises.models import Promise

from . import report as reports
from . import selectors
from .forms import ReportDateForm
from .models import PlannedDate, StatusChoice
from .promise_page import promise_page_build

ACTIVITY_COLUMNS = [
    "activity_id",
    "focus_area",
    "activity",
    "responsible",
    "commitment",
    "period_start",
    "period_end",
    "target",
    "done",
    "status",
    "status_label",
    "assessment_reason",
    "cancellation_reason",
]
EXECUTION_COLUMNS = [
    "execution_id",
    "activity_id",
    "activity",
    "done_on",
    "description",
    "count",
    "participants",
    "place",
    "area",
    "example_data",
]


def followup_explained(request: HttpRequest) -> HttpResponse:
    return render(request, "followup/explained.html", {"statuses": StatusChoice.choices})


class BadReportDate(Exception):
    """The `datum` parameter is not a date (400)."""


class NoReportForDate(Http404):
    """There is no report for the day: before the promise began, or in the future (404 with a message)."""


def _report_date(request: HttpRequest, municipality: str, promise: str) -> reports.ReportDate:
    """The day the report shows (see `report.report_date_choose`); raises BadReportDate or NoReportForDate."""
    form = ReportDateForm(request.GET)
    if not form.is_valid():
        raise BadReportDate
    found = promise_selectors.promise_dates_public(municipality_slug=municipality, promise_slug=promise)
    today = timezone.localdate()
    choice = reports.report_date_choose(
        requested=form.cleaned_data["datum"],
        valid_from=found.valid_from,
        valid_until=found.valid_until,
        today=today,
    )
    if choice.problem:
        raise NoReportForDate(
            reports.report_date_message(choice=choice, valid_from=found.valid_from, today=today)
        )
    return choice


def _promise(municipality: str, promise: str) -> Promise:
    return selectors.promise_get_any_public(municipality_slug=municipality, promise_slug=promise)


def promise_timeline(request: HttpRequest, municipality: str, promise: str) -> HttpResponse:
    found = _promise(municipality, promise)
    events = selectors.promise_timeline(promise=found, today=timezone.localdate())
    return render(
        request,
        "followup/timeline.html",
        {"promise": found, "municipality": found.municipality, "events": events},
    )


def _feed_entry_title(event: selectors.TimelineEvent) -> str:
    """A title that names the activity: a feed reader shows titles alone, out of the promise's context."""
    activity = Truncator(event.activity.text).chars(90)
    if event.execution is not None:
        return _("Utfört i ”%(activity)s”: %(text)s") % {
            "activity": activity,
            "text": Truncator(event.execution.description).chars(90),
        }
    return _("Ny status för ”%(activity)s”: %(status)s") % {"activity": activity, "status": event.label}


def promise_feed(request: HttpRequest, municipality: str, promise: str) -> HttpResponse:
    """The timeline as Atom (RFC 4287): each entry with its activity in the title, an author (the responsible
    parties, else the municipality) and an updated time; links and ids from SITE_URL, never the Host header."""
    found = _promise(municipality, promise)
    events = selectors.promise_timeline(promise=found, today=timezone.localdate())[:100]
    timeline_url = site_url(
        reverse("followup:timeline", kwargs={"municipality": municipality, "promise": promise})
    )
    feed = Atom1Feed(
        title=_("Uppföljning: %(title)s") % {"title": found.title},
        link=timeline_url,
        description=_("Det som har gjorts och när aktiviteternas status har ändrats."),
        language="sv",
        author_name=found.municipality.name,
        feed_url=site_url(
            reverse("followup:feed", kwargs={"municipality": municipality, "promise": promise})
        ),
        feed_guid=timeline_url,
    )
    for event in events:
        moment = timezone.make_aware(dt.datetime.combine(event.on, dt.time(12)))
        parties = ", ".join(party.name for party in event.activity.responsible_parties.all())
        feed.add_item(
            title=_feed_entry_title(event),
            link=site_url(event.activity.get_absolute_url()),
            description=event.activity.text,
            unique_id=f"{timeline_url}#{event.key}",
            author_name=parties or found.municipality.name,
            pubdate=moment,
            updateddate=moment,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


def promise_calendar(request: HttpRequest, municipality: str, promise: str) -> HttpResponse:
    found = _promise(municipality, promise)
    calendar = Calendar()
    calendar.add("prodid", "-//Trygg//uppfoljning//SV")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", found.title)
    # UIDs and links from the configured address: a calendar subscribed through another host name must keep the
    # same events, and a forged Host header must not end up in anyone's calendar.
    host = site_host()
    stamp = timezone.now()
    planned_dates = PlannedDate.objects.filter(activity__focus_area__promise=found).select_related("activity")
    for planned in planned_dates:
        event = Event()
        event.add("uid", f"planerat-{planned.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", planned.date)
        event.add("dtend", planned.date + dt.timedelta(days=1))
        event.add("summary", planned.note or planned.activity.text[:120])
        event.add("description", planned.activity.text)
        event.add("url", site_url(planned.activity.get_absolute_url()))
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{municipality}-{promise}.ics"'
    return response


def _report(request: HttpRequest, municipality: str, promise: str) -> reports.ReportCard:
    choice = _report_date(request, municipality, promise)
    assert choice.as_of is not None
    page = promise_page_build(
        municipality_slug=municipality, promise_slug=promise, as_of=choice.as_of, closing=choice.closing
    )
    return reports.report_card_build(page=page)


def _date_form(promise: Promise, data: object = None, initial: dict | None = None) -> ReportDateForm:
    form = ReportDateForm(data, initial=initial)  # type: ignore[arg-type]
    form.fields["datum"].widget.attrs.update(
        {"min": promise.valid_from.isoformat(), "max": timezone.localdate().isoformat()}
    )
    return form


def report_card(request: HttpRequest, municipality: str, promise: str) -> HttpResponse:
    try:
        report = _report(request, municipality, promise)
    except (BadReportDate, NoReportForDate) as problem:
        found = promise_selectors.promise_dates_public(municipality_slug=municipality, promise_slug=promise)
        response = render(
            request,
            "followup/report_card.html",
            {
                "promise": found,
                "municipality": found.municipality,
                "form": _date_form(found, request.GET),
                "message": str(problem) if isinstance(problem, NoReportForDate) else "",
            },
        )
        response.status_code = 400 if isinstance(problem, BadReportDate) else 404
        return response
    found = report.promise
    today = timezone.localdate()
    ended = today > found.valid_until
    return render(
        request,
        "followup/report_card.html",
        {
            "promise": found,
            "municipality": found.municipality,
            "report": report,
            "form": _date_form(found, initial={"datum": report.as_of}),
            "chart_src": reverse(
                "followup:report_chart", kwargs={"municipality": municipality, "promise": promise}
            )
            + f"?datum={report.as_of.isoformat()}",
            # An ended promise's report opens at the period's end; today's state is one click away, and back.
            "today_link": ended and report.as_of != today,
            "end_link": ended and not report.closing,
            "today": today,
        },
    )


def _bad(problem: Exception) -> HttpResponse:
    if isinstance(problem, NoReportForDate):
        return HttpResponseNotFound(str(problem), content_type="text/plain; charset=utf-8")
    return HttpResponseBadRequest(_("Ange datumet som ÅÅÅÅ-MM-DD."))


def report_card_pdf(request: HttpRequest, municipality: str, promise: str) -> HttpResponse:
    try:
        report = _report(request, municipality, promise)
    except (BadReportDate, NoReportForDate) as problem:
        return _bad(problem)
    pdf = reports.report_pdf(report)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="uppfoljning-{municipality}-{promise}-{report.as_of.isoformat()}.pdf"'
    )
    return response


def report_chart(request: HttpRequest, municipality: str, promise: str) -> HttpResponse:
    try:
        report = _report(request, municipality, promise)
    except (BadReportDate, NoReportForDate) as problem:
        return _bad(problem)
    response = HttpResponse(
        reports.report_chart_svg(report, narrow=chart_is_narrow(request)), content_type="image/svg+xml"
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


def export_activities_csv(request: HttpRequest, municipality: str, promise: str) -> HttpResponse:
    try:
        report = _report(request, municipality, promise)
    except (BadReportDate, NoReportForDate) as problem:
        return _bad(problem)
    return csv_response(
        reports.as_table(reports.export_activities(report), ACTIVITY_COLUMNS),
        filename=f"aktiviteter-{municipality}-{promise}.csv",
        excel=csv_wants_excel(request),
    )


def export_executions_csv(request: HttpRequest, municipality: str, promise: str) -> HttpResponse:
    try:
        choice = _report_date(request, municipality, promise)
    except (BadReportDate, NoReportForDate) as problem:
        return _bad(problem)
    assert choice.as_of is not None
    found = promise_selectors.promise_dates_public(municipality_slug=municipality, promise_slug=promise)
    rows = reports.export_executions(promise=found, as_of=choice.as_of)
    return csv_response(
        reports.as_table(rows, EXECUTION_COLUMNS),
        filename=f"utforanden-{municipality}-{promise}.csv",
        excel=csv_wants_excel(request),
    )


def export_json(request: HttpRequest, municipality: str, promise: str) -> HttpResponse:
    try:
        report = _report(request, municipality, promise)
    except (BadReportDate, NoReportForDate) as problem:
        return _bad(problem)
    verdict = report.page.standing.verdict
    data = {
        "municipality": municipality,
        "promise": promise,
        "title": report.promise.title,
        "as_of": report.as_of,
        "at_period_end": report.closing,
        "verdict": None
        if verdict is None
        else {status.value: number for status, number in verdict.verdict.counts()} | {"total": verdict.total},
        "activities": reports.export_activities(report),
        "executions": reports.export_executions(promise=report.promise, as_of=report.as_of),
    }
    return HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )


def promise_compare(request: HttpRequest, municipality: str, earlier: str, later: str) -> HttpResponse:
    first = _promise(municipality, earlier)
    second = _promise(municipality, later)
    if first.pk == second.pk:
        raise Http404
    rows = selectors.promise_comparison(earlier=first, later=second, today=timezone.localdate())
    return render(
        request,
        "followup/compare.html",
        {
            "municipality": first.municipality,
            "earlier": first,
            "later": second,
            "rows": rows,
            "counts": selectors.comparison_counts(rows),
            "today": date_format(timezone.localdate(), "j F Y"),
        },
    )
