"""Staff pages: the indicators of one's municipalities and recording a measurement."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from trygg.accounts.decorators import staff_required
from trygg.accounts.models import User

from . import rules, selectors, services
from .forms import MeasurementForm


@staff_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "indicators/staff/indicator_list.html",
        {"indicators": selectors.staff_indicator_list(user=request.user)},
    )


@staff_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.staff_indicator_get(user=request.user, pk=pk)
    can_record = rules.can_record_measurements(request.user, indicator)
    form = MeasurementForm(request.POST or None, indicator=indicator)
    not_counted: list[object] = []
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            user: User = request.user  # type: ignore[assignment]
            try:
                _measurement, counted = services.measurement_record(
                    indicator=indicator,
                    by=user,
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
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                if not counted.not_counted:
                    return HttpResponseRedirect(reverse("indicators:staff_detail", args=[indicator.pk]))
                not_counted = list(counted.not_counted)
                form = MeasurementForm(indicator=indicator)
        indicator = selectors.staff_indicator_get(user=request.user, pk=pk)
    response = render(
        request,
        "indicators/staff/indicator_detail.html",
        {"indicator": indicator, "form": form, "can_record": can_record, "not_counted": not_counted},
    )
    if form.errors:
        response.status_code = 400
    return response
