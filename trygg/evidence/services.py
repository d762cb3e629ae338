import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_changes, audit_record
from trygg.municipalities.models import Municipality, Party
from trygg.municipalities.rules import AnyUser
from trygg.problems.models import Problem
from trygg.promises import services as promise_services
from trygg.promises.models import Activity, FocusArea, Promise

from . import ranking, rules, selectors
from .models import Dialogue, DialogueProblem, EvidenceSnapshot, FocusAreaEvidence, Measure

DIALOGUE_FIELDS = ["date", "kind", "place", "participants", "notes"]
MEASURE_FIELDS = ["year", "start_date", "end_date", "text", "owner", "is_public", "order"]


@dataclass(frozen=True)
class RaisedProblem:
    problem: Problem
    raised_by: int
    notes: str = ""


@transaction.atomic
def dialogue_save(
    *,
    municipality: Municipality,
    by: AnyUser,
    date: dt.date,
    kind: str,
    place: str,
    participants: int | None,
    notes: str,
    raised: Sequence[RaisedProblem],
    dialogue: Dialogue | None = None,
    example_data: bool = False,
) -> Dialogue:
    """Create or update a dialogue and the problems raised in it (the list replaces the earlier one)."""
    if not rules.can_record_dialogues(by, municipality):
        raise PermissionDenied
    if dialogue is not None and dialogue.municipality_id != municipality.pk:
        raise PermissionDenied
    slugs = [item.problem.slug for item in raised]
    if len(slugs) != len(set(slugs)):
        raise ValidationError(_("Varje problem kan bara anges en gång per dialog."))
    values = {"date": date, "kind": kind, "place": place, "participants": participants, "notes": notes}
    created = dialogue is None
    before = {} if dialogue is None else {name: getattr(dialogue, name) for name in DIALOGUE_FIELDS}
    before_raised = (
        []
        if dialogue is None
        else sorted(
            f"{row.problem.slug}:{row.raised_by}"
            for row in dialogue.problems_raised.select_related("problem")
        )
    )
    if dialogue is None:
        dialogue = Dialogue(
            municipality=municipality,
            created_by=by if by.is_authenticated else None,
            example_data=example_data,
        )  # type: ignore[misc]
    for name, value in values.items():
        setattr(dialogue, name, value)
    dialogue.full_clean(exclude=["created_by"])
    dialogue.save()
    dialogue.problems_raised.all().delete()
    DialogueProblem.objects.bulk_create(
        [
            DialogueProblem(
                dialogue=dialogue, problem=item.problem, raised_by=item.raised_by, notes=item.notes
            )
            for item in raised
        ]
    )
    after_raised = sorted(f"{item.problem.slug}:{item.raised_by}" for item in raised)
    changes = audit_changes(
        before={**before, "problems": before_raised},
        after={**values, "problems": after_raised},
        fields=[*DIALOGUE_FIELDS, "problems"],
    )
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        instance=dialogue,
        changes=changes,
    )
    return dialogue


def _ranking_to_keep(municipality: Municipality, year: int) -> selectors.Ranking:
    """The ranking as a snapshot keeps it: its sources' labels and notes in Swedish (see `_freeze`)."""
    with translation.override(settings.LANGUAGE_CODE):
        return selectors.ranking_for(municipality=municipality, year=year)


def _freeze(
    *,
    focus_area: FocusArea,
    entry: ranking.RankedProblem,
    ranked: selectors.Ranking,
    problem: Problem,
    occasion: str,
    today: dt.date,
) -> EvidenceSnapshot:
    """Store the ranking's parts for one problem, with its sources and weights, as a snapshot dated today.

    The snapshot is a record, written in Swedish whatever language the staff page that froze it was in (the
    ranking too is made in Swedish, `_ranking_to_keep`): the texts it keeps (a part's source, a source's label
    and note) are shown as Swedish on pages in another language, the labels Trygg knows translated again."""
    with translation.override(settings.LANGUAGE_CODE):
        snapshot = EvidenceSnapshot.objects.create(
            focus_area=focus_area,
            occasion=occasion,
            taken_on=today,
            year=ranked.year,
            problem=problem,
            rank=entry.rank,
            score=entry.score,
            weights={code: str(weight) for code, weight in ranked.weights.items()},
            sources=[
                {
                    "key": source.key,
                    "label": str(source.label),
                    "available": source.available,
                    "date": source.date.isoformat() if source.date else None,
                    "note": str(source.note),
                    "example_data": source.example_data,
                }
                for source in ranked.sources.values()
            ],
            example_data=entry.example_data,
        )
        FocusAreaEvidence.objects.bulk_create(
            [
                FocusAreaEvidence(
                    taken=snapshot,
                    focus_area=focus_area,
                    problem=problem,
                    year=ranked.year,
                    part=part.code,
                    label=part.label,
                    explanation=part.explanation[:500],
                    source=(
                        f"{part.source.label}: {part.source.note}" if part.source.note else part.source.label
                    )[:300],
                    source_date=part.source.date,
                    points=part.points,
                    score=entry.score,
                    rank=entry.rank,
                    status=part.status,
                    snapshot={
                        "template": part.template,
                        "params": dict(part.params),
                        "weight": str(part.weight),
                        "signal": None if part.signal is None else str(part.signal),
                        "uncertain": part.uncertain,
                    },
                    example_data=part.source.example_data and part.status == "ok",
                    order=order_number,
                )
                for order_number, part in enumerate(entry.parts)
            ]
        )
        return snapshot


@transaction.atomic
def focus_area_create_from_evidence(
    *, promise: Promise, problem: Problem, year: int, by: AnyUser, today: dt.date, title: str = ""
) -> FocusArea:
    """Add a focus area for a ranked problem to a draft promise, freezing the ranking's parts as its evidence."""
    locked = Promise.objects.select_for_update().select_related("municipality").get(pk=promise.pk)
    if not rules.can_create_focus_area(by, locked.municipality):
        raise PermissionDenied
    if locked.status != Promise.Status.DRAFT:
        raise ValidationError(_("Fokusområden kan bara läggas till i ett utkast."))
    ranked = _ranking_to_keep(locked.municipality, year)
    entry = ranked.problem(problem.slug)
    if entry is None:
        raise ValidationError(_("Problemet finns inte i rangordningen."))
    title = title.strip() or problem.name
    # A draft's focus area: the promise service writes and audits it (a draft needs no rättelse, so no day is given).
    focus_area = promise_services.focus_area_create_unchecked(
        promise=locked,
        by=by,
        title=title,
        problems=[problem],
        reason=_("Skapat från lägesbilden %(year)s (plats %(rank)s)") % {"year": year, "rank": entry.rank},
    )
    _freeze(
        focus_area=focus_area,
        entry=entry,
        ranked=ranked,
        problem=problem,
        occasion=EvidenceSnapshot.Occasion.CREATED,
        today=today,
    )
    return focus_area


def evidence_freeze_for_publishing(*, promise: Promise, today: dt.date) -> list[EvidenceSnapshot]:
    """Freeze the evidence of each focus area again as the promise is published (called inside the publishing
    transaction, see `promises.publishing`).

    A focus area made from the ranking is ranked again for the same lägesbild year and problem; one that only
    names its problems is ranked for the year before the promise starts. Nothing is frozen for a year without
    any source: there is no evidence to keep.
    """
    focus_areas = list(
        FocusArea.objects.filter(promise=promise)
        .prefetch_related("problems", "evidence_snapshots__problem")
        .order_by("order", "pk")
    )
    rankings: dict[int, selectors.Ranking] = {}
    made: list[EvidenceSnapshot] = []
    for focus_area in focus_areas:
        earlier = [item for item in focus_area.evidence_snapshots.all() if item.occasion == "created"]
        if earlier:
            wanted = [(earlier[-1].year, earlier[-1].problem)]
        else:
            # The first of its problems (in the problem list's order) stands for the focus area.
            problems = sorted(focus_area.problems.all(), key=lambda problem: (problem.order, problem.pk))
            wanted = [(promise.valid_from.year - 1, problem) for problem in problems[:1]]
        for year, problem in wanted:
            if year not in rankings:
                rankings[year] = _ranking_to_keep(promise.municipality, year)
            ranked = rankings[year]
            entry = ranked.problem(problem.slug)
            if entry is None or not any(source.available for source in ranked.sources.values()):
                continue
            made.append(
                _freeze(
                    focus_area=focus_area,
                    entry=entry,
                    ranked=ranked,
                    problem=problem,
                    occasion=EvidenceSnapshot.Occasion.PUBLISHED,
                    today=today,
                )
            )
    return made


@transaction.atomic
def measure_save(
    *,
    municipality: Municipality,
    by: AnyUser,
    year: int,
    text: str,
    owner: Party,
    is_public: bool,
    problems: Sequence[Problem],
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    order: int = 0,
    measure: Measure | None = None,
) -> Measure:
    if not rules.can_edit_measures(by, municipality):
        raise PermissionDenied
    if measure is not None and measure.municipality_id != municipality.pk:
        raise PermissionDenied
    if owner.municipality_id not in (None, municipality.pk):
        raise ValidationError(_("Den ansvariga parten hör till en annan kommun."))
    values = {
        "year": year,
        "start_date": start_date,
        "end_date": end_date,
        "text": text,
        "owner": owner,
        "is_public": is_public,
        "order": order,
    }
    created = measure is None
    before = {} if measure is None else {name: getattr(measure, name) for name in MEASURE_FIELDS}
    before_problems = [] if measure is None else list(measure.problems.all())
    if measure is None:
        measure = Measure(municipality=municipality)
    for name, value in values.items():
        setattr(measure, name, value)
    measure.full_clean()
    measure.save()
    measure.problems.set(problems)
    changes = audit_changes(
        before={**before, "problems": before_problems},
        after={**values, "problems": list(problems)},
        fields=[*MEASURE_FIELDS, "problems"],
    )
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        instance=measure,
        changes=changes,
    )
    return measure


@transaction.atomic
def measure_publish_as_activity(*, measure: Measure, focus_area: FocusArea, by: AnyUser) -> Activity:
    """Make a public measure an activity of a draft promise's focus area, without typing it again."""
    locked = Measure.objects.select_for_update().select_related("municipality", "owner").get(pk=measure.pk)
    if not rules.can_edit_measures(by, locked.municipality):
        raise PermissionDenied
    promise = focus_area.promise
    if promise.municipality_id != locked.municipality_id:
        raise PermissionDenied
    if promise.status != Promise.Status.DRAFT:
        raise ValidationError(_("Aktiviteter kan bara läggas till i ett utkast."))
    if not locked.is_public:
        raise ValidationError(_("En intern åtgärd kan inte bli en aktivitet i medborgarlöftet."))
    if locked.activity_id is not None:
        raise ValidationError(_("Åtgärden är redan en aktivitet i ett medborgarlöfte."))
    # The promise service writes the activity (and audits it); the draft needs no rättelse, so no day is given.
    activity = promise_services.activity_create_unchecked(
        focus_area=focus_area,
        by=by,
        text=locked.text,
        responsible_parties=[locked.owner],
        start_date=locked.start_date,
        end_date=locked.end_date,
        audit_reason=_("Publicerad från åtgärdsplanen"),
    )
    locked.activity = activity
    locked.save(update_fields=["activity"])
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=locked,
        changes={"activity": [None, str(activity.pk)]},
    )
    return activity
