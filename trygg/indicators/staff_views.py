"""Staff pages: the indicators of one's municipalities, creating and editing one, linking it to activities,
recording a measurement and moving a counted sample to the activity it belongs to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from trygg.accounts.decorators import staff_required
from trygg.accounts.models import User
from trygg.core.forms import form_add_service_errors
from trygg.core.submissions import once_per_form
from trygg.promises.choices import activities_to_link, activity_select_choices
from trygg.promises.models import Activity

from . import rules, selectors, services
from .forms import IndicatorForm, LinkForm, MeasurementForm, RelinkForm, UnlinkForm
from .models import Indicator


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _detail_url(indicator: Indicator) -> str:
    return reverse("indicators:staff_detail", args=[indicator.pk])


@staff_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "indicators/staff/indicator_list.html",
        {
            "indicators": selectors.staff_indicator_list(user=request.user),
            "can_create": rules.manageable_municipalities(request.user).exists(),
        },
    )


def _link_form(indicator: Indicator, page: selectors.StaffIndicatorPage, data: Any = None) -> LinkForm:
    linked = {row.activity.pk for row in page.linked}
    activities = activities_to_link(indicator.municipality, today=timezone.localdate())
    return LinkForm(data, choices=activity_select_choices(a for a in activities if a.pk not in linked))


def _detail_page(request: HttpRequest, pk: int, *, status: int = 200, **extra: Any) -> HttpResponse:
    page = selectors.staff_indicator_page(user=request.user, pk=pk)
    indicator = page.indicator
    can_manage = rules.can_manage_indicators(request.user, indicator.municipality)
    context = {
        "page": page,
        "indicator": indicator,
        "can_record": rules.can_record_measurements(request.user, indicator),
        "can_manage": can_manage,
        "form": extra.pop("form", None) or MeasurementForm(indicator=indicator),
        "link_form": extra.pop("link_form", None) or (_link_form(indicator, page) if can_manage else None),
        "not_counted": extra.pop("not_counted", []),
        **extra,
    }
    response = render(request, "indicators/staff/indicator_detail.html", context)
    response.status_code = status
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        return _detail_page(request, pk)
    indicator = selectors.staff_indicator_get(user=request.user, pk=pk)
    if not rules.can_record_measurements(request.user, indicator):
        raise PermissionDenied
    form = MeasurementForm(request.POST, indicator=indicator)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _measurement, counted = services.measurement_record(
                indicator=indicator,
                by=_user(request),
                sampled_on=data["sampled_on"],
                today=timezone.localdate(),
                substance=data.get("substance") or "",
                value=data.get("value"),
                tested=data.get("tested"),
                positive=data.get("positive"),
                lab=data["lab"],
                note=data["note"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            if not counted.not_counted:
                return HttpResponseRedirect(_detail_url(indicator))
            return _detail_page(request, pk, not_counted=list(counted.not_counted))
    return _detail_page(request, pk, form=form, status=400)


@staff_required
@require_http_methods(["GET", "POST"])
@once_per_form
def indicator_create(request: HttpRequest) -> HttpResponse:
    municipalities = rules.manageable_municipalities(request.user).order_by("name")
    if not municipalities.exists():
        raise PermissionDenied
    form = IndicatorForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(
                municipality=form.cleaned_data["municipality"], by=_user(request), details=form.details()
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return HttpResponseRedirect(_detail_url(indicator) + "#aktiviteter")
    response = render(request, "indicators/staff/indicator_form.html", {"form": form, "indicator": None})
    if form.errors:
        response.status_code = 400
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.staff_indicator_get(user=request.user, pk=pk)
    if not rules.can_manage_indicators(request.user, indicator.municipality):
        raise PermissionDenied
    initial = {name: getattr(indicator, name) for name in ("name", "slug", "kind", "unit", "description")}
    initial.update(caveats=indicator.caveats, is_public=indicator.is_public)
    form = IndicatorForm(request.POST or None, initial=initial, municipalities=None)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(indicator=indicator, by=_user(request), details=form.details())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return HttpResponseRedirect(_detail_url(indicator))
    response = render(request, "indicators/staff/indicator_form.html", {"form": form, "indicator": indicator})
    if form.errors:
        response.status_code = 400
    return response


def _manageable(request: HttpRequest, pk: int) -> Indicator:
    indicator = selectors.staff_indicator_get(user=request.user, pk=pk)
    if not rules.can_manage_indicators(request.user, indicator.municipality):
        raise PermissionDenied
    return indicator


def _activity_of(indicator: Indicator, pk: int) -> Activity:
    """An activity of the indicator's municipality; others do not exist here (404)."""
    return get_object_or_404(
        Activity.objects.filter(focus_area__promise__municipality=indicator.municipality).select_related(
            "focus_area__promise"
        ),
        pk=pk,
    )


@staff_required
@require_POST
def indicator_link(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _manageable(request, pk)
    page = selectors.staff_indicator_page(user=request.user, pk=pk)
    form = _link_form(indicator, page, request.POST)
    if form.is_valid():
        activity = _activity_of(indicator, form.cleaned_data["activity"])
        try:
            counted = services.indicator_link(
                indicator=indicator, activity=activity, by=_user(request), today=timezone.localdate()
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            if counted.not_counted:
                return _detail_page(request, pk, not_counted=list(counted.not_counted))
            return HttpResponseRedirect(_detail_url(indicator) + "#aktiviteter")
    return _detail_page(request, pk, link_form=form, status=400)


@staff_required
@require_POST
def indicator_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _manageable(request, pk)
    form = UnlinkForm(request.POST)
    if form.is_valid():
        activity = _activity_of(indicator, form.cleaned_data["activity"])
        try:
            services.indicator_unlink(indicator=indicator, activity=activity, by=_user(request))
        except ValidationError as error:
            return _detail_page(request, pk, unlink_errors=error.messages, status=400)
        return HttpResponseRedirect(_detail_url(indicator) + "#aktiviteter")
    return _detail_page(request, pk, unlink_errors=[str(error) for error in form.errors.values()], status=400)


def _parse_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@staff_required
@require_http_methods(["GET", "POST"])
def sampling_relink(request: HttpRequest, pk: int, sampled_on: str, activity: int) -> HttpResponse:
    """Move one counted sample to another linked activity, or stop counting it."""
    indicator = _manageable(request, pk)
    day = _parse_day(sampled_on)
    source = _activity_of(indicator, activity)
    page = selectors.staff_indicator_page(user=request.user, pk=pk)
    sample = next(
        (
            row
            for row in page.samples
            if (row.sampled_on, row.activity.pk, row.withdrawn) == (day, source.pk, False)
        ),
        None,
    )
    if sample is None or day is None:
        raise Http404
    targets = [
        (linked.activity.pk, f"{linked.promise.title}: {linked.activity.text[:120]}")
        for linked in page.linked
        if linked.activity.pk != source.pk
    ]
    form = RelinkForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            services.sampling_relink(
                indicator=indicator,
                sampled_on=day,
                from_activity=source,
                to_activity=(
                    _activity_of(indicator, form.cleaned_data["to_activity"])
                    if form.cleaned_data["to_activity"] is not None
                    else None
                ),
                by=_user(request),
                reason=form.cleaned_data["reason"],
                today=timezone.localdate(),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return HttpResponseRedirect(_detail_url(indicator) + "#prov")
    response = render(
        request,
        "indicators/staff/sampling_relink.html",
        {"indicator": indicator, "sample": sample, "form": form, "page": page},
    )
    if form.errors:
        response.status_code = 400
    return response
