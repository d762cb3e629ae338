from collections import defaultdict
from typing import Any

from django import template
from django.utils.translation import gettext as _

from trygg.evidence.models import FocusAreaEvidence
from trygg.evidence.ranking import EXPLANATIONS, LABELS, Part
from trygg.promises.models import FocusArea

register = template.Library()

CACHE_ATTRIBUTE = "_evidence_by_focus_area"


def _evidence_of(focus_area: FocusArea) -> list[FocusAreaEvidence]:
    # One query for the whole promise, however many focus areas the page shows: the prefetched focus areas
    # share their promise instance, so the first call fills the cache for the rest.
    promise = focus_area.promise
    cache = getattr(promise, CACHE_ATTRIBUTE, None)
    if cache is None:
        cache = defaultdict(list)
        for item in FocusAreaEvidence.objects.filter(focus_area__promise=promise).order_by("order", "pk"):
            cache[item.focus_area_id].append(item)
        setattr(promise, CACHE_ATTRIBUTE, cache)
    return cache.get(focus_area.pk, [])


@register.inclusion_tag("evidence/_why_prioritised.html")
def why_prioritised(focus_area: FocusArea, level: int = 2) -> dict[str, Any]:
    """ "Därför prioriterar vi detta": the evidence the focus area was chosen on, if it was chosen from the lägesbild."""
    evidence = _evidence_of(focus_area)
    shown = [item for item in evidence if item.status == "ok"]
    missing = [item for item in evidence if item.status == "missing"]
    return {
        "focus_area": focus_area,
        "evidence": shown,
        "missing": missing,
        "first": evidence[0] if evidence else None,
        "example_data": any(item.example_data for item in shown),
        "level": level,
        "sublevel": min(level + 1, 6),
    }


@register.simple_tag
def part_explanation(part: Part | FocusAreaEvidence) -> str:
    """The explanation in the visitor's language; the figures were formatted when the ranking was made."""
    if isinstance(part, Part):
        return _(EXPLANATIONS[part.template]) % dict(part.params)
    template_key = part.snapshot.get("template")
    if template_key in EXPLANATIONS:
        return _(EXPLANATIONS[template_key]) % part.snapshot.get("params", {})
    return part.explanation


@register.simple_tag
def part_label(part: Part | FocusAreaEvidence) -> str:
    code = part.code if isinstance(part, Part) else part.part
    return _(LABELS[code]) if code in LABELS else getattr(part, "label", code)
