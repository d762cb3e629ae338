from django import template

from trygg.promises.models import Activity, Promise
from trygg.promises.text import activity_commitment

register = template.Library()


@register.simple_tag
def commitment(activity: Activity, promise: Promise) -> str:
    return activity_commitment(activity=activity, promise=promise)
