from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from trygg.accounts.decorators import staff_required
from trygg.municipalities import rules as municipality_rules

from . import importers, rules, services
from .forms import ComparisonGroupForm, ImportForm
from .models import ComparisonGroup, ImportRun


@staff_required
def import_list(request: HttpRequest) -> HttpResponse:
    if not rules.can_see_imports(request.user):
        raise PermissionDenied
    can_import = rules.can_import_statistics(request.user)
    form = ImportForm()
    errors: list[importers.LineError] = []
    error_total = 0
    status = 200
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if form.cleaned_data["kind"] == "population":
                    result = services.population_import(
                        source=upload.read(),
                        file_name=upload.name,
                        by=request.user,
                        create_municipalities=form.cleaned_data["create_municipalities"],
                    )
                else:
                    mapping = importers.DEFAULT_MAPPING
                    if form.cleaned_data["mapping"]:
                        mapping = importers.mapping_from_toml(form.cleaned_data["mapping"])
                    result = services.crimestats_import(
                        source=upload.read(),
                        file_name=upload.name,
                        by=request.user,
                        mapping=mapping,
                        create_municipalities=form.cleaned_data["create_municipalities"],
                    )
            except importers.MappingFileError as error:
                form.add_error("mapping", str(error))
            except importers.CrimeFileError as error:
                errors, error_total = error.errors[:100], error.total
                form.add_error("file", _("Filen har fel och ingenting importerades."))
            else:
                if result.run is not None and not result.unchanged:
                    return HttpResponseRedirect(reverse("crimestats:staff_import", args=[result.run.pk]))
                return render(
                    request,
                    "crimestats/staff/import_list.html",
                    {
                        "form": ImportForm(),
                        "runs": ImportRun.objects.select_related("imported_by")[:50],
                        "can_import": can_import,
                        "unchanged": result,
                    },
                )
        status = 400
    response = render(
        request,
        "crimestats/staff/import_list.html",
        {
            "form": form,
            "runs": ImportRun.objects.select_related("imported_by")[:50],
            "can_import": can_import,
            "errors": errors,
            "error_total": error_total,
            "groups": municipality_rules.editable_municipalities(request.user).order_by("name"),
        },
    )
    response.status_code = status
    return response


@staff_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not rules.can_see_imports(request.user):
        raise PermissionDenied
    run = get_object_or_404(ImportRun.objects.select_related("imported_by"), pk=pk)
    return render(request, "crimestats/staff/import_detail.html", {"run": run})


@staff_required
def comparison_group_edit(request: HttpRequest, municipality: str) -> HttpResponse:
    found = get_object_or_404(municipality_rules.staff_municipalities(request.user), slug=municipality)
    group = ComparisonGroup.objects.filter(municipality=found).prefetch_related("members").first()
    can_edit = rules.can_edit_comparison_group(request.user, found)
    initial = (
        {"name": group.name, "note": group.note, "members": list(group.members.all())} if group else None
    )
    form = ComparisonGroupForm(initial=initial, municipality=found)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = ComparisonGroupForm(request.POST, municipality=found)
        if form.is_valid():
            services.comparison_group_save(
                municipality=found,
                name=form.cleaned_data["name"],
                members=list(form.cleaned_data["members"]),
                note=form.cleaned_data["note"],
                by=request.user,
            )
            return HttpResponseRedirect(reverse("crimestats:statistics", args=[found.slug]))
    response = render(
        request,
        "crimestats/staff/comparison_group.html",
        {"municipality": found, "form": form, "can_edit": can_edit},
    )
    if form.errors:
        response.status_code = 400
    return response
