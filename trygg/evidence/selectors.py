import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Max, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from trygg.crimestats import analysis
from trygg.crimestats import selectors as crime_selectors
from trygg.crimestats.models import ImportRun, ReportedCrime
from trygg.municipalities import rules as municipality_rules
from trygg.municipalities.models import Municipality
from trygg.problems.models import Problem
from trygg.promises.models import FocusArea, Promise

from . import ranking, sources
from .models import Dialogue, DialogueProblem, EvidenceSnapshot, FocusAreaEvidence, Measure


def evidence_weights() -> dict[str, float]:
    """The ranking's weights: settings.EVIDENCE_WEIGHTS over the defaults in ranking.py."""
    configured = getattr(settings, "EVIDENCE_WEIGHTS", {}) or {}
    return {**ranking.DEFAULT_WEIGHTS, **{key: float(value) for key, value in configured.items()}}


@dataclass(frozen=True)
class Ranking:
    municipality: Municipality
    year: int
    problems: list[ranking.RankedProblem]
    sources: dict[str, ranking.Source]
    weights: dict[str, float]

    @property
    def example_data(self) -> bool:
        return any(source.example_data and source.available for source in self.sources.values())

    def problem(self, slug: str) -> ranking.RankedProblem | None:
        return next((item for item in self.problems if item.slug == slug), None)


def _crime_evidence(
    municipality: Municipality, year: int
) -> tuple[ranking.Source, dict[str, ranking.CrimeEvidence]]:
    has_figures = ReportedCrime.objects.filter(municipality=municipality, year=year).exists()
    if not has_figures:
        note = _("inga anmälda brott för %(year)s är importerade") % {"year": year}
        return ranking.Source("crime", _("Anmälda brott"), False, note=note), {}
    picture = crime_selectors.crime_picture(municipality=municipality, by_problem=True, years=[year])
    areas = picture.areas
    if areas.group:
        area, label = "group", areas.group_name
    elif areas.county:
        area, label = "county", areas.county_name
    else:
        area, label = "country", _("riket")
    evidence = {}
    for slug, series in picture.series.items():
        item = series.year(year)
        if item is None or item.local.count is None:
            continue
        change = item.change_earlier
        other = getattr(item, area)
        evidence[slug] = ranking.CrimeEvidence(
            year=year,
            count=item.local.count,
            rate=item.local.rate,
            uncertain=item.local.uncertain,
            change_percent=change.percent if change else None,
            change_basis=change.basis if change else "rate",
            earlier_years=item.earlier_years,
            ratio=item.compared_with(area),
            comparison_area=label,
            comparison_rate=other.rate,
        )
    run = picture.latest_import
    note = run.source_note or run.file_name if run else ""
    source = ranking.Source(
        "crime",
        _("Anmälda brott"),
        True,
        date=run.imported_at.date() if run else None,
        note=note,
        example_data=picture.example_data,
        note_is_swedish_text=bool(run and run.source_note),
    )
    return source, evidence


def _held_meetings_with_problems(municipality: Municipality, year: int) -> Any:
    """The held meetings of the year at which problems were raised: the meetings the ranking counts."""
    meeting_model = apps.get_model("meetings", "Meeting")
    return meeting_model.objects.filter(
        municipality=municipality, status="held", starts_at__year=year, raised_problems__isnull=False
    ).distinct()


def _meeting_mentions(municipality: Municipality, year: int) -> tuple[int, dict[str, tuple[int, int]]]:
    """Problems raised at held meetings (dialogue meetings, neighbourhood watch …): the meetings app's part
    of the dialogue input. (held meetings, {problem slug: (mentions, meetings)})"""
    if not apps.is_installed("trygg.meetings"):
        return 0, {}
    raised = apps.get_model("meetings", "RaisedProblem").objects.filter(
        meeting__municipality=municipality, meeting__status="held", meeting__starts_at__year=year
    )
    rows = raised.values("problem__slug").annotate(
        mentions=Sum("mentions"), meetings=Count("meeting", distinct=True)
    )
    held = raised.values("meeting").distinct().count()
    return held, {row["problem__slug"]: (int(row["mentions"] or 0), row["meetings"]) for row in rows}


def _dialogue_evidence(
    municipality: Municipality, year: int
) -> tuple[ranking.Source, dict[str, tuple[int, int]]]:
    dialogues = Dialogue.objects.filter(municipality=municipality, date__year=year)
    summary = dialogues.aggregate(
        count=Count("pk"), last=Max("date"), example=Count("pk", filter=Q(example_data=True))
    )
    meetings, meeting_mentions = _meeting_mentions(municipality, year)
    if not summary["count"] and not meetings:
        note = _("inga dialoger registrerade för %(year)s") % {"year": year}
        return ranking.Source("dialogue", _("Dialoger"), False, note=note), {}
    rows = (
        DialogueProblem.objects.filter(dialogue__in=dialogues)
        .values("problem__slug")
        .annotate(mentions=Sum("raised_by"), dialogues=Count("dialogue", distinct=True))
    )
    note = _("%(count)s dialoger och %(meetings)s möten med upptagna problem %(year)s") % {
        "count": summary["count"],
        "meetings": meetings,
        "year": year,
    }
    source = ranking.Source(
        "dialogue",
        _("Dialoger"),
        True,
        date=summary["last"],
        note=note,
        example_data=bool(summary["example"]),
    )
    mentions = {row["problem__slug"]: (row["mentions"], row["dialogues"]) for row in rows}
    for slug, (raised, held) in meeting_mentions.items():
        before = mentions.get(slug, (0, 0))
        mentions[slug] = (before[0] + raised, before[1] + held)
    return source, mentions


def ranking_for(*, municipality: Municipality, year: int) -> Ranking:
    """Every problem of the shared list, scored from every source there is for the municipality and year."""
    crime_source, crime = _crime_evidence(municipality, year)
    survey = sources.survey_indices(municipality=municipality, year=year)
    reports = sources.report_counts(municipality=municipality, year=year)
    dialogue_source, mentions = _dialogue_evidence(municipality, year)
    all_sources = {
        "crime": crime_source,
        "survey": ranking.Source(
            "survey",
            _("Trygghetsmätning"),
            survey.available,
            date=survey.date,
            note=survey.note,
            example_data=survey.example_data,
        ),
        "reports": ranking.Source("reports", _("Felanmälningar"), reports.available, note=reports.note),
        "dialogue": dialogue_source,
    }
    evidence = [
        ranking.ProblemEvidence(
            slug=problem.slug,
            name=problem.name,
            crime=crime.get(problem.slug),
            survey=survey.indices.get(problem.slug),
            reports=reports.counts.get(problem.slug, 0) if reports.available else None,
            dialogue_mentions=mentions.get(problem.slug, (0, 0))[0],
            dialogue_count=mentions.get(problem.slug, (0, 0))[1],
        )
        for problem in Problem.objects.all()
    ]
    weights = evidence_weights()
    ranked = ranking.rank_problems(evidence, sources=all_sources, year=year, weights=weights)
    return Ranking(
        municipality=municipality, year=year, problems=ranked, sources=all_sources, weights=weights
    )


def staff_municipality_get(*, user: AbstractBaseUser | AnonymousUser, slug: str) -> Municipality:
    """A municipality the user works in; others do not exist for them (404)."""
    return get_object_or_404(municipality_rules.staff_municipalities(user), slug=slug)


def dialogues_for(*, municipality: Municipality) -> list[Dialogue]:
    return list(
        Dialogue.objects.filter(municipality=municipality).prefetch_related("problems_raised__problem")
    )


def measures_for(*, municipality: Municipality, year: int | None = None, public_only: bool) -> list[Measure]:
    measures = Measure.objects.filter(municipality=municipality)
    if year is not None:
        measures = measures.for_year(year)
    if public_only:
        measures = measures.public()
    return list(
        measures.select_related("owner", "activity__focus_area__promise").prefetch_related("problems")
    )


def draft_focus_areas(*, municipality: Municipality) -> list[FocusArea]:
    return list(
        FocusArea.objects.filter(promise__municipality=municipality, promise__status=Promise.Status.DRAFT)
        .select_related("promise")
        .order_by("promise__valid_from", "order")
    )


def draft_promises(*, municipality: Municipality) -> list[Promise]:
    return list(Promise.objects.filter(municipality=municipality, status=Promise.Status.DRAFT))


@dataclass(frozen=True)
class ChosenFocusArea:
    focus_area: FocusArea
    evidence: list[FocusAreaEvidence] = field(default_factory=list)
    #: The latest frozen snapshot of its evidence (at publishing, else when it was chosen).
    snapshot: EvidenceSnapshot | None = None


def chosen_focus_areas(*, municipality: Municipality, year: int, public_only: bool) -> list[ChosenFocusArea]:
    """Focus areas of the year's promises (public ones only, for the public), with the evidence they were
    decided on: the latest dated snapshot and its parts."""
    promises = Promise.objects.filter(municipality=municipality).for_year(year)
    if public_only:
        promises = promises.public()
    snapshots = EvidenceSnapshot.objects.select_related("problem").prefetch_related(
        Prefetch("parts", queryset=FocusAreaEvidence.objects.order_by("order", "pk"))
    )
    focus_areas = (
        FocusArea.objects.filter(promise__in=promises)
        .select_related("promise")
        .prefetch_related("evidence", Prefetch("evidence_snapshots", queryset=snapshots))
    )
    chosen = []
    for area in focus_areas:
        latest = latest_snapshot(list(area.evidence_snapshots.all()))
        parts = list(latest.parts.all()) if latest else list(area.evidence.all())
        chosen.append(ChosenFocusArea(area, parts, latest))
    return chosen


def latest_snapshot(snapshots: list[EvidenceSnapshot]) -> EvidenceSnapshot | None:
    """The snapshot to show: the latest by date, a publishing one before a choosing one on the same day."""
    if not snapshots:
        return None
    return max(snapshots, key=lambda item: (item.taken_on, item.occasion == "published", item.pk))


@dataclass(frozen=True)
class DialogueSummary:
    kind: str
    label: str
    count: int
    participants: int


def dialogue_summary(*, municipality: Municipality, year: int) -> list[DialogueSummary]:
    """The year's dialogues per kind, and the held meetings at which problems were raised per kind: exactly
    the input the ranking's dialogue part counts, so the two never disagree."""
    rows = (
        Dialogue.objects.filter(municipality=municipality, date__year=year)
        .values("kind")
        .annotate(count=Count("pk"), participants=Sum("participants"))
        .order_by("kind")
    )
    labels = dict(Dialogue.Kind.choices)
    summary = [
        DialogueSummary(
            row["kind"], str(labels.get(row["kind"], row["kind"])), row["count"], row["participants"] or 0
        )
        for row in rows
    ]
    if apps.is_installed("trygg.meetings"):
        meeting_kinds = dict(apps.get_model("meetings", "Meeting").Kind.choices)
        meetings = (
            apps.get_model("meetings", "Meeting")
            .objects.filter(pk__in=_held_meetings_with_problems(municipality, year).values("pk"))
            .values("kind")
            .annotate(count=Count("pk"), participants=Sum("participants"))
            .order_by("kind")
        )
        for row in meetings:
            label = _("%(kind)s (möte)") % {"kind": meeting_kinds.get(row["kind"], row["kind"])}
            summary.append(
                DialogueSummary(f"mote-{row['kind']}", label, row["count"], row["participants"] or 0)
            )
    return summary


@dataclass(frozen=True)
class ProblemPicture:
    """Everything the lägesbild document shows."""

    municipality: Municipality
    year: int
    ranking: Ranking
    crime: crime_selectors.CrimePicture
    dialogues: list[DialogueSummary]
    measures: list[Measure]
    focus_areas: list[ChosenFocusArea]
    public: bool
    generated_on: dt.date
    crime_rows: list[tuple[str, analysis.SeriesYear]] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        """Whether anything at all is known for the year: a page for a year without data does not exist."""
        sources = self.ranking.sources
        reports = any(
            part.code == "reports" and part.status == "ok" and part.signal
            for problem in self.ranking.problems
            for part in problem.parts
        )
        return bool(
            sources["crime"].available
            or sources["survey"].available
            or sources["dialogue"].available
            or reports
            or self.crime_rows
            or self.measures
            or self.focus_areas
        )

    @property
    def example_data(self) -> bool:
        return (
            self.ranking.example_data
            or self.crime.example_data
            or any(item.example_data for area in self.focus_areas for item in area.evidence)
        )


def problem_picture(*, municipality: Municipality, year: int, public: bool, today: dt.date) -> ProblemPicture:
    crime = crime_selectors.crime_picture(municipality=municipality, years=range(year - 4, year + 1))
    return ProblemPicture(
        municipality=municipality,
        year=year,
        ranking=ranking_for(municipality=municipality, year=year),
        crime=crime,
        dialogues=dialogue_summary(municipality=municipality, year=year),
        measures=measures_for(municipality=municipality, year=year, public_only=public),
        focus_areas=chosen_focus_areas(municipality=municipality, year=year, public_only=public),
        public=public,
        generated_on=today,
        crime_rows=[
            (crime.names.get(key, key), item)
            for key, series in crime.series.items()
            if (item := series.year(year)) is not None and item.local.count is not None
        ],
    )


#: The earliest year a lägesbild page may be asked for; earlier years never have data in Trygg.
FIRST_YEAR = 2000


def problem_picture_for_year(
    *, municipality: Municipality, year: int, public: bool, today: dt.date
) -> ProblemPicture | None:
    """The lägesbild of a year, or None when the year has no data (or lies in the future): no page then."""
    if not FIRST_YEAR <= year <= today.year:
        return None
    picture = problem_picture(municipality=municipality, year=year, public=public, today=today)
    return picture if picture.has_data else None


def current_problem_picture_year(*, municipality: Municipality, today: dt.date) -> int | None:
    """The year of today's lägesbild: last year when it has data (the latest whole year), else this year, else
    the latest earlier year with data within five years."""
    for year in [today.year - 1, today.year, *range(today.year - 2, today.year - 6, -1)]:
        if problem_picture_for_year(municipality=municipality, year=year, public=True, today=today):
            return year
    return None


def import_runs_exist() -> bool:
    return ImportRun.objects.exists()
