from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from trygg.accounts.decorators import staff_required
from trygg.core.submissions import once_per_form
from trygg.municipalities.models import Municipality

from . import rules, selectors, services
from .forms import (
    DialogueForm,
    FocusAreaFromEvidenceForm,
    MeasureForm,
    PublishMeasureForm,
    RaisedProblemFormSet,
)
from .models import Dialogue, Measure
from .views import render_pdf


def _municipality(request: HttpRequest, slug: str):
    found = selectors.staff_municipality_get(user=request.user, slug=slug)
    if not rules.can_see_evidence(request.user, found):
        raise PermissionDenied
    return found


def _default_year() -> int:
    return timezone.localdate().year - 1


@staff_required
def overview(request: HttpRequest, municipality: str) -> HttpResponse:
    found = _municipality(request, municipality)
    return HttpResponseRedirect(reverse("evidence:staff_ranking", args=[found.slug, _default_year()]))


@staff_required
def ranking_page(request: HttpRequest, municipality: str, year: int) -> HttpResponse:
    return _ranking_response(request, _municipality(request, municipality), year, form=None)


def _ranking_response(
    request: HttpRequest, found: Municipality, year: int, form: FocusAreaFromEvidenceForm | None
) -> HttpResponse:
    ranked = selectors.ranking_for(municipality=found, year=year)
    can_create = rules.can_create_focus_area(request.user, found)
    response = render(
        request,
        "evidence/staff/ranking.html",
        {
            "municipality": found,
            "ranking": ranked,
            "year": year,
            "years": range(year - 2, year + 2),
            "can_create": can_create,
            "drafts": selectors.draft_promises(municipality=found) if can_create else [],
            "form": form,
        },
    )
    if form is not None and form.errors:
        response.status_code = 400
    return response


@staff_required
@once_per_form
def focus_area_create(request: HttpRequest, municipality: str, year: int) -> HttpResponse:
    found = _municipality(request, municipality)
    if request.method != "POST" or not rules.can_create_focus_area(request.user, found):
        raise PermissionDenied
    form = FocusAreaFromEvidenceForm(request.POST, municipality=found)
    if form.is_valid():
        try:
            focus_area = services.focus_area_create_from_evidence(
                promise=form.cleaned_data["promise"],
                problem=form.cleaned_data["problem"],
                year=year,
                by=request.user,
                today=timezone.localdate(),
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(reverse("promises:staff_detail", args=[focus_area.promise_id]))
    return _ranking_response(request, found, year, form=form)


@staff_required
def document(request: HttpRequest, municipality: str, year: int) -> HttpResponse:
    found = _municipality(request, municipality)
    picture = selectors.problem_picture(
        municipality=found, year=year, public=False, today=timezone.localdate()
    )
    return render(
        request,
        "evidence/document.html",
        {"municipality": found, "picture": picture, "year": year, "staff": True},
    )


@staff_required
def document_pdf(request: HttpRequest, municipality: str, year: int) -> HttpResponse:
    found = _municipality(request, municipality)
    picture = selectors.problem_picture(
        municipality=found, year=year, public=False, today=timezone.localdate()
    )
    html = render_to_string(
        "evidence/document_print.html",
        {"municipality": found, "picture": picture, "year": year, "staff": True, "pdf": True},
        request,
    )
    return render_pdf(request, html, f"lagesbild-{found.slug}-{year}-intern.pdf")


@staff_required
def dialogue_list(request: HttpRequest, municipality: str) -> HttpResponse:
    found = _municipality(request, municipality)
    return render(
        request,
        "evidence/staff/dialogue_list.html",
        {
            "municipality": found,
            "dialogues": selectors.dialogues_for(municipality=found),
            "can_record": rules.can_record_dialogues(request.user, found),
        },
    )


@staff_required
def dialogue_edit(request: HttpRequest, municipality: str, pk: int | None = None) -> HttpResponse:
    found = _municipality(request, municipality)
    dialogue = get_object_or_404(Dialogue, pk=pk, municipality=found) if pk is not None else None
    can_record = rules.can_record_dialogues(request.user, found)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        form = DialogueForm(request.POST)
        formset = RaisedProblemFormSet(request.POST, prefix="problem")
        if form.is_valid() and formset.is_valid():
            raised = [
                services.RaisedProblem(row["problem"], row["raised_by"], row.get("notes", ""))
                for row in formset.cleaned_data
                if row.get("problem")
            ]
            try:
                services.dialogue_save(
                    municipality=found, by=request.user, dialogue=dialogue, raised=raised, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return HttpResponseRedirect(reverse("evidence:staff_dialogues", args=[found.slug]))
        status = 400
    else:
        initial = None
        rows: list[dict[str, object]] = []
        if dialogue is not None:
            initial = {
                name: getattr(dialogue, name) for name in ("date", "kind", "place", "participants", "notes")
            }
            rows = [
                {"problem": row.problem, "raised_by": row.raised_by, "notes": row.notes}
                for row in dialogue.problems_raised.select_related("problem")
            ]
        form = DialogueForm(initial=initial)
        formset = RaisedProblemFormSet(initial=rows, prefix="problem")
        status = 200
    response = render(
        request,
        "evidence/staff/dialogue_form.html",
        {
            "municipality": found,
            "dialogue": dialogue,
            "form": form,
            "formset": formset,
            "can_record": can_record,
        },
    )
    response.status_code = status
    return response


@staff_required
def measure_list(request: HttpRequest, municipality: str) -> HttpResponse:
    found = _municipality(request, municipality)
    return render(
        request,
        "evidence/staff/measure_list.html",
        {
            "municipality": found,
            "measures": selectors.measures_for(municipality=found, public_only=False),
            "can_edit": rules.can_edit_measures(request.user, found),
        },
    )


@staff_required
def measure_edit(request: HttpRequest, municipality: str, pk: int | None = None) -> HttpResponse:
    found = _municipality(request, municipality)
    measure = get_object_or_404(Measure, pk=pk, municipality=found) if pk is not None else None
    can_edit = rules.can_edit_measures(request.user, found)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = MeasureForm(request.POST, municipality=found)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["order"] = data.get("order") or 0
            try:
                services.measure_save(municipality=found, by=request.user, measure=measure, **data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return HttpResponseRedirect(reverse("evidence:staff_measures", args=[found.slug]))
        status = 400
    else:
        initial: dict[str, object] = {"year": _default_year() + 1, "is_public": True}
        if measure is not None:
            initial = {
                name: getattr(measure, name)
                for name in ("year", "text", "owner", "is_public", "start_date", "end_date", "order")
            }
            initial["problems"] = list(measure.problems.all())
        form = MeasureForm(initial=initial, municipality=found)
        status = 200
    response = render(
        request,
        "evidence/staff/measure_form.html",
        {
            "municipality": found,
            "measure": measure,
            "form": form,
            "can_edit": can_edit,
            "publish_form": PublishMeasureForm(municipality=found) if measure and can_edit else None,
        },
    )
    response.status_code = status
    return response


@staff_required
def measure_publish(request: HttpRequest, municipality: str, pk: int) -> HttpResponse:
    found = _municipality(request, municipality)
    measure = get_object_or_404(Measure, pk=pk, municipality=found)
    if request.method != "POST" or not rules.can_edit_measures(request.user, found):
        raise PermissionDenied
    form = PublishMeasureForm(request.POST, municipality=found)
    if form.is_valid():
        try:
            activity = services.measure_publish_as_activity(
                measure=measure, focus_area=form.cleaned_data["focus_area"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(
                reverse("promises:staff_detail", args=[activity.focus_area.promise_id])
            )
    response = render(
        request,
        "evidence/staff/measure_form.html",
        {
            "municipality": found,
            "measure": measure,
            "form": MeasureForm(
                municipality=found,
                initial={
                    "year": measure.year,
                    "text": measure.text,
                    "owner": measure.owner,
                    "is_public": measure.is_public,
                },
            ),
            "can_edit": True,
            "publish_form": form,
        },
    )
    response.status_code = 400
    return response
