from decimal import Decimal

from trygg.evidence.ranking import (
    CrimeEvidence,
    ProblemEvidence,
    Source,
    SurveyEvidence,
    figure_value,
    rank_problems,
)

SOURCES = {
    "crime": Source("crime", "Anmälda brott", True),
    "survey": Source("survey", "Trygghetsmätning", False, note="trygghetsmätningen finns inte i Trygg ännu"),
    "reports": Source("reports", "Felanmälningar", True),
    "dialogue": Source("dialogue", "Dialoger", True),
}


def _crime(count: int, change: float | None, ratio: float | None) -> CrimeEvidence:
    return CrimeEvidence(
        year=2023,
        count=count,
        rate=count * 100_000 / 20_000,
        uncertain=count < 10,
        change_percent=change,
        change_basis="rate",
        earlier_years=(2020, 2021, 2022),
        ratio=ratio,
        comparison_area="länet",
        comparison_rate=None if ratio is None else count * 100_000 / 20_000 / ratio,
    )


EVIDENCE = [
    ProblemEvidence(
        "klotter", "Klotter", crime=_crime(50, 20.0, 1.3), reports=12, dialogue_mentions=14, dialogue_count=3
    ),
    ProblemEvidence(
        "stold", "Stöld", crime=_crime(200, -10.0, 0.9), reports=0, dialogue_mentions=8, dialogue_count=1
    ),
    ProblemEvidence("belysning", "Belysning", reports=30, dialogue_mentions=0),
    ProblemEvidence("vald", "Våld", crime=_crime(5, None, None)),
]


def test_the_parts_add_up_to_the_score() -> None:
    ranked = rank_problems(EVIDENCE, sources=SOURCES, year=2023)

    for problem in ranked:
        assert problem.score == sum((part.points for part in problem.parts), Decimal("0"))


def test_the_points_are_weight_times_signal_computed_by_hand() -> None:
    klotter = next(
        item for item in rank_problems(EVIDENCE, sources=SOURCES, year=2023) if item.slug == "klotter"
    )
    points = {part.code: part.points for part in klotter.parts}

    assert points["crime_level"] == Decimal("0.50")  # 2 × 50/200
    assert points["crime_trend"] == Decimal("0.40")  # 1 × (+20 % / 50 %)
    assert points["crime_comparison"] == Decimal("0.45")  # 1.5 × (1.3 − 1)
    assert points["reports"] == Decimal("0.40")  # 1 × 12/30
    assert points["dialogue"] == Decimal("1.50")  # 1.5 × 14/14
    assert klotter.score == Decimal("3.25")
    assert klotter.rank == 1


def test_a_missing_source_is_shown_as_missing_and_scores_nothing() -> None:
    ranked = rank_problems(EVIDENCE, sources=SOURCES, year=2023)

    for problem in ranked:
        survey_parts = [part for part in problem.parts if part.source.key == "survey"]
        assert [part.status for part in survey_parts] == ["missing", "missing"]
        assert all(part.points == 0 for part in survey_parts)
        assert all("Källa saknas" in part.explanation for part in survey_parts)


def test_a_problem_without_crime_categories_is_not_given_invented_crime_points() -> None:
    belysning = next(
        item for item in rank_problems(EVIDENCE, sources=SOURCES, year=2023) if item.slug == "belysning"
    )
    crime_parts = [part for part in belysning.parts if part.source.key == "crime"]

    assert [part.status for part in crime_parts] == ["no_data"] * 3
    assert all(part.signal is None and part.points == 0 for part in crime_parts)


def test_small_counts_are_flagged_uncertain() -> None:
    vald = next(item for item in rank_problems(EVIDENCE, sources=SOURCES, year=2023) if item.slug == "vald")

    assert all(part.uncertain for part in vald.parts if part.source.key == "crime")


def test_the_survey_counts_when_it_is_there_and_weights_come_from_the_caller() -> None:
    sources = {**SOURCES, "survey": Source("survey", "Trygghetsmätning", True)}
    evidence = [
        ProblemEvidence(
            "klotter",
            "Klotter",
            survey=SurveyEvidence(index=3.0, year=2023, previous=2.0, previous_year=2021),
        )
    ]

    ranked = rank_problems(evidence, sources=sources, year=2023, weights={"survey_level": 4})
    points = {part.code: part.points for part in ranked[0].parts}

    assert points["survey_level"] == Decimal("2.00")  # 4 × 3/6
    assert points["survey_change"] == Decimal("0.50")  # 1 × (3 − 2)/2


def test_an_explanation_counts_one_dialogue_and_one_report_in_the_singular() -> None:
    evidence = [
        ProblemEvidence("klotter", "Klotter", reports=1, dialogue_mentions=1, dialogue_count=1),
        ProblemEvidence("stold", "Stöld", reports=3, dialogue_mentions=4, dialogue_count=2),
    ]
    ranked = {problem.slug: problem for problem in rank_problems(evidence, sources=SOURCES, year=2023)}

    one = {part.code: part.explanation for part in ranked["klotter"].parts}
    many = {part.code: part.explanation for part in ranked["stold"].parts}

    assert one["dialogue"].startswith("1 person tog upp problemet i 1 dialog;")
    assert one["reports"].startswith("1 felanmälan 2023")
    assert many["dialogue"].startswith("4 personer tog upp problemet i 2 dialoger;")
    assert many["reports"].startswith("3 felanmälningar 2023")


def test_a_figure_with_spaces_counts_as_its_whole_number() -> None:
    assert (figure_value("1\u00a0724"), figure_value("1 724,4"), figure_value("1"), figure_value("")) == (
        1724,
        1724,
        1,
        0,
    )


def test_a_problem_is_told_by_the_two_parts_that_gave_it_the_most_points() -> None:
    klotter = next(
        problem
        for problem in rank_problems(EVIDENCE, sources=SOURCES, year=2023)
        if problem.slug == "klotter"
    )

    leading = klotter.leading_parts

    assert len(leading) == 2
    assert leading[0].points >= leading[1].points
    others = [part.points for part in klotter.parts if part not in leading]
    assert all(points <= leading[1].points for points in others)
