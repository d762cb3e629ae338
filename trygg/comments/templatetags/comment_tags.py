from typing import Any

from django import template
from django.db import models

from trygg.comments import selectors
from trygg.comments.forms import SubscribeForm
from trygg.comments.targets import kind_for_object

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_section(context: template.Context, target: models.Model) -> dict[str, Any] | None:
    """Everything the comment section of a page needs, in a fixed number of queries."""
    kind = kind_for_object(target)
    if kind is None or not kind.is_public(target):
        return None
    request = context.get("request")
    query = request.GET if request is not None else {}
    comments = selectors.comments_public_for_target(target=target)
    return {
        "kind": kind,
        "target": target,
        "promise": kind.promise(target),
        "comments": comments,
        "subscribe_form": SubscribeForm() if kind.subscribable else None,
        "outcome": query.get("kommentar", ""),
        "reported": query.get("anmald", ""),
    }
