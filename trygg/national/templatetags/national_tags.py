"""Provenance on every page that shows a promise, and a kommun's national facts on its page."""

from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone

from trygg.municipalities.models import Municipality
from trygg.promises.models import Promise

from .. import selectors

register = template.Library()


@register.inclusion_tag("national/_provenance_short.html")
def provenance_short(provenance: selectors.Provenance) -> dict[str, Any]:
    return {"provenance": provenance}


@register.inclusion_tag("national/_provenance.html")
def promise_provenance(promise: Promise) -> dict[str, Any]:
    """The full provenance block: source address, when fetched, how it was read, verified or not."""
    return {"provenance": selectors.promise_provenance(promise=promise), "promise": promise}


@register.inclusion_tag("national/_kommun_facts.html")
def kommun_national_facts(municipality: Municipality) -> dict[str, Any]:
    facts = selectors.kommun_facts(municipality=municipality, today=timezone.localdate())
    return {"facts": facts, "national": settings.NATIONAL}
