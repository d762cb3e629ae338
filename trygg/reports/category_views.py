"""Staff pages for report categories: what residents can report, the promised response times and the
activities of the promise that the reports follow up. Coordinators and administrators change them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from trygg.accounts.decorators import staff_required
from trygg.accounts.models import User
from trygg.core.forms import form_add_service_errors
from trygg.municipalities import rules as municipality_rules
from trygg.municipalities.models import Municipality

from . import rules, selectors, services
from .forms import CategoryForm
from .models import ReportCategory


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@staff_required
@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reports/staff/category_list.html",
        {"groups": selectors.staff_report_categories(user=request.user)},
    )


def _form_page(
    request: HttpRequest, form: CategoryForm, *, municipality: Municipality, category: ReportCategory | None
) -> HttpResponse:
    response = render(
        request,
        "reports/staff/category_form.html",
        {"form": form, "municipality": municipality, "category": category},
    )
    if form.errors:
        response.status_code = 400
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def category_new(request: HttpRequest, municipality_pk: int) -> HttpResponse:
    municipality = get_object_or_404(
        municipality_rules.staff_municipalities(request.user), pk=municipality_pk
    )
    if not rules.can_manage_report_categories(request.user, municipality):
        raise PermissionDenied
    form = CategoryForm(
        request.POST or None,
        initial={"response_unit": ReportCategory.Unit.WORKING_DAYS, "response_time": 5},
        municipality=municipality,
        today=timezone.localdate(),
        linked=[],
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.report_category_create(
                municipality=municipality, by=_user(request), details=form.details()
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return HttpResponseRedirect(reverse("reports:staff_categories"))
    return _form_page(request, form, municipality=municipality, category=None)


@staff_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = selectors.staff_category_get(user=request.user, pk=pk)
    if not rules.can_manage_report_categories(request.user, category.municipality):
        raise PermissionDenied
    linked = list(category.activities.values_list("pk", flat=True))
    initial = {
        name: getattr(category, name)
        for name in (
            "name",
            "slug",
            "description",
            "response_time",
            "response_unit",
            "offensive_response_hours",
            "duplicate_radius_m",
            "order",
            "is_active",
        )
    }
    initial.update(problem=category.problem_id, activities=linked)
    form = CategoryForm(
        request.POST or None,
        initial=initial,
        municipality=category.municipality,
        today=timezone.localdate(),
        linked=linked,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.report_category_update(category=category, by=_user(request), details=form.details())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return HttpResponseRedirect(reverse("reports:staff_categories") + f"#kategori-{category.pk}")
    return _form_page(request, form, municipality=category.municipality, category=category)
