"""A generated example safety survey for the demo municipality, in two years so that a trend shows.

Every answer here is invented (seeded random numbers): the surveys are marked `is_example`, and every page
that shows them says "Exempeldata".
"""

import datetime as dt

import numpy as np
from django.db import transaction

from trygg.municipalities.models import Municipality
from trygg.surveys.models import Question, Response, Survey, SurveyQuestion
from trygg.surveys.services import questions_ensure_bank

AREAS = ("Centrum", "Ytterområden", "Landsbygd", "Ljungbyporten")
AREA_SHARES = (0.38, 0.32, 0.25, 0.05)
YEARS = (2022, 2024)
RESPONDENTS = {2022: 640, 2024: 720}
SEEDS = {2022: 20220781, 2024: 20240781}

# How big each problem looks per area in the first year (probabilities of codes 1, 2, 3, 4, 9).
PROBLEM_LEVELS = {
    "Centrum": {"p_klotter": 0.55, "p_nedskrapning": 0.5, "p_berusade": 0.55, "p_narkotika_offentligt": 0.45},
    "Ytterområden": {"p_skadegorelse": 0.45, "p_ungdomar_stor": 0.5, "p_morka_omraden": 0.5},
    "Landsbygd": {"p_bilar_fort": 0.65, "p_morka_omraden": 0.45},
    "Ljungbyporten": {"p_nedskrapning": 0.6, "p_ungdomar_stor": 0.55, "p_bilar_fort": 0.5},
}
# The invented effect of the promise's work between the two years (klotter and skadegörelse go down).
CHANGE_2024 = {"p_klotter": -0.2, "p_skadegorelse": -0.15, "p_bilar_fort": 0.05}


def _problem_answer(rng: np.random.Generator, level: float) -> int:
    if rng.random() < 0.07:
        return 9
    # level near 1 pushes answers towards "mycket stort problem".
    weights = np.array([level**2, level, 1 - level, (1 - level) ** 2 + 0.05])
    return int(rng.choice([1, 2, 3, 4], p=weights / weights.sum()))


def _answers(rng: np.random.Generator, area: str, year: int, codes: list[str]) -> dict[str, object]:
    answers: dict[str, object] = {}
    for code in codes:
        if rng.random() < 0.03:
            continue  # no answer
        if code.startswith("p_"):
            level = PROBLEM_LEVELS[area].get(code, 0.3)
            if year == YEARS[-1]:
                level = min(max(level + CHANGE_2024.get(code, 0.0), 0.05), 0.95)
            answers[code] = _problem_answer(rng, level)
        elif code == "t_kvall":
            unsafe = {"Centrum": 0.3, "Ytterområden": 0.25, "Landsbygd": 0.15, "Ljungbyporten": 0.35}[area]
            if year == YEARS[-1]:
                unsafe -= 0.04
            answers[code] = int(
                rng.choice(
                    [1, 2, 3, 4, 5, 9],
                    p=[
                        0.35 - unsafe / 2,
                        0.58 - unsafe / 2,
                        unsafe * 0.6,
                        unsafe * 0.25,
                        unsafe * 0.15,
                        0.07,
                    ],
                )
            )
        elif code.startswith("u_"):
            share = 0.12 if code in {"u_skadegorelse", "u_stold"} else 0.05
            answers[code] = int(rng.choice([1, 2, 9], p=[share, 0.97 - share, 0.03]))
        elif code == "f_polis_bryr_sig":
            trust = 0.55 if year == YEARS[0] else 0.62
            answers[code] = int(
                rng.choice(
                    [1, 2, 3, 4, 9],
                    p=[trust * 0.4, trust * 0.6, (0.9 - trust) * 0.6, (0.9 - trust) * 0.4, 0.1],
                )
            )
        elif code == "kon":
            answers[code] = int(rng.choice([1, 2, 3], p=[0.5, 0.47, 0.03]))
        elif code == "alder":
            answers[code] = int(rng.choice([1, 2, 3, 4], p=[0.18, 0.32, 0.25, 0.25]))
        elif code in {"s_undviker", "o_brott"}:
            answers[code] = int(rng.choice([1, 2, 3, 9], p=[0.1, 0.3, 0.55, 0.05]))
        elif code == "r_anmalt":
            answers[code] = int(rng.choice([1, 2, 3, 4], p=[0.08, 0.05, 0.1, 0.77]))
    return answers


def _responses(survey: Survey, codes: list[str]) -> list[Response]:
    rng = np.random.default_rng(SEEDS[survey.year])
    areas = rng.choice(len(AREAS), size=RESPONDENTS[survey.year], p=AREA_SHARES)
    start = dt.date(survey.year, 9, 1)
    return [
        Response(
            survey=survey,
            submitted_on=start + dt.timedelta(days=int(rng.integers(0, 30))),
            area=AREAS[area],
            answers=_answers(rng, AREAS[area], survey.year, codes),
        )
        for area in areas
    ]


@transaction.atomic
def load_surveys_demo(municipality: Municipality) -> list[Survey]:
    """Create or refresh the example surveys; running it again changes nothing and duplicates nothing."""
    questions_ensure_bank()
    bank = list(Question.objects.bank())
    codes = [question.code for question in bank]
    surveys = []
    for year in YEARS:
        survey, _ = Survey.objects.update_or_create(
            municipality=municipality,
            slug=f"exempel-{year}",
            defaults={
                "year": year,
                "title": f"Trygghetsmätning {year} (exempeldata)",
                "mode": Survey.Mode.INVITATION,
                "status": Survey.Status.PUBLISHED,
                "k": 10,
                "languages": ["sv-lattlast", "en"],
                "areas": list(AREAS),
                "introduction": "Ett påhittat exempel som visar hur en trygghetsmätning fungerar i Trygg.",
                "is_example": True,
            },
        )
        present = set(survey.survey_questions.values_list("question_id", flat=True))
        SurveyQuestion.objects.bulk_create(
            SurveyQuestion(survey=survey, question=question, order=question.order)
            for question in bank
            if question.pk not in present
        )
        if survey.responses.count() != RESPONDENTS[year]:
            survey.responses.all().delete()
            Response.objects.bulk_create(_responses(survey, codes), batch_size=1000)
        surveys.append(survey)
    return surveys
