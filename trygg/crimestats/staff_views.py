import io
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from trygg.accounts.decorators import staff_required
from trygg.municipalities import rules as municipality_rules

from . import formats, importers, rules, services
from .forms import ComparisonGroupForm, ImportForm
from .models import ComparisonGroup, ImportRun

UPLOAD_SESSION_KEY = "crimestats:upload"


def _import_page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    base = {
        "form": ImportForm(),
        "runs": ImportRun.objects.select_related("imported_by")[:50],
        "can_import": rules.can_import_statistics(request.user),
        "groups": municipality_rules.editable_municipalities(request.user).order_by("name"),
    }
    response = render(request, "crimestats/staff/import_list.html", {**base, **context})
    response.status_code = status
    return response


def _read(
    data: bytes,
    name: str,
    kind: str,
    mapping: importers.ColumnMapping | None,
    year: int | None,
    category: str | None,
) -> formats.Preview:
    if kind == "population":
        return formats.preview(services.population_read(source=data))
    return formats.preview(
        services.crimestats_read(source=data, file_name=name, mapping=mapping, year=year, category=category)
    )


def _store(request: HttpRequest, upload: dict[str, Any], data: bytes) -> HttpResponse:
    mapping = (
        importers.mapping_from_toml(io.BytesIO(upload["mapping"].encode())) if upload["mapping"] else None
    )
    if upload["kind"] == "population":
        result = services.population_import(
            source=data, file_name=upload["name"], by=request.user, create_municipalities=upload["create"]
        )
    else:
        result = services.crimestats_import(
            source=data,
            file_name=upload["name"],
            by=request.user,
            mapping=mapping,
            create_municipalities=upload["create"],
            year=upload["year"],
            category=upload["category"],
        )
    if result.run is not None and not result.unchanged:
        return HttpResponseRedirect(reverse("crimestats:staff_import", args=[result.run.pk]))
    return _import_page(request, {"unchanged": result})


@staff_required
def import_list(request: HttpRequest) -> HttpResponse:
    """Upload a file, see what Trygg read it as (the preview), then import it."""
    if not rules.can_see_imports(request.user):
        raise PermissionDenied
    if request.method != "POST":
        return _import_page(request, {})
    if not rules.can_import_statistics(request.user):
        raise PermissionDenied
    if "confirm" in request.POST or "cancel" in request.POST:
        upload = request.session.get(UPLOAD_SESSION_KEY)
        if not upload or upload["token"] != request.POST.get("token"):
            return HttpResponseRedirect(reverse("crimestats:staff_imports"))
        path = services.upload_dir() / upload["token"]
        del request.session[UPLOAD_SESSION_KEY]
        if "cancel" in request.POST or not path.exists():
            path.unlink(missing_ok=True)
            return HttpResponseRedirect(reverse("crimestats:staff_imports"))
        data = path.read_bytes()
        path.unlink()
        try:
            return _store(request, upload, data)
        except importers.CrimeFileError as error:
            # The stored figures changed between the preview and the import (e.g. a kommun was removed).
            return _import_page(request, {"errors": error.errors[:100], "error_total": error.total}, 400)
    form = ImportForm(request.POST, request.FILES)
    errors: list[importers.LineError] = []
    error_total = 0
    if form.is_valid():
        upload_file = form.cleaned_data["file"]
        data = upload_file.read()
        mapping_text = (
            form.cleaned_data["mapping"].read().decode("utf-8", "replace")
            if form.cleaned_data["mapping"]
            else ""
        )
        try:
            mapping = importers.mapping_from_toml(io.BytesIO(mapping_text.encode())) if mapping_text else None
            shown = _read(
                data,
                upload_file.name,
                form.cleaned_data["kind"],
                mapping,
                form.cleaned_data["year"],
                form.cleaned_data["category"] or None,
            )
        except importers.MappingFileError as error:
            form.add_error("mapping", error.message_in(_))
        except importers.CrimeFileError as error:
            errors, error_total = error.errors[:100], error.total
            form.add_error("file", _("Filen har fel och ingenting importerades."))
        else:
            token = uuid.uuid4().hex
            (services.upload_dir() / token).write_bytes(data)
            request.session[UPLOAD_SESSION_KEY] = {
                "token": token,
                "name": upload_file.name,
                "kind": form.cleaned_data["kind"],
                "mapping": mapping_text,
                "create": form.cleaned_data["create_municipalities"],
                "year": form.cleaned_data["year"],
                "category": form.cleaned_data["category"] or None,
            }
            return render(
                request,
                "crimestats/staff/import_preview.html",
                {
                    "preview": shown,
                    "token": token,
                    "file_name": upload_file.name,
                    "kind": form.cleaned_data["kind"],
                },
            )
    return _import_page(request, {"form": form, "errors": errors, "error_total": error_total}, 400)


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
