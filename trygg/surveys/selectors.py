import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from trygg.core import pagecache
from trygg.municipalities import rules
from trygg.municipalities.models import Municipality

from . import analysis, disclosure
from .dataset import AREA_COLUMN, responses_from_answers
from .models import AnswerDraft, Language, Question, QuestionTranslation, Survey, SurveyDataFile

GROUP_CODES = ("kon", "alder")
# The breakdowns shown anywhere (public pages by area; the staff page by area, kön or ålder): every one is a
# margin that hidden figures must not be derivable from.
PUBLISHED_BREAKDOWNS = ((AREA_COLUMN,), ("kon",), ("alder",))
CACHE_SECONDS = 600


def survey_get_for_answering(*, municipality_slug: str, slug: str) -> Survey:
    """A survey whose form is public: open for answers, or closed/published (the form then says so)."""
    return get_object_or_404(
        Survey.objects.select_related("municipality").exclude(status=Survey.Status.DRAFT),
        municipality__slug=municipality_slug,
        slug=slug,
    )


def survey_get_published(*, municipality_slug: str, slug: str) -> Survey:
    return get_object_or_404(
        Survey.objects.published().select_related("municipality"),
        municipality__slug=municipality_slug,
        slug=slug,
    )


def surveys_for_staff(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Survey]:
    return (
        Survey.objects.filter(municipality__in=rules.staff_municipalities(user))
        .select_related("municipality")
        .annotate(response_count=Count("responses", distinct=True))
    )


def survey_get_for_staff(*, user: AbstractBaseUser | AnonymousUser, pk: int) -> Survey:
    return get_object_or_404(
        Survey.objects.filter(municipality__in=rules.staff_municipalities(user)).select_related(
            "municipality"
        ),
        pk=pk,
    )


def answer_draft_get(*, survey: Survey, draft_id: str, now: dt.datetime) -> AnswerDraft | None:
    """The answers in progress under a session's random id; None when gone or abandoned (idle too long)."""
    try:
        return AnswerDraft.objects.filter(pk=draft_id, survey=survey, expires_at__gt=now).first()
    except ValidationError:
        return None  # not a UUID


@dataclass(frozen=True)
class FormQuestion:
    code: str
    kind: str
    section: str
    text: str
    choices: tuple[tuple[str, str], ...]
    lang: str
    rtl: bool


def survey_questions(*, survey: Survey) -> list[Question]:
    return [
        link.question
        for link in survey.survey_questions.select_related("question", "question__problem").order_by(
            "order", "pk"
        )
    ]


# The questionnaire as residents see it, per survey and language, held in this process under the page cache's
# global generation number (trygg.core.pagecache): every committed write to the questions, their translations,
# the survey's list of questions or the survey itself raises that number, whichever channel makes it (staff
# pages, the admin, a command), so a held copy is used only while nothing of it can have changed. Answers
# (responses, codes, drafts) do not raise it. Reading the number is one cheap lookup against three queries and a
# model instance per question and translation.
_form_questions_held: dict[tuple[int, str], tuple[int, tuple[FormQuestion, ...]]] = {}
FORM_QUESTIONS_HELD_MAX = 256


def survey_form_questions(*, survey: Survey, language: str) -> list[FormQuestion]:
    """The survey's questions with their texts in `language` (Swedish where no translation exists)."""
    if not settings.SURVEY_FORM_QUESTIONS_HELD:
        return _survey_form_questions_read(survey=survey, language=language)
    # The number is read before the questions: a write committed in between leaves the copy under the older
    # number, which the next request no longer uses.
    generation = pagecache.generation_read()
    key = (survey.pk, language)
    held = _form_questions_held.get(key)
    if held is not None and held[0] == generation:
        return list(held[1])
    found = _survey_form_questions_read(survey=survey, language=language)
    if len(_form_questions_held) >= FORM_QUESTIONS_HELD_MAX:
        _form_questions_held.clear()
    _form_questions_held[key] = (generation, tuple(found))
    return found


def _survey_form_questions_read(*, survey: Survey, language: str) -> list[FormQuestion]:
    translations = QuestionTranslation.objects.filter(language=language).filter(
        Q(municipality__isnull=True) | Q(municipality=survey.municipality)
    )
    links = survey.survey_questions.select_related("question").prefetch_related(
        Prefetch("question__translations", queryset=translations, to_attr="in_language")
    )
    found = []
    for link in links.order_by("order", "pk"):
        question = link.question
        own = [item for item in question.in_language if item.municipality_id is not None]  # type: ignore[attr-defined]
        chosen = (own or question.in_language or [None])[0]  # type: ignore[attr-defined]
        labels = chosen.choice_labels if chosen is not None else {}
        found.append(
            FormQuestion(
                code=question.code,
                kind=question.kind,
                section=question.section,
                text=chosen.text if chosen is not None else question.text,
                choices=tuple((str(code), labels.get(str(code), label)) for code, label in question.choices),
                lang=Language.html_lang(language) if chosen is not None else "sv",
                rtl=Language.is_rtl(language) if chosen is not None else False,
            )
        )
    return found


def survey_languages(*, survey: Survey) -> list[tuple[str, str]]:
    labels = dict(Language.choices)
    return [(Language.SWEDISH.value, labels["sv"])] + [
        (code, labels[code]) for code in survey.languages if code in labels and code != "sv"
    ]


# ----------------------------------------------------------------------------------------------------------
# The numbers: every page goes through analysis.survey_indices


def survey_dataset(*, survey: Survey) -> analysis.Responses:
    """The survey's answers as analysis.Responses: the imported file if there is one, else the web responses."""
    data_file = SurveyDataFile.objects.filter(survey=survey).first()
    if data_file is not None:
        with data_file.file.open("rb") as handle:
            return analysis.read_responses(handle)
    codes = [question.code for question in survey_questions(survey=survey)]
    rows = survey.responses.values_list("area", "answers", "weight").iterator(chunk_size=5000)
    return responses_from_answers(
        rows, questions=codes, group_columns=[code for code in GROUP_CODES if code in codes]
    )


def _data_version(survey: Survey) -> str:
    data_file = SurveyDataFile.objects.filter(survey=survey).values_list("pk", flat=True).first()
    if data_file is not None:
        return f"file{data_file}"
    return f"web{survey.responses.count()}"


def _survey_raw_indices(*, survey: Survey, by: Sequence[str] = ()) -> analysis.SurveyIndices | None:
    """Every cell's value, unsuppressed (never to be shown as it is), cached per data version; None when a `by`
    column is missing in the data."""
    key = f"surveys:raw-indices:{survey.pk}:{_data_version(survey)}:{','.join(by)}"
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    dataset = survey_dataset(survey=survey)
    usable = all(column in dataset.texts or column in dataset.codes for column in by)
    result = analysis.survey_indices(dataset, by=by, k=survey.k, unsuppressed=True) if usable else None
    cache.set(key, result or {}, CACHE_SECONDS)
    return result


def extreme_min_n(survey: Survey) -> int:
    """Answers a cell needs before 0 % or 100 % (or an index at the scale's end) is shown."""
    return int(settings.SURVEY_EXTREME_MIN_N) or disclosure.extreme_n_default(survey.k)


def _hidden(cell: analysis.IndicatorCell) -> analysis.IndicatorCell:
    return {"n": cell["n"], "value": None, "se": None, "ci95": None, "suppressed": True}


def survey_disclosed_indices(*, survey: Survey) -> dict[tuple[str, ...], analysis.SurveyIndices]:
    """The survey's figures as published, for the whole municipality and every published breakdown.

    What is hidden is decided for all breakdowns at once (trygg.surveys.disclosure), so no hidden figure can be
    worked out from the others, on any page.
    """
    breakdowns: dict[tuple[str, ...], analysis.SurveyIndices] = {}
    for by in [(), *PUBLISHED_BREAKDOWNS]:
        raw = _survey_raw_indices(survey=survey, by=by)
        if raw is not None:
            breakdowns[by] = raw
    total = breakdowns[()]
    margins = {by: result for by, result in breakdowns.items() if by}
    points = [float(value) for value in total["mapping"].values()]
    disclosed: dict[tuple[str, ...], analysis.SurveyIndices] = {
        by: {**result, "groups": [{**group, "indicators": {}} for group in result["groups"]]}
        for by, result in breakdowns.items()
    }
    for indicator, total_cell in total["groups"][0]["indicators"].items():
        extremes = (min(points), max(points)) if indicator.startswith("p_") else (0.0, 1.0)
        rules = disclosure.Rules(k=survey.k, extreme_n=extreme_min_n(survey), extremes=extremes)
        facts = {
            by: [
                disclosure.Facts(
                    n=group["indicators"][indicator]["n"], value=group["indicators"][indicator]["value"]
                )
                for group in result["groups"][1:]
            ]
            for by, result in margins.items()
        }
        total_hidden, hidden = disclosure.suppress(
            disclosure.Facts(n=total_cell["n"], value=total_cell["value"]), list(facts.values()), rules
        )
        for result in disclosed.values():
            result["groups"][0]["indicators"][indicator] = _hidden(total_cell) if total_hidden else total_cell
        for by, flags in zip(facts, hidden, strict=True):
            for group, raw_group, flag in zip(
                disclosed[by]["groups"][1:], margins[by]["groups"][1:], flags, strict=True
            ):
                cell = raw_group["indicators"][indicator]
                group["indicators"][indicator] = _hidden(cell) if flag else cell
    return disclosed


def survey_indices(*, survey: Survey, by: Sequence[str] = ()) -> analysis.SurveyIndices:
    """The survey's published figures for the whole municipality and one breakdown (`by`, one column or none);
    a breakdown whose column is missing in the data gives the whole municipality only."""
    disclosed = survey_disclosed_indices(survey=survey)
    return disclosed.get(tuple(by), disclosed[()])


def survey_areas_in_data(*, survey: Survey) -> list[str]:
    result = survey_indices(survey=survey, by=(AREA_COLUMN,))
    return [group["by"][AREA_COLUMN] for group in result["groups"][1:] if group["by"].get(AREA_COLUMN)]


def survey_previous(*, survey: Survey) -> Survey | None:
    return (
        Survey.objects.published()
        .filter(municipality=survey.municipality, year__lt=survey.year)
        .order_by("-year", "-pk")
        .first()
    )


def question_labels(*, survey: Survey) -> dict[str, str]:
    """Short labels: victimisation questions go by their problem's name ("Skadegörelse")."""
    return {
        question.code: question.problem.name
        if question.kind == Question.Kind.VICTIMISATION and question.problem is not None
        else question.text
        for question in survey_questions(survey=survey)
    }


def _problem_indices(survey: Survey) -> dict[str, float]:
    indicators = survey_indices(survey=survey)["groups"][0]["indicators"]
    indices = {}
    for question in survey_questions(survey=survey):
        cell = indicators.get(question.code)
        if (
            question.kind == Question.Kind.PROBLEM
            and question.problem is not None
            and cell
            and not cell["suppressed"]
        ):
            indices[question.problem.slug] = float(cell["value"])  # type: ignore[arg-type]
    return indices


def survey_problem_indices(*, municipality: Municipality, year: int) -> dict[str, dict[str, Any]]:
    """Problem indices (0–6) per problem slug from the municipality's published survey of the year.

    The lägesbild's ranking reads this; with an earlier published survey, its index is given as `previous`.
    """
    survey = Survey.objects.published().filter(municipality=municipality, year=year).order_by("-pk").first()
    if survey is None:
        return {}
    current = _problem_indices(survey)
    previous_survey = survey_previous(survey=survey)
    previous = _problem_indices(previous_survey) if previous_survey is not None else {}
    return {
        slug: {
            "index": index,
            "year": survey.year,
            "previous": previous.get(slug),
            "previous_year": previous_survey.year if previous_survey is not None else None,
            "example_data": survey.is_example,
        }
        for slug, index in current.items()
    }
