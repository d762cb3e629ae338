"""Issue 20, item 3: no hidden survey figure can be worked out from the published ones.

The attacker here reads exactly what the pages show (the rows of the public results pages and CSVs for the whole
municipality and each area, the staff breakdowns by area, kön and ålder: n, the rounded value, and how many
answered in each group) and solves the published system as an integer program (scipy's MILP): every margin adds
up to the total, every shown share is a rounding interval of a count over n. For each hidden cell it asks for the
smallest and largest count and n the published figures allow. A cell is recovered when its value is pinned: an
exact count of an exact n, or all answers at one end of the scale (0 % or 100 %).
"""

import datetime as dt
import math
import random
from dataclasses import dataclass

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from trygg.surveys import disclosure, results, selectors, services
from trygg.surveys.dataset import AREA_COLUMN
from trygg.surveys.models import Response, Survey

pytestmark = pytest.mark.django_db


@dataclass
class Published:
    n: int | None  # None when hidden
    value_text: str | None  # None when hidden
    respondents: int | None


def _number(text: str) -> float:
    return float(text.replace(" %", "").replace(",", ".").replace("\u2212", "-"))


def _published(survey: Survey) -> dict[str, dict[tuple[str, ...], dict[str, list[Published]]]]:
    """indicator -> breakdown -> group label -> what the pages show; the total under breakdown ()."""
    found: dict[str, dict[tuple[str, ...], dict[str, list[Published]]]] = {}
    # Public pages: the whole municipality and each area, as the page and CSV rows give them.
    scopes = [results.scope_results(survey=survey, area=None)] + [
        results.scope_results(survey=survey, area=area)
        for area in selectors.survey_areas_in_data(survey=survey)
    ]
    for scope in scopes:
        assert scope is not None
        breakdown, label = ((), "") if scope.area is None else ((AREA_COLUMN,), scope.area)
        for row in scope.rows:
            found.setdefault(row.indicator, {}).setdefault(breakdown, {})[label] = [
                Published(
                    n=None if row.suppressed else int(row.n_text),
                    value_text=None if row.suppressed else row.value_text,
                    respondents=scope.respondents_shown,
                )
            ]
    # Staff breakdowns: every group of each, as the staff results page shows them.
    for by in selectors.PUBLISHED_BREAKDOWNS:
        result = selectors.survey_indices(survey=survey, by=by)
        if len(result["groups"]) == 1:
            continue
        for group in result["groups"][1:]:
            label = group["by"][by[0]]
            respondents = group["respondents"] if group["respondents"] >= survey.k else None
            for indicator, cell in group["indicators"].items():
                is_index = indicator.startswith("p_")
                found.setdefault(indicator, {}).setdefault(by, {})[label] = [
                    Published(
                        n=None if cell["suppressed"] else cell["n"],
                        value_text=None
                        if cell["suppressed"]
                        else results.display_value(float(cell["value"]), is_index),  # type: ignore[arg-type]
                        respondents=respondents,
                    )
                ]
    return found


def _attack(indicator: str, tables: dict[tuple[str, ...], dict[str, list[Published]]]) -> list[str]:
    """The hidden cells whose value the published figures pin down."""
    is_index = indicator.startswith("p_")
    top = 6.0 if is_index else 1.0
    half = 0.05 if is_index else 0.005
    [total] = tables[()][""]
    cells: list[tuple[tuple[str, ...], str, Published]] = [((), "", total)]
    for by, groups in tables.items():
        if by:
            cells += [(by, label, published) for label, [published] in groups.items()]
    count = len(cells)
    # Variables: x_i (the count, or the sum of points) then n_i, for every cell.
    rows, lows, highs = [], [], []
    big = 10_000

    def add(row: np.ndarray, low: float, high: float) -> None:
        rows.append(row)
        lows.append(low)
        highs.append(high)

    lower = np.zeros(2 * count)
    upper = np.full(2 * count, big * top)
    upper[count:] = big
    for index, (_by, _label, published) in enumerate(cells):
        row = np.zeros(2 * count)
        row[index], row[count + index] = 1, -top
        add(row, -np.inf, 0)  # x ≤ top·n
        if published.respondents is not None:
            upper[count + index] = published.respondents
        if published.n is not None:
            lower[count + index] = upper[count + index] = published.n
        if published.value_text is not None and published.n is not None:
            shown = _number(published.value_text) / (1 if is_index else 100)
            lower[index] = max(0.0, math.ceil((shown - half) * published.n - 1e-9))
            upper[index] = min(top * published.n, math.floor((shown + half) * published.n + 1e-9))
    for by in {by for by, _label, _published in cells if by}:
        members = [index for index, (cell_by, _l, _p) in enumerate(cells) if cell_by == by]
        for offset in (0, count):
            row = np.zeros(2 * count)
            row[offset] = -1
            for member in members:
                row[offset + member] = 1
            add(row, 0, 0)  # the margin adds up to the total
    constraints = LinearConstraint(np.array(rows), lows, highs)
    integrality = np.ones(2 * count) if not is_index else np.concatenate([np.zeros(count), np.ones(count)])
    if is_index:
        # Points are whole numbers in steps of 2 (0, 2, 4, 6): counted in halves they are integers too.
        integrality[:count] = 1

    def extreme(objective: np.ndarray) -> float:
        found = milp(objective, constraints=constraints, integrality=integrality, bounds=Bounds(lower, upper))
        assert found.status == 0, found.message
        return float(objective @ found.x)

    recovered = []
    for index, (by, label, published) in enumerate(cells):
        if published.value_text is not None:
            continue
        x, n, rest = np.zeros(2 * count), np.zeros(2 * count), np.zeros(2 * count)
        x[index] = 1
        n[count + index] = 1
        rest[count + index], rest[index] = top, -1
        n_low, n_high = extreme(n) + 0.0, -extreme(-n) + 0.0
        if n_low < 1:
            continue  # a group that may have no answers at all has no value to give away
        x_low, x_high = extreme(x) + 0.0, -extreme(-x) + 0.0
        pinned = (math.isclose(x_low, x_high) and math.isclose(n_low, n_high)) or x_high < 0.5
        pinned = pinned or -extreme(-rest) < 0.5
        if pinned:
            recovered.append(f"{indicator} {by} {label!r}: {x_low}..{x_high} of {n_low}..{n_high}")
    return recovered


def _survey(coordinator, rows: list[tuple[str, dict[str, int]]]) -> Survey:
    areas = sorted({area for area, _answers in rows if area})
    survey = services.survey_create(
        municipality=coordinator.memberships.get().municipality,
        year=2026,
        title="Trygghetsmätning 2026",
        slug="2026",
        mode=Survey.Mode.OPEN,
        k=10,
        languages=[],
        areas=areas,
        by=coordinator,
    )
    Response.objects.bulk_create(
        Response(survey=survey, submitted_on=dt.date(2026, 9, 1), area=area, answers=answers)
        for area, answers in rows
    )
    return services.survey_set_status(survey=survey, status=Survey.Status.PUBLISHED, by=coordinator)


def test_the_reviews_example_norr_is_no_longer_exactly_0_of_4(coordinator) -> None:
    # Municipality n=17, 76 % victims; Centrum n=13, 100 %; Norr n=4 (and three in Söder who did not answer).
    rows = [("Centrum", {"u_hot_vald": 1, "kon": 1}) for _ in range(13)]
    rows += [("Norr", {"u_hot_vald": 2, "kon": 2}) for _ in range(4)]
    rows += [("Söder", {"kon": 2}) for _ in range(3)]
    survey = _survey(coordinator, rows)

    published = _published(survey)

    total = published["u_hot_vald"][()][""][0]
    assert total.value_text == "76 %" and total.n == 17
    centrum = published["u_hot_vald"][(AREA_COLUMN,)]["Centrum"][0]
    assert centrum.value_text is None, "100 % of 13 is below 2k = 20 answers"
    assert _attack("u_hot_vald", published["u_hot_vald"]) == []


def test_the_attacker_recovers_nothing_from_generated_surveys(coordinator) -> None:
    generator = random.Random(20)
    rows = []
    areas = ["Centrum", "Norr", "Söder", "Väster", "Landsbygd"]
    sizes = {"Centrum": 40, "Norr": 4, "Söder": 11, "Väster": 7, "Landsbygd": 23}
    for area in areas:
        victim_share = {"Norr": 0.0, "Väster": 1.0}.get(area, generator.random())
        for _ in range(sizes[area]):
            answers = {
                "kon": generator.choice([1, 2, 2, 3]),
                "alder": generator.choice([1, 2, 3, 4, 5, 6]),
                "u_hot_vald": 1 if generator.random() < victim_share else 2,
                "u_stold": generator.choice([1, 2, 2, 2, 9]),
                "t_kvall": generator.choice([1, 2, 3, 4, 5]),
                "p_klotter": 1 if area == "Väster" else generator.choice([1, 2, 3, 4]),
            }
            rows.append((area, answers))
    rows += [("", {"u_hot_vald": 2}) for _ in range(2)]
    survey = _survey(coordinator, rows)

    published = _published(survey)

    recovered = [found for indicator, tables in published.items() for found in _attack(indicator, tables)]
    assert recovered == []
    # And the attacker is a real one: without the complementary rule it finds the small areas.
    assert any(table[(AREA_COLUMN,)]["Norr"][0].value_text is None for table in published.values())


def test_the_attacker_finds_what_the_old_rule_left_open() -> None:
    # The rule before issue 20 hid only cells under k (and one more when exactly one was hidden), and showed n.
    tables = {
        (): {"": [Published(n=17, value_text="76 %", respondents=20)]},
        (AREA_COLUMN,): {
            "Centrum": [Published(n=13, value_text="100 %", respondents=13)],
            "Norr": [Published(n=4, value_text=None, respondents=4)],
            "Söder": [Published(n=0, value_text=None, respondents=3)],
        },
    }

    assert _attack("u_hot_vald", tables) == ["u_hot_vald ('area',) 'Norr': 0.0..0.0 of 4.0..4.0"]


def test_zero_and_a_hundred_percent_need_twice_k_answers_by_default_and_the_limit_is_a_setting(
    settings,
) -> None:
    rules = disclosure.Rules(k=10, extreme_n=disclosure.extreme_n_default(10), extremes=(0.0, 1.0))
    assert rules.cell_unsafe(disclosure.Facts(n=19, value=1.0))
    assert rules.cell_unsafe(disclosure.Facts(n=19, value=0.0))
    assert not rules.cell_unsafe(disclosure.Facts(n=20, value=1.0))
    assert not rules.cell_unsafe(disclosure.Facts(n=19, value=0.5))
    assert rules.cell_unsafe(disclosure.Facts(n=9, value=0.5))

    settings.SURVEY_EXTREME_MIN_N = 50
    survey = Survey(k=10)
    assert selectors.extreme_min_n(survey) == 50
    settings.SURVEY_EXTREME_MIN_N = 0
    assert selectors.extreme_min_n(survey) == 20


def test_hidden_cells_of_a_margin_are_never_alone_nor_all_at_one_end() -> None:
    rules = disclosure.Rules(k=10, extreme_n=20, extremes=(0.0, 1.0))
    total = disclosure.Facts(n=60, value=0.5)
    margin = [
        disclosure.Facts(n=4, value=0.0),
        disclosure.Facts(n=6, value=0.0),
        disclosure.Facts(n=25, value=0.6),
        disclosure.Facts(n=25, value=0.64),
    ]

    total_hidden, [flags] = disclosure.suppress(total, [margin], rules)

    assert not total_hidden
    # The two small cells are both 0 %: hidden together they would still say "everyone answered no".
    assert flags == [True, True, True, False]


def test_a_number_of_answers_is_hidden_with_its_value(coordinator) -> None:
    rows = [("Centrum", {"u_hot_vald": 1 + (number % 2)}) for number in range(30)]
    rows += [("Norr", {"u_hot_vald": 2}) for _ in range(3)]
    survey = _survey(coordinator, rows)

    norr = results.scope_results(survey=survey, area="Norr")

    assert norr is not None and norr.respondents_shown is None
    row = next(row for row in norr.rows if row.indicator == "u_hot_vald")
    assert row.suppressed and row.cells()[1:3] == ["–", "för få svar"]
    whole = results.scope_results(survey=survey, area=None)
    assert whole is not None
    assert next(row for row in whole.rows if row.indicator == "u_hot_vald").n_text == "33"
