"""Public pages: the meeting calendar and its iCalendar feed, a meeting with its sign-up form, safety walk
protocols (page and PDF), and the neighbourhood-watch areas."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from trygg.core.charts import chart_is_narrow
from trygg.core.forms import form_add_service_errors
from trygg.core.ratelimit import Limit, rate_limit_exceeded
from trygg.core.site import site_host, site_url
from trygg.promises.selectors import activities_public, municipality_get_public

from . import protocol, selectors, services
from .forms import SignUpForm
from .models import Meeting

# A bot must not fill a meeting's places: sign-ups from one client are limited like the other public forms.
SIGNUP_LIMIT = Limit(scope="meeting-signup", count=10, seconds=3600)


def meeting_calendar(request: HttpRequest, municipality: str) -> HttpResponse:
    found = municipality_get_public(slug=municipality)
    now = timezone.now()
    return render(
        request,
        "meetings/calendar.html",
        {
            "municipality": found,
            "meetings": selectors.meetings_public(municipality=found, since=now),
            "past": selectors.meetings_public_past(municipality=found, before=now),
        },
    )


def meeting_calendar_ics(request: HttpRequest, municipality: str) -> HttpResponse:
    found = municipality_get_public(slug=municipality)
    calendar = Calendar()
    calendar.add("prodid", "-//Trygg//moten//SV")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("Möten: %(name)s") % {"name": found.name})
    # UIDs and links from the configured address, never the request's Host header.
    host = site_host()
    stamp = timezone.now()
    for meeting in selectors.meetings_for_feed(municipality=found):
        event = Event()
        event.add("uid", f"mote-{meeting.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at or meeting.starts_at + dt.timedelta(hours=2))
        event.add("summary", meeting.title)
        organisers = ", ".join(party.name for party in meeting.organisers.all())
        description = "\n\n".join(
            part
            for part in (
                meeting.get_kind_display().capitalize(),
                meeting.description,
                _("Arrangörer: %(names)s") % {"names": organisers} if organisers else "",
            )
            if part
        )
        event.add("description", description)
        if meeting.place:
            event.add("location", meeting.place)
        event.add("url", site_url(meeting.get_absolute_url()))
        event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
        event.add("last-modified", meeting.updated_at)
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="moten-{found.slug}.ics"'
    return response


def _meeting_page(
    request: HttpRequest,
    meeting: Meeting,
    form: SignUpForm,
    *,
    status: int = 200,
    signed_up: bool = False,
    confirm_sent: bool = False,
) -> HttpResponse:
    now = timezone.now()
    response = render(
        request,
        "meetings/meeting_detail.html",
        {
            "municipality": meeting.municipality,
            "meeting": meeting,
            "form": form,
            "places_left": selectors.places_left(meeting),
            "open_for_signup": meeting.status == Meeting.Status.PLANNED and meeting.starts_at > now,
            "signed_up": signed_up,
            "confirm_sent": confirm_sent,
            "promised": activities_public(
                activities=meeting.activities.all(), municipality_id=meeting.municipality_id
            ),
        },
    )
    response.status_code = status
    return response


def meeting_detail(request: HttpRequest, municipality: str, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_public(municipality_slug=municipality, pk=pk)
    if request.method != "POST":
        form = SignUpForm(initial={"submission_id": uuid.uuid4(), "count": 1})
        return _meeting_page(
            request,
            meeting,
            form,
            signed_up=request.GET.get("anmald") == "1",
            confirm_sent=request.GET.get("anmald") == "bekrafta",
        )
    if rate_limit_exceeded(request=request, limit=SIGNUP_LIMIT):
        return HttpResponse(
            _("För många försök på kort tid. Vänta en stund och försök igen."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
    form = SignUpForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.signup_create(
                meeting=meeting,
                name=data["name"],
                email=data["email"],
                count=data["count"],
                submission_id=data["submission_id"],
                now=timezone.now(),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            outcome = "1" if data["count"] <= settings.MEETING_SIGNUP_MAX else "bekrafta"
            return HttpResponseRedirect(f"{meeting.get_absolute_url()}?anmald={outcome}#anmalan")
    # Keep what was typed; a fresh submission id is not needed: the first one never stored anything.
    meeting = selectors.meeting_get_public(municipality_slug=municipality, pk=pk)
    return _meeting_page(request, meeting, form, status=400)


def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link of a sign-up for more people than one sign-up holds at once."""
    try:
        signup = services.signup_confirm(token=token, now=timezone.now())
    except ValidationError as error:
        return render(request, "meetings/signup_confirmed.html", {"error": error.messages[0]}, status=400)
    return render(request, "meetings/signup_confirmed.html", {"signup": signup, "meeting": signup.meeting})


def walk_list(request: HttpRequest, municipality: str) -> HttpResponse:
    found = municipality_get_public(slug=municipality)
    return render(
        request,
        "meetings/walk_list.html",
        {"municipality": found, "walks": selectors.walks_public(municipality=found)},
    )


def walk_protocol(request: HttpRequest, municipality: str, pk: int) -> HttpResponse:
    walk = selectors.walk_get_public(municipality_slug=municipality, pk=pk)
    context = protocol.protocol_context(walk)
    context["route_src"] = reverse("meetings:walk_route", kwargs={"municipality": municipality, "pk": pk})
    context["promised"] = activities_public(
        activities=walk.activities.all(), municipality_id=walk.municipality_id
    )
    return render(request, "meetings/walk_protocol.html", context)


def walk_route_svg(request: HttpRequest, municipality: str, pk: int) -> HttpResponse:
    walk = selectors.walk_get_public(municipality_slug=municipality, pk=pk)
    response = HttpResponse(
        protocol.route_svg(walk, narrow=chart_is_narrow(request)), content_type="image/svg+xml"
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


def walk_protocol_pdf(request: HttpRequest, municipality: str, pk: int) -> HttpResponse:
    walk = selectors.walk_get_public(municipality_slug=municipality, pk=pk)
    pdf = protocol.protocol_pdf(walk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="trygghetsvandring-{walk.pk}-{walk.date.isoformat()}.pdf"'
    )
    return response


def watch_list(request: HttpRequest, municipality: str) -> HttpResponse:
    found = municipality_get_public(slug=municipality)
    return render(
        request,
        "meetings/watch_list.html",
        {"municipality": found, "watches": selectors.watches_public(municipality=found)},
    )
