import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django import template
from django.db.models import Prefetch
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trygg.core.templatetags.site_tags import swedish
from trygg.evidence.models import EvidenceSnapshot, FocusAreaEvidence
from trygg.evidence.ranking import EXPLANATIONS, LABELS, PLAIN, Part, Source, explain
from trygg.evidence.selectors import latest_snapshot
from trygg.promises.models import FocusArea

register = template.Library()

CACHE_ATTRIBUTE = "_evidence_by_focus_area"


@dataclass(frozen=True)
class FrozenEvidence:
    """What a focus area was decided on: its latest dated snapshot with the parts, or loose parts of old."""

    snapshot: EvidenceSnapshot | None
    parts: list[FocusAreaEvidence]
    #: The snapshot made when the focus area was chosen from the ranking, when a later one is shown.
    chosen: EvidenceSnapshot | None = None


def _evidence_of(focus_area: FocusArea) -> FrozenEvidence:
    # Two queries for the whole promise, however many focus areas the page shows: the prefetched focus areas
    # share their promise instance, so the first call fills the cache for the rest.
    promise = focus_area.promise
    cache: dict[int, FrozenEvidence] | None = getattr(promise, CACHE_ATTRIBUTE, None)
    if cache is None:
        snapshots: dict[int, list[EvidenceSnapshot]] = defaultdict(list)
        for snapshot in (
            EvidenceSnapshot.objects.filter(focus_area__promise=promise)
            .select_related("problem")
            .prefetch_related(Prefetch("parts", queryset=FocusAreaEvidence.objects.order_by("order", "pk")))
        ):
            snapshots[snapshot.focus_area_id].append(snapshot)
        loose: dict[int, list[FocusAreaEvidence]] = defaultdict(list)
        if not snapshots:
            for item in FocusAreaEvidence.objects.filter(
                focus_area__promise=promise, taken__isnull=True
            ).order_by("order", "pk"):
                loose[item.focus_area_id].append(item)
        cache = {}
        for focus_area_id in set(snapshots) | set(loose):
            own = snapshots.get(focus_area_id, [])
            latest = latest_snapshot(own)
            chosen = next((item for item in own if item.occasion == "created"), None)
            parts = list(latest.parts.all()) if latest else loose[focus_area_id]
            cache[focus_area_id] = FrozenEvidence(latest, parts, chosen if chosen is not latest else None)
        setattr(promise, CACHE_ATTRIBUTE, cache)
    return cache.get(focus_area.pk, FrozenEvidence(None, []))


@register.inclusion_tag("evidence/_why_prioritised.html")
def why_prioritised(focus_area: FocusArea, level: int = 2) -> dict[str, Any]:
    """ "Därför prioriterar vi detta": the evidence the focus area was decided on, frozen on a date (at publishing,
    or when it was chosen from the lägesbild), never today's figures."""
    frozen = _evidence_of(focus_area)
    evidence = frozen.parts
    shown = [item for item in evidence if item.status == "ok"]
    missing = [item for item in evidence if item.status == "missing"]
    return {
        "focus_area": focus_area,
        "evidence": shown,
        "missing": missing,
        "first": frozen.snapshot or (evidence[0] if evidence else None),
        "snapshot": frozen.snapshot,
        "chosen": frozen.chosen,
        "example_data": any(item.example_data for item in shown),
        "level": level,
        "sublevel": min(level + 1, 6),
    }


@register.simple_tag
def part_explanation(part: Part | FocusAreaEvidence) -> str:
    """The explanation in the visitor's language; the figures were formatted when the ranking was made."""
    if isinstance(part, Part):
        return explain(part.template, part.params, gettext=_, ngettext=ngettext)
    template_key = part.snapshot.get("template")
    if template_key in EXPLANATIONS:
        return explain(template_key, part.snapshot.get("params", {}), gettext=_, ngettext=ngettext)
    return part.explanation


@register.simple_tag
def part_plain(part: Part) -> str:
    """What the part found, in a resident's words; the full explanation where there is no plain form."""
    if part.template in PLAIN:
        return explain(part.template, part.params, plain=True, gettext=_, ngettext=ngettext)
    return explain(part.template, part.params, gettext=_, ngettext=ngettext)


@register.simple_tag
def part_label(part: Part | FocusAreaEvidence) -> str:
    code = part.code if isinstance(part, Part) else part.part
    return _(LABELS[code]) if code in LABELS else getattr(part, "label", code)


@register.simple_tag
def part_label_code(code: str) -> str:
    return _(LABELS[code]) if code in LABELS else code


@register.filter
def iso_day(value: object) -> dt.date | None:
    """A date a snapshot keeps as text ("2025-12-11"), as a date for the ``date`` filter; anything else as None."""
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@register.simple_tag
def source_note(source: Source) -> str:
    """A source's note: Trygg's own sentence as it is, people's Swedish text (an import's note) marked Swedish."""
    return swedish(source.note) if source.note_is_swedish_text else conditional_escape(source.note)
