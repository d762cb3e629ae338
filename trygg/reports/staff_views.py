"""Staff pages for reports: the work list, one report, bulk actions, the hot-cell layer, the promise link."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from trygg.accounts.decorators import staff_required
from trygg.accounts.models import User
from trygg.municipalities import rules as municipality_rules
from trygg.municipalities.models import Party

from . import rules, selectors, services, takedown
from .forms import AssignForm, BulkForm, ChangeForm, HotspotForm, StaffFilterForm, VisibilityForm
from .models import Report, ReportCategory
from .views import map_config

PAGE_SIZE = 200


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _list_context(request: HttpRequest, bulk_form: BulkForm | None = None) -> dict[str, Any]:
    user = _user(request)
    municipalities = list(municipality_rules.staff_municipalities(user).order_by("name"))
    categories = list(ReportCategory.objects.filter(municipality__in=municipalities))
    form = StaffFilterForm(request.GET or None, municipalities=municipalities, categories=categories)
    filters = selectors.StaffFilter()
    if form.is_valid():
        filters = selectors.StaffFilter(
            municipality=form.cleaned_data["municipality"],
            category=form.cleaned_data["category"],
            state=form.cleaned_data["state"],
            overdue=form.cleaned_data["overdue"],
            query=form.cleaned_data["query"],
        )
    elif not request.GET:
        filters = selectors.StaffFilter(state="open")
        form = StaffFilterForm(
            initial={"state": "open"}, municipalities=municipalities, categories=categories
        )
    now = timezone.now()
    reports = list(selectors.reports_for_staff(user=user, filters=filters, now=now)[:PAGE_SIZE])
    for report in reports:
        report.overdue = selectors.is_overdue(report, now)
    can_bulk = any(rules.can_bulk_change_reports(user, municipality) for municipality in municipalities)
    parties = Party.objects.filter(municipality__in=municipalities)
    if bulk_form is None:
        bulk_form = BulkForm(report_ids=[report.pk for report in reports], parties=parties)
    return {
        "form": form,
        "reports": reports,
        "bulk_form": bulk_form,
        "can_bulk": can_bulk,
        "page_size": PAGE_SIZE,
        "query": request.GET.urlencode(),
    }


@staff_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/staff/report_list.html", _list_context(request))


@staff_required
@require_POST
def report_bulk(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    visible = selectors.reports_for_staff(user=user, filters=selectors.StaffFilter())
    parties = Party.objects.filter(municipality__in=municipality_rules.staff_municipalities(user))
    ids = [int(value) for value in request.POST.getlist("reports") if value.isdigit()]
    form = BulkForm(
        request.POST,
        report_ids=list(visible.filter(pk__in=ids).values_list("pk", flat=True)),
        parties=parties,
    )
    if form.is_valid():
        chosen = list(visible.filter(pk__in=form.cleaned_data["reports"]))
        try:
            if form.cleaned_data["state"]:
                services.report_bulk_change(
                    reports=chosen, by=user, state=form.cleaned_data["state"], note=form.cleaned_data["note"]
                )
            if form.cleaned_data["party"] is not None:
                services.report_bulk_assign(reports=chosen, by=user, party=form.cleaned_data["party"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(reverse("reports:staff_list"))
    return render(request, "reports/staff/report_list.html", _list_context(request, form), status=400)


def _detail_context(request: HttpRequest, report: Report, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    municipality = report.municipality
    return {
        "report": report,
        "overdue": selectors.is_overdue(report, timezone.now()),
        "change_form": extra.pop("change_form", None)
        or ChangeForm(initial={"police_report_number": report.police_report_number}),
        "assign_form": extra.pop("assign_form", None)
        or AssignForm(
            municipality=municipality,
            initial={"party": report.assigned_party_id, "user": report.assigned_user_id},
        ),
        "can_change_state": rules.can_change_report_state(user, municipality),
        "can_set_police_number": rules.can_set_police_report_number(user, municipality),
        "can_write_note": rules.can_write_public_note(user, report),
        "can_take_down": rules.can_take_down(user, municipality),
        "visibility_form": extra.pop("visibility_form", None) or VisibilityForm(),
        "flags": list(report.flags.order_by("-created_on", "-pk")[:50]),
        "can_assign": rules.can_assign_reports(user, municipality),
        "can_view_contact": rules.can_view_reporter_contact(user, municipality),
        "has_contact": bool(report.reporter_name or report.reporter_email),
        "map": map_config(municipality),
        **extra,
    }


@staff_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get_for_staff(user=request.user, pk=pk)
    return render(request, "reports/staff/report_detail.html", _detail_context(request, report))


@staff_required
@require_POST
def report_change(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    report = selectors.report_get_for_staff(user=user, pk=pk)
    municipality = report.municipality
    if not (
        rules.can_change_report_state(user, municipality)
        or rules.can_set_police_report_number(user, municipality)
    ):
        raise PermissionDenied
    form = ChangeForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["police_report_number"]
        if "police_report_number" not in request.POST:
            number = None
        try:
            services.report_change(
                report=report,
                by=user,
                state=form.cleaned_data["state"] or None,
                note=form.cleaned_data["note"],
                police_report_number=number,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(reverse("reports:staff_detail", args=[pk]))
    report = selectors.report_get_for_staff(user=user, pk=pk)
    return render(
        request,
        "reports/staff/report_detail.html",
        _detail_context(request, report, change_form=form),
        status=400,
    )


@staff_required
@require_POST
def report_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    report = selectors.report_get_for_staff(user=user, pk=pk)
    if not rules.can_assign_reports(user, report.municipality):
        raise PermissionDenied
    form = AssignForm(request.POST, municipality=report.municipality)
    if form.is_valid():
        try:
            services.report_assign(
                report=report, by=user, party=form.cleaned_data["party"], user=form.cleaned_data["user"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(reverse("reports:staff_detail", args=[pk]))
    return render(
        request,
        "reports/staff/report_detail.html",
        _detail_context(request, report, assign_form=form),
        status=400,
    )


@staff_required
@require_POST
def report_contact(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    report = selectors.report_get_for_staff(user=user, pk=pk)
    contact = services.report_contact_view(report=report, by=user)
    return render(
        request, "reports/staff/report_detail.html", _detail_context(request, report, contact=contact)
    )


# ---------------------------------------------------------------------- hotspots


def _hotspot_form(request: HttpRequest) -> HotspotForm:
    municipalities = list(municipality_rules.staff_municipalities(request.user).order_by("name"))
    categories = list(ReportCategory.objects.filter(municipality__in=municipalities))
    initial = {"municipality": municipalities[0].slug if municipalities else "", "cell": 250}
    return HotspotForm(
        request.GET or None, initial=initial, municipalities=municipalities, categories=categories
    )


def _hot_cells(form: HotspotForm) -> dict[str, Any] | None:
    if not form.is_bound or not form.is_valid():
        return None
    municipality = selectors.municipality_get(slug=form.cleaned_data["municipality"])
    category = None
    if form.cleaned_data["category"]:
        category = ReportCategory.objects.filter(
            municipality=municipality, slug=form.cleaned_data["category"]
        ).first()
    return selectors.hot_cells(
        municipality=municipality,
        category=category,
        since=form.cleaned_data["since"],
        until=form.cleaned_data["until"],
        cell=form.cleaned_data["cell"],
    )


@staff_required
@require_GET
def hotspot_map(request: HttpRequest) -> HttpResponse:
    form = _hotspot_form(request)
    cells = _hot_cells(form)
    municipalities = list(municipality_rules.staff_municipalities(request.user).order_by("name"))
    if not municipalities:
        raise PermissionDenied
    chosen = next(
        (m for m in municipalities if form.is_bound and m.slug == request.GET.get("municipality")),
        municipalities[0],
    )
    return render(
        request,
        "reports/staff/hotspots.html",
        {"form": form, "cells": cells, "map": map_config(chosen), "query": request.GET.urlencode()},
    )


@staff_required
@require_GET
def hotspot_geojson(request: HttpRequest) -> HttpResponse:
    form = _hotspot_form(request)
    cells = _hot_cells(form)
    if cells is None:
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    return JsonResponse(cells, content_type="application/geo+json")


# ------------------------------------------------------------- promise follow-up


@staff_required
@require_GET
def activity_metrics_list(request: HttpRequest) -> HttpResponse:
    activities = selectors.activities_with_report_categories(user=request.user)
    return render(request, "reports/staff/activity_metrics_list.html", {"activities": activities})


@staff_required
@require_GET
def activity_metrics(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_staff(user=request.user, pk=pk)
    return render(
        request,
        "reports/staff/activity_metrics.html",
        {"activity": activity, "metrics": selectors.activity_report_metrics(activity)},
    )


@staff_required
@require_POST
def report_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a report or one of its photos off the public site (or put it back), with a reason."""
    user = _user(request)
    report = selectors.report_get_for_staff(user=user, pk=pk)
    if not rules.can_take_down(user, report.municipality):
        raise PermissionDenied
    form = VisibilityForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["photo"]:
                photo = report.photos.filter(pk=data["photo"]).first()
                if photo is None:
                    raise Http404
                takedown.photo_visibility_set(
                    photo=photo,
                    by=user,
                    is_public=data["show"],
                    reason=data["reason"],
                    today=timezone.localdate(),
                )
            else:
                takedown.report_visibility_set(
                    report=report,
                    by=user,
                    is_public=data["show"],
                    reason=data["reason"],
                    today=timezone.localdate(),
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(reverse("reports:staff_detail", args=[pk]))
    report = selectors.report_get_for_staff(user=user, pk=pk)
    return render(
        request,
        "reports/staff/report_detail.html",
        _detail_context(request, report, visibility_form=form),
        status=400,
    )
