from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trygg.core.csvexport import csv_response, csv_wants_excel
from trygg.core.ratelimit import Limit, rate_limit_exceeded

from . import results, selectors, services
from .forms import NO_AREA, AnswerForm, CodeForm, LanguageForm
from .models import AnswerDraft, Language, Question, Survey

# The session holds only the random id of the draft being answered, one per survey: never a code or its hash.
SESSION_PREFIX = "surveys:draft:"
# Guessing invitation codes takes many tries: each client gets a few per hour.
CODE_LIMIT = Limit(scope="survey-code", count=20, seconds=3600)
# Query parameters a printed or e-mailed link may carry the code in.
LINK_CODE_PARAMETERS = ("kod", "code")
LINK_CODE_FAILED = "surveys:link-code-failed"


# The same answer for an unknown and a used code: nobody learns which codes exist.
CODE_REFUSED = gettext_lazy("Koden fungerar inte. Den kan vara felskriven eller redan använd.")


def _session_key(survey: Survey) -> str:
    return f"{SESSION_PREFIX}{survey.pk}"


def _draft(request: HttpRequest, survey: Survey) -> AnswerDraft | None:
    draft_id = request.session.get(_session_key(survey))
    if not draft_id:
        return None
    return selectors.answer_draft_get(survey=survey, draft_id=draft_id, now=timezone.now())


def _draft_remember(request: HttpRequest, survey: Survey, draft: AnswerDraft) -> None:
    request.session[_session_key(survey)] = str(draft.pk)


def _language(request: HttpRequest, survey: Survey, draft: AnswerDraft | None) -> str:
    offered = {code for code, _label in selectors.survey_languages(survey=survey)}
    asked = request.GET.get("sprak", "")
    if asked in offered:
        if draft is not None and draft.language != asked:
            draft.language = asked
            services.answer_draft_save(draft=draft, now=timezone.now())
        return asked
    if draft is not None and draft.language in offered:
        return draft.language
    return Language.SWEDISH.value


def _sections(survey: Survey, language: str) -> list[tuple[str, str, list[selectors.FormQuestion]]]:
    """The questionnaire's pages: one per section that has questions, background first."""
    questions = selectors.survey_form_questions(survey=survey, language=language)
    pages = []
    for section, label in Question.Section.choices:
        in_section = [question for question in questions if question.section == section]
        if in_section or (section == Question.Section.BACKGROUND and survey.areas):
            pages.append((section, str(label), in_section))
    return pages


def _common(request: HttpRequest, survey: Survey, language: str) -> dict[str, Any]:
    languages = selectors.survey_languages(survey=survey)
    return {
        "survey": survey,
        "municipality": survey.municipality,
        "language": language,
        "survey_languages": languages,
        "language_form": LanguageForm(initial={"sprak": language}, languages=languages),
    }


def _without_code(request: HttpRequest) -> str:
    query = request.GET.copy()
    for name in LINK_CODE_PARAMETERS:
        query.pop(name, None)
    return request.path + (f"?{query.urlencode()}" if query else "")


def _first_step(survey: Survey) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("surveys:step", args=[survey.municipality.slug, survey.slug, 1]))


def _code_from_link(request: HttpRequest, found: Survey, language: str) -> HttpResponse:
    """A code in a link is redeemed at once and the browser is sent on to an address without it.

    The code never stays in the address bar, the history or a later Referer, and nothing keeps it: answering
    starts under a fresh random id, as after a typed code.
    """
    if found.status != Survey.Status.OPEN or found.mode != Survey.Mode.INVITATION:
        return HttpResponseRedirect(_without_code(request))
    raw = next(request.GET[name] for name in LINK_CODE_PARAMETERS if name in request.GET)
    form = CodeForm({"code": raw})
    if not rate_limit_exceeded(request=request, limit=CODE_LIMIT) and form.is_valid():
        try:
            draft = services.answer_start(
                survey=found, code=form.cleaned_data["code"], language=language, now=timezone.now()
            )
        except (services.CodeInvalid, services.CodeAlreadyUsed, ValidationError):
            pass
        else:
            _draft_remember(request, found, draft)
            return _first_step(found)
    request.session[LINK_CODE_FAILED] = True
    return HttpResponseRedirect(_without_code(request))


def answer_start(request: HttpRequest, municipality: str, survey: str) -> HttpResponse:
    found = selectors.survey_get_for_answering(municipality_slug=municipality, slug=survey)
    draft = _draft(request, found)
    language = _language(request, found, draft)
    if request.method == "GET" and any(name in request.GET for name in LINK_CODE_PARAMETERS):
        return _code_from_link(request, found, language)
    context = _common(request, found, language)
    if found.status != Survey.Status.OPEN:
        return render(request, "surveys/answer_closed.html", context)
    form = CodeForm(request.POST or None)
    if request.method == "GET" and request.session.pop(LINK_CODE_FAILED, False):
        # The code of the link did not work: say so as if it had been typed, without showing it.
        form = CodeForm({"code": ""})
        form.errors["code"] = form.error_class([str(CODE_REFUSED)])
        response = render(request, "surveys/answer_start.html", {**context, "form": form})
        response.status_code = 400
        return response
    if request.method == "POST":
        code = None
        if found.mode == Survey.Mode.INVITATION:
            if rate_limit_exceeded(request=request, limit=CODE_LIMIT):
                return HttpResponse(
                    _("För många försök på kort tid. Vänta en stund och försök igen."),
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
            if not form.is_valid():
                response = render(request, "surveys/answer_start.html", {**context, "form": form})
                response.status_code = 400
                return response
            code = form.cleaned_data["code"]
        elif draft is not None:
            return _first_step(found)  # open mode: one draft per browser at a time
        try:
            draft = services.answer_start(survey=found, code=code, language=language, now=timezone.now())
        except (services.CodeInvalid, services.CodeAlreadyUsed):
            form.add_error("code", CODE_REFUSED)
            response = render(request, "surveys/answer_start.html", {**context, "form": form})
            response.status_code = 400
            return response
        _draft_remember(request, found, draft)
        return _first_step(found)
    return render(request, "surveys/answer_start.html", {**context, "form": form})


def answer_step(request: HttpRequest, municipality: str, survey: str, step: int) -> HttpResponse:
    found = selectors.survey_get_for_answering(municipality_slug=municipality, slug=survey)
    draft = _draft(request, found)
    if found.status != Survey.Status.OPEN or draft is None:
        return HttpResponseRedirect(found.get_absolute_url())
    language = _language(request, found, draft)
    pages = _sections(found, language)
    if not 1 <= step <= len(pages):
        raise Http404
    section, section_label, questions = pages[step - 1]
    areas = found.areas if section == Question.Section.BACKGROUND else []
    answers: dict[str, object] = dict(draft.answers)
    initial: dict[str, object] = {code: str(value) for code, value in answers.items()}
    if draft.area_chosen:
        initial["area"] = draft.area or NO_AREA
    form = AnswerForm(request.POST or None, initial=initial, questions=questions, areas=areas)
    context = {
        **_common(request, found, language),
        "form": form,
        "step": step,
        "step_count": len(pages),
        "section_label": section_label,
        "questions": questions,
        "is_last": step == len(pages),
    }
    if request.method != "POST":
        return render(request, "surveys/answer_step.html", context)

    going_back = "back" in request.POST
    if form.is_valid():
        page_answers = form.answers()
        area = form.cleaned_data.get("area")
    else:
        page_answers = form.valid_part()
        area = None
    # Answers of this page replace the stored ones; a question left empty now is no answer any more.
    for question in questions:
        answers.pop(question.code, None)
    answers.update(page_answers)
    draft.answers = answers
    if area is not None:
        draft.area = "" if area == NO_AREA else area
        draft.area_chosen = True
    services.answer_draft_save(draft=draft, now=timezone.now())
    if going_back:
        target = max(step - 1, 1)
        if step == 1:
            return HttpResponseRedirect(found.get_absolute_url())
        return HttpResponseRedirect(reverse("surveys:step", args=[municipality, survey, target]))
    if not form.is_valid():
        response = render(request, "surveys/answer_step.html", context)
        response.status_code = 400
        return response
    if step < len(pages):
        return HttpResponseRedirect(reverse("surveys:step", args=[municipality, survey, step + 1]))
    if found.areas and not draft.area_chosen:
        return HttpResponseRedirect(reverse("surveys:step", args=[municipality, survey, 1]))
    try:
        services.response_submit(
            draft_id=draft.pk, survey=found, today=timezone.localdate(), now=timezone.now()
        )
    except services.DraftMissing:
        request.session.pop(_session_key(found), None)
        response = render(request, "surveys/answer_used.html", _common(request, found, language))
        response.status_code = 409
        return response
    except ValidationError:
        return HttpResponseRedirect(found.get_absolute_url())
    # Nothing of the answers stays in the session once they are stored.
    request.session.pop(_session_key(found), None)
    request.session.cycle_key()
    return HttpResponseRedirect(reverse("surveys:thanks", args=[municipality, survey]))


def answer_thanks(request: HttpRequest, municipality: str, survey: str) -> HttpResponse:
    found = selectors.survey_get_for_answering(municipality_slug=municipality, slug=survey)
    return render(
        request, "surveys/answer_thanks.html", {"survey": found, "municipality": found.municipality}
    )


# ----------------------------------------------------------------------------------------------------------
# Public results


def _area_from_slug(survey: Survey, area: str | None) -> str | None:
    if area is None:
        return None
    for name in selectors.survey_areas_in_data(survey=survey):
        if slugify(name) == area:
            return name
    raise Http404


def _scope(municipality: str, survey: str, area: str | None) -> results.ScopeResults:
    found = selectors.survey_get_published(municipality_slug=municipality, slug=survey)
    scope = results.scope_results(survey=found, area=_area_from_slug(found, area))
    if scope is None:
        raise Http404
    return scope


def results_page(
    request: HttpRequest, municipality: str, survey: str, area: str | None = None
) -> HttpResponse:
    scope = _scope(municipality, survey, area)
    suffix = [slugify(scope.area)] if scope.area else []
    areas = [(name, slugify(name)) for name in selectors.survey_areas_in_data(survey=scope.survey)]
    return render(
        request,
        "surveys/results.html",
        {
            "survey": scope.survey,
            "municipality": scope.survey.municipality,
            "scope": scope,
            "headers": results.headers(),
            "areas": areas,
            "current_area_slug": suffix[0] if suffix else "",
            "csv_url": reverse("surveys:results_csv", args=[municipality, survey, *suffix]),
            "extreme_n": selectors.extreme_min_n(scope.survey),
            "problem_chart_url": reverse(
                "surveys:results_chart", args=[municipality, survey, *suffix, "problem"]
            ),
            "share_chart_url": reverse(
                "surveys:results_chart", args=[municipality, survey, *suffix, "andelar"]
            ),
        },
    )


def results_csv(
    request: HttpRequest, municipality: str, survey: str, area: str | None = None
) -> HttpResponse:
    scope = _scope(municipality, survey, area)
    name = "-".join(part for part in [municipality, survey, slugify(scope.area or ""), "resultat"] if part)
    return csv_response(results.results_table(scope), filename=f"{name}.csv", excel=csv_wants_excel(request))


def results_chart(
    request: HttpRequest, municipality: str, survey: str, kind: str, area: str | None = None
) -> HttpResponse:
    if kind not in {"problem", "andelar"}:
        raise Http404
    scope = _scope(municipality, survey, area)
    response = HttpResponse(results.results_chart(scope, kind=kind), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=300"
    return response
