from django import template

from trygg.promises.models import Activity, Correction, Promise
from trygg.promises.text import activity_commitment, correction_lines

register = template.Library()


@register.simple_tag
def commitment(activity: Activity, promise: Promise) -> str:
    return activity_commitment(activity=activity, promise=promise)


@register.simple_tag
def correction_summary(correction: Correction) -> list[str]:
    return correction_lines(correction)
