"""The ranking of a municipality's problems: an explainable sum of weighted parts.

No Django import. Every part turns one piece of evidence into a *signal* (a number from -1 to 1, or 0 to 1), and
its points are `weight × signal`, rounded to two decimals; a problem's score is the sum of its parts' points, so
the parts always add up to the score shown. A part whose source is missing, or which has no figure for the
problem, gets 0 points and says why: no part is ever estimated or invented.

The parts (docs/lagesbild.md explains each with an example):

    crime_level       reported crimes of the problem's categories / the most of any problem     0 … 1
    crime_trend       change of the rate against the mean of up to 3 earlier years, / 50 %       -1 … 1
    crime_comparison  the rate as a multiple of the comparison area's rate, minus 1              -1 … 1
    survey_level      the survey's problem index (0 = no problem … 6 = alarming) / 6             0 … 1
    survey_change     change of the index since the previous survey, / 2 index points          -1 … 1
    reports           residents' reports of the problem / the most of any problem               0 … 1
    dialogue          people who raised it in dialogues / the most of any problem                0 … 1
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

DEFAULT_WEIGHTS: dict[str, float] = {
    "crime_level": 2.0,
    "crime_trend": 1.0,
    "crime_comparison": 1.5,
    "survey_level": 2.0,
    "survey_change": 1.0,
    "reports": 1.0,
    "dialogue": 1.5,
}
PARTS = tuple(DEFAULT_WEIGHTS)
SOURCE_OF_PART = {
    "crime_level": "crime",
    "crime_trend": "crime",
    "crime_comparison": "crime",
    "survey_level": "survey",
    "survey_change": "survey",
    "reports": "reports",
    "dialogue": "dialogue",
}
TREND_SCALE = 50.0  # per cent change that gives the full signal
SURVEY_CHANGE_SCALE = 2.0  # index points that give the full signal
SURVEY_INDEX_MAX = 6.0


def gettext_noop(message: str) -> str:
    return message


LABELS: dict[str, str] = {
    "crime_level": gettext_noop("Anmälda brott: nivå"),
    "crime_trend": gettext_noop("Anmälda brott: utveckling"),
    "crime_comparison": gettext_noop("Anmälda brott: jämförelse"),
    "survey_level": gettext_noop("Trygghetsmätning: problemindex"),
    "survey_change": gettext_noop("Trygghetsmätning: förändring"),
    "reports": gettext_noop("Felanmälningar från invånare"),
    "dialogue": gettext_noop("Dialoger"),
}

EXPLANATIONS: dict[str, str] = {
    "missing": gettext_noop("Källa saknas: %(note)s"),
    "crime_no_category": gettext_noop("Ingen brottskategori är kopplad till problemet."),
    "crime_level": gettext_noop("%(count)s anmälda brott %(year)s; flest för något problem: %(most)s."),
    "crime_no_trend": gettext_noop("Inga tidigare år att jämföra med."),
    "crime_trend": gettext_noop("%(change)s mot snittet för %(years)s (%(basis)s)."),
    "crime_no_comparison": gettext_noop(
        "Ingen jämförelse möjlig (folkmängd eller jämförelsesiffror saknas)."
    ),
    "crime_comparison": gettext_noop(
        "%(rate)s per 100 000 invånare, %(ratio)s gånger %(area)s (%(other)s per 100 000)."
    ),
    "survey_no_data": gettext_noop("Mätningen har inget index för problemet."),
    "survey_level": gettext_noop("Problemindex %(index)s av 6 (%(year)s)."),
    "survey_no_change": gettext_noop("Ingen tidigare mätning att jämföra med."),
    "survey_change": gettext_noop("Från %(previous)s (%(previous_year)s) till %(index)s (%(year)s)."),
    "reports_none": gettext_noop("Inga felanmälningar om problemet %(year)s."),
    "reports": gettext_noop("%(counted_reports)s %(year)s; flest för något problem: %(most)s."),
    "dialogue_none": gettext_noop("Ingen tog upp problemet i årets dialoger."),
    "dialogue": gettext_noop(
        "%(counted_people)s tog upp problemet i %(counted_dialogues)s; flest för något problem: %(most)s."
    ),
    "uncertain": gettext_noop("Osäkert: färre än 10 brott."),
}

# The same findings in a resident's words, for the public lägesbild's short list (the full explanations stay
# behind "Så räknar vi").
PLAIN: dict[str, str] = {
    "crime_level": gettext_noop("%(count)s anmälda brott %(year)s"),
    "crime_trend": gettext_noop("%(change)s jämfört med %(years)s"),
    "crime_comparison": gettext_noop("%(ratio)s gånger så vanligt som i jämförelsen (%(area)s)"),
    "survey_level": gettext_noop("invånarna ger problemet %(index)s av 6 i trygghetsmätningen %(year)s"),
    "survey_change": gettext_noop("trygghetsmätningen: från %(previous)s till %(index)s av 6"),
    "reports": gettext_noop("%(counted_reports)s %(year)s"),
    "dialogue": gettext_noop("togs upp av %(counted_people)s i %(counted_dialogues)s"),
}


# Each figure an explanation counts with a noun: the parameter with the figure, the parameter its phrase fills,
# and the phrase in the singular and the plural ("1 dialog", "3 dialoger"). The form is chosen when the
# explanation is shown, so explanations kept in snapshots read right too.
# `counted_noun` marks the pair for `trygg makemessages` (trygg.core's command adds it as an xgettext keyword).
def counted_noun(singular: str, plural: str) -> tuple[str, str]:
    return singular, plural


COUNTED: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "reports": (
        ("count", "counted_reports", *counted_noun("%(figure)s felanmälan", "%(figure)s felanmälningar")),
    ),
    "dialogue": (
        ("mentions", "counted_people", *counted_noun("%(figure)s person", "%(figure)s personer")),
        ("dialogues", "counted_dialogues", *counted_noun("%(figure)s dialog", "%(figure)s dialoger")),
    ),
}


def _same(message: str) -> str:
    return message


def _swedish_ngettext(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def figure_value(text: str) -> int:
    """The whole number a formatted figure shows: "1 724" (with any kind of space) is 1724."""
    digits = re.sub(r"\D", "", text.split(",")[0])
    return int(digits) if digits else 0


def explain(
    template: str,
    params: Mapping[str, str],
    *,
    plain: bool = False,
    gettext: Callable[[str], str] = _same,
    ngettext: Callable[[str, str, int], str] = _swedish_ngettext,
) -> str:
    """An explanation (or its plain form) with each counted figure's noun in the singular or the plural."""
    values = dict(params)
    for source, target, singular, plural in COUNTED.get(template, ()):
        if source in values:
            values[target] = ngettext(singular, plural, figure_value(values[source])) % {
                "figure": values[source]
            }
    messages = PLAIN if plain else EXPLANATIONS
    return gettext(messages[template]) % values


def number(value: float | Decimal, decimals: int = 0) -> str:
    """Swedish number format: a decimal comma and a thin space between thousands."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",").replace("-", "−")


def signed_percent(value: float) -> str:
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{number(abs(value), 1)}\u00a0%"  # no-break space: the sign stays with its number


@dataclass(frozen=True)
class Source:
    """One source of evidence: whether it is there, what it is and how recent."""

    key: str
    label: str
    available: bool
    date: dt.date | None = None
    note: str = ""
    example_data: bool = False
    #: The note is people's own Swedish text (an import's source note), not one of Trygg's translated sentences:
    #: a page in another language marks it as Swedish.
    note_is_swedish_text: bool = False


@dataclass(frozen=True)
class CrimeEvidence:
    year: int
    count: int
    rate: float | None
    uncertain: bool
    change_percent: float | None
    change_basis: str
    earlier_years: tuple[int, ...]
    ratio: float | None
    comparison_area: str
    comparison_rate: float | None


@dataclass(frozen=True)
class SurveyEvidence:
    index: float
    year: int
    previous: float | None = None
    previous_year: int | None = None


@dataclass(frozen=True)
class ProblemEvidence:
    slug: str
    name: str
    crime: CrimeEvidence | None = None
    survey: SurveyEvidence | None = None
    reports: int | None = None
    dialogue_mentions: int = 0
    dialogue_count: int = 0


@dataclass(frozen=True)
class Part:
    code: str
    source: Source
    status: str  # "ok", "no_data" (the source is there but has nothing for the problem) or "missing"
    weight: Decimal
    signal: Decimal | None
    points: Decimal
    template: str
    params: Mapping[str, str] = field(default_factory=dict)
    uncertain: bool = False

    @property
    def label(self) -> str:
        return LABELS[self.code]

    @property
    def explanation(self) -> str:
        return explain(self.template, self.params)

    @property
    def is_missing(self) -> bool:
        return self.status == "missing"


@dataclass(frozen=True)
class RankedProblem:
    slug: str
    name: str
    rank: int
    score: Decimal
    parts: tuple[Part, ...]

    @property
    def example_data(self) -> bool:
        return any(part.source.example_data and part.status == "ok" for part in self.parts)

    @property
    def leading_parts(self) -> tuple[Part, ...]:
        """The two parts that gave the most points: what a resident is told the problem is seen in."""
        scored = [part for part in self.parts if part.status == "ok" and part.points > 0]
        return tuple(sorted(scored, key=lambda part: part.points, reverse=True)[:2])


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 4)))


def _part(
    code: str, source: Source, weight: float, signal: float | None, template: str, **params: str
) -> Part:
    weight_decimal = _decimal(weight)
    if signal is None:
        status = "missing" if template == "missing" else "no_data"
        return Part(code, source, status, weight_decimal, None, Decimal("0.00"), template, params)
    signal_decimal = _decimal(signal)
    points = (weight_decimal * signal_decimal).quantize(CENT, rounding=ROUND_HALF_UP)
    return Part(code, source, "ok", weight_decimal, signal_decimal, points, template, params)


def _missing(code: str, source: Source, weight: float) -> Part:
    return _part(code, source, weight, None, "missing", note=source.note or source.label)


def _crime_parts(
    item: ProblemEvidence, source: Source, weights: Mapping[str, float], most: int
) -> list[Part]:
    codes = ("crime_level", "crime_trend", "crime_comparison")
    if not source.available:
        return [_missing(code, source, weights[code]) for code in codes]
    crime = item.crime
    if crime is None:
        return [_part(code, source, weights[code], None, "crime_no_category") for code in codes]
    level = _part(
        "crime_level",
        source,
        weights["crime_level"],
        crime.count / most if most else 0.0,
        "crime_level",
        count=number(crime.count),
        year=str(crime.year),
        most=number(most),
    )
    if crime.change_percent is None:
        trend = _part("crime_trend", source, weights["crime_trend"], None, "crime_no_trend")
    else:
        years = crime.earlier_years
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
        trend = _part(
            "crime_trend",
            source,
            weights["crime_trend"],
            _clamp(crime.change_percent / TREND_SCALE, -1, 1),
            "crime_trend",
            change=signed_percent(crime.change_percent),
            years=span,
            basis="per 100 000 invånare" if crime.change_basis == "rate" else "antal",
        )
    if crime.ratio is None or crime.rate is None or crime.comparison_rate is None:
        comparison = _part(
            "crime_comparison", source, weights["crime_comparison"], None, "crime_no_comparison"
        )
    else:
        comparison = _part(
            "crime_comparison",
            source,
            weights["crime_comparison"],
            _clamp(crime.ratio - 1, -1, 1),
            "crime_comparison",
            rate=number(crime.rate, 1),
            ratio=number(crime.ratio, 2),
            area=crime.comparison_area,
            other=number(crime.comparison_rate, 1),
        )
    if crime.uncertain:
        level = _with_uncertain(level)
        trend = _with_uncertain(trend)
        comparison = _with_uncertain(comparison)
    return [level, trend, comparison]


def _with_uncertain(part: Part) -> Part:
    return Part(
        part.code,
        part.source,
        part.status,
        part.weight,
        part.signal,
        part.points,
        part.template,
        part.params,
        True,
    )


def _survey_parts(item: ProblemEvidence, source: Source, weights: Mapping[str, float]) -> list[Part]:
    if not source.available:
        return [_missing(code, source, weights[code]) for code in ("survey_level", "survey_change")]
    survey = item.survey
    if survey is None:
        return [
            _part("survey_level", source, weights["survey_level"], None, "survey_no_data"),
            _part("survey_change", source, weights["survey_change"], None, "survey_no_data"),
        ]
    level = _part(
        "survey_level",
        source,
        weights["survey_level"],
        _clamp(survey.index / SURVEY_INDEX_MAX, 0, 1),
        "survey_level",
        index=number(survey.index, 1),
        year=str(survey.year),
    )
    if survey.previous is None:
        change = _part("survey_change", source, weights["survey_change"], None, "survey_no_change")
    else:
        change = _part(
            "survey_change",
            source,
            weights["survey_change"],
            _clamp((survey.index - survey.previous) / SURVEY_CHANGE_SCALE, -1, 1),
            "survey_change",
            previous=number(survey.previous, 1),
            previous_year=str(survey.previous_year or ""),
            index=number(survey.index, 1),
            year=str(survey.year),
        )
    return [level, change]


def rank_problems(
    evidence: Sequence[ProblemEvidence],
    *,
    sources: Mapping[str, Source],
    year: int,
    weights: Mapping[str, float] | None = None,
) -> list[RankedProblem]:
    """Score and order the problems; `sources` has the keys crime, survey, reports and dialogue."""
    merged = {**DEFAULT_WEIGHTS, **(weights or {})}
    most_crime = max((item.crime.count for item in evidence if item.crime), default=0)
    most_reports = max((item.reports or 0 for item in evidence), default=0)
    most_mentions = max((item.dialogue_mentions for item in evidence), default=0)
    scored = []
    for item in evidence:
        parts = _crime_parts(item, sources["crime"], merged, most_crime)
        parts += _survey_parts(item, sources["survey"], merged)
        reports_source = sources["reports"]
        if not reports_source.available:
            parts.append(_missing("reports", reports_source, merged["reports"]))
        elif not item.reports:
            parts.append(
                _part("reports", reports_source, merged["reports"], 0.0, "reports_none", year=str(year))
            )
        else:
            parts.append(
                _part(
                    "reports",
                    reports_source,
                    merged["reports"],
                    item.reports / most_reports,
                    "reports",
                    count=number(item.reports),
                    year=str(year),
                    most=number(most_reports),
                )
            )
        dialogue_source = sources["dialogue"]
        if not dialogue_source.available:
            parts.append(_missing("dialogue", dialogue_source, merged["dialogue"]))
        elif not item.dialogue_mentions:
            parts.append(_part("dialogue", dialogue_source, merged["dialogue"], 0.0, "dialogue_none"))
        else:
            parts.append(
                _part(
                    "dialogue",
                    dialogue_source,
                    merged["dialogue"],
                    item.dialogue_mentions / most_mentions,
                    "dialogue",
                    mentions=number(item.dialogue_mentions),
                    dialogues=number(item.dialogue_count),
                    most=number(most_mentions),
                )
            )
        score = sum((part.points for part in parts), Decimal("0.00"))
        scored.append((item, tuple(parts), score))
    scored.sort(key=lambda entry: (-entry[2], entry[0].name))
    return [
        RankedProblem(slug=item.slug, name=item.name, rank=rank, score=score, parts=parts)
        for rank, (item, parts, score) in enumerate(scored, start=1)
    ]
