import dataclasses
import os
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trygg.accounts.decorators import staff_required
from trygg.core.csvexport import csv_response, csv_wants_excel
from trygg.core.forms import form_add_service_errors
from trygg.core.site import site_url
from trygg.core.submissions import once_per_form
from trygg.municipalities import rules as municipality_rules
from trygg.municipalities.models import Area

from . import analysis, importing, results, rules, selectors, services
from .forms import (
    BreakdownForm,
    CodesForm,
    CustomQuestionForm,
    MappingForm,
    QuestionSelectForm,
    StatusForm,
    SurveyCreateForm,
    SurveySettingsForm,
    TranslationForm,
    UploadForm,
)
from .models import Language, Question, Survey
from .views import _sections

UPLOAD_SESSION_KEY = "surveys:upload:"


def _builder_or_403(request: HttpRequest, survey: Survey) -> None:
    if request.method != "POST" or not rules.can_build_survey(request.user, survey.municipality):
        raise PermissionDenied


def _detail_context(request: HttpRequest, survey: Survey, **forms: Any) -> dict[str, Any]:
    can_build = rules.can_build_survey(request.user, survey.municipality)
    questions = selectors.survey_questions(survey=survey)
    context: dict[str, Any] = {
        "survey": survey,
        "questions": questions,
        "can_build": can_build,
        "is_draft": survey.status == Survey.Status.DRAFT,
        "response_count": survey.responses.count(),
        "code_count": survey.invitation_codes.count(),
        "used_code_count": survey.invitation_codes.filter(used=True).count(),
        "data_file": getattr(survey, "data_file", None),
        "question_form": QuestionSelectForm(initial={"questions": questions}, survey=survey),
        "custom_form": CustomQuestionForm(),
        "translation_form": TranslationForm(survey=survey),
        "status_form": StatusForm(initial={"status": survey.status}),
        "codes_form": CodesForm(),
    }
    context.update(forms)
    return context


def _rerender(request: HttpRequest, survey: Survey, **forms: Any) -> HttpResponse:
    response = render(request, "surveys/staff/survey_detail.html", _detail_context(request, survey, **forms))
    response.status_code = 400
    return response


@staff_required
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = selectors.surveys_for_staff(user=request.user).order_by("municipality__name", "-year")
    can_create = municipality_rules.editable_municipalities(request.user).exists()
    return render(request, "surveys/staff/survey_list.html", {"surveys": surveys, "can_create": can_create})


@staff_required
@once_per_form
def survey_create(request: HttpRequest) -> HttpResponse:
    municipalities = municipality_rules.editable_municipalities(request.user)
    if not municipalities.exists():
        raise PermissionDenied
    form = SurveyCreateForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        municipality = form.cleaned_data["municipality"]
        areas = form.area_list() or list(
            Area.objects.filter(municipality=municipality).values_list("name", flat=True)
        )
        try:
            survey = services.survey_create(
                municipality=municipality,
                year=form.cleaned_data["year"],
                title=form.cleaned_data["title"],
                slug=form.cleaned_data["slug"],
                mode=form.cleaned_data["mode"],
                k=form.cleaned_data["k"],
                languages=form.cleaned_data["languages"],
                areas=areas,
                by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(reverse("surveys:staff_detail", args=[survey.pk]))
    response = render(request, "surveys/staff/survey_create.html", {"form": form})
    if form.errors:
        response.status_code = 400
    return response


@staff_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get_for_staff(user=request.user, pk=pk)
    return render(request, "surveys/staff/survey_detail.html", _detail_context(request, survey))


@staff_required
def survey_questions(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get_for_staff(user=request.user, pk=pk)
    _builder_or_403(request, survey)
    form = QuestionSelectForm(request.POST, survey=survey)
    if form.is_valid():
        try:
            services.survey_set_questions(
                survey=survey,
                questions=list(form.cleaned_data["questions"]),
                by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(reverse("surveys:staff_detail", args=[pk]))
    return _rerender(request, survey, question_form=form)


@staff_required
def survey_custom_question(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get_for_staff(user=request.user, pk=pk)
    _builder_or_403(request, survey)
    form = CustomQuestionForm(request.POST)
    if form.is_valid():
        try:
            services.survey_add_custom_question(
                survey=survey,
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
                choices=form.cleaned_data["choices"].splitlines(),
                problem=form.cleaned_data["problem"],
                by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(reverse("surveys:staff_detail", args=[pk]))
    return _rerender(request, survey, custom_form=form)


@staff_required
def survey_translation(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get_for_staff(user=request.user, pk=pk)
    _builder_or_403(request, survey)
    form = TranslationForm(request.POST, survey=survey)
    if form.is_valid():
        services.question_translation_save(
            question=form.cleaned_data["question"],
            municipality=survey.municipality,
            language=form.cleaned_data["language"],
            text=form.cleaned_data["text"],
            choice_labels=form.labels(),
            by=request.user,  # type: ignore[arg-type]
        )
        return HttpResponseRedirect(reverse("surveys:staff_detail", args=[pk]))
    return _rerender(request, survey, translation_form=form)


@staff_required
def survey_status(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get_for_staff(user=request.user, pk=pk)
    _builder_or_403(request, survey)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.survey_set_status(survey=survey, status=form.cleaned_data["status"], by=request.user)  # type: ignore[arg-type]
        return HttpResponseRedirect(reverse("surveys:staff_detail", args=[pk]))
    return _rerender(request, survey, status_form=form)


@staff_required
@require_http_methods(["GET", "POST"])
def survey_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Title, introduction, k, languages; and while a draft, year, address, sample and areas."""
    survey = selectors.survey_get_for_staff(user=request.user, pk=pk)
    if not rules.can_build_survey(request.user, survey.municipality):
        raise PermissionDenied
    form = SurveySettingsForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update_settings(survey=survey, by=request.user, settings=form.settings())  # type: ignore[arg-type]
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return HttpResponseRedirect(reverse("surveys:staff_detail", args=[pk]))
    response = render(request, "surveys/staff/survey_settings.html", {"survey": survey, "form": form})
    if form.errors:
        response.status_code = 400
    return response


@staff_required
def survey_codes(request: HttpRequest, pk: int) -> HttpResponse:
    """The new codes as a CSV download: the only time anyone sees them in plain text."""
    survey = selectors.survey_get_for_staff(user=request.user, pk=pk)
    _builder_or_403(request, survey)
    form = CodesForm(request.POST)
    if form.is_valid():
        try:
            codes = services.invitation_codes_generate(
                survey=survey,
                count=form.cleaned_data["count"],
                by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The address printed on the letters is the site's own, never the Host header of this request.
            address = site_url(survey.get_absolute_url())
            stamp = timezone.localdate().isoformat()
            return csv_response(
                [["kod", "adress"], *([code, address] for code in codes)],
                filename=f"koder-{survey.slug}-{stamp}.csv",
                excel=csv_wants_excel(request),
            )
    return _rerender(request, survey, codes_form=form)


@staff_required
def survey_preview(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get_for_staff(user=request.user, pk=pk)
    languages = selectors.survey_languages(survey=survey)
    language = request.GET.get("sprak", Language.SWEDISH)
    if language not in dict(languages):
        language = Language.SWEDISH
    return render(
        request,
        "surveys/staff/survey_preview.html",
        {
            "survey": survey,
            "pages": _sections(survey, language),
            "survey_languages": languages,
            "language": language,
        },
    )


def _upload_targets(survey: Survey) -> list[str]:
    codes = [question.code for question in selectors.survey_questions(survey=survey)]
    codes += list(Question.objects.bank().values_list("code", flat=True))
    fixed = [analysis.RESPONDENT_COLUMN, "year", "area", analysis.WEIGHT_COLUMN]
    return fixed + list(dict.fromkeys(code for code in codes if code not in fixed))


@staff_required
def survey_import(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get_for_staff(user=request.user, pk=pk)
    if not rules.can_build_survey(request.user, survey.municipality):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    try:
        services.survey_check_import_allowed(survey=survey)
    except ValidationError as error:
        # The one-source rule is told before the file is read and its columns mapped, not after.
        blocked = " ".join(error.messages)
        response = render(
            request, "surveys/staff/survey_import.html", {"survey": survey, "form": None, "blocked": blocked}
        )
        response.status_code = 400 if request.method == "POST" else 200
        return response
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        kind = importing.file_kind(uploaded.name)
        token = uuid.uuid4().hex
        path = services.upload_dir() / f"{token}.{kind}"
        with path.open("wb") as handle:
            for chunk in uploaded.chunks():
                handle.write(chunk)
        try:
            importing.source_columns(path, kind)
        except Exception as error:  # whatever the file held: the page says why, in its language where it can
            path.unlink(missing_ok=True)
            detail = (
                "; ".join(item.text_in(_) for item in error.errors[:5])
                if isinstance(error, analysis.SurveyFileError)
                else error
            )
            form.add_error("file", _("Filen kunde inte läsas: %(error)s") % {"error": detail})
        else:
            request.session[f"{UPLOAD_SESSION_KEY}{survey.pk}"] = {
                "token": token,
                "kind": kind,
                "name": uploaded.name,
            }
            return HttpResponseRedirect(reverse("surveys:staff_mapping", args=[pk]))
    response = render(request, "surveys/staff/survey_import.html", {"survey": survey, "form": form})
    if form.errors:
        response.status_code = 400
    return response


@staff_required
def survey_import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get_for_staff(user=request.user, pk=pk)
    if not rules.can_build_survey(request.user, survey.municipality):
        raise PermissionDenied
    upload = request.session.get(f"{UPLOAD_SESSION_KEY}{survey.pk}")
    if not upload:
        return HttpResponseRedirect(reverse("surveys:staff_import", args=[pk]))
    try:
        services.survey_check_import_allowed(survey=survey)
    except ValidationError:
        # Web answers arrived after the upload: back to the upload page, which says why.
        return HttpResponseRedirect(reverse("surveys:staff_import", args=[pk]))
    path = services.upload_dir() / f"{upload['token']}.{upload['kind']}"
    if not path.exists():
        return HttpResponseRedirect(reverse("surveys:staff_import", args=[pk]))
    columns = importing.source_columns(path, upload["kind"])
    form = MappingForm(request.POST or None, columns=columns, targets=_upload_targets(survey))
    file_errors: analysis.SurveyFileError | None = None
    if request.method == "POST" and form.is_valid():
        # The file's errors are reported with the file's own column names.
        back = {target: source for source, target in form.mapping().items() if target}
        try:
            data_file = services.survey_import_file(
                survey=survey,
                path=path,
                kind=upload["kind"],
                mapping=form.mapping(),
                original_name=upload["name"],
                by=request.user,  # type: ignore[arg-type]
                today=timezone.localdate(),
            )
        except analysis.SurveyFileError as error:
            file_errors = analysis.SurveyFileError(
                [
                    dataclasses.replace(item, column=back.get(item.column, item.column))
                    if item.column is not None
                    else item
                    for item in error.errors
                ],
                error.total,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            os.unlink(path)
            del request.session[f"{UPLOAD_SESSION_KEY}{survey.pk}"]
            return render(
                request, "surveys/staff/survey_imported.html", {"survey": survey, "data_file": data_file}
            )
    response = render(
        request,
        "surveys/staff/survey_mapping.html",
        {"survey": survey, "form": form, "upload": upload, "file_errors": file_errors},
    )
    if form.errors or file_errors:
        response.status_code = 400
    return response


@staff_required
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get_for_staff(user=request.user, pk=pk)
    form = BreakdownForm(request.GET or None)
    per = form.cleaned_data["per"] if form.is_valid() else ""
    by = (per,) if per else ()
    result = selectors.survey_indices(survey=survey, by=by)
    labels = selectors.question_labels(survey=survey)
    indicators = list(result["groups"][0]["indicators"]) if result["groups"] else []
    rows = []
    for indicator in indicators:
        cells = []
        for group in result["groups"]:
            cell = group["indicators"][indicator]
            is_index = indicator.startswith("p_")
            if cell["suppressed"]:
                cells.append((results.NOT_SHOWN, results.TOO_FEW))
            else:
                assert cell["value"] is not None
                cells.append((str(cell["n"]), results.display_value(cell["value"], is_index)))
        rows.append((results.indicator_label(indicator, labels), cells))
    groups = [
        ", ".join(value or _("(tomt)") for value in group["by"].values()) or _("Hela kommunen")
        for group in result["groups"]
    ]
    return render(
        request,
        "surveys/staff/survey_results.html",
        {
            "survey": survey,
            "form": form,
            "groups": groups,
            "respondents": [
                group["respondents"] if group["respondents"] >= survey.k else results.NOT_SHOWN
                for group in result["groups"]
            ],
            "rows": rows,
            "question_kinds": Question.Kind,
        },
    )
